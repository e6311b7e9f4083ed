"""Plain steps the browser tests share: a screenshot to look at by eye, the checks that a page
fits the screen and is accessible as it stands, and signing in through the sign-in page."""

import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-results" / "screenshots"


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


@cache
def styled_classes() -> frozenset[str]:
    """The class names the built stylesheet styles (govuk-frontend's and the site's own)."""
    css = (ROOT / "static" / "build" / "site.css").read_text()
    return frozenset(
        re.findall(r"\.(-?[a-zA-Z_][\w-]*)", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
    )


def assert_only_styled_classes(page):
    """Every class of the site's own on the page (not govuk-frontend's, whose markup carries hooks
    for its script) is one the stylesheet styles: none is left over from markup the stylesheet no
    longer knows, such as the class names of pages before govuk-frontend."""
    used = page.evaluate(
        "() => [...new Set([...document.querySelectorAll('[class]')].flatMap(el => [...el.classList]))]"
    )
    own = {name for name in used if not name.startswith("govuk-")}
    unknown = sorted(own - styled_classes() - SCRIPT_CLASSES)
    assert not unknown, f"elements use classes the stylesheet does not style: {unknown}"


# Set on <body> by the page's first script for govuk-frontend, and the hooks the subscribe
# component's copy script finds (templates/sessions/feed_copy_script.html): not styled.
SCRIPT_CLASSES = frozenset({"js-enabled", "copy-button", "copy-status"})


def tab_to(page, locator, *, limit: int = 200):
    """Press Tab until `locator` has the keyboard focus, as a keyboard user moves through a page."""
    handle = locator.element_handle()
    for _ in range(limit):
        if page.evaluate("el => document.activeElement === el", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{limit} presses of Tab never reached {locator}")


def sign_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
