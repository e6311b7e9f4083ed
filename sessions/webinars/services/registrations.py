"""Writes about webinars: scheduling, moving and cancelling sessions; registrations with a
waiting list. What their e-mails say is in `letters`; private calendar links in `feed_tokens`.

Registering an address is confirmed by its owner: someone signed in with that address
registers at once; anyone else's request (`registration_request`) holds no place and opens no
calendar until the signed link mailed to the address is followed and its page's button
pressed (`registration_confirm`). The answer to a request is the same whether or not the
address is known, and the e-mail is sent by a task; it carries none of the words the
requester typed, so the service cannot be used to send chosen text to a stranger.

Every change a registrant's calendar must hear about queues an invite in the outbox in the
same transaction as the change (a REQUEST at the session's SEQUENCE, or a CANCEL after
raising it). A place that frees is given to the first person waiting, with an invite, in
the transaction that frees it. Registration and cancellation lock the session row first
(SQLite's IMMEDIATE transactions already hold the write lock), so two people can never
take the last place at once.

Private calendar links: a person's link (a FeedToken for their address) is issued the first
time they register, and shown then; later registrations add to the same feed and do not
replace the link, since its secret is stored only as a hash and cannot be shown again. Every
e-mail carries a signed link to a page where they can get a new link or turn it off.
"""

import hashlib
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_q.tasks import async_task

from peers.models import Council
from peers.throttles import throttle_count
from scheduling.engine.refusals import Refusal
from sessions.mail.outbox import invite_queue
from sessions.models import (
    UID_DOMAIN,
    Delivery,
    Invite,
    InviteMethod,
    Offer,
    Session,
    SessionStatus,
)
from sessions.webinars.models import Registration, RegistrationRequest, RegistrationStatus
from sessions.webinars.selectors import links as webinar_links
from sessions.webinars.selectors import webinars as selectors
from sessions.webinars.selectors.feed_tokens import feed_is_live
from sessions.webinars.services.feed_tokens import feed_token_issue
from sessions.webinars.services.materials import recording_set

# Registrations (and requests for a calendar link) allowed per minute, per client address and
# per e-mail address; settings.WEBINAR_THROTTLE overrides these.
THROTTLE = {"client": 20, "address": 5}
THROTTLE_WINDOW = 60  # seconds
LONGEST_NAME = 200


class WebinarClosed(Refusal):
    """Nobody can register for (or leave) this webinar now (409): the reason says why."""

    status = 409


class TooManyRequests(Refusal):
    """Too many attempts from one client or for one address (429)."""

    status = 429

    def __init__(self, retry_after: int):
        super().__init__("Too many requests. Wait a minute and try again.")
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


# Throttling ------------------------------------------------------------------------------------


