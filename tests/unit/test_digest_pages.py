"""The AI日報 and 週報 pages: archives, one page per report, RSS, and the honest empty day."""

from __future__ import annotations

from datetime import UTC, datetime

import feedparser
import pytest

from frontline.adapters.heuristic import HeuristicDigestWriter
from frontline.domain.digests import (
    Digest,
    DigestKind,
    DigestMessage,
    DigestOverview,
    DigestWriter,
    OverviewResult,
)
from frontline.domain.ports import SiteObject, Usage
from frontline.site import render_site
from tests.unit.test_digests import FakeDigests, FakePeriodArticles
from tests.unit.test_site_support import (
    NOW,
    SITE,
    by_key,
    parse_html,
    sitemap_urls,
    three_articles,
)

WRITTEN_AT = datetime(2026, 4, 8, 22, 0, tzinfo=UTC)
LLM_OVERVIEW = DigestOverview(
    overview=(
        "4月7日はモデルの公開と開発者向けツールの話題が中心だった。"
        "新しいオープンウェイトモデルは単一GPUで動く点が注目を集めた。"
        "ローカルLLMの速度を測る小さなツールも開発者の関心を呼んだ。"
    ),
    highlights=(
        "単一GPUで動く蒸留モデルが公開された。",
        "ローカルLLMの性能を手元で測る動きが広がっている。",
        "生成AIの利用環境が個人の手元に近づいている。",
    ),
)


class LlmLike:
    name = "bedrock"
    model_id = "test-model"

    def write(self, request) -> OverviewResult:
        return OverviewResult(LLM_OVERVIEW, "bedrock", "llm", "test-model", Usage(900, 300))


def digests_for(articles) -> list[Digest]:
    store = FakeDigests()
    source = FakePeriodArticles(articles)
    llm = DigestWriter(source, store, LlmLike())
    extractive = DigestWriter(source, store, HeuristicDigestWriter())
    llm.process(DigestMessage(kind=DigestKind.DAILY, period="2026-04-07"), now=WRITTEN_AT)
    for day in ("2026-04-05", "2026-04-06", "2026-04-08"):
        extractive.process(DigestMessage(kind=DigestKind.DAILY, period=day), now=WRITTEN_AT)
    extractive.process(DigestMessage(kind=DigestKind.WEEKLY, period="2026-W15"), now=WRITTEN_AT)
    return store.list_all()


@pytest.fixture(scope="module")
def articles():
    return three_articles()


@pytest.fixture(scope="module")
def site(articles) -> dict[str, SiteObject]:
    return by_key(render_site(articles, SITE, now=NOW, digests=digests_for(articles)))


def main_of(site: dict[str, SiteObject], key: str):
    return parse_html(site[key].body).find("main")


def test_the_archive_lists_every_report_newest_first_and_links_its_feed(site) -> None:
    page = parse_html(site["daily/index.html"].body)
    titles = page.find("main").find_all("h2")

    assert [h.clean_text() for h in titles] == [
        "2026年4月8日（水）", "2026年4月7日（火）", "2026年4月6日（月）", "2026年4月5日（日）",
    ]  # fmt: skip
    assert [h.find("a").attrs["href"] for h in titles][:2] == [
        "/daily/2026-04-08/",
        "/daily/2026-04-07/",
    ]
    [alternate] = [
        link
        for link in page.find_all("link", rel="alternate")
        if link.attrs.get("href") == "/daily/rss.xml"
    ]
    assert alternate.attrs["type"] == "application/rss+xml"
    assert "この日の記事はありませんでした。" in page.find("main").clean_text()


def test_a_report_opens_with_the_overview_then_the_articles_by_category(site, articles) -> None:
    main = main_of(site, "daily/2026-04-07/index.html")
    text = main.clean_text()
    news, _video, community = articles  # community: 05:05 JST on the 8th, the next day

    assert main.find("h1").clean_text() == "2026年4月7日（火）"
    assert LLM_OVERVIEW.overview in text
    assert "自動抽出による要約です" not in text  # written by the model
    assert [
        li.clean_text()
        for li in main.find("section", **{"class": "report__highlights"}).find_all("li")
    ] == list(LLM_OVERVIEW.highlights)
    sections = [h.clean_text() for h in main.find_all("h2")]
    assert sections == ["概況", "この日の注目点", "ニュース（1件）"]
    links = [a.attrs["href"] for a in main.find_all("a")]
    assert news.path in links and community.path not in links
    assert "★★★★☆" in text
    assert "掲載記事1件のうち、重要度の高い1件" in text
    next_day = main_of(site, "daily/2026-04-08/index.html")
    assert [h.clean_text() for h in next_day.find_all("h2")][-1] == "ツール（1件）"


def test_an_extractive_overview_is_marked_as_such(site) -> None:
    text = main_of(site, "daily/2026-04-06/index.html").clean_text()

    assert "自動抽出による要約です" in text
    assert "編集部やAIによる解説ではありません" in text
    assert "自動抽出による要約です" in main_of(site, "daily/index.html").clean_text()


