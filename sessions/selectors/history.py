"""Reads of the record of changes: who changed what in a booking, when, before and after.

The record itself is kept by django-simple-history (see `history()` in sessions/models.py): a
row per save of a booking, session, seat, registration, participant, attendance, feedback note
or action, with the user signed in at the time
(the browser session or the API token's user), or the peer an e-mailed link or calendar reply
spoke for, or nobody: the service itself (a task in the worker, a command).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q

from peers.models import Peer
from peers.selectors import Caller
from scheduling.engine.uk_time import clock_text, day_text
from sessions import rules
from sessions.models import Booking, Seat, Session

SYSTEM = "system"

# What each record shows of a change: the fields a programme manager cares about, in order.
# Keyed by the model's label, so that this module needs no webinar model (a registration's).
SHOWN_FIELDS = {
    "offer_sessions.booking": ("status", "offer", "council", "booked_by", "notes", "cancel_reason"),
    "offer_sessions.session": (
        "start",
        "end",
        "status",
        "joining_url",
        "title",
        "capacity",
        "recording_url",
    ),
    # (A seat's role is in the entry's words.)
    "offer_sessions.seat": ("peer", "status", "answer_reason", "unfilled_reason"),
    "offer_sessions.registration": ("name", "email", "council", "council_name", "role", "status"),
    "offer_sessions.document": ("name", "uploaded_by"),
    "offer_sessions.participant": ("name", "role", "email", "answer", "removed_at"),
    "offer_sessions.attendance": ("status", "stand_in_name"),
    "offer_sessions.feedbacknote": (
        "status",
        "heard",
        "strengths",
        "consider",
        "check_comments",
        "sent_on",
        "checked_by",
    ),
    "offer_sessions.action": ("what", "owner_name", "owner_email", "due_on", "status"),
    # (Which booking reviews which is in the entry's words.)
    "offer_sessions.progressreview": (),
}
# Texts too long for a row of the table: that one changed is said (written, changed, cleared),
# not what it says. The note's page keeps every version of the note itself.
TEXTS = {
    "offer_sessions.feedbacknote": frozenset({"heard", "strengths", "consider", "check_comments"}),
    "offer_sessions.action": frozenset({"what"}),
}
# Where a field's own name says too little in a row.
LABELS = {"offer_sessions.action": {"what": "The action", "due_on": "Due date"}}
SHORT_TEXT = 60  # an action is named in its rows by its first words
# The step a note took to reach each stage (its NoteStatus values, by value: the room after
# the panel sits above this module).
NOTE_STEPS = {
    "draft": "drafted",
    "sent": "sent to the council to check",
    "checked": "checked by the council",
    "final": "finalised",
}
_ADDED, _CHANGED, _REMOVED = "+", "~", "-"


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: object  # a display value: text, a datetime, a number, or None
    after: object


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    what: str
    changes: tuple[FieldChange, ...]


def history_who(record) -> str:
    user = record.history_user
    if user is not None:
        return user.get_full_name() or user.username
    return record.history_actor or SYSTEM


def booking_history(*, caller: Caller, booking: Booking) -> list[HistoryEntry]:
    """Every recorded change to the booking, its sessions, their seats and attendance, its
    pre-reading and participants, its feedback note and its actions, oldest first."""
    rules.require(
        rules.may_read_history(caller, booking),
        "Only LGA staff and the council's Principal Adviser can see a booking's history.",
    )
    bookings = list(
        Booking.history.filter(id=booking.pk).select_related("history_user", "offer", "council")
    )
    sessions = list(Session.history.filter(booking_id=booking.pk).select_related("history_user"))
    session_ids = {record.id for record in sessions}
    seats = list(Seat.history.filter(session_id__in=session_ids).select_related("history_user"))
    # The rooms above this module are reached by their models' labels.
    documents = _room_history("Document", booking_id=booking.pk)
    participants = _room_history("Participant", booking_id=booking.pk)
    attendance = _room_history("Attendance", session_id__in=session_ids)
    notes = _room_history("FeedbackNote", booking_id=booking.pk)
    actions = _room_history("Action", booking_id=booking.pk)
    # The progress review: in the panel's history and in the review's own.
    reviews = _room_history("ProgressReview", Q(panel_id=booking.pk) | Q(review_id=booking.pk))
    references = dict(
        Booking.objects.filter(
            pk__in={r.panel_id for r in reviews} | {r.review_id for r in reviews}
        ).values_list("pk", "reference")
    )

    def review_what(record, verb: str, _) -> str:
        if record.panel_id == booking.pk:
            return f"Progress review {'booked' if verb == 'added' else verb}: booking {references.get(record.review_id, '?')}"
        return f"Booked as the progress review of booking {references.get(record.panel_id, '?')}"

    # Whose each attendance row is: a seat's, or else a participant's.
    seat_of = {record.id: record for record in seats}
    participant_of = {record.id: record for record in participants}
    numbers = {record.id: record.number for record in sessions}
    several = len(numbers) > 1
    names = _names(seats, bookings, documents, notes)

    def attendee(record) -> str:
        """' (Lead Labour, Lead member peer)', ' (Jo Bloggs, Leader)': whose attendance."""
        if record.seat_id in seat_of:
            seat = seat_of[record.seat_id]
            return f" ({names['peer'].get(seat.peer_id)}, {seat.role_name})"
        if record.seat_id is None and record.participant_id in participant_of:
            person = participant_of[record.participant_id]
            return f" ({', '.join(filter(None, (person.name, person.role)))})"
        return ""

    def session_label(session_id: int) -> str:
        return f"session {numbers.get(session_id, '?')}" if several else "the session"

    entries: list[tuple[tuple, HistoryEntry]] = []
    for rank, records, describe in (
        (0, bookings, lambda r, verb, _: f"Booking {verb}"),
        (
            1,
            sessions,
            lambda r, verb, _: f"{session_label(r.id).capitalize()} {verb}",
        ),
        (
            2,
            seats,
            lambda r, verb, _: (
                f"{r.role_name} seat of {session_label(r.session_id)} {verb}"
                + (f" ({names['peer'].get(r.peer_id)})" if r.peer_id else " (no peer)")
            ),
        ),
        (
            3,
            documents,
            lambda r, verb, _: (
                f"Pre-reading “{r.name}” {verb}"
                + (f": {r.history_change_reason.lower()}" if r.history_change_reason else "")
            ),
        ),
        (4, participants, lambda r, verb, _: f"Participant {r.name} {verb}"),
        (
            5,
            attendance,
            lambda r, verb, _: f"Attendance at {session_label(r.session_id)} {verb}{attendee(r)}",
        ),
        (6, notes, _note_what),
        (7, actions, _action_what),
        (8, reviews, review_what),
    ):
        for record, changes in _changes(records, names):
            verb = {_ADDED: "added", _CHANGED: "changed", _REMOVED: "removed"}[record.history_type]
            if record.history_type == _ADDED and rank == 0:
                verb = "made"
            entry = HistoryEntry(
                when=record.history_date,
                who=history_who(record),
                what=describe(record, verb, changes),
                changes=tuple(changes),
            )
            entries.append(((record.history_date, rank, record.history_id), entry))
    return [entry for _, entry in sorted(entries, key=lambda pair: pair[0])]


def _room_history(model: str, *where, **where_fields) -> list:
    """The history records of a room's model (by its label: the rooms sit above this module)."""
    records = apps.get_model("offer_sessions", model).history
    return list(records.filter(*where, **where_fields).select_related("history_user"))


