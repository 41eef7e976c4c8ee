"""The rendered demo site, parsed: the reference article page, links, feeds and metadata."""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import quote, urlsplit

import feedparser
import jsonschema
import pytest

from tests.site_fixture import ServedSite, shared_demo_site
from tests.unit.test_site_support import Node, parse_html, sitemap_urls

JST = timezone(timedelta(hours=9))
SITE_TITLE = "AIニュース最前線"
TAGLINE = "世界中のAI最新情報を日本語で毎時更新"
NAV_LABELS = [
    "最新ニュース", "AI日報", "Hacker日報", "週報", "動画", "AIツール", "トレンド", "企業", "RSS",
]  # fmt: skip
BARS = [("深度", 40), ("関連度", 30), ("実用性", 20), ("革新性", 10)]
SHARE_HOSTS = {
    "x": "x.com",
    "hatena": "b.hatena.ne.jp",
    "line": "social-plugins.line.me",
    "facebook": "www.facebook.com",
}
JST_LABEL = re.compile(r"^(\d{4})年([1-9]\d?)月([1-9]\d?)日 (\d{2}):(\d{2})$")
FEED_SIZE = 50

# JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), written from the spec.
_AUTHOR = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "url": {"type": "string", "format": "uri"},
        "avatar": {"type": "string", "format": "uri"},
    },
    "anyOf": [{"required": ["name"]}, {"required": ["url"]}, {"required": ["avatar"]}],
}
_DATE = {"type": "string", "format": "date-time"}
JSON_FEED_1_1 = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "JSON Feed 1.1",
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string", "minLength": 1},
        "home_page_url": {"type": "string", "format": "uri"},
        "feed_url": {"type": "string", "format": "uri"},
        "description": {"type": "string"},
        "user_comment": {"type": "string"},
        "next_url": {"type": "string", "format": "uri"},
        "icon": {"type": "string", "format": "uri"},
        "favicon": {"type": "string", "format": "uri"},
        "authors": {"type": "array", "items": _AUTHOR},
        "language": {"type": "string", "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$"},
        "expired": {"type": "boolean"},
        "hubs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "url"],
                "properties": {"type": {"type": "string"}, "url": {"type": "string"}},
            },
        },
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "url": {"type": "string", "format": "uri"},
                    "external_url": {"type": "string", "format": "uri"},
                    "title": {"type": "string"},
                    "content_html": {"type": "string"},
                    "content_text": {"type": "string"},
                    "summary": {"type": "string"},
                    "image": {"type": "string", "format": "uri"},
                    "banner_image": {"type": "string", "format": "uri"},
                    "date_published": _DATE,
                    "date_modified": _DATE,
                    "authors": {"type": "array", "items": _AUTHOR},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "language": {"type": "string"},
                    "attachments": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["url", "mime_type"],
                            "properties": {
                                "url": {"type": "string", "format": "uri"},
                                "mime_type": {"type": "string"},
                                "title": {"type": "string"},
                                "size_in_bytes": {"type": "number"},
                                "duration_in_seconds": {"type": "number"},
                            },
                        },
                    },
                },
            },
        },
    },
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    with shared_demo_site(tmp_path_factory) as served:
        yield served


@pytest.fixture(scope="module")
def pages(site: ServedSite) -> dict[str, Node]:
    """Every HTML page of the site, parsed, by its path relative to the site root."""
    return {
        str(path.relative_to(site.root)): parse_html(path.read_bytes())
        for path in sorted(site.root.rglob("*.html"))
    }


@pytest.fixture(scope="module")
def article_pages(pages: dict[str, Node]) -> dict[str, Node]:
    found = {key: page for key, page in pages.items() if key.startswith("articles/")}
    assert len(found) >= 24
    return found


def page_url(site: ServedSite, key: str) -> str:
    path = "/" + key.removesuffix("index.html")
    return site.base_url + quote(path)


def is_internal(site: ServedSite, href: str) -> bool:
    return (href.startswith("/") and not href.startswith("//")) or href.startswith(
        site.base_url + "/"
    )


def texts(nodes: list[Node]) -> list[str]:
    return [node.clean_text() for node in nodes]


def only(nodes: list[Node], what: str) -> Node:
    assert len(nodes) == 1, f"expected exactly one {what}, found {len(nodes)}"
    return nodes[0]


def meta(page: Node, **attrs: str) -> str | None:
    found = page.find_all("meta", **attrs)
    return found[0].attrs.get("content") if found else None


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- the article page, element by element (reference/article-page.md) ---------------------


