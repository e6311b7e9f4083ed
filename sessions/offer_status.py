"""An offer's status as of a day in the UK: the one answer the catalogue pages, the API,
booking and webinar registration go by.

Staff set a status with a date ("suspended until" the day it resumes, "coming soon" from the
day it opens). Once that day has come, the offer is available: the stored status is left as
staff set it, and the admin tells them that its date has passed (`lapsed`).
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from scheduling.engine.uk_time import LONDON, day_text

AVAILABLE = "available"
COMING_SOON = "coming-soon"
SUSPENDED = "suspended"
STATUS_NAMES = {AVAILABLE: "Available", COMING_SOON: "Coming soon", SUSPENDED: "Suspended"}


@dataclass(frozen=True)
class OfferState:
    status: str  # the status today: available, coming-soon or suspended
    text: str  # as the catalogue says it, e.g. "Suspended until Monday 1 March 2027"
    until: date | None  # the day a current suspension ends or a coming offer opens
    lapsed: str  # for staff: the set status whose date has passed, in words; else ""


def uk_today() -> date:
    return timezone.now().astimezone(LONDON).date()


def offer_state(
    *, status: str, suspended_until: date | None, available_from: date | None, today: date
) -> OfferState:
    """What an offer with these fields is on `today` (a UK date)."""
    if status == SUSPENDED:
        if suspended_until is None or today < suspended_until:
            text = (
                f"Suspended until {day_text(suspended_until)}" if suspended_until else "Suspended"
            )
            return OfferState(SUSPENDED, text, suspended_until, "")
        lapsed = f"The suspension ended on {day_text(suspended_until)}"
        return OfferState(AVAILABLE, STATUS_NAMES[AVAILABLE], None, lapsed)
    if status == COMING_SOON:
        if available_from is None or today < available_from:
            text = (
                f"Coming soon, from {day_text(available_from)}" if available_from else "Coming soon"
            )
            return OfferState(COMING_SOON, text, available_from, "")
        lapsed = f"It was coming soon, from {day_text(available_from)}"
        return OfferState(AVAILABLE, STATUS_NAMES[AVAILABLE], None, lapsed)
    return OfferState(AVAILABLE, STATUS_NAMES[AVAILABLE], None, "")
