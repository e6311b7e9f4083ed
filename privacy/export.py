"""A person's data, everything the service holds about one e-mail address, as one document.

`person_data` reads; `person_export` reads and records the export (a DataRequest naming the
person by pseudonym). The document is plain JSON-ready data, shown to staff as a page
(templates/privacy/person_data.html) and given as a .json file.

Pre-reading documents are the council's papers, not the uploader's: the document lists those
the person added (name, booking, when), not their contents. The panels a council named the
person to attend (as a participant) are listed with the name, role and answer it gave. Learning
points are not kept by the service yet: when they are, their rows about the person join the
document here (and the erasure in erasure.py).
"""

from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from peers.models import ApiToken, BusyEvent, Council
from privacy.models import DataRequest, DataRequestKind
from privacy.people import Person, person_find
from sessions.models import Booking, Invite, Reminder, Seat, Session
from sessions.packs.models import Document
from sessions.participants.models import Participant
from sessions.webinars.models import FeedToken, Registration, RegistrationRequest


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _account(user) -> dict:
    return {
        "username": user.username,
        "name": user.get_full_name(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_staff": user.is_staff,
        "is_active": user.is_active,
        "date_joined": _when(user.date_joined),
        "last_login": _when(user.last_login),
        "booker_for": (
            {"council": user.booker.council.name, "job_title": user.booker.job_title}
            if hasattr(user, "booker")
            else None
        ),
        "councillor_of": (
            {"council": user.councillor.council.name, "role": user.councillor.role}
            if hasattr(user, "councillor")
            else None
        ),
        "principal_adviser_for": list(
            Council.objects.filter(principal_adviser=user).values_list("name", flat=True)
        ),
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": _when(t.created_at),
                "last_used_at": _when(t.last_used_at),
                "revoked_at": _when(t.revoked_at),
            }
            for t in ApiToken.objects.filter(user=user)
        ],
        "bookings_made": [
            {
                "id": b.pk,
                "offer": b.offer.title,
                "council": b.council.name,
                "start": _when(b.start),
                "status": b.status,
                "notes": b.notes,
            }
            for b in Booking.objects.filter(booked_by=user).select_related("offer", "council")
        ],
        "pre_reading_added": [
            {
                "name": d.name,
                "booking": d.booking.reference,
                "size": d.size,
                "uploaded_at": _when(d.uploaded_at),
            }
            for d in Document.objects.filter(uploaded_by=user).select_related("booking")
        ],
    }


def _session_text(session: Session) -> str:
    council = f" for {session.booking.council.name}" if session.booking_id else ""
    return f"{session.title or session.offer.title}{council}"


def _peer(person: Person) -> dict | None:
    peer = person.peer
    if peer is None:
        return None
    calendar = getattr(peer, "busy_calendar", None)
    return {
        "name": peer.name,
        "email": peer.email,
        "kind": peer.kind,
        "political_group": peer.political_group,
        "profession": peer.profession,
        "home_council": peer.home_council.name,
        "skills": list(peer.skills.values_list("name", flat=True)),
        "declared_interests": list(peer.declared_interests.values_list("name", flat=True)),
        "accreditation": peer.accreditation,
        "monthly_session_cap": peer.monthly_session_cap,
        "monthly_hours_cap": peer.monthly_hours_cap,
        "time_zone": peer.time_zone,
        "nation": peer.nation,
        "bank_holidays_block": peer.bank_holidays_block,
        "buffer_minutes": peer.buffer_minutes,
        "is_active": peer.is_active,
        "weekly_hours": [
            {"weekday": w.weekday, "start": f"{w.start:%H:%M}", "end": f"{w.end:%H:%M}"}
            for w in peer.weekly_windows.all()
        ],
        "date_overrides": [
            {"date": o.date.isoformat(), "windows": o.windows} for o in peer.date_overrides.all()
        ],
        "leave": [
            {
                "first_day": v.first_day.isoformat(),
                "last_day": v.last_day.isoformat(),
                "note": v.note,
            }
            for v in peer.leave.all()
        ],
        "busy_calendar": (
            {
                "source": calendar.source,
                "url": calendar.url,
                "filename": calendar.filename,
                "state": calendar.state,
                "imported_at": _when(calendar.imported_at),
                "checked_at": _when(calendar.checked_at),
                "event_count": calendar.event_count,
                "last_error": calendar.last_error,
                "busy_times": [
                    {"start": _when(e.start), "end": _when(e.end), "summary": e.summary}
                    for e in BusyEvent.objects.filter(calendar=calendar)
                ],
            }
            if calendar
            else None
        ),
        "seats": [
            {
                "session": _session_text(s.session),
                "start": _when(s.session.start),
                "end": _when(s.session.end),
                "role": s.role_name,
                "status": s.status,
                "answered_sequence": s.answered_sequence,
                "reason_given": s.answer_reason,
            }
            for s in Seat.objects.filter(peer=peer).select_related(
                "session__offer", "session__booking__council"
            )
        ],
    }


