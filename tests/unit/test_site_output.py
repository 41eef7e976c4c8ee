"""The whole rendered site: keys, links, feeds, the JSON API, determinism and pagination."""

from __future__ import annotations

import hashlib
import json
import random
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import feedparser
import pytest

from frontline.domain.models import Article, Category, Entity, EntityKind
from frontline.domain.ports import SiteObject
from frontline.site import render_site
from frontline.site.paths import key_for
from tests.unit.test_site_support import (
    NOW,
    SITE,
    by_key,
    hidden_articles,
    key_of_href,
    make_article,
    parse_html,
    sitemap_urls,
    text_of,
    three_articles,
    xss_article,
)

PAGES = "public, max-age=300, stale-while-revalidate=86400"
IMMUTABLE = "public, max-age=31536000, immutable"
NAV_KEYS = [
    "news/index.html",
    "daily/index.html",
    "hacker/index.html",
    "weekly/index.html",
    "videos/index.html",
    "tools/index.html",
    "trends/index.html",
    "companies/index.html",
    "search/index.html",
    "rss.xml",
]


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    return three_articles()


@pytest.fixture(scope="module")
def objects(articles: list[Article]) -> list[SiteObject]:
    return render_site(articles, SITE, now=NOW)


@pytest.fixture(scope="module")
def site(objects: list[SiteObject]) -> dict[str, SiteObject]:
    return by_key(objects)


def html_pages(site: dict[str, SiteObject]) -> dict[str, SiteObject]:
    return {key: obj for key, obj in site.items() if obj.content_type.startswith("text/html")}


def test_a_three_article_site_has_every_page(
    site: dict[str, SiteObject], articles: list[Article]
) -> None:
    css = [key for key in site if key.startswith("assets/style.")]
    scripts = [key for key in site if key.startswith("assets/") and key.endswith(".js")]
    search_index = [key for key in site if key.startswith("search/archive/")]
    expected = {
        "index.html", "404.html", "about/index.html", "favicon.svg", "robots.txt",
        "sitemap.xml", "sitemaps/articles-2026-04.xml",
        *(f"sitemaps/{family}.xml" for family in (
            "about", "companies", "digests", "hacker", "home", "news", "search", "sources",
            "tags", "tools", "trends", "videos",
        )),  # one per page family: a publish rewrites a family's when it gains or loses one
        "rss.xml", "atom.xml", "feed.json",
        "api/v1/latest.json", "api/v1/schema/article.json",
        "news/index.html", "daily/index.html", "hacker/index.html", "weekly/index.html",
        "videos/index.html", "tools/index.html", "trends/index.html", "search/index.html",
        "companies/index.html", "tags/index.html", "sources/index.html",
        "daily/rss.xml", "weekly/rss.xml",  # the reports' feeds, empty until a digest is written
        "companies/mistral-ai/index.html", "companies/mistral-ai/rss.xml",
        "companies/google-deepmind/index.html", "companies/google-deepmind/rss.xml",
        "sources/ai-wire/index.html", "sources/deepmind-youtube/index.html",
        "sources/hacker-news/index.html",
        "hacker/2026-04-08/index.html",  # the community story's JST day
        "search/tiers.json", *css, *scripts, *search_index,
    }  # fmt: skip
    for article in articles:
        expected |= {key_for(article.path), f"api/v1/articles/{article.id}.json"}
        for tag in article.analysis.tags:
            segment = tag.lower()
            expected |= {f"tags/{segment}/index.html", f"tags/{segment}/rss.xml"}
    assert set(site) == expected
    assert len(css) == 1 and re.fullmatch(r"assets/style\.[0-9a-f]{8}\.css", css[0])
    assert sorted(re.sub(r"\.[0-9a-f]{8}\.", ".", key) for key in scripts) == [
        "assets/search.js", "assets/video.js",
    ]  # fmt: skip
    bundle = "search/archive/2026-04-1/"  # the three articles' month: one bundle
    fragments = [key for key in search_index if key.startswith(bundle + "fragment/")]
    assert bundle + "pagefind-entry.json" in search_index and len(fragments) == 3