def check_header(page: Node, site: ServedSite) -> None:
    header = only(
        [n for n in page.find_all("header") if "site-header" in n.attrs.get("class", "")],
        "site header",
    )
    assert texts(header.with_class("site-title")) == [SITE_TITLE]
    assert header.with_class("site-title")[0].find("a").attrs["href"] == "/"
    assert texts(header.with_class("site-tagline")) == [TAGLINE]
    nav = header.find("nav", aria_label="メインメニュー")
    labels = texts(nav.find_all("a"))
    shown = [label for label in labels if label in NAV_LABELS]
    assert shown == NAV_LABELS, labels
    for link in nav.find_all("a"):
        assert site.file_for(link.attrs["href"]).is_file(), link.attrs["href"]


def check_byline(article: Node) -> None:
    byline = only(article.with_class("byline"), "byline")
    source = only(byline.with_class("byline__source"), "source link")
    assert source.clean_text() and source.attrs["href"].startswith("/sources/")
    time = byline.find("time")
    match = JST_LABEL.match(time.clean_text())
    assert match, time.clean_text()
    stamp = datetime.fromisoformat(time.attrs["datetime"])
    assert stamp.utcoffset() == timedelta(hours=9)
    assert tuple(int(part) for part in match.groups()) == (
        stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute,
    )  # fmt: skip
    assert re.fullmatch(r"約[1-9]\d*分で読める", texts(byline.with_class("byline__read"))[0])


def check_analysis(article: Node) -> tuple[int, str]:
    """AI深層分析: the time, the score with its label and four bars; returns (score, label)."""
    section = only(article.with_class("analysis"), "AI深層分析 section")
    assert section.find("h2").clean_text() == "AI深層分析"
    analysed = section.find("time")
    assert JST_LABEL.match(analysed.clean_text())
    assert datetime.fromisoformat(analysed.attrs["datetime"]).utcoffset() == timedelta(hours=9)
    score = int(texts(section.with_class("overall__score"))[0])
    label = texts(section.with_class("overall__label"))[0]
    assert texts(section.with_class("overall__scale")) == ["/ 5段階"]
    subscores = section.with_class("subscore")
    assert len(subscores) == 4
    weighted = Decimal(0)
    for item, (name, weight) in zip(subscores, BARS, strict=True):
        assert texts(item.with_class("subscore__name")) == [name]
        assert texts(item.with_class("subscore__weight")) == [f"{weight}%"]
        value = int(texts(item.with_class("subscore__value"))[0])
        assert 1 <= value <= 5
        bar = only(item.with_class("bar"), "bar")
        assert bar.attrs["role"] == "img"
        assert bar.attrs["aria-label"] == f"{name} {value}/5"
        assert bar.attrs["data-score"] == str(value)
        assert texts(item.with_class("subscore__reason"))[0]
        weighted += Decimal(weight) / 100 * value
    assert score == round_half_up(weighted), (score, weighted)
    return score, label


