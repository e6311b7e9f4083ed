"""LGA staff can look at each peer's kept free time in the admin, and change none of it."""

from datetime import UTC, datetime, timedelta

import pytest

from peers.free_time import kept_window
from peers.models import FreeTime
from tests.factories import make_available, make_peer, make_user

pytestmark = pytest.mark.django_db
LIST = "/admin/peers/freetime/"


@pytest.fixture
def staff(client):
    client.force_login(make_user("staffer", is_staff=True, is_superuser=True))
    return client


def test_staff_see_each_peers_version_window_and_size(staff):
    peer = make_available(make_peer(name="Ada Lovelace"))
    row = FreeTime.objects.get(peer=peer)
    page = staff.get(LIST).content.decode()
    assert "Ada Lovelace" in page
    assert str(row.version) in page
    assert f"{len(row.bits):,} bytes" in page
    assert f"{row.slots // 96} days" in page
    detail = staff.get(f"{LIST}{peer.pk}/change/")
    assert detail.status_code == 200
    assert "Ada Lovelace" in detail.content.decode()
    assert 'name="version"' not in detail.content.decode()  # shown, not a field to edit


def test_the_filter_finds_rows_from_an_earlier_day(staff):
    make_available(make_peer(name="Current Peer"))
    behind = make_available(make_peer(name="Behind Peer"))
    earlier = kept_window(datetime.now(UTC)).start - timedelta(days=2)
    FreeTime.objects.filter(peer=behind).update(start=earlier)
    page = staff.get(LIST, {"window": "behind"}).content.decode()
    assert "Behind Peer" in page and "Current Peer" not in page
    page = staff.get(LIST, {"window": "current"}).content.decode()
    assert "Current Peer" in page and "Behind Peer" not in page


def test_nobody_edits_adds_or_deletes_free_time_by_hand(staff, client):
    peer = make_available(make_peer())
    row = FreeTime.objects.get(peer=peer)
    assert staff.post(f"{LIST}{peer.pk}/change/", {"version": "1"}).status_code == 403
    assert staff.get(f"{LIST}add/").status_code == 403
    assert staff.post(f"{LIST}{peer.pk}/delete/", {"post": "yes"}).status_code == 403
    assert FreeTime.objects.get(peer=peer).version == row.version
    client.force_login(make_user())
    assert client.get(LIST).status_code == 302