def throttle_check(*, action: str, client: str, email: str = "") -> None:
    """Count one attempt at `action` by `client` (an IP address) for `email`; raise
    TooManyRequests past the limits. Every process shares the counts (peers.throttles: the
    database, or Redis with REDIS_URL); `client` is REMOTE_ADDR, the client's own
    address behind the proxies in TRUSTED_PROXIES."""
    limits = {**THROTTLE, **getattr(settings, "WEBINAR_THROTTLE", {})}
    now = time.time()
    window = int(now // THROTTLE_WINDOW)
    retry_after = THROTTLE_WINDOW - int(now) % THROTTLE_WINDOW
    for scope, who in (("client", client), ("address", email.strip().lower())):
        if not who:
            continue
        digest = hashlib.sha256(who.encode()).hexdigest()[:24]
        count = throttle_count(
            f"throttle:{action}:{scope}:{digest}:{window}", seconds=THROTTLE_WINDOW
        )
        if count > limits[scope]:
            raise TooManyRequests(retry_after=retry_after)


# Scheduling (LGA staff) --------------------------------------------------------------------------

_url = URLValidator(schemes=["https", "http"])


def _checked_url(value: str, field: str) -> str:
    value = (value or "").strip()
    if value:
        try:
            _url(value)
        except ValidationError:
            raise ValidationError({field: "Enter a full web address, starting https://"}) from None
    return value


def _checked_start(start: datetime, now: datetime) -> None:
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValidationError({"start": "Give the start with its time zone."})
    if start <= now:
        raise ValidationError({"start": "The start is in the past."})


def webinar_schedule(
    *,
    offer: Offer,
    start: datetime,
    duration_minutes: int | None = None,
    capacity: int | None = None,
    joining_url: str = "",
    title: str = "",
    now: datetime | None = None,
) -> Session:
    """A new session of a webinar offer; its capacity defaults to the offer's seats."""
    now = now or timezone.now()
    if offer.delivery != Delivery.WEBINAR:
        raise ValidationError({"offer": f"{offer.title} is not a webinar."})
    _checked_start(start, now)
    minutes = duration_minutes or offer.duration_minutes
    if minutes < 1:
        raise ValidationError({"duration_minutes": "A webinar lasts at least a minute."})
    if capacity is not None and capacity < 1:
        raise ValidationError({"capacity": "A webinar has at least one place."})
    return Session.objects.create(
        offer=offer,
        booking=None,
        start=start,
        end=start + timedelta(minutes=minutes),
        capacity=capacity if capacity is not None else offer.seats,
        joining_url=_checked_url(joining_url, "joining_url"),
        title=(title or "").strip(),
        uid=f"{uuid.uuid4()}@{UID_DOMAIN}",
    )


def _locked_webinar(session: Session) -> Session:
    session = (
        Session.objects.select_for_update(of=("self",)).select_related("offer").get(pk=session.pk)
    )
    if session.booking_id is not None or session.offer.delivery != Delivery.WEBINAR:
        raise ValidationError({"session": "This session is not a webinar."})
    return session


def _holders(session: Session):
    return session.registrations.filter(status=RegistrationStatus.REGISTERED).order_by(
        "created_at", "id"
    )


def _invite(session: Session, registration: Registration, method: str) -> Invite:
    if (
        method == InviteMethod.REQUEST
        and Invite.objects.filter(
            session=session,
            recipient_email=registration.email,
            sequence__gte=session.sequence,
        ).exists()
    ):
        # They were sent something at this SEQUENCE already (say the cancellation of their
        # earlier place): the new invite must outrank it, or a calendar may keep the older one.
        session.sequence += 1
        session.save(update_fields=["sequence", "updated_at"])
    return invite_queue(
        session=session,
        recipient_email=registration.email,
        recipient_name=registration.name,
        method=method,
        registration=registration,
    )


def _promote_waiting(session: Session, *, now: datetime) -> list[Registration]:
    """Give free places to the people waiting longest, each with an invite."""
    if session.status != SessionStatus.SCHEDULED or session.start <= now:
        return []
    free = selectors.capacity_of(session) - _holders(session).count()
    if free <= 0:
        return []
    # A waiting row is saved only when it joins the queue, so updated_at is its place in it.
    promoted = list(
        session.registrations.filter(status=RegistrationStatus.WAITING).order_by(
            "updated_at", "id"
        )[:free]
    )
    for registration in promoted:
        registration.status = RegistrationStatus.REGISTERED
        registration.save(update_fields=["status", "updated_at"])
        _invite(session, registration, InviteMethod.REQUEST)
    return promoted


def webinar_update(
    *,
    session: Session,
    start: datetime | None = None,
    duration_minutes: int | None = None,
    capacity: int | None = None,
    joining_url: str | None = None,
    recording_url: str | None = None,
    title: str | None = None,
    now: datetime | None = None,
) -> Session:
    """Change a webinar. A new time, joining link or title raises SEQUENCE and sends every
    registrant an updated invite; more places go to the people waiting. A recording (after
    the webinar) raises SEQUENCE for the feeds and tells registrants once, by a letter
    (services/materials.py)."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _locked_webinar(session)
        if session.status == SessionStatus.CANCELLED:
            raise ValidationError({"status": "This webinar is cancelled; schedule a new one."})
        changed = False
        if start is not None or duration_minutes is not None:
            new_start = start if start is not None else session.start
            minutes = duration_minutes or round((session.end - session.start).total_seconds() / 60)
            if minutes < 1:
                raise ValidationError({"duration_minutes": "A webinar lasts at least a minute."})
            new_end = new_start + timedelta(minutes=minutes)
            if (new_start, new_end) != (session.start, session.end):
                _checked_start(new_start, now)
                session.start, session.end = new_start, new_end
                changed = True
        if joining_url is not None:
            joining_url = _checked_url(joining_url, "joining_url")
            if joining_url != session.joining_url:
                session.joining_url = joining_url
                changed = True
        if title is not None and title.strip() != session.title:
            session.title = title.strip()
            changed = True
        if recording_url is not None:
            recording_set(session, recording_url, now=now)
        if capacity is not None:
            holding = _holders(session).count()
            if capacity < max(holding, 1):
                raise ValidationError(
                    {
                        "capacity": f"{holding} people have places; the capacity cannot be lower."
                        if holding
                        else "A webinar has at least one place."
                    }
                )
            session.capacity = capacity
        if changed:
            session.sequence += 1
        session.save()
        if changed:
            for registration in _holders(session):
                _invite(session, registration, InviteMethod.REQUEST)
        _promote_waiting(session, now=now)
    return session


def webinar_cancel(*, session: Session, now: datetime | None = None) -> Session:
    """Cancel a webinar: SEQUENCE goes up and everyone with a place is sent a CANCEL.
    It stays in the feeds, as cancelled, for 30 days so calendars remove it."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _locked_webinar(session)
        if session.status == SessionStatus.CANCELLED:
            raise ValidationError({"status": "This webinar is already cancelled."})
        if session.end <= now:
            raise ValidationError({"status": "This webinar has already taken place."})
        session.status = SessionStatus.CANCELLED
        session.sequence += 1
        session.save()
        for registration in _holders(session):
            _invite(session, registration, InviteMethod.CANCEL)
    return session


# Registration (anyone) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationResult:
    registration: Registration
    created: bool  # False: the address was already registered (nothing changed)
    feed_token: str  # a private feed token issued now, or "" (see the module's docstring)


def _clean_registration(
    *, name: str, email: str, council: Council | int | None, council_name: str, role: str
) -> dict:
    errors = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = "Enter your name."
    elif len(name) > LONGEST_NAME:
        errors["name"] = f"Your name must be {LONGEST_NAME} characters or fewer."
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = (
            "Enter your e-mail address, such as name@council.gov.uk."
            if not email
            else "Enter an e-mail address in the right form, such as name@council.gov.uk."
        )
    council_name = " ".join((council_name or "").split())
    if isinstance(council, int):
        found = Council.objects.filter(pk=council).first()
        if found is None:
            errors["council"] = "Choose a council from the list, or type its name."
        council = found
    if council is None and council_name:
        # A typed name that is in the directory is the directory's council.
        council = Council.objects.filter(name__iexact=council_name).first()
    if council is None and not council_name and "council" not in errors:
        errors["council"] = "Choose your council from the list, or type its name."
    if len(council_name) > LONGEST_NAME:
        errors["council_name"] = f"The council's name must be {LONGEST_NAME} characters or fewer."
    role = " ".join((role or "").split())
    if not role:
        errors["role"] = "Enter your role, such as ward councillor or cabinet member."
    elif len(role) > LONGEST_NAME:
        errors["role"] = f"Your role must be {LONGEST_NAME} characters or fewer."
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "email": email,
        "council": council,
        "council_name": "" if council is not None else council_name,
        "role": role,
    }


