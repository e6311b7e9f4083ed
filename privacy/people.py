"""Who a person is across the service, found by their e-mail address, and their pseudonym.

A person may be several rows at once: a sign-in (a user) with roles (booker, councillor,
adviser, staff), a peer record (with or without a sign-in), and an address on webinar
registrations, feed tokens and messages. Everything about them is reached from here, so the
export and the erasure look in the same places.
"""

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q

from peers.models import Peer


def person_pseudonym(email: str) -> str:
    """A stable pseudonym for an address: the same person is the same pseudonym in every record
    and every run, and without the secret key it cannot be turned back into the address."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), b"person:" + email.strip().lower().encode(), hashlib.sha256
    ).hexdigest()
    return f"erased-{digest[:12]}"


def pseudonym_name(pseudonym: str) -> str:
    return f"Erased person {pseudonym.removeprefix('erased-')}"


def pseudonym_email(pseudonym: str) -> str:
    # .invalid is reserved (RFC 2606): nothing can ever be delivered to it.
    return f"{pseudonym}@erased.invalid"


@dataclass(frozen=True)
class Person:
    email: str  # as asked for, lower-cased
    users: tuple  # sign-ins with this address (or linked to the peer)
    peer: Peer | None

    @property
    def addresses(self) -> tuple[str, ...]:
        """Every address the person has here (a peer's may differ from their sign-in's)."""
        found = {self.email} | {u.email.lower() for u in self.users if u.email}
        if self.peer is not None:
            found.add(self.peer.email.lower())
        return tuple(sorted(found))

    @property
    def pseudonym(self) -> str:
        """One pseudonym whichever of their addresses they were found by."""
        return person_pseudonym(self.peer.email if self.peer is not None else self.email)

    def address_q(self, field: str) -> Q:
        """Rows whose `field` is one of the person's addresses."""
        found = Q(pk__in=[])
        for address in self.addresses:
            found |= Q(**{f"{field}__iexact": address})
        return found

    @property
    def names(self) -> tuple[str, ...]:
        """The names the person goes by here (full names only: a bare first name or username
        would match other people's text)."""
        found = {self.peer.name} if self.peer else set()
        found |= {u.get_full_name() for u in self.users}
        return tuple(sorted(n.strip() for n in found if n and " " in n.strip()))

    @property
    def found(self) -> bool:
        return bool(self.users or self.peer)


def person_find(email: str) -> Person:
    email = email.strip().lower()
    peer = (
        Peer.objects.filter(Q(email__iexact=email) | Q(user__email__iexact=email))
        .select_related("user", "home_council")
        .first()
    )
    users = get_user_model().objects.filter(Q(email__iexact=email) | Q(peer__email__iexact=email))
    if peer is not None and peer.user_id:
        users = users | get_user_model().objects.filter(pk=peer.user_id)
    return Person(email=email, users=tuple(users.distinct().order_by("pk")), peer=peer)
