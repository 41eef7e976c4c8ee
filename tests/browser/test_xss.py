"""Script payloads in a feed item and in model text never run in a real browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from frontline.site import SiteConfig, render_site
from tests.browser.conftest import OpenPage
from tests.site_fixture import LoopbackServer, ServedSite, write_site
from tests.unit.test_site_support import NOW, SITE, XSS_SCRIPT, make_article, xss_article

pytestmark = pytest.mark.browser

# Installed before any page script: every way a payload could announce itself sets the flag.
TRAP = """
window.__xss = undefined;
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = () => { window.__xss = 1; };
}
"""


@pytest.fixture(scope="module")
def hostile_site(
    chromium_installed: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedSite]:
    """A small site from the hostile article and a normal one, served on loopback."""
    root = tmp_path_factory.mktemp("xss-site")
    server = LoopbackServer(root)
    try:
        config = SiteConfig(title=SITE.title, tagline=SITE.tagline, base_url=server.base_url)
        write_site(render_site([make_article(1), xss_article()], config, now=NOW), root)
        yield server.start()
    finally:
        server.close()


def pages_to_open(site: ServedSite) -> list[str]:
    article = xss_article().path
    tags = sorted(p.parent for p in site.root.glob("tags/*/index.html"))
    companies = sorted(p.parent for p in site.root.glob("companies/*/index.html"))
    extra = ["/" + str(path.relative_to(site.root)) + "/" for path in [*tags, *companies]]
    return ["/", article, "/news/", *extra]


def test_no_payload_runs_and_every_href_is_safe(
    hostile_site: ServedSite, open_page: OpenPage, screenshots: Path
) -> None:
    assert (hostile_site.root / xss_article().path.lstrip("/") / "index.html").is_file()
    paths = pages_to_open(hostile_site)
    probe = open_page(hostile_site.url(paths[0]), width=390, height=844, init_script=TRAP)
    page = probe.page
    for path in paths:
        # Given a page that shows the hostile article, with the trap installed
        if page.url != hostile_site.url(path):
            response = page.goto(hostile_site.url(path), wait_until="load")
            assert response is not None and response.ok, path

        # Then nothing ran on load
        assert page.evaluate("typeof window.__xss") == "undefined", path
        assert not probe.page_errors, (path, probe.page_errors)

        # Nor after every <details> is opened
        for summary in page.locator("details > summary").all():
            summary.click()
        assert page.evaluate("[...document.querySelectorAll('details')].every(d => d.open)")
        assert page.evaluate("typeof window.__xss") == "undefined", path

        # And every link is http(s), site-relative or a fragment
        hrefs = page.eval_on_selector_all("[href]", "els => els.map(e => e.getAttribute('href'))")
        assert hrefs
        for href in hrefs:
            safe = href.startswith(("https://", "http://", "#")) or (
                href.startswith("/") and not href.startswith("//")
            )
            assert safe, (path, href)
        schemes = page.eval_on_selector_all("a[href]", "els => els.map(e => e.protocol)")
        assert set(schemes) <= {"http:", "https:"}, (path, set(schemes))

        # And no element carries an inline event handler or an inline frame
        handlers = page.evaluate(
            """[...document.querySelectorAll('*')].flatMap(e =>
                [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))"""
        )
        assert not handlers, (path, handlers)
        assert page.locator("iframe, object, embed").count() == 0, path
        if path == xss_article().path:
            # The payloads are still there, shown as the plain text they are
            assert XSS_SCRIPT in page.locator("h1").inner_text()
            page.screenshot(path=screenshots / "xss-article-phone.png", full_page=True)

    assert not probe.problems(), probe.problems()
    # The trap itself works: had a payload called alert(), the flag would be set
    page.evaluate("alert('trap check')")
    assert page.evaluate("window.__xss") == 1