def _history(person: Person) -> list[dict]:
    """The records of changes that name the person: made by them, or about their seat, booking
    or registration, or naming them as who acted."""
    users = [u.pk for u in person.users]
    named = Q(pk__in=[])
    for address in person.addresses:
        named |= Q(history_actor__icontains=address)
    for name in person.names:
        named |= Q(history_actor__icontains=name)
    about = {
        Booking: Q(booked_by__in=users),
        Seat: Q(peer=person.peer) if person.peer else Q(pk__in=[]),
        Registration: person.address_q("email"),
        Session: Q(pk__in=[]),
        Document: Q(uploaded_by__in=users),
        Participant: person.address_q("email"),
    }
    entries = []
    for model, own in about.items():
        records = model.history.filter(Q(history_user__in=users) | named | own)
        entries += [
            {
                "record": model._meta.verbose_name,
                "id": r.id,
                "when": _when(r.history_date),
                "change": r.get_history_type_display(),
                "by": r.history_actor or ("the person" if r.history_user_id in users else ""),
            }
            for r in records.order_by("history_date", "history_id")
        ]
    return sorted(entries, key=lambda e: e["when"])


def person_data(email: str) -> dict:
    """Everything held about the person with this address."""
    person = person_find(email)
    peer = person.peer
    tokens = FeedToken.objects.filter(
        person.address_q("email") | (Q(peer=peer) if peer else Q(pk__in=[]))
    )
    return {
        "email": person.email,
        "addresses": list(person.addresses),
        "exported_at": timezone.now().isoformat(),
        "accounts": [_account(u) for u in person.users],
        "peer": _peer(person),
        "webinar_registrations": [
            {
                "webinar": _session_text(r.session),
                "start": _when(r.session.start),
                "name": r.name,
                "email": r.email,
                "council": r.council.name if r.council else r.council_name,
                "role": r.role,
                "status": r.status,
                "created_at": _when(r.created_at),
            }
            for r in Registration.objects.filter(person.address_q("email")).select_related(
                "session__offer", "council"
            )
        ],
        "registration_requests": [
            {
                "webinar": _session_text(r.session),
                "name": r.name,
                "created_at": _when(r.created_at),
                "confirmed_at": _when(r.confirmed_at),
            }
            for r in RegistrationRequest.objects.filter(person.address_q("email")).select_related(
                "session__offer"
            )
        ],
        "named_to_attend": [
            {
                "booking": p.booking.reference,
                "offer": p.booking.offer.title,
                "council": p.booking.council.name,
                "start": _when(p.booking.start),
                "name": p.name,
                "role": p.role,
                "email": p.email,
                "answer": p.answer,
                "answered_at": _when(p.answered_at),
                "removed_at": _when(p.removed_at),
            }
            for p in Participant.objects.filter(person.address_q("email")).select_related(
                "booking__offer", "booking__council"
            )
        ],
        "calendar_feeds": [
            {"created_at": _when(t.created_at), "revoked_at": _when(t.revoked_at)} for t in tokens
        ],
        "messages": [
            {
                "session": _session_text(i.session),
                "method": i.method,
                "sequence": i.sequence,
                "status": i.status,
                "created_at": _when(i.created_at),
                "sent_at": _when(i.sent_at),
            }
            for i in Invite.objects.filter(person.address_q("recipient_email")).select_related(
                "session__offer", "session__booking__council"
            )
        ],
        "reminders": [
            {"session": _session_text(r.session), "kind": r.kind, "sent_at": _when(r.sent_at)}
            for r in Reminder.objects.filter(person.address_q("recipient_email")).select_related(
                "session__offer", "session__booking__council"
            )
        ],
        "history": _history(person),
    }


def person_export(*, email: str, by=None) -> dict:
    """The person's data, with the export recorded (by pseudonym) in the data requests."""
    data = person_data(email)
    DataRequest.objects.create(
        kind=DataRequestKind.EXPORT,
        subject=person_find(email).pseudonym,
        done_by=by if by is not None and by.is_authenticated else None,
        done_at=timezone.now(),
        counts={k: len(v) for k, v in data.items() if isinstance(v, list)}
        | {"peer": int(data["peer"] is not None)},
    )
    return data
