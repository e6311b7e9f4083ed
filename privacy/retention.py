"""The retention policy (settings.RETENTION), applied once a day by the task queue.

Each rule deletes what has outlived its time and counts it; `retention_apply` takes "now" as
an argument, so a run can be checked at any date. What each rule keeps is stated on the
privacy notice (templates/pages/privacy.html), from the same settings.
"""

from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session as SignInSession
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from peers.models import ApiToken, BusyEvent, ThrottleCount
from privacy.mail_files import mail_files_prune
from privacy.models import RetentionRun
from sessions.models import Booking, Invite, Reminder, Seat, Session
from sessions.packs.models import Document
from sessions.packs.services import packs_expire
from sessions.participants.models import Participant
from sessions.webinars.models import FeedToken, Registration, RegistrationRequest
from sessions.webinars.selectors.links import CONFIRM_LINK_AGE

YEAR = timedelta(days=365)


def retention_policy() -> dict:
    return dict(settings.RETENTION)


def _deleted(queryset) -> int:
    return queryset.delete()[0]


def _registrations(now: datetime, policy: dict) -> int:
    """Places on webinars that ended long enough ago, with their records of change."""
    before = now - timedelta(days=policy["webinar_registration_days"])
    old = Registration.objects.filter(session__end__lt=before)
    ids = list(old.values_list("pk", flat=True))
    count = _deleted(old)
    Registration.history.filter(id__in=ids).delete()
    return count


def _busy_events(now: datetime) -> int:
    """Imported busy times wholly behind the kept window (before today, UTC), which no
    search reads any more."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return _deleted(BusyEvent.objects.filter(end__lte=today))


def _pre_reading(now: datetime, policy: dict) -> int:
    """Pre-reading documents (rows and files) `pre_reading_days` after their booking's last
    session ends; each deletion is recorded in the booking's history."""
    return packs_expire(now=now, keep_days=policy["pre_reading_days"])


def _participants(now: datetime, policy: dict) -> int:
    """The people councils named to attend, with their records of change, `participant_days`
    after their booking's last session (and those of a booking that has none)."""
    before = now - timedelta(days=policy["participant_days"])
    old = (
        Participant.objects.annotate(last_end=Max("booking__sessions__end"))
        .filter(Q(last_end__lt=before) | Q(last_end__isnull=True, created_at__lt=before))
        .values_list("pk", flat=True)
    )
    ids = list(old)
    count = _deleted(Participant.objects.filter(pk__in=ids))
    Participant.history.filter(id__in=ids).delete()
    return count


def _expired_tokens(now: datetime, policy: dict) -> dict[str, int]:
    grace = timedelta(days=policy["expired_token_days"])
    counts = {
        "revoked feed tokens": _deleted(FeedToken.objects.filter(revoked_at__lt=now - grace)),
        "revoked API tokens": _deleted(ApiToken.objects.filter(revoked_at__lt=now - grace)),
        # A request's signed link works CONFIRM_LINK_AGE; confirmed, it is a registration.
        "registration requests": _deleted(
            RegistrationRequest.objects.filter(created_at__lt=now - CONFIRM_LINK_AGE - grace)
        ),
        "ended sign-in sessions": _deleted(
            SignInSession.objects.filter(expire_date__lt=now - grace)
        ),
        "throttle counts": _deleted(ThrottleCount.objects.filter(expires_at__lt=now - grace)),
    }
    if apps.is_installed("axes"):
        cooloff = settings.AXES_COOLOFF_TIME
        attempts = apps.get_model("axes", "AccessAttempt")
        counts["sign-in attempts"] = _deleted(
            attempts.objects.filter(attempt_time__lt=now - cooloff - grace)
        )
    return counts


def _sent_mail(now: datetime, policy: dict) -> dict[str, int]:
    before = now - policy["sent_mail_years"] * YEAR
    return {
        "messages sent": _deleted(Invite.objects.filter(created_at__lt=before)),
        "reminders sent": _deleted(Reminder.objects.filter(sent_at__lt=before)),
    }


def _history(now: datetime, policy: dict) -> int:
    before = now - policy["history_years"] * YEAR
    return sum(
        _deleted(model.history.filter(history_date__lt=before))
        for model in (Booking, Session, Seat, Registration, Document, Participant)
    )


def retention_apply(*, now: datetime | None = None) -> RetentionRun:
    """Apply the whole policy as at `now`; returns the run, with its counts, recorded."""
    now = now or timezone.now()
    policy = retention_policy()
    run = RetentionRun.objects.create(started_at=timezone.now())
    with transaction.atomic():
        counts = {
            "webinar registrations": _registrations(now, policy),
            "busy times": _busy_events(now),
            "pre-reading": _pre_reading(now, policy),
            "participants": _participants(now, policy),
            **_expired_tokens(now, policy),
            **_sent_mail(now, policy),
            "history records": _history(now, policy),
        }
    counts["development mail files"] = mail_files_prune(
        older_than=now - timedelta(days=policy["development_mail_days"])
    )
    run.counts = counts
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "finished_at"])
    return run


def retention_last_run() -> RetentionRun | None:
    return RetentionRun.objects.filter(finished_at__isnull=False).first()
