"""The source health page in headless Chromium: one row per catalogue feed, with a badge."""

from __future__ import annotations

import pytest

from tests.browser.conftest import OpenPage
from tests.site_fixture import ServedSite

pytestmark = pytest.mark.browser


def test_the_health_page_shows_every_source_with_its_freshness(
    demo_site: ServedSite, open_page: OpenPage
) -> None:
    # Given a reader opens the source health page
    probe = open_page(demo_site.url("/sources/health/"), width=390, height=844)
    page = probe.page

    # Then every demo feed has a row: the polled ones healthy, the opted-out one marked
    rows = page.locator("table.health-table tbody tr")
    badges = {
        rows.nth(i).locator("th a").inner_text(): rows.nth(i).locator(".badge").inner_text()
        for i in range(rows.count())
    }
    assert badges == {
        "AI Wire": "正常",
        "Lab Notes": "正常",
        "Hacker News (AI, 100+ points)": "正常",
        "Frontier Explained": "正常",
        "Retired Blog": "掲載停止（発行元の依頼）",
    }
    assert not probe.problems(), probe.problems()
    assert page.locator("h1").inner_text() == "情報源の稼働状況"

    # And it names no feed URL (a feed's address may carry a key), only the sources' sites
    hrefs = page.eval_on_selector_all("main a", "links => links.map(a => a.href)")
    assert not any(href.endswith(".xml") for href in hrefs)
    assert "https://retired-blog.example/" in hrefs
    overflow = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert overflow[0] <= overflow[1]
