"""Signing in and resetting a forgotten password with the keyboard alone."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.pages import assert_accessible
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_by_keyboard(page, live_server, axe):
    make_user("jo.williams", password="a long demo passphrase")
    page.goto(live_server.url + "/accounts/sign-in/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type("jo.williams")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type("a long demo passphrase")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(live_server.url) + r"/(#main-content)?$"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert_accessible(axe, page)


def test_reset_a_forgotten_password_by_keyboard(page, live_server, axe):
    make_user("sam.patel", password="the old passphrase here", email="sam.patel@wigan.gov.uk")
    page.goto(live_server.url + "/accounts/sign-in/")
    page.get_by_role("button", name="Sign in").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Forgotten your password?")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")

    # A mistake first: the error is a sentence, announced and linked from the summary.
    page.get_by_label("E-mail address").focus()
    page.keyboard.type("sam.patel at wigan")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text(
        "Enter an e-mail address in the right form, such as name@council.gov.uk."
    )
    assert_accessible(axe, page)
    page.get_by_label("E-mail address").fill("")
    page.keyboard.type("Sam.Patel@wigan.gov.uk")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    assert_accessible(axe, page)

    (message,) = mail.outbox
    assert message.to == ["sam.patel@wigan.gov.uk"]
    link = re.search(r"http://\S+/accounts/password-reset/\S+/", message.body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password", exact=True).focus()
    page.keyboard.type("a brand new passphrase")
    page.keyboard.press("Tab")
    page.keyboard.type("a different passphrase")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("The two passwords do not match")
    assert_accessible(axe, page)
    page.get_by_label("New password", exact=True).fill("")
    page.keyboard.type("a brand new passphrase")
    page.keyboard.press("Tab")
    page.keyboard.type("a brand new passphrase")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password is changed")

    page.keyboard.press("Tab")  # skip link
    page.get_by_role("main").get_by_role("link", name="Sign in").focus()
    page.keyboard.press("Enter")
    page.get_by_label("Username").focus()
    page.keyboard.type("sam.patel")
    page.keyboard.press("Tab")
    page.keyboard.type("a brand new passphrase")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
