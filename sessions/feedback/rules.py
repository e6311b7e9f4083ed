"""Who may do what after the panel: each check the pages, the API and the services make.

The note is drafted and finalised by the panel's LGA lead (or LGA staff) and checked for
factual accuracy by the council's bookers. It and the actions are read by the panel (its
seated peers and lead), the council's bookers, its Principal Adviser and staff; the actions
are kept by the council's bookers and staff. Anyone who may not read is answered as if the
booking did not exist (404).
"""

from peers.rules import require  # noqa: F401  (the one way to refuse, re-exported)
from peers.selectors import Caller
from sessions.feedback.models import review_of_panel
from sessions.models import Booking
from sessions.rules import leads_booking, may_manage_booking, may_read_booking, seated


def _books_for_council(caller: Caller, booking: Booking) -> bool:
    council = caller.booker_council
    return council is not None and council.id == booking.council_id


def may_read_note(caller: Caller, booking: Booking) -> bool:
    """The note and the actions: the panel, the council's bookers, its adviser and staff;
    and the panel of its progress review, which reads them before it meets."""
    if not caller.user.is_authenticated:
        return False
    if may_read_booking(caller, booking) or seated(caller, booking):
        return True
    review = review_of_panel(booking)
    return review is not None and seated(caller, review)


def may_draft_note(caller: Caller, booking: Booking) -> bool:
    """Write and finalise the note: the panel's LGA lead, and LGA staff."""
    return caller.is_staff or leads_booking(caller, booking)


def may_check_note(caller: Caller, booking: Booking) -> bool:
    """Check the note for factual accuracy: the council's bookers, who speak for it."""
    return _books_for_council(caller, booking)


def may_keep_actions(caller: Caller, booking: Booking) -> bool:
    """Add actions and change them: the council's bookers, and LGA staff."""
    return caller.is_staff or _books_for_council(caller, booking)


def may_book_progress_review(caller: Caller, booking: Booking) -> bool:
    """Book the progress review: whoever manages the council's bookings."""
    return may_manage_booking(caller, booking)


def may_read_survey(caller: Caller, booking: Booking) -> bool:
    """The survey's figures (never one answer's author): LGA staff, the council's adviser,
    its bookers and the panel's LGA lead."""
    return may_read_booking(caller, booking)