def test_every_nav_target_is_a_page(site: dict[str, SiteObject]) -> None:
    for key in NAV_KEYS:
        assert key in site


def test_every_internal_link_resolves_to_a_generated_object(site: dict[str, SiteObject]) -> None:
    checked = 0
    for key, obj in html_pages(site).items():
        for node in parse_html(obj.body).iter():
            for attr in ("href", "src"):
                target = node.attrs.get(attr)
                if target is None or target.startswith(("http://", "https://", "#")):
                    continue
                assert target.startswith("/") and not target.startswith("//"), (key, target)
                assert key_of_href(target) in site, f"{key} links to missing {target}"
                checked += 1
    assert checked > 500


def test_content_types_and_cache_control(site: dict[str, SiteObject]) -> None:
    expected_types = {
        ".html": "text/html; charset=utf-8",
        ".xml": None,
        ".json": "application/json; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".svg": "image/svg+xml; charset=utf-8",
        ".txt": "text/plain; charset=utf-8",
    }
    for key, obj in site.items():
        assert not key.startswith("/")
        if key.startswith("search/"):
            continue  # Pagefind's files: test_site_search
        suffix = "." + key.rsplit(".", 1)[-1]
        if expected_types[suffix]:
            assert obj.content_type == expected_types[suffix] or key == "feed.json", key
        assert "charset=utf-8" in obj.content_type
        assert obj.cache_control == (IMMUTABLE if key.startswith("assets/") else PAGES), key
    assert site["rss.xml"].content_type == "application/rss+xml; charset=utf-8"
    assert site["atom.xml"].content_type == "application/atom+xml; charset=utf-8"
    assert site["feed.json"].content_type == "application/feed+json; charset=utf-8"
    assert site["sitemap.xml"].content_type == "application/xml; charset=utf-8"


def test_stylesheet_is_named_by_its_hash_and_linked_from_every_page(
    site: dict[str, SiteObject],
) -> None:
    css_key = next(key for key in site if key.startswith("assets/style."))
    assert css_key == f"assets/style.{hashlib.sha256(site[css_key].body).hexdigest()[:8]}.css"
    css = site[css_key].body.decode()
    assert "prefers-color-scheme: dark" in css and "@import" not in css and "url(" not in css
    for key, obj in html_pages(site).items():
        links = parse_html(obj.body).find_all("link", rel="stylesheet")
        extra = ["/search/archive/2026-04-1/pagefind-ui.css"] if key == "search/index.html" else []
        assert [link.attrs["href"] for link in links] == [*extra, "/" + css_key], key


def test_no_external_requests_other_than_feed_images(site: dict[str, SiteObject]) -> None:
    """Only <a> may point off-site, plus lazy <img> from the feed's own media."""
    loaders = {"link", "script", "iframe", "object", "embed", "source", "video", "audio"}
    for key, obj in html_pages(site).items():
        for node in parse_html(obj.body).iter():
            if node.tag == "link" and node.attrs.get("rel") == "canonical":
                continue  # names the page, loads nothing
            if node.tag in loaders:
                assert not node.attrs.get("href", "/").startswith("http"), key
                assert not node.attrs.get("src", "/").startswith("http"), key
            if node.tag == "img":
                assert node.attrs.get("loading") == "lazy", key


def test_top_page_lists_articles_newest_first_with_cards(
    site: dict[str, SiteObject], articles: list[Article]
) -> None:
    page = parse_html(site["index.html"].body)
    cards = page.with_class("card")
    titles = [card.find("h2").clean_text() for card in cards]
    newest_first = sorted(articles, key=lambda a: a.created_at, reverse=True)
    assert titles == [a.analysis.title_ja for a in newest_first]
    first = cards[0]  # the untranslated Hacker News post arrived last
    assert first.with_class("card__source")[0].clean_text() == "Hacker News"
    assert first.with_class("badge--untranslated")[0].clean_text() == "未翻訳"
    assert first.with_class("stars")[0].clean_text() == "★★★☆☆"
    assert first.find("span", **{"class": "visually-hidden"}).clean_text().startswith("重要度 3/5")
    assert first.find("time").clean_text() == "2026年4月8日 05:05"
    assert [a.clean_text() for a in first.with_class("tags")[0].find_all("a")] == [
        "#ローカルLLM", "#ベンチマーク", "#生成AI",
    ]  # fmt: skip
    second = cards[1]
    assert not second.with_class("badge--untranslated")
    assert articles[0].analysis.tldr in second.clean_text()


