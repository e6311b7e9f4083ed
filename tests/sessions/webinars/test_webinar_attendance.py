"""Attendance from the video platform's own report: Microsoft Teams' attendance report (UTF-16
with a BOM, tab-separated, in sections) and Zoom's participants export (UTF-8 CSV after a
summary block), built here as the platforms write them; rows matched to registrations by
address, whatever its case; the rest listed for staff; My webinars and the dashboard."""

from datetime import date, timedelta

import pytest
import time_machine
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import include, path

import sessions.webinars.admin  # noqa: F401  (registers the webinar admin)
from peers.selectors import caller_for
from sessions.programme.figures import programme_period, programme_summary
from sessions.webinars.attendance_report import TEAMS, ZOOM, minutes_of, report_read
from sessions.webinars.models import WebinarAttendance
from sessions.webinars.selectors.attendance import attended_webinars, webinar_attendance
from sessions.webinars.services.attendance import attendance_record
from tests.factories import (
    OPPOSITION,
    a_webinar,
    make_council,
    make_councillor,
    make_user,
    register,
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("peers.urls")),
    path("", include("sessions.urls")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def teams_report(people: list[tuple[str, str, str, str]]) -> bytes:
    """Teams' attendance report CSV: (name, first join, duration, address) per person."""
    lines = [
        "1. Summary",
        "Meeting title\tThe role of the ward councillor",
        f"Attended participants\t{len(people)}",
        "Start time\t12/10/26, 10:00:03 AM",
        "End time\t12/10/26, 11:02:41 AM",
        "Meeting duration\t1h 2m 38s",
        "Average attendance time\t48m 12s",
        "",
        "2. Participants",
        "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole",
    ]
    for name, joined, duration, email in people:
        upn = email if email.endswith("lga.gov.uk") else ""
        role = "Organizer" if upn else "Attendee"
        lines.append(f"{name}\t{joined}\t12/10/26, 11:01:00 AM\t{duration}\t{email}\t{upn}\t{role}")
    lines += [
        "",
        "3. In-Meeting Activities",
        "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole",
        # A rejoin, listed here per join: never counted twice.
        "Ann Smith\t12/10/26, 10:01:00 AM\t12/10/26, 10:30:00 AM\t29m\tANN@example.org\tAttendee",
    ]
    return "\r\n".join(lines).encode("utf-16")  # little-endian with its BOM, as Teams writes


def zoom_report(rows: list[tuple[str, str, str]]) -> bytes:
    """Zoom's participants export with its meeting summary first: (name, address, minutes)."""
    lines = [
        "Meeting ID,Topic,Start time,End time,User Email,Duration (minutes),Participants",
        '812 3456 7890,"Opposition: a practical guide, part 2",12/10/2026 10:00:00 AM,'
        "12/10/2026 11:00:00 AM,host@local.gov.uk,60,4",
        "",
        "Name (original name),User Email,Join time,Leave time,Duration (minutes),Guest,"
        "Recording consent,In waiting room",
    ]
    for name, email, minutes in rows:
        lines.append(
            f'"{name}",{email},12/10/2026 10:00:12 AM,12/10/2026 11:00:00 AM,{minutes},'
            f"{'Yes' if not email else 'No'},,No"
        )
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


TEAMS_PEOPLE = [
    ("Ann Smith", "12/10/26, 10:01:00 AM", "58m 12s", "ANN@Example.org"),
    ("Bob Jones", "12/10/26, 10:20:00 AM", "1h 2m 3s", "bob@example.org"),
    ("Pat Lee (Guest)", "12/10/26, 10:05:00 AM", "12m", ""),
    ("Kim Host", "12/10/26, 9:55:00 AM", "1h 5m 0s", "kim.host@lga.gov.uk"),
]


def test_a_teams_report_is_read_from_utf16_with_its_sections():
    data = teams_report(TEAMS_PEOPLE)
    assert data[:2] == b"\xff\xfe"
    report = report_read(data)
    assert report.source == TEAMS
    assert [(a.name, a.email, a.minutes) for a in report.attendees] == [
        ("Ann Smith", "ann@example.org", 58),
        ("Bob Jones", "bob@example.org", 62),
        ("Pat Lee (Guest)", "", 12),
        ("Kim Host", "kim.host@lga.gov.uk", 65),
    ]


def test_a_zoom_export_is_read_after_its_summary_and_rejoins_are_added_up():
    report = report_read(
        zoom_report(
            [
                ("Ann Smith (Ann S)", "ann@example.org", "30"),
                ("Ann Smith (Ann S)", "Ann@Example.org", "25"),
                ("Dee Guest", "", "41"),
            ]
        )
    )
    assert report.source == ZOOM
    assert [(a.name, a.email, a.minutes) for a in report.attendees] == [
        ("Ann Smith (Ann S)", "ann@example.org", 55),
        ("Dee Guest", "", 41),
    ]


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("1h 2m 38s", 63), ("45m 12s", 45), ("59s", 1), ("1:02:03", 62), ("", 0)],
)
def test_durations_as_the_platforms_write_them(text, minutes):
    assert minutes_of(text, plain_is_minutes=False) == minutes


