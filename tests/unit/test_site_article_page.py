"""The article page, element by element as on the reference site (reference/article-page.md)."""

from __future__ import annotations

import itertools
import json
import re

import pytest

from frontline.domain.listing_order import listing_key
from frontline.domain.models import Article, ArticleStatus
from frontline.domain.ports import SiteObject
from frontline.site import render_site
from frontline.site.paths import href_for, key_for
from tests.unit.test_site_support import (
    NOW,
    SITE,
    Node,
    by_key,
    make_article,
    parse_html,
    three_articles,
)


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    return three_articles()


@pytest.fixture(scope="module")
def site(articles: list[Article]) -> dict[str, SiteObject]:
    return by_key(render_site(articles, SITE, now=NOW))


def page_of(site: dict[str, SiteObject], article: Article) -> Node:
    return parse_html(site[key_for(article.path)].body)


@pytest.fixture(scope="module")
def news_page(site: dict[str, SiteObject], articles: list[Article]) -> Node:
    return page_of(site, articles[0])


def _links(node: Node) -> dict[str, str]:
    return {a.clean_text(): a.attrs.get("href", "") for a in node.find_all("a")}


def test_breadcrumb_links_to_the_list_and_the_source(
    news_page: Node, articles: list[Article]
) -> None:
    crumb = news_page.find("nav", aria_label="パンくずリスト")
    assert _links(crumb) == {"ニュース一覧": "/news/", "元記事を開く": articles[0].item.url}


def test_byline_shows_source_jst_time_and_read_time(news_page: Node) -> None:
    byline = news_page.with_class("byline")[0]
    text = byline.clean_text()
    assert text.startswith("AI Wire")
    assert "2026年4月7日 20:43" in text  # 11:43 UTC
    assert re.search(r"約\d+分で読める", text)
    assert byline.find("time").attrs["datetime"] == "2026-04-07T20:43:00+09:00"


def test_one_h1_with_the_japanese_title_and_the_english_title_small(
    news_page: Node, articles: list[Article]
) -> None:
    h1s = news_page.find_all("h1")
    assert [h.clean_text() for h in h1s] == [articles[0].analysis.title_ja]
    original = news_page.with_class("article__original-title")[0]
    assert articles[0].item.title in original.clean_text()
    assert original.find("span", lang="en")


def test_headings_are_in_order(site: dict[str, SiteObject]) -> None:
    for key, obj in site.items():
        if not key.endswith(".html"):
            continue
        levels = [
            int(node.tag[1])
            for node in parse_html(obj.body).iter()
            if re.fullmatch(r"h[1-6]", node.tag)
        ]
        assert levels.count(1) == 1, key
        assert levels[0] == 1, key
        for before, after in itertools.pairwise(levels):
            assert after <= before + 1, f"{key}: h{before} then h{after}"


def test_tags_link_to_tag_pages_and_companies_to_company_pages(
    news_page: Node, site: dict[str, SiteObject]
) -> None:
    header = news_page.with_class("article__header")[0]
    tags = _links(header.with_class("tags")[0])
    assert tags == {
        "#生成AI": href_for("/tags/生成ai/"),
        "#オープンウェイト": href_for("/tags/オープンウェイト/"),
        "#推論モデル": href_for("/tags/推論モデル/"),
    }
    entities = _links(header.with_class("entities")[0])
    assert entities == {"Mistral AI": "/companies/mistral-ai/"}
    assert "companies/mistral-ai/index.html" in site


def test_tldr(news_page: Node, articles: list[Article]) -> None:
    tldr = news_page.with_class("tldr")[0]
    assert tldr.find("h2").clean_text() == "TL;DR"
    assert articles[0].analysis.tldr in tldr.clean_text()


def test_deep_analysis_shows_the_computed_score_and_four_weighted_bars(news_page: Node) -> None:
    section = news_page.with_class("analysis")[0]
    assert section.find("h2").clean_text() == "AI深層分析"
    assert section.find("time").clean_text() == "2026年4月7日 20:51"
    overall = section.with_class("overall")[0]
    assert overall.with_class("overall__score")[0].clean_text() == "4"  # 4,5,3,2 -> 3.9 -> 4
    assert overall.with_class("overall__label")[0].clean_text() == "重要"
    assert "5段階" in overall.clean_text()
    bars = [node for node in section.iter() if node.attrs.get("role") == "img"]
    assert [bar.attrs["aria-label"] for bar in bars] == [
        "深度 4/5",
        "関連度 5/5",
        "実用性 3/5",
        "革新性 2/5",
    ]
    rows = section.with_class("subscore")
    assert [row.with_class("subscore__weight")[0].clean_text() for row in rows] == [
        "40%",
        "30%",
        "20%",
        "10%",
    ]
    assert [row.with_class("subscore__value")[0].clean_text() for row in rows] == [
        "4",
        "5",
        "3",
        "2",
    ]
    assert (
        rows[0].with_class("subscore__reason")[0].clean_text()
        == "学習手法と評価方法が具体的に説明されている"
    )


