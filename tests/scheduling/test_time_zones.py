"""The time zones a peer may choose: canonical names only, readable labels, the common first."""

from zoneinfo import ZoneInfo, available_timezones

from scheduling.engine.time_zones import (
    COMMON_ZONES,
    offered_zones,
    zone_now_named,
    zone_offered,
    zone_refusal,
)


def test_the_common_zones_come_first_with_uk_time_at_the_top():
    zones = offered_zones()
    assert zones[0].name == "Europe/London" and zones[0].label == "UK time (Europe/London)"
    assert [z.name for z in zones[: len(COMMON_ZONES)]] == [name for name, _ in COMMON_ZONES]
    assert all(z.common for z in zones[: len(COMMON_ZONES)])
    assert not any(z.common for z in zones[len(COMMON_ZONES) :])


def test_every_zone_is_a_real_canonical_name_offered_once_with_a_label():
    zones = offered_zones()
    names = [z.name for z in zones]
    assert len(names) == len(set(names))
    assert set(names) <= available_timezones()
    for zone in zones:
        ZoneInfo(zone.name)
        assert zone.label and "_" not in zone.label.split("(")[0]
    # Outdated aliases and bare offsets are not offered.
    for old in ("Africa/Asmera", "US/Eastern", "GB", "Europe/Kiev", "Asia/Calcutta", "Etc/GMT+5"):
        assert not zone_offered(old)
    assert zone_offered("Africa/Asmara") and zone_offered("Europe/Kyiv") and zone_offered("UTC")
    # The rest are sorted by country and place for a person to find theirs.
    rest = [z.label for z in zones if not z.common]
    assert rest == sorted(rest)


def test_an_old_name_is_answered_with_the_zone_it_now_means():
    assert zone_now_named("Europe/Kiev") == "Europe/Kyiv"
    assert zone_now_named("Asia/Calcutta") == "Asia/Kolkata"
    assert zone_now_named("Europe/London") == "Europe/London"
    assert zone_now_named("Mars/Olympus") is None
    assert zone_refusal("Europe/London") is None
    assert zone_refusal("GB") == "GB is an old name for a time zone: choose Europe/London instead."