def _note_what(record, verb: str, changes) -> str:
    """A note's row by the step it took: drafted, sent, checked (with comments or without),
    finalised; a save that left its stage where it was changed it."""
    if verb == "removed":
        return "Feedback note removed"
    if verb == "changed" and not any(change.field == "status" for change in changes):
        return "Feedback note changed"
    step = NOTE_STEPS.get(record.status, "changed")
    if record.status == "checked":
        step += ": with comments" if record.check_comments else ": no corrections"
    return f"Feedback note {step}"


def _action_what(record, verb: str, changes) -> str:
    """An action's row, named by its first words: added, marked done (or another status),
    its due date changed, or changed."""
    name = f"Action “{_short(record.what)}”"
    changed = {change.field for change in changes}
    if verb != "changed":
        return f"{name} {verb}"
    if changed == {"status"}:
        return f"{name} marked {record.get_status_display().lower()}"
    if changed == {"due_on"}:
        return f"{name}: due date changed"
    return f"{name} changed"


def _short(text: str) -> str:
    words = " ".join(text.split())
    if len(words) <= SHORT_TEXT:
        return words
    return words[:SHORT_TEXT].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def _names(seats, bookings, documents=(), notes=()) -> dict[str, dict]:
    """Display names for the foreign keys the records hold, fetched once."""
    peer_ids = {r.peer_id for r in seats if r.peer_id}
    users = {r.booked_by_id for r in bookings if r.booked_by_id}
    users |= {r.uploaded_by_id for r in documents if r.uploaded_by_id}
    users |= {r.checked_by_id for r in notes if r.checked_by_id}
    people = {
        u.id: u.get_full_name() or u.username for u in get_user_model().objects.filter(id__in=users)
    }
    return {
        "peer": dict(Peer.objects.filter(id__in=peer_ids).values_list("id", "name")),
        "booked_by": people,
        "uploaded_by": people,
        "checked_by": people,
        "offer": {r.offer_id: r.offer.title for r in bookings},
        "council": {r.council_id: r.council.name for r in bookings},
    }