def test_key_points_are_a_numbered_list_of_titles_and_bodies(
    news_page: Node, articles: list[Article]
) -> None:
    section = news_page.with_class("key-points")[0]
    assert section.find("h2").clean_text() == "キーポイント"
    items = section.find("ol").find_all("li")
    assert len(items) == len(articles[0].analysis.key_points) == 4
    for item, point in zip(items, articles[0].analysis.key_points, strict=True):
        assert item.find("h3").clean_text() == point.title
        assert item.find("p").clean_text() == point.body


def test_impact_and_editorial_comment_sit_in_a_details_toggle(
    news_page: Node, articles: list[Article]
) -> None:
    details = next(d for d in news_page.find_all("details") if "impact" in d.attrs.get("class", ""))
    assert details.find("summary").clean_text() == "影響分析・編集コメントを表示"
    assert [h.clean_text() for h in details.find_all("h3")] == ["影響分析", "編集コメント"]
    assert articles[0].analysis.impact in details.clean_text()
    assert articles[0].analysis.editorial_comment in details.clean_text()


def test_images_come_from_the_feed_media_lazy_with_size_and_alt(news_page: Node) -> None:
    images = news_page.with_class("article__body")[0].find_all("img")
    assert len(images) == 1
    image = images[0].attrs
    assert image["src"] == "https://ai-wire.example.com/images/model.png"
    assert image["loading"] == "lazy"
    assert (image["width"], image["height"]) == ("1200", "630")
    assert image["alt"] == "新モデルの性能比較グラフ"


def test_body_paragraphs_credit_excerpt_note_and_original(
    news_page: Node, articles: list[Article]
) -> None:
    body = news_page.with_class("article__body")[0]
    paragraphs = [p.clean_text() for p in body.find_all("p")]
    assert "Mistral AIは新しい推論モデルを公開した。" in paragraphs
    credit = body.with_class("credit")[0]
    assert credit.clean_text() == "出典: AI Wire — 原文（英語）はこちら"
    assert credit.find("a").attrs["href"] == articles[0].item.url
    assert "抜粋" in body.with_class("article__excerpt-note")[0].clean_text()
    original = next(d for d in body.find_all("details") if "original" in d.attrs.get("class", ""))
    assert original.find("summary").clean_text() == "原文を表示"
    assert "released a reasoning model" in original.clean_text()


def test_four_plain_share_links(news_page: Node, articles: list[Article]) -> None:
    share = news_page.with_class("share")[0]
    assert share.find("h2").clean_text() == "この記事をシェア"
    hrefs = [a.attrs["href"] for a in share.find_all("a")]
    assert [href.split("/")[2] for href in hrefs] == [
        "x.com",
        "b.hatena.ne.jp",
        "social-plugins.line.me",
        "www.facebook.com",
    ]
    assert hrefs[0].startswith(
        "https://x.com/intent/post?url=https%3A%2F%2Fnews.example.jp%2Farticles%2F"
    )
    assert hrefs[1] == "https://b.hatena.ne.jp/entry/s/news.example.jp" + articles[0].path


def test_related_articles_share_tags_or_entities(
    site: dict[str, SiteObject], articles: list[Article]
) -> None:
    # related articles are earlier arrivals: the newest of the three has both others
    newest = max(articles, key=listing_key)
    related = page_of(site, newest).with_class("related")[0]
    assert related.find("h2").clean_text() == "関連記事"
    entries = related.with_class("compact")
    assert len(entries) == 2  # only two other articles exist in this site
    titles = [entry.find("h3").clean_text() for entry in entries]
    assert newest.analysis.title_ja not in titles
    assert set(titles) == {a.analysis.title_ja for a in articles if a is not newest}
    first = entries[0]
    assert first.with_class("stars")[0].clean_text() in {"★★★☆☆", "★★★★☆"}
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", first.find("time").clean_text())
    assert first.with_class("compact__summary")[0].clean_text()


def test_related_prefers_stronger_overlap_then_importance() -> None:
    target = make_article(
        9, tags=("生成AI", "半導体", "NVIDIA")
    )  # the newest: the others came before
    strong = make_article(2, tags=("生成AI", "半導体", "エッジAI"), scores=(2, 2, 2, 2))
    weak_important = make_article(
        3, tags=("生成AI", "規制", "EU"), entities=(), scores=(5, 5, 5, 5)
    )
    weak = make_article(4, tags=("生成AI", "規制", "米国"), entities=(), scores=(1, 1, 1, 1))
    unrelated = make_article(5, tags=("ロボット", "規制", "米国"), entities=())
    site = by_key(render_site([target, strong, weak_important, weak, unrelated], SITE, now=NOW))
    related = page_of(site, target).with_class("related")[0]
    titles = [h.clean_text() for h in related.find_all("h3")]
    # strong shares two tags and the company; the others share one tag each
    assert titles == [a.analysis.title_ja for a in (strong, weak_important, weak)]


