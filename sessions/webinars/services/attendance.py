"""Writes of attendance: staff upload the video platform's own report (Teams or Zoom,
read by attendance_report.py) and its people are matched to the webinar's registrations by
e-mail address, whatever its case. A new upload replaces the last, so a corrected report can
be given again; the rows no registration matches are kept for staff to read.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sessions.models import Delivery, Session
from sessions.webinars.attendance_report import UnreadableReport, report_read
from sessions.webinars.models import WebinarAttendance

REPORT_MAX_BYTES = 5 * 1024 * 1024


def attendance_record(*, session: Session, data: bytes, now: datetime | None = None) -> int:
    """Keep the attendance a report gives for a webinar that has started; returns how many
    people it names. Raises ValidationError (field `report`) for a file it cannot read."""
    now = now or timezone.now()
    if session.booking_id is not None or session.offer.delivery != Delivery.WEBINAR:
        raise ValidationError({"report": "This session is not a webinar."})
    if session.start > now:
        raise ValidationError({"report": "Upload the report once the webinar has taken place."})
    if len(data) > REPORT_MAX_BYTES:
        raise ValidationError({"report": "The selected file must be smaller than 5 MB."})
    try:
        report = report_read(data)
    except UnreadableReport as error:
        raise ValidationError({"report": str(error)}) from None
    registrations = {
        registration.email.strip().lower(): registration
        for registration in session.registrations.all()
    }
    with transaction.atomic():
        Session.objects.select_for_update(of=("self",)).filter(pk=session.pk).first()
        session.webinar_attendance.all().delete()
        WebinarAttendance.objects.bulk_create(
            WebinarAttendance(
                session=session,
                registration=registrations.get(attendee.email) if attendee.email else None,
                name=attendee.name[:200],
                email=attendee.email[:254],
                minutes=attendee.minutes,
                source=report.source,
            )
            for attendee in report.attendees
        )
    return len(report.attendees)
