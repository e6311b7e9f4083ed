"""Watch before, discuss live, the recording after: the videos and reading staff attach reach
registrants in their invite and the 2-day reminder and on the webinar's page; after the
webinar the recording (and slides) are told once to everyone who registered or waited, and the
feeds' event carries the recording with a new DTSTAMP and a raised SEQUENCE."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sessions.models import Invite, Session
from sessions.programme import reminders
from sessions.tasks import send_invite
from sessions.webinars.models import MaterialKind, Registration
from sessions.webinars.services import letters as webinar_letters
from sessions.webinars.services import materials as material_services
from sessions.webinars.services import registrations as services
from tests.factories import a_webinar, events_of, make_council, make_councillor, register
from tests.interop.parsers import libical, libical_ready, read_calendar, utc_text
from tests.sessions.packs.files import ELF, PDF

pytestmark = pytest.mark.django_db

VIDEO = "https://videos.local.gov.uk/ward-councillor/part-1"
RECORDING = "https://videos.local.gov.uk/ward-councillor/recording"


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def webinar():
    """One place: Ann has it, Bob waits. A video link and a PDF to read before."""
    session = a_webinar(capacity=1, days=10)
    material_services.material_link_add(
        session=session, kind=MaterialKind.BEFORE, title="Part 1: the ward", url=VIDEO
    )
    material_services.material_file_add(
        session=session,
        kind=MaterialKind.BEFORE,
        title="Casework guide",
        upload=SimpleUploadedFile("C:\\Users\\me\\guide.exe.pdf", PDF),
    )
    register(session, "ann@example.org", name="Ann")
    register(session, "bob@example.org", name="Bob")
    return session


def file_link(text: str) -> str:
    return next(word for word in text.split() if "/webinars/materials/" in word)


def test_links_are_https_with_a_title_and_files_are_checked_by_content(webinar):
    with pytest.raises(ValidationError) as refused:
        material_services.material_link_add(
            session=webinar, kind=MaterialKind.BEFORE, title="Video", url="http://x.example.org/"
        )
    assert "url" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        material_services.material_link_add(
            session=webinar, kind=MaterialKind.BEFORE, title=" ", url=VIDEO
        )
    assert "title" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        material_services.material_file_add(
            session=webinar,
            kind=MaterialKind.BEFORE,
            title="Notes",
            upload=SimpleUploadedFile("notes.pdf", ELF),
        )
    assert "whatever its name" in refused.value.message_dict["file"][0]
    guide = webinar.materials.get(title="Casework guide")
    assert guide.name == "guide.exe.pdf" and guide.content_type == "application/pdf"
    assert guide.file.name.startswith(f"webinars/{webinar.pk}/") and "guide" not in guide.file.name


def test_the_invite_lists_what_to_watch_before_and_its_file_link_downloads(webinar, read_mail):
    ann = Invite.objects.get(recipient_email="ann@example.org")
    assert send_invite(ann.pk) == "sent"
    (message,) = mail.outbox
    read = read_mail(message)
    assert "Watch these before the live discussion:" in read["text"]
    assert f"- Part 1: the ward: {VIDEO}" in read["text"]
    assert "- Casework guide (PDF, 1 KB): http" in read["text"]
    assert "Watch these before the live discussion</h2>" in read["text/html"]
    assert f'href="{VIDEO}"' in read["text/html"]
    calendar = next(c for c, kind in message.alternatives if kind == "text/calendar")
    assert "Watch these before the live discussion" in calendar.replace("\r\n ", "")

    link = urlsplit(file_link(read["text"])).path
    response = Client().get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith('attachment; filename="guide.exe.pdf"')
    assert b"".join(response.streaming_content) == PDF

    # A tampered link, or Ann's after she gave up her place, reads nothing.
    assert Client().get(link[:-3] + "xyz/").status_code == 404
    services.registration_cancel(registration=Registration.objects.get(email="ann@example.org"))
    assert Client().get(link).status_code == 404


def test_the_two_day_reminder_lists_them_and_the_two_hour_one_does_not(webinar, read_mail):
    start = webinar.start
    assert reminders.reminders_send(now=start - timedelta(hours=47)) == 1  # Ann; Bob waits
    read = read_mail(mail.outbox[-1])
    assert read["headers"]["To"] == "ann@example.org"
    assert "Watch these before the live discussion:" in read["text"]
    assert f"- Part 1: the ward: {VIDEO}" in read["text"]
    assert Client().get(urlsplit(file_link(read["text"])).path).status_code == 200
    assert reminders.reminders_send(now=start - timedelta(hours=1)) == 1
    assert "Watch these before" not in read_mail(mail.outbox[-1])["text"]


def test_the_page_shows_them_only_to_someone_with_a_place(webinar, client):
    page = f"/webinars/{webinar.pk}/"
    assert "Part 1: the ward" not in client.get(page).content.decode()
    for email, shown in (("ann@example.org", True), ("bob@example.org", False)):
        user = make_councillor(make_council(), email.split("@")[0])
        councillor = Client()
        councillor.force_login(user)
        body = councillor.get(page).content.decode()
        assert ("Watch these before the live discussion" in body) is shown, email
        assert (f'href="{VIDEO}"' in body) is shown


def after(session: Session):
    return time_machine.travel(session.end + timedelta(hours=2), tick=False)


def test_the_recording_is_told_once_to_everyone_who_registered_or_waited(
    webinar, read_mail, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError):  # not before it has taken place
        material_services.webinar_recording_publish(session=webinar, recording_url=RECORDING)
    with after(webinar):
        material_services.material_file_add(
            session=webinar,
            kind=MaterialKind.SLIDES,
            title="Slides",
            upload=SimpleUploadedFile("slides.pdf", PDF),
        )
        with django_capture_on_commit_callbacks() as callbacks:
            material_services.webinar_recording_publish(session=webinar, recording_url=RECORDING)
        assert len(callbacks) == 1
        assert webinar_letters.recording_news_send(webinar.pk) == 2
        assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.org", "bob@example.org"]
        message = next(m for m in mail.outbox if m.to == ["bob@example.org"])
        assert message.subject.startswith("The recording: The role of the ward councillor")
        bob = read_mail(message)
        assert f"- The recording: {RECORDING}" in bob["text"]
        assert "- Slides (PDF, 1 KB): http" in bob["text"]
        assert Client().get(urlsplit(file_link(bob["text"])).path).status_code == 200

        # A retry, or a corrected link, sends nothing new.
        assert webinar_letters.recording_news_send(webinar.pk) == 0
        material_services.webinar_recording_publish(
            session=webinar, recording_url=RECORDING + "-v2"
        )
        assert webinar_letters.recording_news_send(webinar.pk) == 0
        assert len(mail.outbox) == 2


def test_the_feeds_event_carries_the_recording_with_a_new_stamp_and_sequence(webinar, client):
    ann = register(a_webinar(days=30), "cat@example.org").feed_token  # Cat's private feed
    register(webinar, "cat@example.org")  # waits
    private = f"/calendars/u/{ann}.ics"
    with after(webinar):
        before_public = events_of(client.get("/calendars/webinars.ics").content)[webinar.uid]
        before_private = events_of(client.get(private).content)[webinar.uid]
    with time_machine.travel(webinar.end + timedelta(days=1), tick=False):
        material_services.webinar_recording_publish(session=webinar, recording_url=RECORDING)
        for path, earlier in (
            ("/calendars/webinars.ics", before_public),
            (private, before_private),
        ):
            body = client.get(path).content
            read = next(e for e in read_calendar(body)["events"] if e["uid"] == webinar.uid)
            assert RECORDING in read["description"], path
            assert read["sequence"] == earlier["sequence"] + 1
            assert read["dtstamp"]["utc"] > utc_text(earlier["dtstamp"])
            if libical_ready():
                code, result = libical(body, restrictions=False)
                assert code == 0 and result["parse_errors"] == []
                (event,) = [c for c in result["components"] if c["uid"] == webinar.uid]
                assert event["sequence"] == earlier["sequence"] + 1
