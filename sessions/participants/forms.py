"""The participants' rows in the pages' forms (the booking journey and the booking page): each
row's name, role and address as posted, read back in order; empty rows are left out."""

from dataclasses import dataclass

from sessions.participants.models import PARTICIPANTS_MAX

FIELDS = ("name", "role", "email")
EMPTY_ROWS = 2  # offered beyond those already filled (at least 3 in all)


@dataclass(frozen=True)
class ParticipantRow:
    number: int  # from 1
    name: str = ""
    role: str = ""
    email: str = ""

    def prefix(self) -> str:
        return f"participant-{self.number}"


def participants_posted(data) -> list[dict]:
    """The filled rows of a form, in order, as the services take them (a row ticked to be
    removed is left out)."""
    people = []
    for n in range(1, PARTICIPANTS_MAX * 2 + 1):
        row = {f: (data.get(f"participant-{n}-{f}") or "").strip() for f in FIELDS}
        if any(row.values()) and not data.get(f"participant-{n}-remove"):
            people.append(row)
    return people


def participant_rows(people, *, extra: int = EMPTY_ROWS) -> list[ParticipantRow]:
    """Rows for a form: the people given, then empty rows (at least 3 rows, at most the limit)."""
    filled = [
        ParticipantRow(
            n, **{f: (p.get(f) if isinstance(p, dict) else getattr(p, f)) for f in FIELDS}
        )
        for n, p in enumerate(people, start=1)
    ]
    total = min(max(len(filled) + extra, 3), PARTICIPANTS_MAX)
    return filled + [ParticipantRow(n) for n in range(len(filled) + 1, total + 1)]
