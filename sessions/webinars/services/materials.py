"""Writes of what a webinar gives to watch and read: staff attach short videos and reading
before it (links, https only, or files through the storage API), and after it the slides and
the recording. Adding the recording raises the webinar's SEQUENCE (so calendars subscribed to
the feeds refresh the event, whose DESCRIPTION now carries it) and, once committed, tells
everyone who registered or waited, once each (letters.recording_news_send).

A file is checked before anything is written (sessions/uploads.py: its kind read from its
content) and kept under a made-up name; a file written to the storage is deleted again if its
row cannot be saved.
"""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from sessions.models import Delivery, Session, SessionStatus
from sessions.uploads import ACCEPTED, ACCEPTED_TEXT, VIDEOS, display_name, format_of
from sessions.webinars.models import Material, MaterialKind

RECORDING_TASK = "sessions.webinars.tasks.send_recording_news"
MB = 1024 * 1024
TITLE_MAX = 200
_https = URLValidator(schemes=["https"])


def file_limit() -> int:
    return settings.WEBINAR_FILE_MAX_MB * MB


def https_url(value: str, field: str) -> str:
    """A link staff give: a full https address (anything else is refused)."""
    value = (value or "").strip()
    try:
        _https(value)
    except ValidationError:
        raise ValidationError(
            {field: "Enter a full web address starting https://, such as https://www.local.gov.uk/"}
        ) from None
    return value


def _webinar(session: Session) -> Session:
    session = (
        Session.objects.select_for_update(of=("self",)).select_related("offer").get(pk=session.pk)
    )
    if session.booking_id is not None or session.offer.delivery != Delivery.WEBINAR:
        raise ValidationError({"session": "This session is not a webinar."})
    return session


def _title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": "Enter a title, such as the video's name."})
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": f"The title must be {TITLE_MAX} characters or fewer."})
    return title


def _kind(kind: str) -> str:
    if kind not in MaterialKind.values:
        raise ValidationError({"kind": "Choose whether it is to watch before or the slides."})
    return kind


def material_link_add(
    *, session: Session, kind: str, title: str, url: str, added_by=None
) -> Material:
    """A link to a video or reading (or the slides) where the LGA hosts it."""
    kind, title, url = _kind(kind), _title(title), https_url(url, "url")
    with transaction.atomic():
        session = _webinar(session)
        return Material.objects.create(
            session=session, kind=kind, title=title, url=url, added_by=added_by
        )


def material_file_checked(upload: File):
    """The file's format, or the ValidationError that names the limit or the kinds taken."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": "The selected file is empty. Choose a file with content."})
    if size > file_limit():
        raise ValidationError(
            {"file": f"The selected file must be smaller than {file_limit() // MB} MB."}
        )
    found = format_of(upload, {**ACCEPTED, **VIDEOS})
    if found is None:
        raise ValidationError(
            {
                "file": f"The selected file must be {ACCEPTED_TEXT}, or an MP4 or WebM video: "
                "its content is not one of those, whatever its name."
            }
        )
    return found


def material_file_add(
    *, session: Session, kind: str, title: str, upload: File, added_by=None
) -> Material:
    """A file (reading, a short video, the slides) kept in the default storage."""
    kind, title = _kind(kind), _title(title)
    found = material_file_checked(upload)
    stored = ""
    material = None
    try:
        with transaction.atomic():
            session = _webinar(session)
            material = Material(
                session=session,
                kind=kind,
                title=title,
                name=display_name(upload.name or "", found.extension),
                extension=found.extension,
                content_type=found.content_type,
                size=upload.size,
                added_by=added_by,
            )
            upload.seek(0)
            material.file.save("upload", upload, save=False)
            stored = material.file.name
            material.save()
    except BaseException:
        if stored and material is not None:
            material.file.storage.delete(stored)
        raise
    return material


@transaction.atomic
def material_remove(*, material: Material) -> None:
    material.delete()  # its file goes once this commits (models.py)


def recording_set(session: Session, url: str, *, now: datetime) -> bool:
    """Inside the caller's transaction, on the locked session: set the recording link. A new
    link raises SEQUENCE (the feeds' event changes) and, once committed, tells registrants.
    Returns whether it changed; the caller saves the session."""
    url = (url or "").strip()
    if url == session.recording_url:
        return False
    if url:
        url = https_url(url, "recording_url")
        if session.status == SessionStatus.CANCELLED:
            raise ValidationError({"recording_url": "This webinar was cancelled."})
        if session.end > now:
            raise ValidationError(
                {"recording_url": "Add the recording once the webinar has taken place."}
            )
    session.recording_url = url
    session.sequence += 1
    if url:
        session_id = session.pk
        transaction.on_commit(lambda: async_task(RECORDING_TASK, session_id), robust=True)
    return True


def webinar_recording_publish(
    *, session: Session, recording_url: str, now: datetime | None = None
) -> Session:
    """After the webinar: its recording. Everyone who registered or waited is told once."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _webinar(session)
        if recording_set(session, recording_url, now=now):
            session.save()
    return session
