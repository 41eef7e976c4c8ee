"""The discovery pages in headless Chromium: search, trends on a phone, click-to-play videos."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import OpenPage, Probe
from tests.browser.test_pages import assert_clean_load, media_urls, serious_violations
from tests.site_fixture import ServedSite

pytestmark = pytest.mark.browser

__all__ = ["media_urls"]  # the fixture, shared with test_pages

PHONE = (390, 844)


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def no_overflow(probe: Probe) -> None:
    widths = probe.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"horizontal overflow: {widths}"


@pytest.mark.parametrize("query", ["蒸留", "OpenAI"])
def test_search_finds_articles_for_a_typed_query(
    demo_site: ServedSite,
    open_page: OpenPage,
    media_urls: set[str],
    screenshots: Path,
    query: str,
) -> None:
    # Given the search page on a phone
    probe = open_page(demo_site.url("/search/"), width=PHONE[0], height=PHONE[1])
    page = probe.page
    # When the reader types a query into Pagefind's search box
    page.get_by_label("キーワード").fill(query)
    # Then result links to matching articles appear, with a Japanese count
    results = page.locator(".pagefind-ui__result-link")
    results.first.wait_for()
    assert results.count() >= 1
    message = page.locator(".pagefind-ui__message").inner_text()
    assert query in message and "件" in message
    first = results.first.get_attribute("href") or ""
    assert first.startswith("/articles/")
    assert demo_site.file_for(first).is_file()
    assert_clean_load(probe, media_urls)
    no_overflow(probe)
    page.screenshot(
        path=screenshots / f"search-{'ja' if query == '蒸留' else 'en'}-phone.png", full_page=True
    )
    # And the result opens the article
    results.first.click()
    page.wait_for_url("**/articles/**")


def test_search_reads_the_query_from_the_address(
    demo_site: ServedSite, open_page: OpenPage
) -> None:
    probe = open_page(demo_site.url("/search/?q=%E8%92%B8%E7%95%99"))
    probe.page.locator(".pagefind-ui__result-link").first.wait_for()
    assert probe.page.get_by_label("キーワード").input_value() == "蒸留"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_trends_charts_fit_a_phone_and_pass_axe(
    demo_site: ServedSite,
    open_page: OpenPage,
    media_urls: set[str],
    axe: Axe,
    screenshots: Path,
    scheme: str,
) -> None:
    probe = open_page(
        demo_site.url("/trends/"), width=PHONE[0], height=PHONE[1], color_scheme=scheme
    )
    page = probe.page
    assert_clean_load(probe, media_urls)
    charts = page.locator("svg.chart")
    assert charts.count() >= 3
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0]
    no_overflow(probe)
    page.screenshot(path=screenshots / f"trends-phone-{scheme}.png", full_page=True)
    report = serious_violations(axe, probe)
    assert not report, f"axe-core violations on /trends/ ({scheme}):\n{report}"


@pytest.mark.parametrize("path", ["/videos/", "/hacker/", "/tools/", "/companies/", "/search/"])
def test_discovery_pages_fit_a_phone_and_pass_axe(
    demo_site: ServedSite,
    open_page: OpenPage,
    media_urls: set[str],
    axe: Axe,
    screenshots: Path,
    path: str,
) -> None:
    probe = open_page(demo_site.url(path), width=PHONE[0], height=PHONE[1])
    assert_clean_load(probe, media_urls)
    no_overflow(probe)
    probe.page.screenshot(
        path=screenshots / f"{path.strip('/') or 'top'}-phone.png", full_page=True
    )
    report = serious_violations(axe, probe)
    assert not report, f"axe-core violations on {path}:\n{report}"


def test_video_player_loads_only_after_a_click(
    demo_site: ServedSite, open_page: OpenPage, media_urls: set[str], screenshots: Path
) -> None:
    # Given the videos page, fully loaded
    probe = open_page(demo_site.url("/videos/"))
    page = probe.page
    page.wait_for_load_state("networkidle")
    # Then nothing but feed thumbnails came from another host, and there is no player yet
    assert_clean_load(probe, media_urls)
    assert not [url for url, _ in probe.blocked if "youtube" in (urlsplit(url).hostname or "")]
    assert page.locator("iframe").count() == 0
    play = page.locator("a[data-video-id]").first
    video_id = play.get_attribute("data-video-id")
    # When the reader clicks the thumbnail
    play.click()
    # Then the privacy-enhanced player replaces it, and only now is YouTube contacted
    frame = page.locator("iframe.video__player")
    frame.wait_for(state="attached")
    assert frame.get_attribute("src") == (
        f"https://www.youtube-nocookie.com/embed/{video_id}?autoplay=1"
    )
    page.wait_for_timeout(300)
    hosts = {urlsplit(url).hostname for url, _ in probe.blocked}
    assert "www.youtube-nocookie.com" in hosts
    assert page.url == demo_site.url("/videos/")  # the page did not navigate away
    page.screenshot(path=screenshots / "videos-after-click.png")
