"""Erasing a person: what they own is deleted, what the programme must keep is pseudonymised.

In three steps, so that nothing the person still takes part in is simply dropped:

1. What is still to come is given up by the service's normal paths: a peer's seats on future
   sessions are released as when leave comes over a held seat
   (`sessions.services.restaffing.seats_release_for_unavailable`: a CANCEL to the peer, the
   booking re-staffed in the worker, the booker told), and their webinar places are cancelled
   (`registration_cancel`: a CANCEL, and the first person waiting gets the place).
2. The messages that tell them (those CANCELs) are sent now, while the address is still held.
3. In one transaction: availability, busy calendars, free time, feed and API tokens,
   registrations, requests and roles are deleted; the sign-in and the peer record stay, as a
   past seat, a booking made and a history entry must, with the name and address replaced by
   the person's pseudonym (`people.person_pseudonym`) there and in every text field of every
   record (history, messages, the admin's log) that still names them. The development mail
   files that mention them are deleted.

The erasure is recorded by pseudonym and counts only. Erasing again finds nobody by the
address and changes nothing but adding that record.
"""

import re
from collections import Counter
from datetime import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session as SignInSession
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django_q.models import Task

from peers.held_time import HeldTime
from peers.models import ApiToken, BusyCalendar, Council, FreeTime, Peer
from privacy.mail_files import mail_files_remove_mentioning
from privacy.models import DataRequest, DataRequestKind
from privacy.people import Person, person_find, pseudonym_email, pseudonym_name
from sessions.models import HOLDING_SEAT_STATUSES, Invite, InviteStatus, Seat, SessionStatus
from sessions.participants.models import Participant
from sessions.services.mail import invite_deliver
from sessions.services.restaffing import seats_release_for_unavailable
from sessions.webinars.models import (
    FeedToken,
    Registration,
    RegistrationRequest,
    RegistrationStatus,
)
from sessions.webinars.services.registrations import registration_cancel

ERASED_NOTE = "Not sent: the recipient's personal data was erased."
TEXT_FIELDS = (models.CharField, models.TextField)


def _future_given_up(person: Person, now: datetime, counts: Counter) -> None:
    with transaction.atomic():
        if person.peer is not None:
            seats = Seat.objects.filter(
                peer=person.peer,
                status__in=HOLDING_SEAT_STATUSES,
                session__status=SessionStatus.SCHEDULED,
                session__start__gt=now,
            ).select_related("session")
            held = tuple(
                HeldTime(key=s.pk, start=s.session.start, end=s.session.end, label=s.role_name)
                for s in seats
            )
            if held:
                released = seats_release_for_unavailable(Peer, peer=person.peer, held=held)
                counts["future seats released"] += len(released)
        places = Registration.objects.filter(
            person.address_q("email"), session__end__gt=now
        ).exclude(status=RegistrationStatus.CANCELLED)
        for registration in places:
            registration_cancel(registration=registration, now=now)
            counts["future webinar places cancelled"] += 1


def _last_messages_sent(person: Person, now: datetime) -> None:
    due = Invite.objects.filter(
        person.address_q("recipient_email"),
        status__in=[InviteStatus.PENDING, InviteStatus.FAILED],
    ).values_list("pk", flat=True)
    for invite_id in list(due):
        invite_deliver(invite_id=invite_id, now=now)


def _texts_pseudonymised(replacements: dict[str, str], counts: Counter) -> None:
    """Replace each needle (case-insensitively) in every text field of every model, history
    and the admin's log included, where it occurs."""
    patterns = [(re.compile(re.escape(k), re.IGNORECASE), v) for k, v in replacements.items()]
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, TEXT_FIELDS) and not f.primary_key and not f.choices
        ]
        for field in fields:
            found = Q()
            for needle in replacements:
                found |= Q(**{f"{field.attname}__icontains": needle})
            rows = model._base_manager.filter(found).values_list("pk", field.attname)
            for pk, value in list(rows):
                new = value
                for pattern, replacement in patterns:
                    new = pattern.sub(replacement, new)
                if field.max_length:
                    new = new[: field.max_length]
                model._base_manager.filter(pk=pk).update(**{field.attname: new})
                counts["text fields pseudonymised"] += 1


def _tasks_forgotten(needles: list[str], counts: Counter) -> None:
    """The task queue's records keep each task's arguments and result (a few take an address)."""
    lowered = [n.lower() for n in needles]
    for task in Task.objects.all().only("id", "args", "kwargs", "result"):
        text = f"{task.args!r} {task.kwargs!r} {task.result!r}".lower()
        if any(needle in text for needle in lowered):
            Task.objects.filter(pk=task.pk).delete()
            counts["task records deleted"] += 1


