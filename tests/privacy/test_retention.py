"""The retention policy: each rule deletes what has outlived its time as at a given "now"
(passed in, not a patched clock), keeps the rest, and the run is recorded and shown."""

import os
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_q.models import Schedule

from peers.models import ApiToken, BusyCalendar, BusyEvent
from peers.services import api_token_issue, api_token_revoke
from privacy.models import RetentionRun
from privacy.retention import retention_apply
from privacy.tasks import retention_run
from sessions.models import Invite
from sessions.webinars.models import FeedToken, Registration, RegistrationRequest
from sessions.webinars.services.feed_tokens import feed_token_issue, feed_token_revoke
from sessions.webinars.services.registrations import registration_request
from tests.factories import a_webinar, make_available, make_peer, make_user, register


@pytest.fixture
def mail_folder(settings, tmp_path):
    settings.MAILERS = {
        "default": {
            "BACKEND": "scheduling.mail_files.EmlFileBackend",
            "OPTIONS": {"file_path": str(tmp_path)},
        }
    }
    return tmp_path


@pytest.mark.django_db
def test_each_rule_deletes_only_what_has_outlived_its_time(mail_folder, settings):
    now = timezone.now()
    webinar = a_webinar(days=10)
    kept_place = register(webinar, "kept@example.org").registration
    Invite.objects.update(created_at=now)
    # A year and a day after the webinar its places go; the day before they stay.
    after_webinar = webinar.end + timedelta(days=settings.RETENTION["webinar_registration_days"])
    run = retention_apply(now=after_webinar - timedelta(days=1))
    assert run.counts["webinar registrations"] == 0
    assert Registration.objects.filter(pk=kept_place.pk).exists()
    run = retention_apply(now=after_webinar + timedelta(days=1))
    assert run.counts["webinar registrations"] == 1
    assert not Registration.objects.exists()
    assert not Registration.history.filter(id=kept_place.pk).exists()

    # Busy times behind today go; today's and later stay.
    peer = make_available(make_peer())
    calendar = BusyCalendar.objects.create(peer=peer, source="upload", state="imported")
    for days in (-3, 0, 2):
        start = now.replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=days)
        BusyEvent.objects.create(calendar=calendar, start=start, end=start + timedelta(hours=1))
    assert retention_apply(now=now).counts["busy times"] == 1
    assert BusyEvent.objects.count() == 2

    # Tokens go once turned off; live ones stay. Registration links once they run out.
    user = make_user()
    live = api_token_issue(user=user, name="live")
    revoked = api_token_issue(user=user, name="old")
    api_token_revoke(user=user, token_id=revoked.token.pk)
    feed_token_issue(email="gone@example.org")
    feed_token_revoke(email="gone@example.org")
    feed_token_issue(email="live@example.org")
    registration_request(
        session=webinar,
        name="Someone",
        email="ask@example.org",
        council_name="X Council",
        role="Ward councillor",
    )
    counts = retention_apply(now=now + timedelta(hours=1)).counts
    assert counts["revoked API tokens"] == 1 and counts["revoked feed tokens"] == 1
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [live.token.pk]
    feeds = set(FeedToken.objects.values_list("email", flat=True))
    assert "live@example.org" in feeds and "gone@example.org" not in feeds
    assert counts["registration requests"] == 0
    assert retention_apply(now=now + timedelta(days=3)).counts["registration requests"] == 1
    assert not RegistrationRequest.objects.exists()

    # Records of messages after the stated years; development mail files after their days.
    years = settings.RETENTION["sent_mail_years"]
    assert Invite.objects.exists()
    assert retention_apply(now=now + timedelta(days=365 * years - 1)).counts["messages sent"] == 0
    assert retention_apply(now=now + timedelta(days=365 * years + 1)).counts["messages sent"] >= 1
    assert not Invite.objects.exists()
    old, new = mail_folder / "old.eml", mail_folder / "new.eml"
    for path in (old, new):
        path.write_bytes(b"Subject: x\n\nx\n")
    long_ago = (now - timedelta(days=settings.RETENTION["development_mail_days"] + 1)).timestamp()
    os.utime(old, (long_ago, long_ago))
    assert retention_apply(now=now).counts["development mail files"] == 1
    assert sorted(p.name for p in mail_folder.iterdir()) == ["new.eml"]


@pytest.mark.django_db
def test_history_goes_after_the_stated_years(settings):
    webinar = a_webinar(days=10)
    assert webinar.history.exists()
    now = timezone.now()
    years = settings.RETENTION["history_years"]
    assert retention_apply(now=now + timedelta(days=365 * years - 1)).counts["history records"] == 0
    assert retention_apply(now=now + timedelta(days=365 * years + 1)).counts["history records"] > 0
    assert not webinar.history.exists()


@pytest.mark.django_db
def test_a_daily_schedule_runs_it_and_the_admin_and_notice_show_it():
    schedule = Schedule.objects.get(func="privacy.tasks.retention_run")
    assert (schedule.schedule_type, schedule.repeats) == (Schedule.DAILY, -1)
    client = Client()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    assert b"not run yet" in client.get("/admin/privacy/retentionrun/").content
    counts = retention_run()
    assert set(counts) >= {"webinar registrations", "busy times", "history records"}
    last = RetentionRun.objects.get()
    page = client.get("/admin/privacy/retentionrun/").content.decode()
    assert f"last ran {timezone.localtime(last.finished_at):%d %B %Y at %H:%M}" in page
    response = Client().get("/privacy/")
    assert response.status_code == 200, response
    notice = response.content.decode()
    assert "Webinar registrations: 365 days after the webinar." in notice
    assert "Records of the messages we sent (invitations, reminders): 6 years." in notice
