"""Hostile busy calendars: small files that ask for a great deal of work, made here on demand.

Each is what a peer (or anyone who can set a peer's feed) could send; the importer must read
each within its budget or refuse it with a message that names the limit. `HOSTILE` maps a name
to the builder of its bytes; the builders are deterministic.
"""

CRLF = "\r\n"


def _calendar(*components: str, head: str = "") -> bytes:
    return (
        "BEGIN:VCALENDAR"
        + CRLF
        + "VERSION:2.0"
        + CRLF
        + "PRODID:-//Hostile//EN"
        + CRLF
        + head
        + "".join(components)
        + "END:VCALENDAR"
        + CRLF
    ).encode()


def _event(uid: str, *lines: str) -> str:
    return (
        "".join(
            line + CRLF
            for line in ("BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20220101T000000Z", *lines)
        )
        + "END:VEVENT"
        + CRLF
    )


def six_hourly_since_2022() -> bytes:
    """696 bytes: six events repeating every hour since January 2022, for ever."""
    events = "".join(
        "BEGIN:VEVENT"
        + CRLF
        + f"UID:h{number}@x"
        + CRLF
        + f"DTSTART:2022010{number + 1}T0{number}0000Z"
        + CRLF
        + "DURATION:PT30M"
        + CRLF
        + "RRULE:FREQ=HOURLY"
        + CRLF
        + "END:VEVENT"
        + CRLF
        for number in range(6)
    )
    return _calendar(events, head="X-WR-CALNAME:Hourly rotas" + CRLF + "X-WR-TIMEZONE:UTC" + CRLF)


def daily_since_2000() -> bytes:
    """About 25 kB: 200 events repeating daily since 2000, each at its own minute."""
    return _calendar(
        *(
            _event(
                f"d{number}@x",
                f"DTSTART:20000101T{8 + number // 60:02d}{number % 60:02d}00Z",
                "DURATION:PT15M",
                "RRULE:FREQ=DAILY",
            )
            for number in range(200)
        )
    )


def big_history() -> bytes:
    """About 484 kB: ten years of single meetings (almost all in the past), plus 40 weekly
    series since 2016, with exceptions and moved occurrences: a real but large diary."""
    components = []
    for number in range(1_838):
        year, day = 2016 + number // 300, number % 300
        month, mday = 1 + day // 28, 1 + day % 28
        components.append(
            _event(
                f"single-{number}@x",
                f"DTSTART;TZID=Europe/London:{year}{month:02d}{mday:02d}T{9 + number % 8:02d}0000",
                f"DTEND;TZID=Europe/London:{year}{month:02d}{mday:02d}T{10 + number % 8:02d}0000",
                f"SUMMARY:Meeting {number} about the medium term financial plan",
                "LOCATION:Committee room 2, County Hall",
            )
        )
    for number in range(40):
        components.append(
            _event(
                f"series-{number}@x",
                f"DTSTART;TZID=Europe/London:20160104T{9 + number % 8:02d}{number % 4 * 15:02d}00",
                "DURATION:PT45M",
                f"SUMMARY:Weekly {number}",
                f"RRULE:FREQ=WEEKLY;BYDAY={('MO', 'TU', 'WE', 'TH', 'FR')[number % 5]}",
                "EXDATE;TZID=Europe/London:"
                + ",".join(f"2017{m:02d}0{1 + number % 5}T090000" for m in range(1, 13)),
            )
        )
    return _calendar(*components)


def count_billion() -> bytes:
    """A daily rule since 2020 with COUNT=1000000000 (it ends in the year 2,740,000)."""
    return _calendar(
        _event(
            "count@x",
            "DTSTART:20200106T100000Z",
            "DURATION:PT1H",
            "SUMMARY:Counted",
            "RRULE:FREQ=DAILY;COUNT=1000000000",
        )
    )


def minutely_count_billion() -> bytes:
    """Every minute since 2023 with COUNT=1000000000."""
    return _calendar(
        _event(
            "minutes@x",
            "DTSTART:20230101T000000Z",
            "DURATION:PT1M",
            "RRULE:FREQ=MINUTELY;COUNT=1000000000",
        )
    )


def secondly() -> bytes:
    """Every second since 2024, for ever."""
    return _calendar(
        _event("seconds@x", "DTSTART:20240101T000000Z", "DURATION:PT1S", "RRULE:FREQ=SECONDLY")
    )