def _label(model) -> str:
    """The model's label ('offer_sessions.action'), for its history records too."""
    if model._meta.label_lower in SHOWN_FIELDS:
        return model._meta.label_lower
    return getattr(model._meta, "concrete_model", model)._meta.label_lower


def _shown_fields(model) -> list[models.Field]:
    shown = SHOWN_FIELDS.get(_label(model))
    if shown is None:
        return [f for f in model._meta.concrete_fields if f.name not in ("id", "updated_at")]
    return [model._meta.get_field(name) for name in shown]


def _related_names(records, fields) -> dict[str, dict]:
    """The display name of every object the records' foreign keys point at, fetched once."""
    names: dict[str, dict] = {}
    for field in fields:
        if not field.is_relation:
            continue
        ids = {getattr(r, field.attname) for r in records} - {None}
        related = field.related_model.objects.in_bulk(ids)
        names[field.name] = {
            pk: (obj.get_full_name() or obj.username) if hasattr(obj, "get_full_name") else str(obj)
            for pk, obj in related.items()
        }
    return names


def record_history(records) -> dict[int, dict]:
    """One object's history records in words, by record id (`history_id`): who made each
    change (`history_who`, as the booking page names them) and each shown field from and to,
    as the booking page says it (`history_rows`). The admin's history pages show these."""
    records = sorted(records, key=lambda r: (r.history_date, r.history_id))
    if not records:
        return {}
    names = _related_names(records, _shown_fields(records[0].instance_type))
    verbs = {_ADDED: "Added", _CHANGED: "Changed", _REMOVED: "Removed"}
    entries = {
        record.history_id: HistoryEntry(
            when=record.history_date,
            who=history_who(record),
            what=verbs[record.history_type],
            changes=tuple(changes),
        )
        for record, changes in _changes(records, names)
    }
    rows = history_rows(list(entries.values()))
    return dict(zip(entries, rows, strict=True))


def _value(field: models.Field, value, names: dict[str, dict]):
    if value is None or value == "":
        return None
    if field.is_relation:
        return names.get(field.name, {}).get(value, str(value))
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


def _changes(records, names):
    """Each record with the shown fields it changed against the record before it."""
    if not records:
        return
    model = records[0].instance_type
    fields = _shown_fields(model)
    texts = TEXTS.get(_label(model), frozenset())
    labels = LABELS.get(_label(model), {})
    previous: dict[int, object] = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        before = record if record.history_type == _REMOVED else previous.get(record.id)
        after = None if record.history_type == _REMOVED else record
        changes = []
        for field in fields:
            old = _value(field, getattr(before, field.attname), names) if before else None
            new = _value(field, getattr(after, field.attname), names) if after else None
            if old == new:
                continue
            if field.name in texts:
                # Said as what happened to the text: the row shows no text itself.
                old, new = (
                    None,
                    "written" if old is None else "cleared" if new is None else "changed",
                )
            changes.append(
                FieldChange(
                    field=field.name,
                    label=labels.get(field.name) or field.verbose_name.capitalize(),
                    before=old,
                    after=new,
                )
            )
        previous[record.id] = record
        if changes or record.history_type != _CHANGED:
            yield record, changes


def change_text(value, *, iso: bool) -> str | None:
    """A change's value as the API (ISO 8601) or a page (UK time, in words) shows it."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat() if iso else f"{day_text(value)}, {clock_text(value)}"
    if isinstance(value, date):
        return value.isoformat() if iso else day_text(value)
    return str(value)


def history_out(entries: list[HistoryEntry]) -> list[dict]:
    return [
        {
            "when": entry.when,
            "who": entry.who,
            "what": entry.what,
            "changes": [
                {
                    "field": change.field,
                    "before": change_text(change.before, iso=True),
                    "after": change_text(change.after, iso=True),
                }
                for change in entry.changes
            ],
        }
        for entry in entries
    ]


def history_rows(entries: list[HistoryEntry]) -> list[dict]:
    """The entries as a page shows them: times in UK time, each change in words."""
    rows = []
    for entry in entries:
        changes = []
        for change in entry.changes:
            before = change_text(change.before, iso=False)
            after = change_text(change.after, iso=False)
            if before is None:
                changes.append(f"{change.label}: {after}")
            elif after is None:
                changes.append(f"{change.label}: {before} (cleared)")
            else:
                changes.append(f"{change.label}: from {before} to {after}")
        rows.append({"when": entry.when, "who": entry.who, "what": entry.what, "changes": changes})
    return rows