def test_footer_navigation(news_page: Node, articles: list[Article]) -> None:
    nav = news_page.find("nav", aria_label="記事のナビゲーション")
    assert _links(nav) == {"ニュース一覧に戻る": "/news/", "元記事を読む": articles[0].item.url}


def test_layout_landmarks_and_skip_link(news_page: Node) -> None:
    html = news_page.find("html")
    assert html.attrs["lang"] == "ja"
    skip = news_page.find("a")
    assert skip.attrs["href"] == "#main" and "スキップ" in skip.clean_text()
    assert news_page.find("main").attrs["id"] == "main"
    assert news_page.find("header", **{"class": "site-header"})
    assert news_page.find("footer")
    nav = news_page.find("nav", aria_label="メインメニュー")
    labels = [a.clean_text() for a in nav.find_all("a")]
    assert labels == [
        "最新ニュース", "AI日報", "Hacker日報", "週報", "動画", "AIツール", "トレンド", "企業", "検索", "RSS",
    ]  # fmt: skip
    footer = news_page.find("footer")
    assert "© AIニュース最前線" in footer.clean_text()
    assert _links(footer)["このサイトについて"] == "/about/"


def test_meta_canonical_ogp_twitter_and_alternate(news_page: Node, articles: list[Article]) -> None:
    url = "https://news.example.jp" + articles[0].path
    head = news_page.find("head")
    assert head.find("link", rel="canonical").attrs["href"] == url
    meta = {
        m.attrs.get("property") or m.attrs.get("name"): m.attrs["content"]
        for m in head.find_all("meta")
        if "content" in m.attrs
    }
    assert meta["og:title"] == articles[0].analysis.title_ja
    assert meta["og:description"] == articles[0].analysis.tldr
    assert meta["og:url"] == url
    assert meta["og:type"] == "article"
    assert meta["og:site_name"] == "AIニュース最前線"
    assert meta["og:locale"] == "ja_JP"
    assert meta["og:image"] == "https://ai-wire.example.com/images/model.png"
    assert meta["twitter:card"] == "summary_large_image"
    assert (
        head.find("link", rel="alternate", type="application/rss+xml").attrs["href"] == "/rss.xml"
    )


def test_news_article_json_ld(news_page: Node, articles: list[Article]) -> None:
    scripts = news_page.find_all("script")
    assert [s.attrs.get("type") for s in scripts] == ["application/ld+json"]
    data = json.loads(scripts[0].text())
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == articles[0].analysis.title_ja
    assert data["datePublished"] == "2026-04-07T20:43:00+09:00"
    assert data["inLanguage"] == "ja"
    assert data["isBasedOn"] == articles[0].item.url
    assert data["image"] == ["https://ai-wire.example.com/images/model.png"]


def test_untranslated_article_is_badged_and_explained(
    site: dict[str, SiteObject], articles: list[Article]
) -> None:
    page = page_of(site, articles[2])
    notice = page.with_class("notice")[0]
    assert "この記事はまだ翻訳されていません（自動抽出による要約です）" in notice.clean_text()
    assert "未翻訳" in notice.clean_text()
    # an English extract is marked as English, and the title is not repeated as "original"
    assert page.find("h1").attrs.get("lang") == "en"
    assert not page.with_class("article__original-title")


def test_degraded_article_is_badged_too() -> None:
    degraded = make_article(5, status=ArticleStatus.DEGRADED)
    page = parse_html(by_key(render_site([degraded], SITE, now=NOW))[key_for(degraded.path)].body)
    notice = page.with_class("notice")[0].clean_text()
    assert "未翻訳" in notice and "自動抽出による要約" in notice


def test_translated_article_has_no_notice(news_page: Node) -> None:
    assert not news_page.with_class("notice")
    assert not news_page.with_class("article__header")[0].with_class("badge--untranslated")


def test_video_article_links_to_the_video(
    site: dict[str, SiteObject], articles: list[Article]
) -> None:
    page = page_of(site, articles[1])
    link = page.with_class("article__video")[0].find("a")
    assert link.attrs["href"] == "https://www.youtube.com/watch?v=abcDEF12345"


def test_full_translation_has_no_excerpt_note() -> None:
    from frontline.domain.models import ContentPolicy

    article = make_article(6, content_policy=ContentPolicy.FULL)
    page = parse_html(by_key(render_site([article], SITE, now=NOW))[key_for(article.path)].body)
    assert not page.with_class("article__excerpt-note")


def test_original_falls_back_to_the_summary_as_text() -> None:
    article = make_article(7, content_html="", summary="Plain <b>summary</b> text.")
    body = by_key(render_site([article], SITE, now=NOW))[key_for(article.path)].body.decode()
    assert "Plain &lt;b&gt;summary&lt;/b&gt; text." in body