def test_a_file_with_no_participants_table_is_refused_in_words():
    webinar = a_webinar(days=1)
    with after(webinar), pytest.raises(ValidationError) as refused:
        attendance_record(session=webinar, data=b"Name,Address\nAnn,1 High St\n")
    assert "participants table" in refused.value.message_dict["report"][0]
    assert not WebinarAttendance.objects.exists()


@pytest.fixture
def held():
    """A ward councillor webinar (capacity 3) that has taken place: Ann and Bob had places,
    Cat had one and did not come."""
    session = a_webinar(capacity=3, days=3)
    for name in ("ann", "bob", "cat"):
        register(session, f"{name}@example.org", name=name.title())
    return session


def after(session):
    return time_machine.travel(session.end + timedelta(hours=1), tick=False)


def test_rows_are_matched_by_address_and_the_rest_listed_for_staff(held):
    with pytest.raises(ValidationError):  # not before it has started
        attendance_record(session=held, data=teams_report(TEAMS_PEOPLE))
    with after(held):
        assert attendance_record(session=held, data=teams_report(TEAMS_PEOPLE)) == 4
        seen = webinar_attendance(held)
        assert [(r.email, r.minutes) for r in seen.matched] == [
            ("ann@example.org", 58),
            ("bob@example.org", 62),
        ]
        assert [(r.name, r.email) for r in seen.unmatched] == [
            ("Kim Host", "kim.host@lga.gov.uk"),
            ("Pat Lee (Guest)", ""),
        ]
        assert [r.email for r in seen.absent] == ["cat@example.org"]
        assert seen.source == "Microsoft Teams"

        # A corrected report replaces the last.
        attendance_record(session=held, data=zoom_report([("Cat", "CAT@example.org", "50")]))
        seen = webinar_attendance(held)
        assert [r.email for r in seen.matched] == ["cat@example.org"]
        assert seen.unmatched == () and seen.source == "Zoom"


def test_staff_upload_the_report_and_see_the_unmatched_rows_in_the_admin(held, client):
    client.force_login(make_user("staffer", is_staff=True, is_superuser=True))
    page = f"/admin/offer_sessions/session/{held.pk}/attendance/"
    with after(held):
        assert "No report has been uploaded yet" in client.get(page).content.decode()
        upload = SimpleUploadedFile("attendance.csv", teams_report(TEAMS_PEOPLE))
        response = client.post(page, {"report": upload})
        assert response.status_code == 302
        body = client.get(page).content.decode()
        assert "Registrants who attended (2)" in body
        assert "matching no registration (2)" in body and "Pat Lee (Guest)" in body
        assert "Had a place, but not in the report (1)" in body
        refused = client.post(page, {"report": SimpleUploadedFile("x.csv", b"hello")})
        assert refused.status_code == 200 and "participants table" in refused.content.decode()
        change = client.get(f"/admin/offer_sessions/session/{held.pk}/change/").content.decode()
        assert page in change


def test_my_webinars_lists_what_the_councillor_attended(held, client):
    ann = make_councillor(make_council(), "ann")
    client.force_login(ann)
    with after(held):
        attendance_record(session=held, data=teams_report(TEAMS_PEOPLE))
        (row,) = attended_webinars(email="ann@example.org")
        assert (row.title, row.minutes) == ("The role of the ward councillor", 58)
        assert attended_webinars(email="cat@example.org") == []
        body = client.get("/webinars/mine/").content.decode()
        assert "Webinars you attended" in body
        assert "The role of the ward councillor" in body and ">58<" in body


def test_the_dashboard_shows_attendance_against_places_by_webinar_and_topic(held, client):
    opposition = a_webinar(OPPOSITION, capacity=10, days=4)
    register(opposition, "dee@example.org")
    a_webinar(days=5)  # no report: not counted
    staff = make_user("lga", is_staff=True)
    with time_machine.travel(opposition.end + timedelta(hours=1), tick=False):
        attendance_record(session=held, data=teams_report(TEAMS_PEOPLE))
        attendance_record(
            session=opposition,
            data=zoom_report([("Dee", "dee@example.org", "55"), ("Eve", "eve@x.org", "20")]),
        )
        today = date.today()
        period = programme_period(first_day=today - timedelta(days=30), last_day=today, today=today)
        figures = programme_summary(caller=caller_for(staff), period=period)["webinar_attendance"]
        assert [
            (r["title"], r["attended"], r["registered"], r["capacity"])
            for r in figures["by_webinar"]
        ] == [
            ("The role of the ward councillor", 2, 3, 3),
            ("The importance of opposition", 1, 1, 10),
        ]
        assert {
            (t["topic"], t["webinars"], t["attended"], t["capacity"]) for t in figures["by_topic"]
        } == {
            (figures["by_webinar"][0]["topic"], 1, 2, 3),
            (figures["by_webinar"][1]["topic"], 1, 1, 10),
        }
        client.force_login(staff)
        body = client.get("/programme/").content.decode()
        assert "Attendance against places" in body