def test_section_pages_list_the_right_articles(
    site: dict[str, SiteObject], articles: list[Article]
) -> None:
    def titles(key: str) -> list[str]:
        return [h.clean_text() for h in parse_html(site[key].body).find("main").find_all("h2")]

    news, video, community = articles
    assert video.analysis.title_ja in titles("videos/index.html")
    assert news.analysis.title_ja not in titles("videos/index.html")
    assert titles("tools/index.html") == [community.analysis.title_ja]  # category tool
    hacker = parse_html(site["hacker/index.html"].body).find("main")
    assert [h.clean_text() for h in hacker.find_all("h3")] == [community.analysis.title_ja]
    # The reports come from stored digests (tests/unit/test_digest_pages.py); none here.
    for key, name in (("daily/index.html", "AI日報"), ("weekly/index.html", "週報")):
        assert f"まだ{name}はありません。" in parse_html(site[key].body).find("main").clean_text()


def test_companies_index_counts_and_links(site: dict[str, SiteObject]) -> None:
    main = parse_html(site["companies/index.html"].body).find("main")
    links = {a.clean_text(): a.attrs["href"] for a in main.find_all("a")}
    assert links == {
        "Google DeepMind1件": "/companies/google-deepmind/",
        "Mistral AI1件": "/companies/mistral-ai/",
    }


def test_trends_counts_tags_over_the_last_seven_days(site: dict[str, SiteObject]) -> None:
    main = parse_html(site["trends/index.html"].body).find("main")
    rows = main.with_class("trend-row")
    assert rows[0].clean_text() == "#生成AI 3件 0件 新登場"


def test_about_page_explains_the_importance_formula(
    site: dict[str, SiteObject], articles: list[Article]
) -> None:
    text = parse_html(site["about/index.html"].body).find("main").clean_text()
    assert "0.4×4 ＋ 0.3×5 ＋ 0.2×3 ＋ 0.1×2 ＝ 3.9" in text
    assert "「4 重要」" in text
    for label in ("最重要", "重要", "注目", "通常", "参考"):
        assert label in text
    assert "未翻訳" in text
    for article in articles:
        assert article.item.source_name in text


def test_404_page(site: dict[str, SiteObject]) -> None:
    page = parse_html(site["404.html"].body)
    assert page.find("h1").clean_text() == "ページが見つかりません"
    assert page.find("meta", name="robots").attrs["content"] == "noindex"


def test_rss_is_valid_rss_2(site: dict[str, SiteObject], articles: list[Article]) -> None:
    feed = feedparser.parse(site["rss.xml"].body)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert feed.feed.title == "AIニュース最前線"
    assert len(feed.entries) == len(articles)
    entry = next(e for e in feed.entries if e.title == articles[0].analysis.title_ja)
    assert entry.link == "https://news.example.jp" + articles[0].path
    assert entry.id == entry.link
    assert b'<guid isPermaLink="true">' in site["rss.xml"].body
    assert entry.summary == articles[0].analysis.tldr
    assert entry.published_parsed[:5] == (2026, 4, 7, 11, 43)
    assert [t.term for t in entry.tags] == list(articles[0].analysis.tags)
    root = ET.fromstring(site["rss.xml"].body)
    # the newest article's update, not the clock
    assert root.findtext("channel/lastBuildDate") == "Tue, 07 Apr 2026 20:15:00 GMT"


def test_tag_and_company_feeds_parse(site: dict[str, SiteObject]) -> None:
    tag = feedparser.parse(site["tags/生成ai/rss.xml"].body)
    assert not tag.bozo and len(tag.entries) == 3
    company = feedparser.parse(site["companies/mistral-ai/rss.xml"].body)
    assert not company.bozo and len(company.entries) == 1


