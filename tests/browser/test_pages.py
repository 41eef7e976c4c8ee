"""The reader's pages in headless Chromium: clean loads, no overflow, working toggles, axe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import OpenPage, Probe
from tests.site_fixture import ServedSite
from tests.unit.test_site_support import parse_html

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 800)}
PAGES = ("top", "article", "tag", "company", "about", "health")
SERIOUS = {"serious", "critical"}
TOGGLES = ("影響分析・編集コメントを表示", "原文を表示")


@pytest.fixture(scope="module")
def paths(demo_site: ServedSite) -> dict[str, str]:
    """The pages to visit: an article with an image and companies, and its tag and company."""
    for page in sorted(demo_site.root.glob("articles/*/*/*/*/index.html")):
        tree = parse_html(page.read_bytes())
        companies = tree.with_class("entity--company")
        if tree.find("main").find_all("img") and companies:
            tags = tree.find("ul", **{"class": "tags"}).find_all("a")
            return {
                "top": "/",
                "article": "/" + str(page.parent.relative_to(demo_site.root)) + "/",
                "tag": tags[0].attrs["href"],
                "company": companies[0].attrs["href"],
                "about": "/about/",
                "health": "/sources/health/",
            }
    raise AssertionError("the demo has no article with an image and a company")


@pytest.fixture(scope="module")
def media_urls(demo_site: ServedSite) -> set[str]:
    """Every image URL that came from a feed's media (the only external thing pages show)."""
    urls: set[str] = set()
    for path in demo_site.root.glob("api/v1/articles/*.json"):
        item = json.loads(path.read_text(encoding="utf-8"))["item"]
        urls.update(media["url"] for media in item.get("media", []))
    assert urls
    return urls


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()  # axe-core's script ships inside the package: nothing is downloaded


def serious_violations(axe: Axe, probe: Probe) -> str:
    """A readable report of the serious and critical axe violations; empty when none."""
    results = axe.run(probe.page)
    lines = []
    for violation in results.response["violations"]:
        if violation["impact"] not in SERIOUS:
            continue
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['failureSummary']}")
    return "\n".join(lines)


def assert_clean_load(probe: Probe, media_urls: set[str]) -> None:
    assert not probe.problems(), probe.problems()
    for url, kind in probe.blocked:
        assert kind == "image" and url in media_urls, f"third-party request: {kind} {url}"


def toggle_details(probe: Probe, label: str) -> None:
    page = probe.page
    details = page.locator("details", has=page.locator("summary", has_text=label))
    summary = details.locator("summary")
    content = details.locator(":scope > :not(summary)").first
    assert details.count() == 1
    assert not content.is_visible()
    summary.click()
    assert details.evaluate("d => d.open") is True
    assert content.is_visible()
    summary.click()
    assert details.evaluate("d => d.open") is False
    assert not content.is_visible()


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", PAGES)
def test_page_loads_cleanly_fits_and_passes_axe(
    demo_site: ServedSite,
    open_page: OpenPage,
    paths: dict[str, str],
    media_urls: set[str],
    axe: Axe,
    screenshots: Path,
    name: str,
    viewport: str,
) -> None:
    # Given a reader opens the page on a phone or a desktop
    width, height = VIEWPORTS[viewport]
    probe = open_page(demo_site.url(paths[name]), width=width, height=height)
    page = probe.page

    # Then it loaded with nothing failing and nothing from another host but feed images
    assert_clean_load(probe, media_urls)
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert page.locator("h1").count() == 1

    # And nothing is wider than the screen
    overflow = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert overflow[0] <= overflow[1], f"horizontal overflow: {overflow}"
    hidden = page.evaluate(
        """[...document.querySelectorAll('nav[aria-label="メインメニュー"] a')]
            .filter(a => { const r = a.getBoundingClientRect();
                           return r.left < 0 || r.right > window.innerWidth; })
            .map(a => a.textContent)"""
    )
    assert not hidden, f"menu items off screen: {hidden}"

    # And the toggles open and close without JavaScript of ours
    if name == "article":
        for label in TOGGLES:
            toggle_details(probe, label)

    page.screenshot(path=screenshots / f"{name}-{viewport}.png", full_page=True)

    # And axe-core finds nothing serious
    report = serious_violations(axe, probe)
    assert not report, f"axe-core violations on {paths[name]} ({viewport}):\n{report}"


@pytest.mark.parametrize("name", ["top", "article"])
def test_dark_mode_passes_axe(
    demo_site: ServedSite,
    open_page: OpenPage,
    paths: dict[str, str],
    media_urls: set[str],
    axe: Axe,
    screenshots: Path,
    name: str,
) -> None:
    probe = open_page(demo_site.url(paths[name]), width=390, height=844, color_scheme="dark")
    assert_clean_load(probe, media_urls)
    probe.page.screenshot(path=screenshots / f"{name}-phone-dark.png", full_page=True)
    report = serious_violations(axe, probe)
    assert not report, f"axe-core violations in dark mode on {paths[name]}:\n{report}"


def test_tab_reaches_the_skip_link_first_and_focus_is_visible(
    demo_site: ServedSite, open_page: OpenPage, paths: dict[str, str], screenshots: Path
) -> None:
    # Given the article page on a phone
    probe = open_page(demo_site.url(paths["article"]), width=390, height=844)
    page = probe.page

    # When the reader presses Tab once
    page.keyboard.press("Tab")

    # Then the skip link has focus, on screen, with a visible focus indicator
    focused = page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            return {
                cls: el.className, text: el.textContent.trim(), href: el.getAttribute('href'),
                outline: style.outlineStyle, outlineWidth: style.outlineWidth,
                shadow: style.boxShadow, top: box.top, bottom: box.bottom,
            };
        }"""
    )
    assert focused["cls"] == "skip-link" and focused["text"] == "本文へスキップ", focused
    assert focused["href"] == "#main"
    outlined = focused["outline"] != "none" and focused["outlineWidth"] != "0px"
    assert outlined or focused["shadow"] != "none", focused
    assert focused["top"] >= 0 and focused["bottom"] <= 844, focused
    page.screenshot(path=screenshots / "skip-link-phone.png")

    # When they follow it, focus moves to the main content
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # And the next Tab stops are links whose focus is visible too
    page.keyboard.press("Tab")
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.tagName, s.outlineStyle, s.boxShadow]; })()"
    )
    assert style[0] == "A" and (style[1] != "none" or style[2] != "none"), style
