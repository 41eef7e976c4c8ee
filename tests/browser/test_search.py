"""Search across every index in headless Chromium, under the site's own CSP.

The demo's articles are published in two steps, as in production: a full publish (the
nightly archive, here split into three bundles or more), then a publish of articles stored
after it (the recent index). Pagefind's UI on /search/ must find articles of every bundle,
for Japanese and Latin queries.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from frontline.domain.models import Article, ArticleChange
from frontline.site import SiteConfig
from frontline.site.catalogue import ListedIndex
from frontline.site.publishing import publish_site
from frontline.site.search import search_record
from infra.local.template_resources import load_template
from tests.browser.conftest import OpenPage, Probe
from tests.browser.test_pages import assert_clean_load
from tests.site_fixture import LoopbackServer, ServedSite, write_site
from tests.unit.fakes import FakeArticles, FakeManifest, MemoryBucket

pytestmark = pytest.mark.browser

QUERIES = ("蒸留", "推論モデル", "OpenAI")


def site_csp() -> str:
    """The Content-Security-Policy CloudFront adds to every response (template.yaml)."""
    policy = load_template()["Resources"]["SecurityHeadersPolicy"]["Properties"]
    config = policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    return str(config["ContentSecurityPolicy"]["ContentSecurityPolicy"])


def demo_articles(site: ServedSite) -> list[Article]:
    """The demo's articles, read back from its JSON API (the stored Article plus a url)."""
    articles = []
    for path in sorted((site.root / "api" / "v1" / "articles").glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        document.pop("url")
        articles.append(Article.model_validate(document))
    return articles


def matching(articles: list[Article], query: str) -> list[Article]:
    return [a for a in articles if query.lower() in search_record(a).content.lower()]


def split_for_queries(articles: list[Article]) -> tuple[list[Article], list[Article]]:
    """Archive and recent articles such that each query has matches in both."""
    recent: dict[str, Article] = {}
    for query in QUERIES:
        found = matching(articles, query)
        assert len(found) >= 2, f"the demo needs two articles matching {query}"
        if not any(a.id in recent for a in found):
            recent[found[0].id] = found[0]
    for query in QUERIES:
        assert any(a.id not in recent for a in matching(articles, query)), query
    stored = max(a.created_at for a in articles) + timedelta(hours=1)  # after the archive
    late = [a.model_copy(update={"created_at": stored}) for a in recent.values()]
    return [a for a in articles if a.id not in recent], late


@pytest.fixture(scope="module")
def tiered(
    demo_site: ServedSite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServedSite, list[Article], list[Article]]]:
    archived, recent = split_for_queries(demo_articles(demo_site))
    server = LoopbackServer(
        tmp_path_factory.mktemp("tiered-site"), headers={"Content-Security-Policy": site_csp()}
    )
    site = SiteConfig(title="AIニュース最前線", tagline="毎時更新", base_url=server.base_url)
    store, manifest = MemoryBucket(), FakeManifest()
    now = max(a.created_at for a in recent)
    split = pytest.MonkeyPatch()  # archive bundles of a third of the demo: several bundles
    split.setattr("frontline.site.search.ARCHIVE_BUNDLE_SIZE", -(-len(archived) // 3))
    publish_site(
        FakeArticles({a.id: a for a in archived}),
        store,
        site,
        manifest=manifest,
        now=now,
        index=ListedIndex(FakeArticles({a.id: a for a in archived})),
    )
    publish_site(
        FakeArticles({a.id: a for a in [*archived, *recent]}),
        store,
        site,
        manifest=manifest,
        now=now,
        changes=[ArticleChange(None, a) for a in recent],
        index=ListedIndex(FakeArticles({a.id: a for a in [*archived, *recent]})),
    )
    split.undo()
    write_site(store.objects.values(), server.root)
    try:
        yield server.start(), archived, recent
    finally:
        server.close()


def bundle_urls(site: ServedSite, bundle: str) -> set[str]:
    """The article URLs a published bundle indexes (its fragments: gzip, a signature, JSON)."""
    urls = set()
    for fragment in (site.root / bundle.strip("/") / "fragment").iterdir():
        data = gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd")
        urls.add(json.loads(data)["url"])
    return urls


def results_for(open_page: OpenPage, site: ServedSite, query: str) -> tuple[set[str], Probe]:
    probe = open_page(site.url("/search/"))
    page = probe.page
    page.get_by_label("キーワード").fill(query)
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=60_000)  # wasm + index
    more = page.locator(".pagefind-ui__button")
    while more.count() and more.first.is_visible():  # 「さらに結果を表示」 until all are shown
        shown = page.locator(".pagefind-ui__result-link").count()
        more.first.click()
        # the next result appearing (a locator, not an evaluated string: the CSP has no eval)
        page.locator(".pagefind-ui__result-link").nth(shown).wait_for()
    links = page.locator(".pagefind-ui__result-link")
    return {links.nth(i).get_attribute("href") or "" for i in range(links.count())}, probe


@pytest.mark.parametrize("query", QUERIES)
def test_search_finds_archived_and_recent_articles(
    tiered: tuple[ServedSite, list[Article], list[Article]],
    open_page: OpenPage,
    screenshots: Path,
    query: str,
) -> None:
    site, archived, recent = tiered
    # Given a site whose search has several archive bundles and a recent index
    bundles = json.loads((site.root / "search" / "tiers.json").read_bytes())["bundles"]
    assert len(bundles) >= 4 and bundles[-1] == "/search/recent/"
    assert all(b.startswith("/search/archive/") for b in bundles[:-1])
    # When a reader searches on the search page (the site's CSP in force)
    found, probe = results_for(open_page, site, query)
    # Then every article holding the words is found, from the recent index and from more
    # than one archive bundle
    expected = {a.path for a in matching([*archived, *recent], query)}
    assert expected <= found
    assert found & {a.path for a in matching(recent, query)}
    contributing = [b for b in bundles[:-1] if found & bundle_urls(site, b)]
    assert len(contributing) >= 2, (query, contributing)
    assert_clean_load(probe, set())
    probe.page.screenshot(path=screenshots / f"search-tiers-{len(query)}.png", full_page=True)


def test_a_query_matching_nothing_says_so_in_japanese(
    tiered: tuple[ServedSite, list[Article], list[Article]], open_page: OpenPage
) -> None:
    site, archived, recent = tiered
    assert not matching([*archived, *recent], "ブロックチェーン")
    probe = open_page(site.url("/search/"))
    probe.page.get_by_label("キーワード").fill("ブロックチェーン")
    message = probe.page.locator(".pagefind-ui__message", has_text="見つかりませんでした")
    message.wait_for()
    assert message.inner_text() == "「ブロックチェーン」に一致する記事は見つかりませんでした。"
    assert probe.page.locator(".pagefind-ui__result-link").count() == 0
