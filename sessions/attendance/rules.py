"""Who may record who attended a session: LGA staff, and the session's LGA lead, who chaired
it. The council's bookers and the peers on the panel may not (docs/architecture.md, "Who
may")."""

from datetime import datetime

from django.utils import timezone

from peers.rules import require  # noqa: F401  (the one way to refuse, re-exported)
from peers.selectors import Caller
from sessions.models import Session, SessionStatus
from sessions.rules import leads_session


def may_record_attendance(caller: Caller, session: Session) -> bool:
    if not caller.user.is_authenticated or session.booking_id is None:
        return False
    return caller.is_staff or leads_session(caller, session)


def attendance_open(session: Session, *, now: datetime | None = None) -> bool:
    """Attendance is recorded once a session going ahead has started, and any time after."""
    return session.status == SessionStatus.SCHEDULED and session.start <= (now or timezone.now())
