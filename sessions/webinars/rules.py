"""Who has webinars of their own here; a refusal is raised by `require` (peers/rules.py), the
one place (docs/architecture.md, "Who may"). Registering needs no sign-in: an address proves
itself by the link sent to it."""

from typing import TYPE_CHECKING

from peers.rules import require
from peers.selectors import COUNCILLOR

if TYPE_CHECKING:
    from peers.selectors import Caller

__all__ = ["require"]


def may_see_own_webinars(caller: "Caller") -> bool:
    """A signed-in councillor's places and private calendar (found by their account's address,
    which LGA staff set, so it is theirs)."""
    return COUNCILLOR in caller.roles