def minutely_once_a_day() -> bytes:
    """A MINUTELY rule narrowed to one minute a day (09:00) since 2020: a date every day."""
    return _calendar(
        _event(
            "standup@x",
            "DTSTART:20200101T090000Z",
            "DURATION:PT15M",
            "SUMMARY:Stand-up",
            "RRULE:FREQ=MINUTELY;BYHOUR=9;BYMINUTE=0",
        )
    )


def many_exdates() -> bytes:
    """A daily series since 2000 with 40,000 EXDATEs and 20,000 RDATEs (about 1.3 MB)."""
    exdates = ",".join(
        f"{2000 + n // 360}{1 + n // 30 % 12:02d}{1 + n % 28:02d}T090000Z" for n in range(40_000)
    )
    rdates = ",".join(
        f"{2000 + n // 360}{1 + n // 30 % 12:02d}{1 + n % 28:02d}T180000Z" for n in range(20_000)
    )
    return _calendar(
        _event(
            "exdates@x",
            "DTSTART:20000101T090000Z",
            "DURATION:PT1H",
            "RRULE:FREQ=DAILY",
            f"EXDATE:{exdates}",
            f"RDATE:{rdates}",
        )
    )


def many_time_zones() -> bytes:
    """1,000 made-up time zones, each with summer and winter rules, and one event."""
    zones = "".join(
        "BEGIN:VTIMEZONE"
        + CRLF
        + f"TZID:Made up {number}"
        + CRLF
        + "BEGIN:STANDARD"
        + CRLF
        + "DTSTART:19701025T030000"
        + CRLF
        + "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"
        + CRLF
        + "TZOFFSETFROM:+0100"
        + CRLF
        + "TZOFFSETTO:+0000"
        + CRLF
        + "END:STANDARD"
        + CRLF
        + "BEGIN:DAYLIGHT"
        + CRLF
        + "DTSTART:19700329T010000"
        + CRLF
        + "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"
        + CRLF
        + "TZOFFSETFROM:+0000"
        + CRLF
        + "TZOFFSETTO:+0100"
        + CRLF
        + "END:DAYLIGHT"
        + CRLF
        + "END:VTIMEZONE"
        + CRLF
        for number in range(1_000)
    )
    return _calendar(
        zones,
        _event("zoned@x", "DTSTART;TZID=Made up 7:20260302T090000", "DURATION:PT1H"),
    )


def many_copies_of_london() -> bytes:
    """Europe/London defined 1,000 times over (a known zone: its rules are not expanded)."""
    zone = (
        "BEGIN:VTIMEZONE"
        + CRLF
        + "TZID:Europe/London"
        + CRLF
        + "BEGIN:STANDARD"
        + CRLF
        + "DTSTART:19701025T020000"
        + CRLF
        + "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"
        + CRLF
        + "TZOFFSETFROM:+0100"
        + CRLF
        + "TZOFFSETTO:+0000"
        + CRLF
        + "END:STANDARD"
        + CRLF
        + "END:VTIMEZONE"
        + CRLF
    )
    return _calendar(
        zone * 1_000,
        _event("zoned@x", "DTSTART;TZID=Europe/London:20260302T090000", "DURATION:PT1H"),
    )


def huge_line() -> bytes:
    """One event whose DESCRIPTION is a single unfolded line of 1.9 MB."""
    return _calendar(
        _event(
            "long@x",
            "DTSTART:20260302T090000Z",
            "DURATION:PT1H",
            "SUMMARY:Long",
            "RRULE:FREQ=WEEKLY",
            "DESCRIPTION:" + "x" * 1_900_000,
        )
    )


def many_short_lines() -> bytes:
    """4,999 events (just under the event limit), each repeating weekly since 2010."""
    return _calendar(
        *(
            _event(
                f"w{number}",
                f"DTSTART:20100104T{number % 24:02d}{number % 60:02d}00Z",
                "DURATION:PT10M",
                "RRULE:FREQ=WEEKLY",
            )
            for number in range(4_999)
        )
    )


HOSTILE = {
    "six hourly events since 2022": six_hourly_since_2022,
    "200 daily events since 2000": daily_since_2000,
    "ten years of meetings": big_history,
    "daily with COUNT=10^9": count_billion,
    "minutely with COUNT=10^9": minutely_count_billion,
    "secondly for ever": secondly,
    "minutely, once a day": minutely_once_a_day,
    "40,000 EXDATEs, 20,000 RDATEs": many_exdates,
    "1,000 made-up time zones": many_time_zones,
    "1,000 copies of Europe/London": many_copies_of_london,
    "a 1.9 MB line": huge_line,
    "4,999 weekly series since 2010": many_short_lines,
}