def registration_create(
    *,
    session: Session,
    name: str,
    email: str,
    council: Council | int | None = None,
    council_name: str = "",
    role: str = "",
    now: datetime | None = None,
) -> RegistrationResult:
    """Register for a webinar: a place and an invite, or a place on the waiting list.

    Registering again with the same address changes nothing and returns the same
    registration. Raises ValidationError (bad input) or WebinarClosed; writes nothing then.
    """
    now = now or timezone.now()
    fields = _clean_registration(
        name=name, email=email, council=council, council_name=council_name, role=role
    )
    email = fields["email"]
    try:
        with transaction.atomic():
            session = _locked_webinar(session)
            reason = selectors.closed_reason(session, now=now)
            if reason:
                raise WebinarClosed(reason)
            existing = Registration.objects.filter(session=session, email=email).first()
            if existing is not None and existing.status != RegistrationStatus.CANCELLED:
                return RegistrationResult(registration=existing, created=False, feed_token="")
            full = _holders(session).count() >= selectors.capacity_of(session)
            status = RegistrationStatus.WAITING if full else RegistrationStatus.REGISTERED
            if existing is not None:  # they cancelled before; they come back at the end
                for field, value in fields.items():
                    setattr(existing, field, value)
                existing.status = status
                registration = existing
            else:
                registration = Registration(session=session, status=status, **fields)
            # Whoever is signed in is recorded too; without a sign-in, the history names them.
            registration._history_actor = f"{fields['name']} (the registrant)"
            registration.save()
            if status == RegistrationStatus.REGISTERED:
                _invite(session, registration, InviteMethod.REQUEST)
            else:
                waiting_id = registration.pk
                transaction.on_commit(
                    lambda: async_task(
                        "sessions.webinars.tasks.send_waiting_list_mail",
                        waiting_id,
                    )
                )
            feed_token = ""
            first_time = not (
                Registration.objects.filter(email=email)
                .exclude(pk=registration.pk)
                .exclude(status=RegistrationStatus.CANCELLED)
                .exists()
            )
            # Issued only to someone with no link and no other registration, so a link
            # handed to whoever posted this shows nothing they did not register for.
            if first_time and not feed_is_live(email=email):
                feed_token = feed_token_issue(email=email)
    except IntegrityError:
        # The same address registered a moment ago in another request: that one stands.
        registration = Registration.objects.get(session=session, email=email)
        return RegistrationResult(registration=registration, created=False, feed_token="")
    return RegistrationResult(registration=registration, created=True, feed_token=feed_token)


