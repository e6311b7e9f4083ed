from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from peers.models import (
    Council,
    CouncilType,
    Peer,
    PoliticalGroup,
    Profession,
    Region,
    WeeklyWindow,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    out = StringIO()
    call_command("seed_demo", "--no-bookings", stdout=out)
    return out.getvalue()


def test_seed_demo_loads_a_realistic_directory(seeded):
    assert Council.objects.count() >= 60
    assert set(Council.objects.values_list("region", flat=True)) == set(Region.values)
    assert set(Council.objects.values_list("council_type", flat=True)) == set(CouncilType.values)
    assert not Council.objects.filter(principal_adviser__isnull=True).exists()

    assert Peer.objects.count() >= 300
    groups = Counter(Peer.objects.filter(kind="member").values_list("political_group", flat=True))
    assert set(groups) == set(PoliticalGroup.values)
    assert min(groups.values()) >= 5
    professions = Counter(Peer.objects.filter(kind="officer").values_list("profession", flat=True))
    assert set(professions) == set(Profession.values)
    # Every peer has weekly hours to be booked against.
    assert not Peer.objects.filter(weekly_windows__isnull=True).exists()


def test_seed_demo_prints_and_creates_the_demo_sign_ins(seeded):
    for username in ["staff", "adviser", "booker", "peer", "councillor"]:
        assert username in seeded
        assert authenticate(username=username, password="demo") is not None, username
    assert "password 'demo'" in seeded
    staff = authenticate(username="staff", password="demo")
    assert staff.is_staff
    adviser = authenticate(username="adviser", password="demo")
    assert (
        adviser.advised_councils.filter(region=Region.NORTH_WEST).count()
        == Council.objects.filter(region=Region.NORTH_WEST).count()
    )
    assert authenticate(username="booker", password="demo").booker.council.name == "Wigan Council"
    assert authenticate(username="peer", password="demo").peer.kind == "member"


def test_seed_demo_twice_duplicates_nothing(seeded):
    counts = (Council.objects.count(), Peer.objects.count(), WeeklyWindow.objects.count())
    leaders = dict(Council.objects.values_list("slug", "leader_group"))
    call_command("seed_demo", "--no-bookings", stdout=StringIO())
    assert (Council.objects.count(), Peer.objects.count(), WeeklyWindow.objects.count()) == counts
    assert dict(Council.objects.values_list("slug", "leader_group")) == leaders


def test_peers_in_welsh_councils_follow_welsh_bank_holidays(seeded):
    welsh = Peer.objects.filter(home_council__region=Region.WALES)
    assert welsh.exists()
    assert set(welsh.values_list("nation", flat=True)) == {"wales"}
