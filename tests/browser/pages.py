"""Plain steps the browser tests share: a screenshot to look at by eye, the checks that a page
fits the screen and is accessible as it stands, and signing in through the sign-in page."""

import re
from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


def screenshot(page, name: str) -> None:
    """A full-page screenshot under test-results/screenshots, to look at by eye."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = getattr(page, "width_name", str(page.viewport_size["width"]))
    page.screenshot(
        path=str(SCREENSHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name)}-{width}.png"), full_page=True
    )


def assert_fits(page):
    """Nothing runs off the side of the screen: no sideways scrolling."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than the screen"


def assert_accessible(axe, page):
    """axe-core finds no violations on the page as it stands, and every id that an
    aria-describedby names exists (a hint or error that is never announced otherwise)."""
    dangling = page.evaluate(
        """() => [...document.querySelectorAll('[aria-describedby]')].flatMap(
            el => el.getAttribute('aria-describedby').split(/\\s+/).filter(Boolean)
                .filter(id => !document.getElementById(id)))"""
    )
    assert not dangling, f"aria-describedby names ids that are not on the page: {dangling}"
    results = axe.run(page)
    violations = results.response["violations"]
    assert not violations, "\n".join(
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {[n['target'] for n in v['nodes']][:3]})"
        for v in violations
    )


def sign_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
