"""The webinar page shows a registered councillor what to watch and read before the live
discussion (a link and a file), at desktop and phone widths, axe-clean."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from sessions.webinars.models import MaterialKind
from sessions.webinars.services import materials as material_services
from sessions.webinars.services import registrations as webinar_services
from tests.browser.pages import assert_accessible, assert_fits, screenshot, sign_in
from tests.factories import WARD, a_webinar, make_council, make_councillor
from tests.sessions.packs.files import PDF

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"  # the factories' password
VIDEO = "https://videos.local.gov.uk/ward-councillor/part-1"


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path, live_server):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SITE_URL = live_server.url


def test_a_registered_councillor_sees_the_videos_and_reading(sized_page, live_server, axe):
    page = sized_page
    ward = a_webinar(WARD, days=14)
    material_services.material_link_add(
        session=ward, kind=MaterialKind.BEFORE, title="Part 1: the ward and its people", url=VIDEO
    )
    material_services.material_file_add(
        session=ward,
        kind=MaterialKind.BEFORE,
        title="A casework guide for new councillors",
        upload=SimpleUploadedFile("casework-guide.pdf", PDF),
    )
    make_councillor(make_council(), "ceri")
    webinar_services.registration_create(
        session=ward,
        name="Ceri Evans",
        email="ceri@example.org",
        council_name="Anytown Council",
        role="Ward councillor",
    )

    sign_in(page, live_server, "ceri", PASSWORD)
    page.goto(f"{live_server.url}/webinars/{ward.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("The role of the ward councillor")
    section = page.get_by_role("region", name="Watch these before the live discussion")
    expect(section.get_by_role("link", name="Part 1: the ward and its people")).to_have_attribute(
        "href", VIDEO
    )
    guide = section.get_by_role("link", name="A casework guide for new councillors")
    expect(guide).to_have_attribute("href", re.compile(r"^/webinars/materials/"))
    expect(section).to_contain_text("(PDF, 1 KB)")
    assert_fits(page)
    assert_accessible(axe, page)
    screenshot(page, "webinar-detail-materials")
