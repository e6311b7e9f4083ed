"""Time a peer has committed elsewhere ("held" time), such as the seats they sit on.

The people app does not know what holds a peer's time: the app that does (sessions: seats on
booked sessions) registers a source here when it starts (its AppConfig.ready), and listens
for `held_time_released`. So availability can count held time and tell its holder when a
peer's new availability no longer covers it, while `peers` imports nothing from that app.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.dispatch import Signal

from scheduling.engine.availability import SEAT, BusyBlock


@dataclass(frozen=True)
class HeldTime:
    """One commitment of a peer: its holder's id for it (a seat's id), its time and its name."""

    key: int
    start: datetime
    end: datetime
    label: str

    def busy_block(self) -> BusyBlock:
        # The engine widens SEAT blocks by the peer's buffer.
        return BusyBlock(start=self.start, end=self.end, reason=SEAT, label=self.label)


# A source answers: what holds this peer's time between start and end?
HeldTimeSource = Callable[..., list[HeldTime]]  # (*, peer_id: int, start, end)

SOURCES: list[HeldTimeSource] = []

# Sent (sender=Peer, peer=<Peer>, held=tuple[HeldTime, ...]) inside the transaction that
# changed the peer's availability, for the held time it no longer covers. Receivers release
# what they hold (and queue any follow-up work on commit); an exception rolls the change back.
held_time_released = Signal()

# Sent (sender=Peer, peer=<Peer>) inside the transaction that saved a peer's availability, so
# the app that holds peers' time can look again at places nobody was free for (a peer may have
# added hours). Receivers queue their work on commit.
availability_saved = Signal()


def held_time_source_register(source: HeldTimeSource) -> None:
    """Count `source`'s held time in every peer's availability (once, however often called)."""
    if source not in SOURCES:
        SOURCES.append(source)


def held_times(*, peer_id: int, start: datetime, end: datetime) -> list[HeldTime]:
    """Everything registered that holds the peer's time between start and end, soonest first."""
    found = [held for source in SOURCES for held in source(peer_id=peer_id, start=start, end=end)]
    return sorted(found, key=lambda held: (held.start, held.end, held.key))
