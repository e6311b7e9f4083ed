"""Booking references a person can quote on the phone and search for: the offer's code, the
two-digit year the booking was made in (UK time) and a running number for that code and year,
e.g. `RRP-26-0007`. The booking's numeric id stays the API's key.

An offer's code is the one staff give it (the catalogue's are seeded, e.g. RRP for the LGA
Recovery & Renewal Panel); an offer without one is known by its title's initials.
"""

import re
from datetime import datetime

from django.db.models.functions import Length

from scheduling.engine.uk_time import LONDON
from sessions.models import Booking, Offer

# Words a title's initials leave out: the LGA's own name and the small words.
_NOT_INITIALLED = {"LGA", "AND", "OF", "THE", "A", "AN", "FOR", "TO", "IN", "ON", "WITH"}
_QUOTED = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]{1,5})[\s/-]*(\d{2})[\s/-]*(\d{1,6})\s*$")


def offer_code(offer: Offer) -> str:
    """The letters that start the offer's booking references, e.g. 'RRP'."""
    if offer.code:
        return offer.code
    words = re.findall(r"[A-Za-z0-9]+", offer.title)
    initials = "".join(w[0] for w in words if w.upper() not in _NOT_INITIALLED).upper()
    return initials[:4] if len(initials) > 1 and initials[0].isalpha() else "BKG"


def booking_reference_new(*, offer: Offer, at: datetime) -> str:
    """The next free reference for a booking of `offer` made at `at`. Called inside the
    booking's transaction, which serialises every booking (`seat_plan.seat_writes_serialise`);
    the column's unique constraint backs that up."""
    prefix = f"{offer_code(offer)}-{at.astimezone(LONDON):%y}-"
    last = (
        Booking.objects.filter(reference__startswith=prefix)
        .order_by(Length("reference").desc(), "-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{number:04d}"


def reference_as_written(text: str) -> str | None:
    """A reference as a person may type or say it ('rrp 26 7', 'RRP-26-0007') written the
    way the service writes it; None when `text` is not shaped like a reference."""
    found = _QUOTED.match(text or "")
    if found is None:
        return None
    code, year, number = found.groups()
    return f"{code.upper()}-{year}-{int(number):04d}"
