"""What other pages show of attendance: where the caller records a session's, when they may."""

from peers.selectors import Caller
from sessions.attendance.rules import attendance_open, may_record_attendance
from sessions.attendance.selectors import attendance_path
from sessions.models import Session


def attendance_link(caller: Caller, session: Session) -> str:
    """The session's attendance page for someone who may record it now; otherwise ''."""
    if attendance_open(session) and may_record_attendance(caller, session):
        return attendance_path(session.pk)
    return ""
