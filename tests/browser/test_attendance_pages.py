"""The LGA lead records who attended with the keyboard alone, at desktop and phone widths:
from My sessions to the page, a stand-in chosen without a name is shown in the error summary,
then named and saved, the council's participant beside the peers. axe finds nothing and
nothing scrolls sideways."""

import pytest
import time_machine
from playwright.sync_api import expect

from peers.selectors import caller_for
from sessions.attendance.models import Attendance
from sessions.models import Offer
from sessions.participants.services import booking_with_participants_create
from tests.browser.pages import (
    assert_accessible,
    assert_fits,
    assert_only_styled_classes,
    screenshot,
    sign_in,
    tab_to,
)
from tests.factories import a_signed_in_panel, bookable_day, london

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_broker")]

PASSWORD = "correct horse battery"  # the factories' password


def check(page, axe, name: str):
    assert_fits(page)
    assert_accessible(axe, page)
    assert_only_styled_classes(page)
    screenshot(page, f"attendance-{name}")


def test_the_lead_records_who_attended_with_the_keyboard_alone(sized_page, live_server, axe):
    page = sized_page
    panel = a_signed_in_panel()
    day = bookable_day()
    booking_with_participants_create(
        caller=caller_for(panel.booker),
        offer=Offer.objects.get(slug="recovery-and-renewal-panel"),
        council=panel.council,
        start=london(day, 10),
        notes="",
        participants=[{"name": "Jo Bloggs", "role": "Leader", "email": "jo@example.gov.uk"}],
    )
    with time_machine.travel(london(day, 14), tick=True):
        sign_in(page, live_server, "fay", PASSWORD)
        page.goto(f"{live_server.url}/my-sessions/")
        tab_to(page, page.get_by_role("link", name="Record who attended"))
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Who attended")
        check(page, axe, "form")

        # Ann Lead sent a deputy, but the lead forgets to say who.
        ann = page.get_by_role("group", name="Ann Lead")
        tab_to(page, ann.get_by_role("radio", name="Attended"))
        page.keyboard.press("ArrowDown")  # Absent
        page.keyboard.press("ArrowDown")  # Covered by a stand-in
        expect(ann.get_by_role("radio", name="Covered by a stand-in")).to_be_checked()
        expect(page.get_by_label("Name of the stand-in for Ann Lead")).to_be_visible()
        gwen = page.get_by_role("group", name="Gwen Member")
        tab_to(page, gwen.get_by_role("radio", name="Attended"))
        page.keyboard.press("ArrowDown")
        expect(gwen.get_by_role("radio", name="Absent")).to_be_checked()
        jo = page.get_by_role("group", name="Jo Bloggs")
        tab_to(page, jo.get_by_role("radio", name="Attended"))
        page.keyboard.press("Space")
        expect(jo.get_by_role("radio", name="Attended")).to_be_checked()
        tab_to(page, page.get_by_role("button", name="Save attendance"))
        page.keyboard.press("Enter")

        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text(
            "Give the name of the stand-in who covered for Ann Lead (Lead member peer)."
        )
        assert not Attendance.objects.exists()
        check(page, axe, "error")
        # The summary's link takes the keyboard to the field to fix.
        tab_to(page, summary.get_by_role("link"))
        page.keyboard.press("Enter")
        expect(page.get_by_label("Name of the stand-in for Ann Lead")).to_be_focused()
        page.keyboard.type("Cllr Dee Deputy")
        tab_to(page, page.get_by_role("button", name="Save attendance"))
        page.keyboard.press("Enter")

        expect(page.get_by_text("Attendance is recorded.")).to_be_visible()
        check(page, axe, "saved")
    assert {
        (a.seat.peer.name if a.seat else a.participant.name, a.status, a.stand_in_name)
        for a in Attendance.objects.select_related("seat__peer", "participant")
    } == {
        ("Ann Lead", "stand_in", "Cllr Dee Deputy"),
        ("Gwen Member", "absent", ""),
        ("Jo Bloggs", "attended", ""),
    }
