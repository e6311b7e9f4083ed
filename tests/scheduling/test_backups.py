"""Backups that restore: dump, wipe, restore, and the API answers the same bookings, seats,
registrations and feeds as before (on SQLite, and on PostgreSQL when DATABASE_URL names it)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from sessions.webinars.selectors.feeds import feed_memory_clear
from sessions.webinars.services.feed_tokens import feed_token_issue
from tests.factories import (
    a_booking,
    a_signed_in_panel,
    a_webinar,
    bearer,
    bookable_day,
    london,
    make_councillor,
    register,
)


def answers(client: Client, calls: list[tuple[str, dict]]) -> list[tuple[int, bytes]]:
    return [
        (r.status_code, r.content)
        for r in (client.get(url, headers=headers) for url, headers in calls)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_the_same_bookings_seats_registrations_and_feeds(
    catalogue, tmp_path, django_capture_on_commit_callbacks, empty_broker
):
    panel = a_signed_in_panel()
    booking = a_booking(
        panel, london(bookable_day(), 10), capture=django_capture_on_commit_callbacks
    )
    councillor = make_councillor(panel.council, "councillor-backup")
    webinar = a_webinar(days=12)
    register(webinar, councillor.email)
    peer_feed = feed_token_issue(peer=panel.peers["lead"])
    councillor_feed = feed_token_issue(email=councillor.email)
    calls = [
        ("/api/bookings", bearer(panel.booker)),
        (f"/api/bookings/{booking.pk}", bearer(panel.booker)),
        ("/api/seats", bearer(panel.peers["lead"].user)),
        ("/api/me/registrations", bearer(councillor)),
        (f"/api/webinars/{webinar.pk}", {}),
        (f"/calendars/u/{peer_feed}.ics", {}),
        (f"/calendars/u/{councillor_feed}.ics", {}),
        ("/calendars/webinars.ics", {}),
    ]
    client = Client()
    before = answers(client, calls)
    assert [status for status, _ in before] == [200] * len(calls), before
    assert booking.offer.title.encode() in before[0][1]

    backup = tmp_path / "backups" / "service.dump"
    call_command("backup", str(backup))
    assert backup.stat().st_size > 0
    call_command("flush", interactive=False, verbosity=0)
    wiped = answers(client, calls)
    assert [status for status, _ in wiped[:4]] == [401] * 4

    call_command("restore", str(backup), yes=True)
    # The service is stopped for a restore (README), so its processes start with nothing kept;
    # this one keeps serving, so it forgets what it kept of the wiped database's feeds.
    feed_memory_clear()
    assert answers(client, calls) == before


@pytest.mark.django_db
def test_restoring_what_is_not_a_backup_changes_nothing(tmp_path):
    with pytest.raises(CommandError, match="No backup at"):
        call_command("restore", str(tmp_path / "missing.dump"), yes=True)
    junk = tmp_path / "junk.dump"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(CommandError):
        call_command("restore", str(junk), yes=True)