def test_a_day_without_articles_is_an_honest_empty_page(site) -> None:
    main = main_of(site, "daily/2026-04-05/index.html")

    assert main.find("h1").clean_text() == "2026年4月5日（日）"
    assert "この日の記事はありませんでした。" in main.clean_text()
    assert "概況" not in main.clean_text()


def test_reports_link_to_their_neighbours_and_the_archive(site) -> None:
    main = main_of(site, "daily/2026-04-07/index.html")
    pager = {a.clean_text(): a.attrs["href"] for a in main.find("nav").find_all("a")}

    assert pager == {
        "前のAI日報（2026年4月6日（月））": "/daily/2026-04-06/",
        "AI日報の一覧": "/daily/",
        "次のAI日報（2026年4月8日（水））": "/daily/2026-04-08/",
    }


def test_the_weekly_report_covers_the_iso_week(site, articles) -> None:
    main = main_of(site, "weekly/2026-W15/index.html")

    assert main.find("h1").clean_text() == "2026年4月6日〜12日の週"
    assert "重要度の高い記事" in main.clean_text()  # extractive: top articles, not themes
    assert "今週のテーマ" not in main.clean_text()
    assert all(
        article.path in [a.attrs["href"] for a in main.find_all("a")] for article in articles
    )
    archive = main_of(site, "weekly/index.html")
    assert [a.attrs["href"] for a in archive.find_all("a")][1] == "/weekly/2026-W15/"


def test_each_report_kind_has_an_rss_feed(site) -> None:
    feed = feedparser.parse(site["daily/rss.xml"].body)

    assert site["daily/rss.xml"].content_type == "application/rss+xml; charset=utf-8"
    assert feed.feed.title == "AI日報 | " + SITE.title
    assert [entry.link for entry in feed.entries] == [
        f"{SITE.base_url}/daily/2026-04-08/",
        f"{SITE.base_url}/daily/2026-04-07/",
        f"{SITE.base_url}/daily/2026-04-06/",
        f"{SITE.base_url}/daily/2026-04-05/",
    ]
    assert feed.entries[1].summary == LLM_OVERVIEW.overview
    assert feed.entries[2].summary.startswith("【自動抽出による要約です】")
    assert feedparser.parse(site["weekly/rss.xml"].body).entries[0].title.startswith("週報 ")


def test_the_report_pages_are_in_the_sitemap(site) -> None:
    sitemap = sitemap_urls(lambda key: site[key].body, SITE.base_url)

    assert f"{SITE.base_url}/daily/2026-04-07/" in sitemap
    assert f"{SITE.base_url}/weekly/2026-W15/" in sitemap


def test_the_same_digests_give_the_same_bytes(articles) -> None:
    digests = digests_for(articles)

    first = render_site(articles, SITE, now=NOW, digests=digests)
    again = render_site(articles, SITE, now=NOW, digests=list(reversed(digests)))

    assert [(o.key, o.body) for o in first] == [(o.key, o.body) for o in again]


def test_without_digests_the_archives_say_so_and_the_feeds_are_empty(articles) -> None:
    site = by_key(render_site(articles, SITE, now=NOW))

    assert "まだAI日報はありません。" in main_of(site, "daily/index.html").clean_text()
    assert "まだ週報はありません。" in main_of(site, "weekly/index.html").clean_text()
    assert feedparser.parse(site["daily/rss.xml"].body).entries == []
    assert not any(key.startswith("daily/2026") for key in site)


def test_a_hidden_article_drops_out_of_its_report(articles) -> None:
    news, video, community = articles
    digests = digests_for(articles)

    site = by_key(render_site([news, video], SITE, now=NOW, digests=digests))  # community gone

    main = main_of(site, "daily/2026-04-08/index.html")
    assert community.path not in [a.attrs["href"] for a in main.find_all("a")]
    # its extractive overview quoted the article's title: a note stands in its place
    assert [h.clean_text() for h in main.find_all("h2")] == ["概況"]
    assert community.analysis.title_ja not in main.clean_text()
    assert "掲載を取りやめました" in main.clean_text()


def test_a_report_whose_article_was_taken_down_drops_its_overview(articles) -> None:
    # Given the 7th's report, written while its one news article was public; then the
    # article is hidden
    from frontline.domain.models import ArticleStatus

    news, video, community = articles
    digests = digests_for(articles)
    hidden = news.model_copy(update={"status": ArticleStatus.HIDDEN})
    # When the site renders without it
    site = by_key(render_site([hidden, video, community], SITE, now=NOW, digests=digests))
    # Then the report neither shows nor quotes it: the overview (which may name it) gives way
    # to a note, in the page and in the feed
    text = main_of(site, "daily/2026-04-07/index.html").clean_text()
    assert LLM_OVERVIEW.overview not in text and news.analysis.title_ja not in text
    assert "掲載を取りやめました" in text
    feed = feedparser.parse(site["daily/rss.xml"].body)
    [entry] = [e for e in feed.entries if e.link.endswith("/daily/2026-04-07/")]
    assert "掲載を取りやめました" in entry.summary and LLM_OVERVIEW.overview not in entry.summary