def check_article_page(key: str, page: Node, site: ServedSite) -> tuple[int, str]:
    check_header(page, site)
    main = page.find("main")
    article = only(main.find_all("article", **{"class": "article"}), "article")

    # 2 breadcrumb: the list and the source article
    crumbs = article.find("nav", aria_label="パンくずリスト").find_all("a")
    assert texts(crumbs) == ["ニュース一覧", "元記事を開く"]
    assert crumbs[0].attrs["href"] == "/news/"
    original = crumbs[1].attrs["href"]
    assert original.startswith(("https://", "http://")) and not is_internal(site, original)

    # 3 byline, 4 title
    check_byline(article)
    h1 = only(page.find_all("h1"), "h1")
    assert h1.clean_text()

    # 5 tags to tag pages, entities to company pages
    header = article.find("header")
    tags = header.find("ul", **{"class": "tags"}).find_all("a")
    assert 3 <= len(tags) <= 6, key
    for tag in tags:
        assert tag.clean_text().startswith("#") and tag.attrs["href"].startswith("/tags/")
        assert site.file_for(tag.attrs["href"]).is_file(), tag.attrs["href"]
    for company in header.with_class("entity--company"):
        assert company.tag == "a" and company.attrs["href"].startswith("/companies/")
        assert site.file_for(company.attrs["href"]).is_file(), company.attrs["href"]

    # 6 TL;DR
    tldr = only(article.with_class("tldr"), "TL;DR")
    assert tldr.find("h2").clean_text() == "TL;DR" and tldr.find("p").clean_text()

    # 7 AI深層分析
    score_and_label = check_analysis(article)

    # 8 キーポイント, 3-5 numbered; 9 影響分析・編集コメント in a <details>
    points = only(article.with_class("key-points"), "key points")
    assert points.find("h2").clean_text() == "キーポイント"
    items = [n for n in points.find("ol").children if isinstance(n, Node) and n.tag == "li"]
    assert 3 <= len(items) <= 5, key
    for item in items:
        assert item.find("h3").clean_text() and item.find("p").clean_text()
    impact = only(article.with_class("impact"), "impact details")
    assert impact.tag == "details"
    assert impact.find("summary").clean_text() == "影響分析・編集コメントを表示"
    assert texts(impact.find_all("h3")) == ["影響分析", "編集コメント"]
    assert all(p.clean_text() for p in impact.find_all("p"))

    # 10 images: the feed's own, lazy, with dimensions and alt text
    body = only(article.with_class("article__body"), "body")
    for img in body.find_all("img"):
        assert img.attrs["src"].startswith("https://"), img.attrs
        assert img.attrs.get("loading") == "lazy" and img.attrs.get("alt"), img.attrs
        assert img.attrs.get("width") and img.attrs.get("height"), img.attrs

    # 11 body and credit line; 12 原文を表示
    paragraphs = [p for p in body.find_all("p") if not p.attrs.get("class") and p.clean_text()]
    assert paragraphs, key
    credit = only(body.with_class("credit"), "credit line")
    source_name = article.with_class("byline__source")[0].clean_text()
    assert credit.clean_text().startswith(f"出典: {source_name}")
    assert credit.find("a").attrs["href"] == original
    raw = only(body.with_class("original"), "original details")
    assert raw.tag == "details" and raw.find("summary").clean_text() == "原文を表示"

    # 14 share links: plain links, no scripts
    canonical = page.find("link", rel="canonical").attrs["href"]
    share = only(article.with_class("share"), "share section")
    assert share.find("h2").clean_text() == "この記事をシェア"
    links = share.find_all("a")
    assert len(links) == 4
    for link, (service, host) in zip(links, SHARE_HOSTS.items(), strict=True):
        assert f"share__link--{service}" in link.attrs["class"]
        href = link.attrs["href"]
        assert urlsplit(href).scheme == "https" and urlsplit(href).hostname == host, href
        assert quote(canonical, safe="") in href or canonical.split("://", 1)[1] in href

    # 15 関連記事: 3-5 entries with source, stars, date, title, one line
    related = only(article.with_class("related"), "related section")
    assert related.find("h2").clean_text() == "関連記事"
    entries = related.with_class("compact")
    assert 3 <= len(entries) <= 5, (key, len(entries))
    for entry in entries:
        assert entry.with_class("card__source")[0].clean_text()
        assert re.fullmatch(r"[★☆]{5}", texts(entry.with_class("stars"))[0])
        assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", entry.find("time").clean_text())
        title = entry.with_class("compact__title")[0].find("a")
        assert title.clean_text() and site.file_for(title.attrs["href"]).is_file()
        assert texts(entry.with_class("compact__summary"))[0]

    # 16 back links
    footer = article.find("nav", aria_label="記事のナビゲーション").find_all("a")
    assert texts(footer) == ["ニュース一覧に戻る", "元記事を読む"]
    assert [a.attrs["href"] for a in footer] == ["/news/", original]
    assert page.find("footer").find_all("a", href="/about/")

    # not-yet-translated articles say so
    if article.with_class("notice"):
        assert "未翻訳" in texts(article.with_class("badge--untranslated"))
    return score_and_label


def test_every_article_page_has_every_element_of_the_reference(
    site: ServedSite, article_pages: dict[str, Node]
) -> None:
    # Given the demo site
    # When each article page is read top to bottom
    labels: dict[int, set[str]] = defaultdict(set)
    for key, page in article_pages.items():
        score, label = check_article_page(key, page, site)
        labels[score].add(label)
    # Then every importance level always carries the same label
    assert all(len(names) == 1 for names in labels.values()), dict(labels)


def test_the_demo_exercises_images_companies_and_untranslated_badges(
    article_pages: dict[str, Node],
) -> None:
    # The element checks above are only as good as the pages they saw
    assert any(page.find_all("img") for page in article_pages.values())
    assert any(page.with_class("entity--company") for page in article_pages.values())
    assert any(page.with_class("notice") for page in article_pages.values())


