"""Fixtures for the sessions tests: a small, exact pool of peers for booking tests, clean
throttle counters and kept feeds, and a client whose feeds the independent parsers read."""

from dataclasses import dataclass

import pytest
from django.core.cache import cache

from peers.models import Council, Peer, Region
from sessions.webinars.selectors import feeds as webinar_feeds
from tests.factories import (
    FeedCheckingClient,
    Pool,
    events_of,
    make_available,
    make_booker,
    make_council,
    make_councillor,
    make_peer,
    make_user,
)
from tests.interop.parsers import libical, libical_ready, read_calendar


@pytest.fixture
def pool(db) -> Pool:
    """Exactly one complete Recovery & Renewal panel (with its LGA lead) for a Labour-led
    council."""
    council = make_council(
        "Wigan Council",
        region=Region.NORTH_WEST,
        leader_group="labour",
        council_type="metropolitan",
    )
    other = make_council(
        "Bolton Council",
        region=Region.NORTH_WEST,
        leader_group="labour",
        council_type="metropolitan",
    )
    home = make_council("Cardiff Council", region=Region.WALES, leader_group="labour")
    lead = make_available(
        make_peer(name="Lead Labour", political_group="labour", home_council=home)
    )
    member = make_available(
        make_peer(name="Member Green", political_group="green", home_council=home)
    )
    officer = make_available(
        make_peer(
            kind="officer", name="Officer Recovery", home_council=home, skills=["recovery-planning"]
        )
    )
    # Would fit, but are ruled out: own council, and a declared interest.
    make_available(
        make_peer(name="Own Council Labour", political_group="labour", home_council=council)
    )
    conflicted = make_available(
        make_peer(name="Conflicted Labour", political_group="labour", home_council=home)
    )
    conflicted.declared_interests.add(council, other)
    facilitator = make_available(
        make_peer(kind="facilitator", name="Fay Facilitator", home_council=home)
    )
    return Pool(
        council=council,
        other_council=other,
        lead=lead,
        member=member,
        officer=officer,
        facilitator=facilitator,
        booker=make_booker(council),
        other_booker=make_booker(other),
    )


@pytest.fixture
def read_mail():
    """An e-mail as it goes out: its real bytes parsed back into headers and its text and HTML
    parts (quoted-printable and base64 undone)."""
    import email
    from email import policy

    def read(message) -> dict:
        parsed = email.message_from_bytes(message.message().as_bytes(), policy=policy.default)
        parts = {
            part.get_content_type(): part.get_content()
            for part in parsed.walk()
            if not part.is_multipart()
        }
        return {"headers": parsed, "text": parts.get("text/plain", ""), **parts}

    return read


@dataclass
class Crowd:
    """Several councils and a pool with several suitable peers for every seat of three offers."""

    councils: list[Council]
    bookers: dict[int, object]  # council id -> its booker
    peers: list[Peer]


@pytest.fixture
def crowd(db) -> Crowd:
    """Labour- and Conservative-led councils; members of both groups and officers of several
    professions and skills (recovery planning, leadership coaching, commercial), all free on
    weekdays 09:00-17:00, so every offer has many possible panels to choose from."""
    councils = [
        make_council("Wigan Council", region=Region.NORTH_WEST, leader_group="labour"),
        make_council("Kent County Council", region=Region.SOUTH_EAST, leader_group="conservative"),
        make_council("Leeds City Council", region=Region.YORKSHIRE_HUMBER, leader_group="labour"),
    ]
    homes = [
        make_council(f"Home Council {n}", region=region, leader_group="labour")
        for n, region in enumerate([Region.WALES, Region.LONDON, Region.EAST_MIDLANDS])
    ]
    peers = []
    for n in range(8):
        group = "labour" if n % 2 == 0 else "conservative"
        peers.append(
            make_available(
                make_peer(
                    name=f"Cllr {group.title()} {n}",
                    political_group=group,
                    home_council=homes[n % 3],
                    skills=["leadership-coaching"] if n < 2 else [],
                )
            )
        )
    for n, (profession, skills) in enumerate(
        [
            ("chief-executive", ["recovery-planning"]),
            ("s151-finance", ["recovery-planning", "commercial"]),
            ("planning", ["recovery-planning", "commercial"]),
            ("communications", ["recovery-planning"]),
            ("monitoring-officer", ["commercial", "leadership-coaching"]),
            ("chief-executive", ["recovery-planning", "leadership-coaching"]),
        ]
    ):
        peers.append(
            make_available(
                make_peer(
                    kind="officer",
                    name=f"Officer {profession} {n}",
                    profession=profession,
                    home_council=homes[n % 3],
                    skills=skills,
                )
            )
        )
    for n in range(3):
        peers.append(
            make_available(
                make_peer(kind="facilitator", name=f"Facilitator {n}", home_council=homes[n])
            )
        )
    return Crowd(
        councils=councils,
        bookers={council.id: make_booker(council) for council in councils},
        peers=peers,
    )


@dataclass
class Roles:
    """One signed-in person of each kind around the pool's council (Wigan, North West)."""

    staff: object
    adviser: object  # the Principal Adviser of the pool's councils (Wigan and Bolton)
    other_adviser: object  # the Principal Adviser of a council in another region (Wales)
    booker: object  # books for Wigan
    peer: object  # the user of the lead peer
    councillor: object
    lga_lead: object  # the user of the LGA facilitator, who leads the pool's panels


@pytest.fixture
def roles(pool) -> Roles:
    adviser = make_user("pa-north-west", first_name="Priya", last_name="Shah")
    Council.objects.filter(pk__in=[pool.council.pk, pool.other_council.pk]).update(
        principal_adviser=adviser
    )
    pool.council.refresh_from_db()
    other_adviser = make_user("pa-wales")
    make_council("Swansea Council", region=Region.WALES, principal_adviser=other_adviser)
    peer_user = make_user("lead-peer")
    Peer.objects.filter(pk=pool.lead.pk).update(user=peer_user)
    lead_user = make_user("lga-lead", first_name="Fay", last_name="Facilitator")
    Peer.objects.filter(pk=pool.facilitator.pk).update(user=lead_user)
    return Roles(
        staff=make_user("lga-staff", is_staff=True, first_name="Sam", last_name="Staff"),
        adviser=adviser,
        other_adviser=other_adviser,
        booker=pool.booker,
        peer=peer_user,
        councillor=make_councillor(pool.council, "wigan-councillor"),
        lga_lead=lead_user,
    )


@pytest.fixture(autouse=True)
def fresh_counters():
    """Feeds are kept in per-process memory, other answers in the cache: start each test clean
    (throttle counts are cleared by `fresh_throttle_counts` in tests/conftest.py)."""
    cache.clear()
    webinar_feeds.feed_memory_clear()


@pytest.fixture
def feed_checking_client():
    """The `client`: every feed a test is served is also read by ical.js and libical,
    without errors."""
    checking = FeedCheckingClient()
    yield checking
    for body in dict.fromkeys(checking.calendars):
        read = read_calendar(body)
        assert read["method"] is None
        assert {e["uid"] for e in read["events"]} == set(events_of(body))
        if libical_ready():
            code, result = libical(body, restrictions=False)
            assert code == 0 and result["parse_errors"] == [], result["parse_errors"]


@pytest.fixture
def adviser(pool):
    """Wigan's Principal Adviser, Ada Adviser."""
    user = make_user("adviser-wigan", first_name="Ada", last_name="Adviser")
    pool.council.principal_adviser = user
    pool.council.save()
    return user


@pytest.fixture
def staff(db):
    """A member of the LGA's staff."""
    return make_user("lga-staff", is_staff=True)
