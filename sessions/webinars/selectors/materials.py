"""What a webinar gives to watch and read: the short videos and reading before it (for those
with a place) and its slides and recording after (for those who registered or waited).

A link material is its own address; a file is reached through a signed link naming the
registration, so an e-mail's link works without signing in and nobody else's does.
"""

from dataclasses import dataclass

from django.http import Http404
from django.urls import reverse

from sessions.mail.links import absolute_url
from sessions.models import Session
from sessions.webinars.models import Material, MaterialKind, Registration, RegistrationStatus
from sessions.webinars.selectors import links as webinar_links

BEFORE_HEADING = "Watch these before the live discussion"
AFTER_HEADING = "The recording and slides"
NOT_FOUND = "No such file, or it is not yours to read."

# Who may read each kind: a place for what comes before, any registration (a place or the
# waiting list) for the slides, which everyone who registered is told of.
READERS = {
    MaterialKind.BEFORE: {RegistrationStatus.REGISTERED},
    MaterialKind.SLIDES: {RegistrationStatus.REGISTERED, RegistrationStatus.WAITING},
}


@dataclass(frozen=True)
class MaterialLink:
    title: str
    url: str
    file_label: str = ""  # e.g. "PDF, 240 KB" for a file; "" for a link

    @property
    def pair(self) -> tuple[str, str]:
        return (f"{self.title} ({self.file_label})" if self.file_label else self.title, self.url)


def materials_of(session: Session, kind: str) -> list[Material]:
    return list(Material.objects.filter(session=session, kind=kind).order_by("added_at", "id"))


def _size_text(size: int) -> str:
    mb = 1024 * 1024
    return f"{size / mb:.1f} MB" if size >= mb else f"{max(1, round(size / 1024))} KB"


def material_links(
    registration: Registration, kind: str, *, absolute: bool = True
) -> tuple[MaterialLink, ...]:
    """The registration's links to the webinar's materials of a kind, or none if its status
    does not let it read them."""
    if registration.status not in READERS[kind]:
        return ()
    found = []
    for material in materials_of(registration.session, kind):
        if material.url:
            found.append(MaterialLink(material.title, material.url))
            continue
        path = reverse(
            "webinar-material",
            kwargs={"key": webinar_links.material_key(registration, material.pk)},
        )
        label = f"{material.extension.upper()}, {_size_text(material.size)}"
        found.append(MaterialLink(material.title, absolute_url(path) if absolute else path, label))
    return tuple(found)


def material_for_key(key: str) -> Material:
    """The file a registrant's link names, if they may still read it; else 404 (a tampered,
    old or foreign link, a cancelled place, a removed file alike)."""
    parts = webinar_links.material_key_parts(key)
    if parts is None:
        raise Http404(NOT_FOUND)
    registration, material_id = parts
    material = (
        Material.objects.filter(pk=material_id, session_id=registration.session_id)
        .exclude(file="")
        .first()
    )
    if material is None or registration.status not in READERS[material.kind]:
        raise Http404(NOT_FOUND)
    return material