def test_atom_feed_parses(site: dict[str, SiteObject], articles: list[Article]) -> None:
    feed = feedparser.parse(site["atom.xml"].body)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) == len(articles)


def test_json_feed_1_1(site: dict[str, SiteObject], articles: list[Article]) -> None:
    feed = json.loads(site["feed.json"].body)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "https://news.example.jp/feed.json"
    assert len(feed["items"]) == len(articles)
    for item in feed["items"]:
        assert item["id"] == item["url"] and item["url"].startswith(
            "https://news.example.jp/articles/"
        )
        assert item["title"] and item["content_text"]


def test_sitemap_lists_every_page(site: dict[str, SiteObject], articles: list[Article]) -> None:
    locations = set(sitemap_urls(lambda key: site[key].body, "https://news.example.jp"))
    keys = {key_of_href(urlsplit(loc).path) for loc in locations if loc}
    assert keys == set(html_pages(site)) - {"404.html"}
    for article in articles:
        assert "https://news.example.jp" + article.path in locations


def test_robots_allows_all_and_names_the_sitemap(site: dict[str, SiteObject]) -> None:
    robots = site["robots.txt"].body.decode()
    assert "User-agent: *\nAllow: /" in robots
    assert "Sitemap: https://news.example.jp/sitemap.xml" in robots


def test_json_api(site: dict[str, SiteObject], articles: list[Article]) -> None:
    latest = json.loads(site["api/v1/latest.json"].body)
    assert latest["count"] == len(latest["articles"]) == len(articles)
    for document in latest["articles"]:
        url = document.pop("url")
        assert url == "https://news.example.jp" + document["path"]
        document.pop("importance")  # computed
        assert Article.model_validate(document).id == document["id"]
    one = json.loads(site[f"api/v1/articles/{articles[0].id}.json"].body)
    assert one["analysis"]["title_ja"] == articles[0].analysis.title_ja
    assert one["importance"] == 4
    schema = json.loads(site["api/v1/schema/article.json"].body)
    assert schema["title"] == "Article"
    assert {"url", "importance", "analysis"} <= set(schema["properties"])


def test_rendering_is_deterministic() -> None:
    articles = [*three_articles(), xss_article(), *hidden_articles()]
    first = render_site(articles, SITE, now=NOW)
    shuffled = articles[:]
    random.Random(7).shuffle(shuffled)
    again = render_site(shuffled, SITE, now=NOW + timedelta(days=3))
    assert [(o.key, o.body, o.content_type, o.cache_control) for o in first] == [
        (o.key, o.body, o.content_type, o.cache_control) for o in again
    ]


def test_an_empty_site_still_has_every_page() -> None:
    site = by_key(render_site([], SITE, now=NOW))
    for key in [
        *NAV_KEYS,
        "index.html",
        "about/index.html",
        "404.html",
        "tags/index.html",
        "sources/index.html",
    ]:
        assert key in site
    feed = feedparser.parse(site["rss.xml"].body)
    assert not feed.bozo and feed.entries == []
    assert "まだ記事はありません" in site["index.html"].body.decode()


def test_hidden_and_skipped_articles_appear_nowhere() -> None:
    hidden = hidden_articles()
    objects = render_site([*three_articles(), *hidden], SITE, now=NOW)
    for obj in objects:
        body = text_of(obj)
        for article in hidden:
            assert article.analysis.title_ja not in body, obj.key
            assert article.id not in body and article.id not in obj.key, obj.key
            assert article.path not in body, obj.key
        for secret in ("非公開タグ", "スキップ専用タグ", "Hidden Corp", "skipped-only-feed"):
            assert secret not in body and secret.lower() not in obj.key, obj.key


# --- the news archive: numbered from the oldest --------------------------------------------


def _many(count: int) -> list[Article]:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    return [
        make_article(
            n,
            published=start + timedelta(hours=3 * n),
            tags=("生成AI", f"話題{n % 5}", "企業導入"),
            entities=(
                Entity(name=("OpenAI", "Anthropic", "NVIDIA")[n % 3], kind=EntityKind.COMPANY),
            ),
            category=Category.TOOL if n % 4 == 0 else Category.NEWS,
        )
        for n in range(1, count + 1)
    ]


