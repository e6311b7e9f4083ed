"""The council's booker checks the feedback note for factual accuracy with the keyboard alone,
at desktop and phone widths: from the booking page to the note, an empty answer is shown in
the error summary (which takes the focus, its link the field), then comments (at desktop) or
"no corrections" (on a phone) are sent and confirmed. Once the lead makes it final, the note
prints as the note alone. axe finds nothing and nothing scrolls sideways."""

import re
from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from peers.selectors import caller_for
from sessions.feedback import services
from sessions.feedback.models import FeedbackNote, NoteStatus
from sessions.models import Booking, BookingStatus, Offer, Seat, SeatStatus
from sessions.services import booking_create
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
HEARD = "A council that knows its recovery plan and where the money comes from."
COMMENTS = "The plan was agreed in March, not in May."
EMPTY = "Enter your comments on the note, or say it needs no corrections."


def check(page, axe, name: str):
    assert_fits(page)
    assert_accessible(axe, page)
    assert_only_styled_classes(page)
    screenshot(page, f"feedback-{name}")


def a_met_panel():
    """Wigan's panel, booked by its booker, its seats accepted: the day before "now"."""
    panel = a_signed_in_panel()
    day = bookable_day()
    Offer.objects.filter(slug="recovery-and-renewal-panel").update(needs_approval=False)
    booking = booking_create(
        caller=caller_for(panel.booker),
        offer=Offer.objects.get(slug="recovery-and-renewal-panel"),
        council=panel.council,
        start=london(day, 10),
    )
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CONFIRMED)
    Seat.objects.filter(session__booking=booking, peer__isnull=False).update(
        status=SeatStatus.ACCEPTED
    )
    return Booking.objects.get(pk=booking.pk), panel.peers["facilitator"].user, day


def test_the_booker_checks_the_note_with_the_keyboard_and_the_final_note_prints(
    sized_page, live_server, axe
):
    page = sized_page
    booking, lead_user, day = a_met_panel()
    lead = caller_for(lead_user)
    with time_machine.travel(london(day + timedelta(days=1), 9), tick=True):
        services.note_save(
            caller=lead,
            booking=booking,
            heard=HEARD,
            strengths="Leadership that listens to its residents.",
            consider="How the savings of 2028 are found.",
            send=True,
        )
        sign_in(page, live_server, "booker1", PASSWORD)
        page.goto(f"{live_server.url}/bookings/{booking.pk}/")
        tab_to(page, page.get_by_role("link", name="The feedback note and the action plan"))
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Feedback note: LGA Recovery & Renewal Panel for Wigan Council"
        )
        expect(page.get_by_text(HEARD)).to_be_visible()
        expect(page.get_by_text("Sent to the council to check", exact=True)).to_be_visible()
        check(page, axe, "to-check")

        # An answer with neither comments nor "no corrections" is refused.
        send = page.get_by_role("button", name="Send your answer")
        tab_to(page, send)
        page.keyboard.press("Enter")
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text(EMPTY)
        expect(summary).to_be_focused()
        expect(page).to_have_title(re.compile(r"^Error: Feedback note: "))
        assert FeedbackNote.objects.get().status == NoteStatus.SENT
        check(page, axe, "check-error")
        # The summary's link takes the keyboard to the field to fix.
        tab_to(page, summary.get_by_role("link", name=EMPTY))
        page.keyboard.press("Enter")
        comments = page.get_by_label("Your comments on its factual accuracy")
        expect(comments).to_be_focused()
        if page.width_name == "phone":
            tab_to(page, page.get_by_label("The note needs no corrections"))
            page.keyboard.press("Space")
            expect(page.get_by_label("The note needs no corrections")).to_be_checked()
        else:
            page.keyboard.type(COMMENTS)
        tab_to(page, page.get_by_role("button", name="Send your answer"))
        page.keyboard.press("Enter")

        expect(page.get_by_text("Thank you: the LGA lead is told of your answer.")).to_be_visible()
        expect(page.get_by_role("heading", name="The council's accuracy check")).to_be_visible()
        answer = "No corrections." if page.width_name == "phone" else COMMENTS
        expect(page.get_by_text(answer, exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="Send your answer")).to_have_count(0)
        check(page, axe, "checked")
        note = FeedbackNote.objects.get()
        assert (note.status, note.check_comments) == (
            NoteStatus.CHECKED,
            "" if page.width_name == "phone" else COMMENTS,
        )

        services.note_finalise(caller=lead, booking=booking)
        tab_to(page, page.get_by_role("link", name="The booking"))
        page.keyboard.press("Enter")
        tab_to(
            page,
            page.get_by_role("link", name="Read and print the feedback note and the action plan"),
        )
        page.keyboard.press("Enter")
        expect(page.get_by_text("Final", exact=True)).to_be_visible()
        check(page, axe, "final")

        # The site's print stylesheet: the note alone, without the header, its navigation,
        # the way back, the forms or the footer.
        assert page.evaluate(
            """() => [...document.styleSheets].some(sheet => [...sheet.cssRules].some(
                rule => rule instanceof CSSMediaRule && rule.media.mediaText === 'print'))"""
        ), "the stylesheet has no @media print rules"
        gone = (
            page.locator(".govuk-template__header"),
            page.get_by_role("navigation", name="Main"),
            page.get_by_role("link", name="The booking"),
            page.get_by_role("heading", name="Add an action"),
            page.get_by_role("button", name="Add the action"),
            page.locator(".govuk-footer"),
        )
        kept = (
            page.get_by_role("heading", level=1),
            page.get_by_role("heading", name="What the panel heard"),
            page.get_by_text(HEARD),
            page.get_by_role("heading", name="The council's accuracy check"),
        )
        page.emulate_media(media="print")
        for locator in gone:
            expect(locator).to_be_hidden()
        for locator in kept:
            expect(locator).to_be_visible()
        screenshot(page, "feedback-final-print")
        page.emulate_media(media="screen")
        for locator in (*gone[2:5], *kept):
            expect(locator).to_be_visible()
