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
def legacy_classes() -> frozenset[str]:
    """The class names that only the stylesheet's legacy section styles (for pages not yet on
    govuk-frontend's markup), read from the stylesheet so the list never falls behind it."""
    scss = (ROOT / "frontend" / "scss" / "site.scss").read_text()
    if "// Legacy:" not in scss:
        return frozenset()  # every page is converted and the section is gone
    legacy = scss[scss.index("// Legacy:") :]
    legacy = re.sub(r"//[^\n]*", "", legacy)
    names = set(re.findall(r"(?<![\w#$-])\.(-?[a-zA-Z_][\w-]*)", legacy))
    return frozenset(n for n in names if not n.startswith("govuk-") and n != "app-legacy")


def assert_no_legacy_classes(page):
    """The page is wholly on govuk-frontend's markup: its <main> is not marked legacy, and no
    element carries a class that only the legacy section of the stylesheet styles."""
    main_classes = page.locator("main").get_attribute("class").split()
    assert "app-legacy" not in main_classes, "the page's <main> is still marked app-legacy"
    used = page.evaluate(
        "() => [...new Set([...document.querySelectorAll('[class]')].flatMap(el => [...el.classList]))]"
    )
    legacy = sorted(set(used) & legacy_classes())
    assert not legacy, f"elements still use legacy classes: {legacy}"


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