def _archive_titles(site: dict[str, SiteObject], key: str) -> list[str]:
    return [
        h.clean_text()
        for h in parse_html(site[key].body).find("main").find_all("h2")
        if "card__title" in h.attrs.get("class", "")
    ]


def test_news_archive_is_numbered_from_the_oldest() -> None:
    articles = _many(45)
    site = by_key(render_site(articles, SITE, now=NOW))
    assert "news/page/1/index.html" in site and "news/page/2/index.html" in site
    assert "news/page/3/index.html" not in site
    page1 = _archive_titles(site, "news/page/1/index.html")
    assert sorted(page1) == sorted(a.analysis.title_ja for a in articles[:20])
    assert page1[0] == articles[19].analysis.title_ja  # newest first within the page
    news = parse_html(site["news/index.html"].body).find("main")
    assert [
        h.clean_text() for h in news.find_all("h2") if "card__title" in h.attrs.get("class", "")
    ] == [a.analysis.title_ja for a in reversed(articles[-20:])]
    pager = [a.attrs["href"] for a in news.with_class("pager")[0].find_all("a")]
    assert pager == ["/news/page/2/"]
    archive_links = [a.attrs["href"] for a in news.with_class("archive-pages")[0].find_all("a")]
    assert archive_links == ["/news/page/2/", "/news/page/1/"]


def test_old_archive_pages_do_not_change_when_articles_arrive() -> None:
    articles = _many(45)
    before = by_key(render_site(articles, SITE, now=NOW))
    newcomer = make_article(
        46, published=datetime(2026, 3, 1, tzinfo=UTC), created=datetime(2026, 3, 20, tzinfo=UTC)
    )  # the source dated it earlier than everything else, but it arrived last
    after = by_key(render_site([*articles, newcomer], SITE, now=NOW + timedelta(hours=1)))
    assert after["news/page/1/index.html"].body == before["news/page/1/index.html"].body
    assert after["news/page/2/index.html"].body == before["news/page/2/index.html"].body
    assert after["news/index.html"].body != before["news/index.html"].body
    assert newcomer.analysis.title_ja in _archive_titles(after, "news/index.html")


def test_a_new_full_page_only_relinks_its_predecessor() -> None:
    articles = _many(60)
    before = by_key(render_site(articles, SITE, now=NOW))
    after = by_key(render_site(_many(61), SITE, now=NOW))
    assert "news/page/4/index.html" not in after
    assert after["news/page/1/index.html"].body == before["news/page/1/index.html"].body
    assert after["news/page/2/index.html"].body == before["news/page/2/index.html"].body
    assert after["news/page/3/index.html"].body == before["news/page/3/index.html"].body
    grown = by_key(render_site(_many(80), SITE, now=NOW))
    assert grown["news/page/2/index.html"].body == before["news/page/2/index.html"].body
    pager = parse_html(grown["news/page/3/index.html"].body).with_class("pager")[0]
    assert [a.attrs["href"] for a in pager.find_all("a")] == ["/news/page/4/", "/news/page/2/"]


def test_lists_cap_and_feeds_hold_the_newest() -> None:
    site = by_key(render_site(_many(70), SITE, now=NOW))
    feed = feedparser.parse(site["rss.xml"].body)
    assert not feed.bozo and len(feed.entries) == 50
    assert len(json.loads(site["api/v1/latest.json"].body)["articles"]) == 50
    assert len(parse_html(site["index.html"].body).with_class("card")) == 30
    tag_page = parse_html(site["tags/生成ai/index.html"].body)
    assert len(tag_page.with_class("card")) == 20
    assert "新しい20件を表示しています" in tag_page.find("main").clean_text()
    assert len(feedparser.parse(site["tags/生成ai/rss.xml"].body).entries) == 20


def test_an_old_article_page_settles_once_newer_articles_have_moved_past_it() -> None:
    articles = _many(120)
    before = by_key(render_site(articles, SITE, now=NOW))
    after = by_key(render_site(_many(121), SITE, now=NOW))
    oldest = key_for(articles[0].path)
    assert after[oldest].body == before[oldest].body
