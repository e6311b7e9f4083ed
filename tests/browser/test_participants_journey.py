"""A booker names who will attend from the council while booking: the day page's rows, the
check page listing them, the booking made with them, and the booking page showing their
answers; on a desktop and on a phone, axe finding nothing."""

import pytest
from playwright.sync_api import expect

from sessions.participants.models import Participant
from tests.browser.pages import assert_accessible, assert_fits, sign_in
from tests.factories import PANEL as OFFER
from tests.factories import a_signed_in_panel, bookable_day

PASSWORD = "correct horse battery"  # the factories' password

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_booker_adds_participants_while_booking(sized_page, live_server, axe):
    page = sized_page
    a_signed_in_panel(booker="booker-participants")
    day = bookable_day()
    sign_in(page, live_server, "booker-participants", PASSWORD)
    page.goto(f"{live_server.url}/offers/{OFFER}/book/?day={day.isoformat()}")
    page.get_by_role("radio", name="10:00 to 13:00").check()
    expect(page.get_by_role("heading", name="Who will attend from Wigan Council (optional)"))
    first = page.get_by_role("group", name="Participant 1")
    first.get_by_label("Name").fill("Jo Bloggs")
    first.get_by_label("Role").fill("Leader")
    first.get_by_label("E-mail address").fill("jo.bloggs@wigan.gov.uk")
    second = page.get_by_role("group", name="Participant 2")
    second.get_by_label("Name").fill("Sam Smith")
    second.get_by_label("Role").fill("Chief executive")
    second.get_by_label("E-mail address").fill("sam.smith@wigan.gov.uk")
    assert_fits(page)
    assert_accessible(axe, page)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before booking")
    row = page.locator("#participants-row")
    expect(row).to_contain_text("Jo Bloggs, Leader (jo.bloggs@wigan.gov.uk)")
    expect(row).to_contain_text("Sam Smith, Chief executive")
    assert_fits(page)
    assert_accessible(axe, page)
    page.get_by_role("button", name="Book this time").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Booking made")
    assert list(Participant.objects.values_list("name", "role")) == [
        ("Jo Bloggs", "Leader"),
        ("Sam Smith", "Chief executive"),
    ]
    page.get_by_role("link", name="See the booking and its panel").click()
    table = page.get_by_role("table", name="Participants and their answers")
    expect(table).to_contain_text("Jo Bloggs")
    expect(table).to_contain_text("Not answered yet")
    assert_fits(page)
    assert_accessible(axe, page)

    # Changing the list on its own page: remove one, add another.
    page.get_by_role("link", name="Change who will attend").click()
    page.get_by_label("Remove Sam Smith from the list").check()
    third = page.get_by_role("group", name="Participant 3")
    third.get_by_label("Name").fill("Ash Patel")
    third.get_by_label("E-mail address").fill("ash.patel@wigan.gov.uk")
    assert_fits(page)
    assert_accessible(axe, page)
    page.get_by_role("button", name="Save who will attend").click()
    expect(page.get_by_role("status")).to_contain_text("The list of who will attend is saved")
    expect(page.get_by_role("table", name="Participants and their answers")).to_contain_text(
        "Ash Patel"
    )
    assert list(
        Participant.objects.filter(removed_at__isnull=True).values_list("name", flat=True)
    ) == ["Jo Bloggs", "Ash Patel"]
