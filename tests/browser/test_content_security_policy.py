"""Every page is served under a strict Content-Security-Policy and still works in a real
browser: no violation is reported, the inline script with the nonce runs, the API docs draw."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sessions.models import Offer
from sessions.webinars.services.registrations import webinar_schedule

pytestmark = pytest.mark.django_db(transaction=True)


def watch_violations(page) -> list[str]:
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def test_pages_keep_to_the_policy(page, live_server):
    session = webinar_schedule(
        offer=Offer.objects.get(slug="webinar-role-of-the-ward-councillor"),
        start=timezone.now() + timezone.timedelta(days=14),
    )
    violations = watch_violations(page)
    response = page.goto(live_server.url + "/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    for path in ["/accounts/sign-in/", "/webinars/", f"/webinars/{session.pk}/"]:
        response = page.goto(live_server.url + path)
    # A page with an inline script names its nonce in the policy, and nothing else inline.
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    # The copy buttons are shown by the page's inline script, which runs only with its nonce.
    expect(page.locator(".copy-button").first).to_be_visible()
    assert violations == []


def test_the_api_docs_draw_under_the_policy(page, live_server):
    violations = watch_violations(page)
    page.goto(live_server.url + "/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("LGA peer panel")
    expect(page.locator(".opblock").first).to_be_visible()
    assert violations == []
