"""Writes of the pre-reading: adding a document (checked, then kept under a made-up name),
removing one, the panel told of each addition, and deleting packs kept past their time.

A refused upload keeps nothing: every check is made before anything is written, and a file
written to the storage is deleted again if its row cannot be saved.
"""

import logging
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_q.tasks import async_task

from peers.selectors import Caller
from scheduling.engine.refusals import Refusal
from sessions.models import Booking
from sessions.packs import formats
from sessions.packs.models import Document
from sessions.packs.rules import may_add_to_pack, may_remove_document, pack_open, require
from sessions.packs.selectors import booking_limit, file_limit, pack_size, size_text
from sessions.uploads import display_name

logger = logging.getLogger(__name__)

TELL_TASK = "sessions.packs.tasks.tell_panel"


EMPTY = "The selected file is empty. Choose a file with content."


class PackClosed(Refusal):
    status = 409


def _checked(upload: File, booking: Booking):
    """The file's format, or the refusal that names the limit or the kinds taken."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": EMPTY})
    if size > file_limit():
        raise ValidationError(
            {"file": f"The selected file must be smaller than {size_text(file_limit())}."}
        )
    found = formats.format_of(upload)
    if found is None:
        raise ValidationError(
            {
                "file": "The selected file must be "
                f"{formats.ACCEPTED_TEXT}: its content is not one of those, whatever its name."
            }
        )
    held = pack_size(booking)
    if held + size > booking_limit():
        left = max(booking_limit() - held, 0)
        raise ValidationError(
            {
                "file": f"A booking's pre-reading may add up to {size_text(booking_limit())}: "
                f"this booking has {size_text(left)} left, and the selected file is "
                f"{size_text(size)}. Remove a document or choose a smaller file."
            }
        )
    return found


def document_add(*, caller: Caller, booking: Booking, upload: File, name: str = "") -> Document:
    """Add a document to the booking's pack and, once committed, tell its seated peers."""
    require(
        may_add_to_pack(caller, booking),
        "Only the council's bookers, the panel's LGA lead and LGA staff can add pre-reading.",
    )
    if not pack_open(booking):
        raise PackClosed(
            "Pre-reading can be added only while the booking stands and before its last "
            "session ends."
        )
    stored = ""
    try:
        with transaction.atomic():
            # One upload at a time per booking, so two cannot together pass its limit.
            booking = Booking.objects.select_for_update().get(pk=booking.pk)
            found = _checked(upload, booking)
            document = Document(
                booking=booking,
                name=display_name(name or upload.name or "", found.extension),
                extension=found.extension,
                content_type=found.content_type,
                size=upload.size,
                uploaded_by=caller.user if caller.user.is_authenticated else None,
            )
            upload.seek(0)
            document.file.save("upload", upload, save=False)
            stored = document.file.name
            document.save()
            transaction.on_commit(lambda: async_task(TELL_TASK, document.pk), robust=True)
    except BaseException:
        if stored:
            document.file.storage.delete(stored)
        raise
    return document


@transaction.atomic
def document_remove(*, caller: Caller, document: Document) -> None:
    require(
        may_remove_document(caller, document),
        "Only whoever added a document, or LGA staff, can remove it.",
    )
    document.delete()  # its file goes once this commits (models.py)


def packs_expire(*, now: datetime | None = None, keep_days: int) -> int:
    """Delete the documents (rows and files) of bookings whose last session ended more than
    `keep_days` ago; each deletion is in the booking's history. Returns how many."""
    now = now or timezone.now()
    before = now - timedelta(days=keep_days)
    ended = (
        Booking.objects.annotate(last_end=Max("sessions__end"))
        .filter(last_end__lt=before, documents__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    count = 0
    with transaction.atomic():
        for document in Document.objects.filter(booking_id__in=list(ended)).select_for_update():
            document._change_reason = f"Kept {keep_days} days after the last session"
            document.delete()
            count += 1
    return count
