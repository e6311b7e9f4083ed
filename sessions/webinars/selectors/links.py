"""The signed links in registrants' e-mails: cancel a place, confirm a registration request,
manage a private calendar link. Each names a registration (never an address, so none is
written into URLs and server logs) with a digest of its address, and is dated."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.utils import timezone

from sessions.webinars.models import Registration, RegistrationRequest

MANAGE_LINK_AGE = timedelta(days=180)  # how long a "manage your calendar link" link works
CONFIRM_LINK_AGE = timedelta(hours=48)  # how long a "confirm your registration" link works
CANCEL_LINK_AGE = timedelta(days=400)  # a cancel link's longest life (it ends with the webinar)
CANCEL_SALT = "webinar-registration-cancel"
MANAGE_SALT = "webinar-calendar-manage"
CONFIRM_SALT = "webinar-registration-confirm"


# Links in registrants' e-mails -------------------------------------------------------------------


def _address_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def registration_cancel_key(registration: Registration) -> str:
    """The signed, dated part of a registration's cancel link (no address in it). It works
    until the webinar ends (see `cancel_link_state`), and never longer than CANCEL_LINK_AGE."""
    return signing.dumps([registration.pk, _address_digest(registration.email)], salt=CANCEL_SALT)


def registration_for_cancel_key(key: str) -> Registration | None:
    """The registration a cancel link names, or None (tampered, too old or unknown alike)."""
    try:
        pk, digest = signing.loads(key, salt=CANCEL_SALT, max_age=CANCEL_LINK_AGE.total_seconds())
    except (signing.BadSignature, ValueError, TypeError):
        return None
    registration = (
        Registration.objects.select_related("session__offer").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if registration is None or _address_digest(registration.email) != digest:
        return None
    return registration


def cancel_link_expired(registration: Registration, *, now: datetime | None = None) -> bool:
    """A cancel link stops working when its webinar has ended: there is nothing left to give up."""
    return registration.session.end <= (now or timezone.now())


def registration_confirm_key(request: RegistrationRequest) -> str:
    """The signed, dated part of the link that confirms a registration request."""
    return signing.dumps([request.pk, _address_digest(request.email)], salt=CONFIRM_SALT)


@dataclass(frozen=True)
class ConfirmLink:
    """What a confirmation link leads to: the request, or why it does not."""

    request: RegistrationRequest | None
    expired: bool = False  # genuine but too old


def registration_request_for_key(key: str) -> ConfirmLink:
    """The request behind a confirmation link. A genuine link older than CONFIRM_LINK_AGE is
    expired; anything else that does not check out is not valid."""
    try:
        pk, digest = signing.loads(key, salt=CONFIRM_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return ConfirmLink(request=None)
    request = (
        RegistrationRequest.objects.select_related("session__offer").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if request is None or _address_digest(request.email) != digest:
        return ConfirmLink(request=None)
    try:
        signing.loads(key, salt=CONFIRM_SALT, max_age=CONFIRM_LINK_AGE.total_seconds())
    except signing.SignatureExpired:
        return ConfirmLink(request=None, expired=True)
    return ConfirmLink(request=request)


def calendar_manage_key(registration: Registration) -> str:
    """The signed, dated part of a link to manage the private calendar link of the
    registration's address. It names a registration, not the address, so no address is
    written into URLs (and server logs)."""
    return signing.dumps([registration.pk, _address_digest(registration.email)], salt=MANAGE_SALT)


def email_for_manage_key(key: str) -> str | None:
    try:
        pk, digest = signing.loads(key, salt=MANAGE_SALT, max_age=MANAGE_LINK_AGE.total_seconds())
    except (signing.BadSignature, ValueError, TypeError):
        return None
    email = (
        Registration.objects.filter(pk=pk).values_list("email", flat=True).first()
        if isinstance(pk, int)
        else None
    )
    if email is None or _address_digest(email) != digest:
        return None
    return email


# A material's file, from a registrant's e-mail or the webinar's page ---------------------------

MATERIAL_SALT = "webinar-material"
MATERIAL_LINK_AGE = timedelta(days=400)


def material_key(registration: Registration, material_id: int) -> str:
    """The signed part of a registrant's link to one of a webinar's files: it names the
    registration (never the address) and the material."""
    return signing.dumps(
        [registration.pk, material_id, _address_digest(registration.email)], salt=MATERIAL_SALT
    )


def material_key_parts(key: str) -> tuple[Registration, int] | None:
    """(the registration, the material's id) a file link names, or None (tampered, too old or
    unknown alike). Whether the registration may still read it is the caller's question."""
    try:
        pk, material_id, digest = signing.loads(
            key, salt=MATERIAL_SALT, max_age=MATERIAL_LINK_AGE.total_seconds()
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(pk, int) or not isinstance(material_id, int):
        return None
    registration = Registration.objects.select_related("session").filter(pk=pk).first()
    if registration is None or _address_digest(registration.email) != digest:
        return None
    return registration, material_id
