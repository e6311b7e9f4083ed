"""Plain helpers of the learning tests: the panel the `panel` fixture makes (conftest.py), a
point's words, and points given and published through the services."""

from dataclasses import dataclass

from peers.selectors import caller_for
from sessions.learning import services
from sessions.learning.models import Elsewhere, LearningPoint, Theme, Visibility
from sessions.models import Booking, Seat


@dataclass
class Panel:
    booking: Booking
    lead_seat: Seat  # the lead member peer's (roles.peer)
    chair_seat: Seat  # the LGA facilitator's (roles.lga_lead)
    seats: list[Seat]  # every accepted seat


def words(visibility=Visibility.PANEL, **changes) -> services.PointWords:
    fields = {
        "theme": Theme.FINANCE,
        "doing": "A rolling three-year budget reviewed with residents every quarter.",
        "why": "Residents see the trade-offs early, so savings are agreed rather than imposed.",
        "elsewhere": Elsewhere.YES,
        "visibility": visibility,
        **changes,
    }
    return services.PointWords(**fields)


def give(panel: Panel, roles, visibility=Visibility.PANEL, **changes) -> LearningPoint:
    """A point from the lead member peer, signed in."""
    return services.point_give(
        seat=panel.lead_seat,
        words=words(visibility, **changes),
        caller=caller_for(roles.peer),
    )


def published(panel: Panel, roles, visibility, **changes) -> LearningPoint:
    """A point shared with the sector and through its last step (checked, or agreed)."""
    point = give(panel, roles, visibility, **changes)
    if visibility == Visibility.ANONYMOUS:
        return services.point_check(point=point, caller=caller_for(roles.lga_lead))
    return services.point_agree(point=point, caller=caller_for(roles.booker))
