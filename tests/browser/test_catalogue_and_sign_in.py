import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import assert_accessible, sign_in
from tests.factories import make_council, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_browse_the_catalogue_and_open_an_offer(page, live_server, axe):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Remote support offers")
    assert_accessible(axe, page)

    page.get_by_role("link", name="LGA Recovery & Renewal Panel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("LGA Recovery & Renewal Panel")
    expect(page.get_by_role("rowheader", name="Lead member peer")).to_be_visible()
    expect(page.get_by_role("link", name="PeerChallenge@local.gov.uk")).to_be_visible()
    assert_accessible(axe, page)


def test_filter_the_catalogue_with_the_keyboard_only(page, live_server):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.get_by_label("Programme").focus()
    page.keyboard.press("End")  # last programme: Planning Advisory Service
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show offers")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"programme=planning"))
    expect(page.get_by_role("link", name="PAS Fireside Chats")).to_be_visible()
    expect(page.get_by_role("link", name="LGA Recovery & Renewal Panel")).to_have_count(0)


def test_sign_in_errors_are_summarised_and_accessible(page, live_server, axe):
    make_user("jo.williams", password="a long demo passphrase")
    page.goto(live_server.url + "/accounts/sign-in/")
    page.get_by_label("Username").fill("jo.williams")
    page.get_by_label("Password").fill("wrong")
    page.get_by_label("Password").press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(page.get_by_label("Username")).to_have_value("jo.williams")
    assert_accessible(axe, page)

    sign_in(page, live_server, "jo.williams", "a long demo passphrase")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_council_search_on_a_phone(phone_page, live_server, axe):
    make_user("adviser1", password="a long demo passphrase")
    make_council("Wigan Council")
    make_council("Cardiff Council", region="wales")
    sign_in(phone_page, live_server, "adviser1", "a long demo passphrase")
    phone_page.goto(live_server.url + "/councils/")
    phone_page.get_by_label("Council name").fill("wig")
    phone_page.get_by_role("button", name="Search").click()
    expect(phone_page.get_by_role("rowheader", name="Wigan Council")).to_be_visible()
    expect(phone_page.get_by_role("rowheader", name="Cardiff Council")).to_have_count(0)
    # Nothing runs off the side of a phone screen.
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(axe, phone_page)