def registration_submit(
    *,
    session: Session,
    name: str,
    email: str,
    council: Council | int | None = None,
    council_name: str = "",
    role: str = "",
    signed_in_email: str = "",
    now: datetime | None = None,
) -> RegistrationResult | None:
    """Register from the public page or API: at once for someone signed in with this address
    (the result), else a request whose confirmation link is mailed to the address (None,
    whatever the address). Raises ValidationError or WebinarClosed; writes nothing then."""
    fields = _clean_registration(
        name=name, email=email, council=council, council_name=council_name, role=role
    )
    if signed_in_email and signed_in_email.strip().lower() == fields["email"]:
        return registration_create(session=session, now=now, **fields)
    registration_request(session=session, now=now, **fields)
    return None


def registration_request(
    *,
    session: Session,
    name: str,
    email: str,
    council: Council | int | None = None,
    council_name: str = "",
    role: str = "",
    now: datetime | None = None,
) -> RegistrationRequest:
    """Ask the address to confirm a registration: a request row and, by a task, an e-mail with
    a signed link. Nothing about any registration of the address is read or changed here, so
    the work done (and its time) is the same for a known address and an unknown one."""
    now = now or timezone.now()
    fields = _clean_registration(
        name=name, email=email, council=council, council_name=council_name, role=role
    )
    if session.booking_id is not None or session.offer.delivery != Delivery.WEBINAR:
        raise ValidationError({"session": "This session is not a webinar."})
    reason = selectors.closed_reason(session, now=now)
    if reason:
        raise WebinarClosed(reason)
    with transaction.atomic():
        # Requests nobody confirmed are of no use once their links have expired.
        RegistrationRequest.objects.filter(
            created_at__lt=now - 2 * webinar_links.CONFIRM_LINK_AGE
        ).delete()
        request = RegistrationRequest.objects.create(session=session, **fields)
        transaction.on_commit(
            lambda: async_task(
                "sessions.webinars.tasks.send_registration_confirmation",
                request.pk,
            )
        )
    return request


def registration_confirm(
    *, request: RegistrationRequest, now: datetime | None = None
) -> RegistrationResult:
    """The address confirmed its request: register it (a place or the waiting list, an invite,
    and a private calendar link if it has none). Confirming again changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        request = RegistrationRequest.objects.select_for_update().get(pk=request.pk)
        if request.confirmed_at is not None:
            existing = Registration.objects.filter(
                session_id=request.session_id, email=request.email
            ).first()
            if existing is not None:
                return RegistrationResult(registration=existing, created=False, feed_token="")
        result = registration_create(
            session=request.session,
            name=request.name,
            email=request.email,
            council=request.council,
            council_name=request.council_name,
            role=request.role,
            now=now,
        )
        request.confirmed_at = now
        request.save(update_fields=["confirmed_at"])
    return result


def registration_cancel_mine(
    *, email: str, registration_id: int, now: datetime | None = None
) -> Registration:
    """A signed-in person gives up one of their own places, or leaves a waiting list."""
    registration = selectors.my_registration_get(email=email, registration_id=registration_id)
    return registration_cancel(registration=registration, now=now)


def registration_cancel(*, registration: Registration, now: datetime | None = None) -> Registration:
    """Give up a place (or leave the waiting list). Someone who had a place is sent a
    CANCEL, and the first person waiting gets the place and an invite, in this transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _locked_webinar(registration.session)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == RegistrationStatus.CANCELLED:
            return registration
        if session.end <= now:
            raise WebinarClosed("This webinar has already taken place.")
        had_place = registration.status == RegistrationStatus.REGISTERED
        registration.status = RegistrationStatus.CANCELLED
        registration._history_actor = f"{registration.name} (the registrant)"
        registration.save(update_fields=["status", "updated_at"])
        if had_place and session.status == SessionStatus.SCHEDULED:
            # The CANCEL must carry a SEQUENCE above the invite it withdraws.
            session.sequence += 1
            session.save(update_fields=["sequence", "updated_at"])
            _invite(session, registration, InviteMethod.CANCEL)
            _promote_waiting(session, now=now)
    registration.session = session
    return registration