def test_importance_labels_are_the_same_on_every_page(pages: dict[str, Node]) -> None:
    labels: dict[str, set[str]] = defaultdict(set)
    for page in pages.values():
        for hidden in page.with_class("visually-hidden"):
            match = re.fullmatch(r"重要度 ([1-5])/5（(.+)）", hidden.clean_text())
            if match:
                labels[match.group(1)].add(match.group(2))
    assert labels and all(len(names) == 1 for names in labels.values()), dict(labels)


# --- links ----------------------------------------------------------------------------------


def test_every_navigation_link_resolves_to_a_file(site: ServedSite, pages: dict[str, Node]) -> None:
    for key, page in pages.items():
        for nav in page.find_all("nav"):
            for link in nav.find_all("a"):
                href = link.attrs["href"]
                if is_internal(site, href):
                    assert site.file_for(href).is_file(), (key, href)


def test_every_internal_link_on_every_page_resolves(
    site: ServedSite, pages: dict[str, Node]
) -> None:
    ids = {
        key: {n.attrs["id"] for n in page.iter() if "id" in n.attrs} for key, page in pages.items()
    }
    broken: list[tuple[str, str]] = []
    checked = 0
    for key, page in pages.items():
        for node in page.iter():
            for attr in ("href", "src"):
                href = node.attrs.get(attr)
                if href is None:
                    continue
                assert href.startswith(("/", "#", "https://", "http://")), (key, href)
                if href.startswith("#"):
                    if href[1:] not in ids[key]:
                        broken.append((key, href))
                    continue
                if not is_internal(site, href):
                    continue
                checked += 1
                target = site.file_for(href.removeprefix(site.base_url))
                if not target.is_file():
                    broken.append((key, href))
                    continue
                fragment = urlsplit(href).fragment
                if fragment:
                    target_key = str(target.relative_to(site.root))
                    if fragment not in ids.get(target_key, set()):
                        broken.append((key, href))
    assert not broken, broken[:20]
    assert checked > 1000


# --- page metadata --------------------------------------------------------------------------


def test_every_page_has_one_h1_lang_landmarks_canonical_and_ogp(
    site: ServedSite, pages: dict[str, Node]
) -> None:
    for key, page in pages.items():
        html = page.find("html")
        assert html.attrs.get("lang") == "ja", key
        assert len(page.find_all("h1")) == 1, key
        assert len(page.find_all("main")) == 1, key
        assert page.find_all("header", **{"class": "site-header"}), key
        assert page.find_all("footer"), key
        assert page.find_all("nav", aria_label="メインメニュー"), key
        assert page.find("title").clean_text().endswith(SITE_TITLE) or key == "index.html", key
        noindex = meta(page, name="robots") == "noindex"
        if noindex:
            assert key == "404.html", key
        else:
            canonical = page.find("link", rel="canonical").attrs["href"]
            assert canonical == page_url(site, key), (key, canonical)
            assert meta(page, property="og:url") == canonical, key
        for name in ("og:title", "og:description", "og:type", "og:site_name", "og:locale"):
            assert meta(page, property=name), (key, name)
        assert meta(page, name="twitter:card") in {"summary", "summary_large_image"}, key
        assert meta(page, name="description"), key


def test_headings_never_skip_a_level(pages: dict[str, Node]) -> None:
    for key, page in pages.items():
        levels = [int(n.tag[1]) for n in page.iter() if re.fullmatch(r"h[1-6]", n.tag)]
        assert levels and levels[0] == 1, (key, levels)
        for before, after in itertools.pairwise(levels):
            assert after <= before + 1, (key, levels)


def test_article_pages_carry_news_article_json_ld(
    site: ServedSite, article_pages: dict[str, Node]
) -> None:
    for key, page in article_pages.items():
        script = only(page.find_all("script", type="application/ld+json"), "JSON-LD")
        data = json.loads(script.text())
        assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
        assert data["headline"] == page.find("h1").clean_text(), key
        assert data["url"] == page_url(site, key) == data["mainEntityOfPage"]["@id"]
        published = page.find("p", **{"class": "byline"}).find("time").attrs["datetime"]
        assert datetime.fromisoformat(data["datePublished"]) == datetime.fromisoformat(published)
        datetime.fromisoformat(data["dateModified"])
        assert data["publisher"]["name"] == SITE_TITLE
        logo = data["publisher"]["logo"]["url"]
        assert site.file_for(logo.removeprefix(site.base_url)).is_file()


