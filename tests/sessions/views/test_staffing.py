"""Staff's "Choose another peer": the eligible peers first (the best few, with a link to all),
a search by name, council or skill that works without JavaScript (a GET form answered by the
server), and the peers who cannot take the seat behind a disclosure, each with why."""

import re

import pytest

from peers.models import Region
from sessions.models import HOLDING_SEAT_STATUSES, Seat
from sessions.views.staffing import FIRST_SHOWN
from tests.factories import a_booking, london, make_available, make_council, make_peer
from tests.sent_mail import deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowded(pool, django_capture_on_commit_callbacks):
    """A booked panel, and more eligible Labour member peers than the page lists at first."""
    booking = a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    deliver()
    barnsley = make_council(
        "Barnsley Council", region=Region.YORKSHIRE_HUMBER, leader_group="labour"
    )
    for k in range(FIRST_SHOWN + 2):
        make_available(
            make_peer(
                name=f"Extra Labour {k:02d}",
                political_group="labour",
                home_council=barnsley if k == 3 else pool.lead.home_council,
                skills=["finance"] if k == 5 else [],
            )
        )
    return booking


def lead_seat(pool) -> Seat:
    return Seat.objects.get(peer=pool.lead, status__in=HOLDING_SEAT_STATUSES)


def offered(html: str) -> list[str]:
    """The peers offered as radios, by label."""
    return re.findall(r'class="govuk-label govuk-radios__label" for="id_peer_\d+">([^,<]+),', html)


def not_eligible(html: str) -> str:
    return html.split('id="not-eligible"')[1].split("</details>")[0]


def test_the_best_eligible_peers_come_first_and_the_rest_behind_a_link(
    client, pool, crowded, staff
):
    client.force_login(staff)
    seat = lead_seat(pool)
    html = client.get(f"/seats/{seat.pk}/assign/").content.decode()
    eligible = FIRST_SHOWN + 3  # the extras and the lead seated now
    assert len(offered(html)) == FIRST_SHOWN
    assert f"The best {FIRST_SHOWN} of {eligible} eligible peers." in html
    assert f'href="?all=1#eligible-title">list all {eligible}</a>' in html
    everyone = client.get(f"/seats/{seat.pk}/assign/?all=1").content.decode()
    assert len(offered(everyone)) == eligible
    # The peers who cannot take the seat are behind a disclosure, with why.
    details = not_eligible(html)
    assert '<details class="govuk-details"' in html.split('id="not-eligible"')[0][-60:]
    assert "Own Council Labour, Wigan Council" in details and "Own council" in details
    assert "Conflicted Labour" in details and "Declared interest" in details
    assert "Own Council Labour" not in " ".join(offered(everyone))


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("extra labour 07", ["Extra Labour 07"]),  # a name, in any case
        ("barnsley", ["Extra Labour 03"]),  # a council
        ("finance", ["Extra Labour 05"]),  # a skill, by its name or slug
        ("  EXTRA   05 ", ["Extra Labour 05"]),  # every word, wherever it is
    ],
)
def test_the_search_finds_peers_by_name_council_or_skill(
    client, pool, crowded, staff, search, found
):
    client.force_login(staff)
    html = client.get(f"/seats/{lead_seat(pool).pk}/assign/", {"q": search}).content.decode()
    assert offered(html) == found
    assert f"1 of the {FIRST_SHOWN + 3} eligible peers matches" in html


def test_a_search_reaches_the_ineligible_and_says_when_nothing_matches(
    client, pool, crowded, staff
):
    client.force_login(staff)
    seat = lead_seat(pool)
    html = client.get(f"/seats/{seat.pk}/assign/", {"q": "conflicted"}).content.decode()
    assert offered(html) == []
    assert "No eligible peer matches that search." in html
    details = not_eligible(html)
    assert "Conflicted Labour" in details and "Own Council Labour" not in details
    assert '<details class="govuk-details" id="not-eligible" open>' in html
    nothing = client.get(f"/seats/{seat.pk}/assign/", {"q": "zzzz"}).content.decode()
    assert "None of them matches that search." in nothing
    too_long = client.get(f"/seats/{seat.pk}/assign/", {"q": "x" * 101}).content.decode()
    assert "Search must be 100 characters or fewer." in too_long
    assert "govuk-error-summary" in too_long


def test_choosing_after_a_search_seats_the_peer(
    client, pool, crowded, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    seat = lead_seat(pool)
    html = client.get(f"/seats/{seat.pk}/assign/", {"q": "barnsley"}).content.decode()
    assert f'action="/seats/{seat.pk}/assign/?q=barnsley"' in html
    (peer_id,) = re.findall(r'name="peer" type="radio" value="(\d+)"', html)
    missing = client.post(f"/seats/{seat.pk}/assign/?q=barnsley", {})
    assert "Choose a peer for the seat." in missing.content.decode()
    assert offered(missing.content.decode()) == ["Extra Labour 03"]  # the search kept
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/seats/{seat.pk}/assign/?q=barnsley", {"peer": peer_id}, follow=True)
    assert "Extra Labour 03 is seated and invited." in done.content.decode()
    # A peer the first screen did not list may still be chosen.
    seat = Seat.objects.get(peer_id=peer_id, status__in=HOLDING_SEAT_STATUSES)
    last = make_available(
        make_peer(name="Last Labour", political_group="labour", home_council=pool.lead.home_council)
    )
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/seats/{seat.pk}/assign/", {"peer": last.pk}, follow=True)
    assert "Last Labour is seated and invited." in done.content.decode()
