"""Invites, read: the version of a seat's invitation that answers refer to."""

from django.db.models import Max

from sessions.models import Invite, InviteMethod, Seat


def latest_request_sequence(seat: Seat) -> int | None:
    """The SEQUENCE of the latest REQUEST queued for this seat: the version answers refer to."""
    return Invite.objects.filter(seat=seat, method=InviteMethod.REQUEST).aggregate(
        m=Max("sequence")
    )["m"]