def _accounts_erased(person: Person, pseudonym: str, counts: Counter) -> None:
    user_ids = [u.pk for u in person.users]
    counts["api tokens deleted"] += ApiToken.objects.filter(user_id__in=user_ids).delete()[0]
    roles = Council.objects.filter(principal_adviser_id__in=user_ids)
    counts["councils left without their adviser"] += roles.update(principal_adviser=None)
    for n, user in enumerate(person.users):
        for role in ("booker", "councillor"):
            if hasattr(user, role):
                getattr(user, role).delete()
                counts[f"{role} roles deleted"] += 1
        signed_in = [
            s.pk
            for s in SignInSession.objects.all()
            if s.get_decoded().get("_auth_user_id") == str(user.pk)
        ]
        SignInSession.objects.filter(pk__in=signed_in).delete()
        if apps.is_installed("axes"):
            for name in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
                model = apps.get_model("axes", name)
                model.objects.filter(username__in=[user.username, user.email]).delete()
        user.username = pseudonym if n == 0 else f"{pseudonym}-{n}"
        user.email = pseudonym_email(pseudonym)
        user.first_name = user.last_name = ""
        user.is_active = user.is_staff = user.is_superuser = False
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
        counts["sign-ins pseudonymised"] += 1


def _peer_erased(peer: Peer, pseudonym: str, counts: Counter) -> None:
    for related in (peer.weekly_windows, peer.date_overrides, peer.leave):
        counts["availability rows deleted"] += related.all().delete()[0]
    counts["busy calendars deleted"] += (
        BusyCalendar.objects.filter(peer=peer).delete()[1].get("peers.BusyCalendar", 0)
    )
    FreeTime.objects.filter(peer=peer).delete()
    counts["feed tokens deleted"] += FeedToken.objects.filter(peer=peer).delete()[0]
    # What they said when they declined a seat is theirs: gone from the seats and their history.
    counts["reasons for declining cleared"] += (
        Seat.objects.filter(peer=peer).exclude(answer_reason="").update(answer_reason="")
    )
    Seat.history.filter(peer_id=peer.pk).exclude(answer_reason="").update(answer_reason="")
    peer.skills.clear()
    peer.declared_interests.clear()
    peer.name = pseudonym_name(pseudonym)
    peer.email = pseudonym_email(pseudonym)
    peer.is_active = False
    peer.save()
    counts["peer records pseudonymised"] += 1


def _participants_erased(person: Person, pseudonym: str) -> int:
    """Where a council named the person to attend a panel: their name and address (and role,
    which may identify them) are blanked to the pseudonym, in the rows and their history."""
    named = Participant.objects.filter(person.address_q("email"))
    ids = list(named.values_list("pk", flat=True))
    blank = {"name": pseudonym_name(pseudonym), "email": pseudonym_email(pseudonym), "role": ""}
    Participant.history.filter(id__in=ids).update(**blank)
    return Participant.objects.filter(pk__in=ids).update(**blank)


def person_erase(*, email: str, by=None, now: datetime | None = None) -> dict:
    """Erase the person with this address (see the module's docstring); returns the counts,
    which hold no personal data."""
    now = now or timezone.now()
    person = person_find(email)
    pseudonym = person.pseudonym
    names, addresses = person.names, person.addresses
    # The names councils gave them when naming them to attend (full names only, as above).
    names += tuple(
        sorted(
            {
                n.strip()
                for n in Participant.objects.filter(person.address_q("email")).values_list(
                    "name", flat=True
                )
                if " " in n.strip()
            }
            - set(names)
        )
    )
    counts: Counter = Counter()
    _future_given_up(person, now, counts)
    _last_messages_sent(person, now)
    person = Person(  # as the steps above left them
        email=person.email,
        users=tuple(get_user_model().objects.filter(pk__in=[u.pk for u in person.users])),
        peer=Peer.objects.filter(pk=person.peer.pk).first() if person.peer else None,
    )
    with transaction.atomic():
        if person.peer is not None:
            _peer_erased(person.peer, pseudonym, counts)
        _accounts_erased(person, pseudonym, counts)
        counts["feed tokens deleted"] += FeedToken.objects.filter(
            person.address_q("email")
        ).delete()[0]
        counts["registrations deleted"] += Registration.objects.filter(
            person.address_q("email")
        ).delete()[0]
        counts["registration requests deleted"] += RegistrationRequest.objects.filter(
            person.address_q("email")
        ).delete()[0]
        counts["participants pseudonymised"] += _participants_erased(person, pseudonym)
        replacements = {address: pseudonym_email(pseudonym) for address in addresses}
        replacements |= {name: pseudonym_name(pseudonym) for name in names}
        _texts_pseudonymised(replacements, counts)
        counts["messages not sent"] += Invite.objects.filter(
            recipient_email=pseudonym_email(pseudonym),
            status__in=[InviteStatus.PENDING, InviteStatus.FAILED, InviteStatus.SENDING],
        ).update(status=InviteStatus.GAVE_UP, next_attempt_at=None, last_error=ERASED_NOTE)
        _tasks_forgotten(list(replacements), counts)
        record = DataRequest.objects.create(
            kind=DataRequestKind.ERASURE,
            subject=pseudonym,
            done_by=by if by is not None and by.is_authenticated else None,
            done_at=now,
        )
    counts["mail files deleted"] += mail_files_remove_mentioning(list(replacements))
    record.counts = dict(counts)
    record.save(update_fields=["counts"])
    return {"pseudonym": pseudonym, "found": person.found, "counts": dict(counts)}
