"""LGA staff schedule, move and cancel webinars in the admin; registrants hear about it.

sessions/webinars/admin.py is imported here (as sessions/admin.py does in the site), and the
tests use a URLconf built after that import, so the admin routes include it.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib import admin
from django.urls import include, path

import sessions.webinars.admin  # noqa: F401  (registers the webinar admin)
from sessions.models import Invite, Offer, Session, SessionStatus
from tests.factories import (
    WARD,
    a_webinar,
    in_days,
    london,
    make_user,
    register,
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("peers.urls")),
    path("", include("sessions.urls")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]
ADD = "/admin/offer_sessions/session/add/"


@pytest.fixture
def staff(client):
    client.force_login(make_user("staffer", is_staff=True, is_superuser=True))
    return client


def form(**changes) -> dict:
    values = {
        "offer": str(Offer.objects.get(slug=WARD).pk),
        "title": "",
        "date": "2027-06-15",
        "start_time": "18:30",
        "duration_minutes": "",
        "capacity": "",
        "joining_url": "https://meet.example.org/j/summer",
        "recording_url": "",
        "registrations-TOTAL_FORMS": "0",
        "registrations-INITIAL_FORMS": "0",
        "registrations-MIN_NUM_FORMS": "0",
        "registrations-MAX_NUM_FORMS": "1000",
        **{
            f"{prefix}-{key}": "0"
            for prefix in ("materials", "new-materials")
            for key in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS")
        },
        "materials-MAX_NUM_FORMS": "1000",
        "new-materials-MAX_NUM_FORMS": "1000",
    }
    values.update(changes)
    return values


def test_staff_schedule_a_webinar_in_uk_time_with_the_offers_places(staff):
    page = staff.get(ADD)
    assert page.status_code == 200
    offers = page.context["adminform"].form.fields["offer"].queryset
    assert set(offers.values_list("delivery", flat=True)) == {"webinar"}
    response = staff.post(ADD, form())
    assert response.status_code == 302, response.context["adminform"].form.errors
    session = Session.objects.get()
    # 18:30 British Summer Time is 17:30 UTC.
    assert session.start == datetime(2027, 6, 15, 17, 30, tzinfo=UTC)
    assert session.end - session.start == timedelta(minutes=60)
    assert session.capacity == 100 and session.booking is None
    assert session.uid.endswith("@peers.local.gov.uk")
    listing = staff.get("/admin/offer_sessions/session/")
    assert "Tuesday 15 June 2027, 18:30" in listing.content.decode()
    assert "0 of 100" in listing.content.decode()


def test_the_admin_refuses_a_past_start_and_a_panel_offer(staff):
    panel = Offer.objects.get(slug="recovery-and-renewal-panel")
    response = staff.post(ADD, form(date="2020-01-01", offer=str(panel.pk)))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "offer" in errors and "date" in errors
    assert not Session.objects.exists()


def test_moving_a_webinar_in_the_admin_updates_registrants(staff):
    session = a_webinar(capacity=10)
    register(session, "ann@example.org")
    change = f"/admin/offer_sessions/session/{session.pk}/change/"
    page = staff.get(change)
    assert page.status_code == 200
    day = in_days(30)
    response = staff.post(
        change,
        form(
            offer=str(session.offer_id),
            date=day.isoformat(),
            start_time="14:00",
            capacity="10",
            joining_url=session.joining_url,
            recording_url="",
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    session.refresh_from_db()
    assert session.start == london(day, 14) and session.sequence == 1
    assert Invite.objects.filter(recipient_email="ann@example.org", sequence=1).exists()

    # Below the places taken is refused.
    too_few = staff.post(
        change,
        form(offer=str(session.offer_id), date=day.isoformat(), start_time="14:00", capacity="0"),
    )
    assert too_few.status_code == 200
    assert "capacity" in too_few.context["adminform"].form.errors


def test_cancelling_from_the_admin_sends_cancellations_and_deleting_is_not_offered(staff):
    session = a_webinar()
    register(session, "ann@example.org")
    response = staff.post(
        "/admin/offer_sessions/session/",
        {"action": "cancel_webinars", "_selected_action": [str(session.pk)]},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED and session.sequence == 1
    assert Invite.objects.filter(method="CANCEL", recipient_email="ann@example.org").exists()
    assert staff.get(f"/admin/offer_sessions/session/{session.pk}/delete/").status_code == 403


def test_staff_add_a_video_link_and_a_file_and_a_plain_http_link_is_refused(
    staff, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.sessions.packs.files import PDF

    settings.MEDIA_ROOT = str(tmp_path / "media")
    session = a_webinar(capacity=10)
    change = f"/admin/offer_sessions/session/{session.pk}/change/"
    start = session.start.astimezone(london(in_days(1), 0).tzinfo)
    values = form(
        offer=str(session.offer_id),
        date=start.date().isoformat(),
        start_time=start.strftime("%H:%M"),
        capacity="10",
        joining_url=session.joining_url,
        **{
            "new-materials-TOTAL_FORMS": "2",
            "new-materials-0-kind": "before",
            "new-materials-0-title": "Part 1: the ward",
            "new-materials-0-url": "http://videos.example.org/1",
            "new-materials-1-kind": "before",
            "new-materials-1-title": "Casework guide",
        },
    )
    refused = staff.post(change, values)
    assert refused.status_code == 200 and "https://" in refused.content.decode()
    assert not session.materials.exists()
    values["new-materials-0-url"] = "https://videos.example.org/1"
    values["new-materials-1-file"] = SimpleUploadedFile("guide.pdf", PDF)
    response = staff.post(change, values)
    assert response.status_code == 302
    assert sorted(session.materials.values_list("title", "content_type")) == [
        ("Casework guide", "application/pdf"),
        ("Part 1: the ward", ""),
    ]
    session.refresh_from_db()
    assert session.sequence == 0  # materials do not move anyone's calendar
