"""The pages on govuk-frontend, at desktop and phone widths: axe-clean, no sideways scrolling,
every hint and error announced; the LGA's branding; assets and API docs served locally."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from tests.browser.pages import assert_accessible, assert_fits, screenshot, sign_in
from tests.factories import make_council, make_peer, make_user

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long demo passphrase"


def check(page, axe, name):
    assert_fits(page)
    assert_accessible(axe, page)
    screenshot(page, name)


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", "Remote support offers"),
        ("/offers/recovery-and-renewal-panel/", "LGA Recovery & Renewal Panel"),
        ("/accounts/sign-in/", "Sign in"),
        ("/accounts/password-reset/", "Reset your password"),
        ("/accounts/password-reset/sent/", "Check your e-mail"),
        ("/accounts/password-reset/done/", "Your password is changed"),
        ("/accessibility/", "Accessibility statement for peer support scheduling"),
        ("/privacy/", "Privacy notice"),
        ("/contact/", "Contact"),
        ("/no-such-page/", "Page not found"),
    ],
)
def test_public_pages(sized_page, live_server, axe, path, heading):
    sized_page.goto(live_server.url + path)
    expect(sized_page.get_by_role("heading", level=1)).to_have_text(heading)
    check(sized_page, axe, f"public{path}")


def test_signed_in_pages(sized_page, live_server, axe):
    user = make_user("peer1", password=PASSWORD, first_name="Aled", last_name="Rees")
    make_peer(user=user, time_zone="Europe/London")
    make_council("Wigan Council")
    sign_in(sized_page, live_server, "peer1", PASSWORD)

    sized_page.goto(live_server.url + "/account/")
    sized_page.get_by_label("Token name").fill("monthly report")
    sized_page.get_by_role("button", name="Create token").click()
    expect(sized_page.get_by_role("status")).to_contain_text("Copy it now")
    check(sized_page, axe, "account")

    sized_page.goto(live_server.url + "/councils/")
    expect(sized_page.get_by_role("rowheader", name="Wigan Council")).to_be_visible()
    check(sized_page, axe, "councils")

    sized_page.goto(live_server.url + "/availability/")
    check(sized_page, axe, "availability")

    # Every kind of error at once: the summary, the date input and the sentences.
    sized_page.get_by_label("Day", exact=True).first.fill("31")
    sized_page.get_by_label("Month", exact=True).first.fill("2")
    sized_page.get_by_label("Year", exact=True).first.fill("2027")
    sized_page.get_by_role("button", name="Save hours for this date").click()
    expect(sized_page.get_by_role("alert")).to_contain_text("Date must be a real date")
    check(sized_page, axe, "availability-error")


def test_a_page_a_peer_may_not_see(sized_page, live_server, axe):
    make_user("councillor1", password=PASSWORD)
    sign_in(sized_page, live_server, "councillor1", PASSWORD)
    response = sized_page.goto(live_server.url + "/availability/")
    assert response.status == 403
    expect(sized_page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
    check(sized_page, axe, "forbidden")


def test_a_valid_and_an_expired_reset_link(sized_page, live_server, axe):
    user = make_user("jo", password=PASSWORD)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    sized_page.goto(f"{live_server.url}/accounts/password-reset/{uid}/{token}/")
    expect(sized_page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    check(sized_page, axe, "reset-confirm")
    sized_page.goto(f"{live_server.url}/accounts/password-reset/{uid}/not-a-token/")
    expect(sized_page.get_by_role("heading", level=1)).to_have_text("This link has expired")
    check(sized_page, axe, "reset-expired")


def test_lga_branding_and_no_gov_uk_typeface(page, live_server):
    page.goto(live_server.url + "/")
    header = page.locator(".app-header")
    expect(header).to_contain_text("Local Government Association")
    assert header.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(59, 31, 94)"
    for element in (page.locator("body"), page.get_by_role("heading", level=1)):
        font = element.evaluate("el => getComputedStyle(el).fontFamily")
        assert "GDS Transport" not in font and "Arial" in font
    assert not page.locator("svg.govuk-header__logotype").count()  # no crown
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Offers")).to_have_attribute("aria-current", "page")
    footer = page.get_by_role("contentinfo")
    for name in ("Accessibility statement", "Privacy notice", "Contact"):
        expect(footer.get_by_role("link", name=name)).to_be_visible()


def test_the_phone_menu_opens_and_closes_by_keyboard(phone_page, live_server):
    phone_page.goto(live_server.url + "/")
    menu = phone_page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    webinars = phone_page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Webinars", exact=True
    )
    expect(webinars).to_be_hidden()
    menu.focus()
    phone_page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(webinars).to_be_visible()
    phone_page.keyboard.press("Enter")
    expect(webinars).to_be_hidden()


def test_pages_and_api_docs_load_nothing_from_elsewhere(page, live_server):
    elsewhere = []
    page.route(
        re.compile(r"^(?!http://(localhost|127\.0\.0\.1)[:/]).*"),
        lambda route: (elsewhere.append(route.request.url), route.abort()),
    )
    page.goto(live_server.url + "/")
    page.goto(live_server.url + "/api/docs")
    expect(page.locator(".swagger-ui .title").first).to_contain_text(
        "LGA peer panel and webinar scheduling"
    )
    expect(page.get_by_text("/api/offers").first).to_be_visible()
    assert elsewhere == []


def test_the_date_input_by_keyboard_alone(page, live_server, axe):
    """Day, month and year typed box to box with Tab, the form sent with Enter."""
    user = make_user("peer2", password=PASSWORD)
    make_peer(user=user, time_zone="Europe/London")
    sign_in(page, live_server, "peer2", PASSWORD)
    page.goto(live_server.url + "/availability/")
    when = date.today() + timedelta(days=12)
    leave = page.get_by_role("group", name="First day of leave")
    leave.get_by_label("Day").focus()
    for part in (str(when.day), str(when.month), str(when.year)):
        page.keyboard.type(part)
        page.keyboard.press("Tab")
    expect(page.get_by_role("group", name="Last day of leave").get_by_label("Day")).to_be_focused()
    last = when + timedelta(days=4)
    for part in (str(last.day), str(last.month), str(last.year)):
        page.keyboard.type(part)
        page.keyboard.press("Tab")
    expect(page.get_by_label("Note (optional)")).to_be_focused()
    page.keyboard.type("Half term")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Your leave is saved.")
    expect(page.get_by_text(f"{when:%-d %B %Y} to {last:%-d %B %Y} (Half term)")).to_be_visible()
    assert_accessible(axe, page)