# --- feeds and sitemap ----------------------------------------------------------------------


def article_urls(site: ServedSite, article_pages: dict[str, Node]) -> set[str]:
    return {page_url(site, key) for key in article_pages}


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_rss_and_atom_parse_with_the_newest_articles(
    site: ServedSite, article_pages: dict[str, Node], name: str
) -> None:
    feed = feedparser.parse((site.root / name).read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == SITE_TITLE
    assert len(feed.entries) == min(FEED_SIZE, len(article_pages))
    links = [entry.link for entry in feed.entries]
    assert len(set(links)) == len(links)
    assert set(links) <= article_urls(site, article_pages)
    for entry in feed.entries:
        assert entry.title and entry.summary and entry.published_parsed


def test_every_tag_and_company_feed_parses(
    site: ServedSite, article_pages: dict[str, Node]
) -> None:
    feeds = sorted([*site.root.glob("tags/*/rss.xml"), *site.root.glob("companies/*/rss.xml")])
    assert len(feeds) >= 10
    urls = article_urls(site, article_pages)
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert 1 <= len(feed.entries) <= FEED_SIZE, path
        assert {entry.link for entry in feed.entries} <= urls, path


def test_json_feed_is_valid_json_feed_1_1(site: ServedSite, article_pages: dict[str, Node]) -> None:
    jsonschema.Draft202012Validator.check_schema(JSON_FEED_1_1)
    document = json.loads((site.root / "feed.json").read_text(encoding="utf-8"))
    jsonschema.validate(
        document,
        JSON_FEED_1_1,
        cls=jsonschema.Draft202012Validator,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    items = document["items"]
    assert len(items) == min(FEED_SIZE, len(article_pages))
    assert len({item["id"] for item in items}) == len(items)
    assert {item["url"] for item in items} <= article_urls(site, article_pages)
    for item in items:  # RFC 3339, whatever format checkers are installed
        for field in ("date_published", "date_modified"):
            assert datetime.fromisoformat(item[field]).tzinfo is not None
    assert document["feed_url"] == site.url("/feed.json")
    assert document["home_page_url"] == site.url("/")


def test_the_sitemap_lists_every_article_and_only_real_pages(
    site: ServedSite, pages: dict[str, Node], article_pages: dict[str, Node]
) -> None:
    urls = sitemap_urls(lambda key: (site.root / key).read_bytes(), site.base_url)
    assert len(set(urls)) == len(urls)
    assert article_urls(site, article_pages) <= set(urls)
    for url in urls:
        assert url.startswith(site.base_url + "/"), url
        assert site.file_for(url.removeprefix(site.base_url)).is_file(), url
    robots = (site.root / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {site.url('/sitemap.xml')}" in robots


def test_the_html_pages_are_all_in_the_sitemap_except_the_404(
    site: ServedSite, pages: dict[str, Node]
) -> None:
    listed = set(sitemap_urls(lambda key: (site.root / key).read_bytes(), site.base_url))
    missing = [key for key in pages if key != "404.html" and page_url(site, key) not in listed]
    assert not missing, missing


def test_the_site_needs_nothing_from_another_host(site: ServedSite, pages: dict[str, Node]) -> None:
    # Stylesheets, icons and scripts are all local; only article images come from elsewhere
    for key, page in pages.items():
        for link in page.find_all("link"):
            if link.attrs.get("rel") in {"stylesheet", "icon", "preload", "modulepreload"}:
                assert link.attrs["href"].startswith("/") and not link.attrs["href"].startswith(
                    "//"
                ), key
        for script in page.find_all("script"):
            if "src" in script.attrs:  # only first-party files, served from /assets/, and
                # Pagefind's UI from the site's own search bundle
                src = script.attrs["src"]
                assert re.fullmatch(r"/assets/[a-z]+\.[0-9a-f]{8}\.js", src) or (
                    key == "search/index.html"
                    and re.fullmatch(r"/search/archive/\d{4}-\d{2}-\d+/pagefind-ui\.js", src)
                ), (key, src)
                assert (site.root / script.attrs["src"].lstrip("/")).is_file(), key
        for img in page.find_all("img"):
            assert img.attrs.get("loading") == "lazy", (key, img.attrs)
    css = next(site.root.glob("assets/style.*.css")).read_text(encoding="utf-8")
    assert "@import" not in css and "url(http" not in css and "@font-face" not in css
