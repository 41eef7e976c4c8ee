"""The discovery pages: Hacker日報, 動画, AIツール, トレンド and 企業 (検索: test_site_search)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from frontline.domain.models import Article, Category, Entity, EntityKind, FeedKind
from frontline.domain.ports import SiteObject
from frontline.site import render_site
from tests.unit.test_site_support import (
    NOW,
    SITE,
    by_key,
    make_article,
    parse_html,
    three_articles,
)

HN = "https://news.ycombinator.com/item?id="


def story(n: int, published: datetime, points: int | None, comments: int = 10) -> Article:
    article = make_article(
        n,
        title_ja=f"話題のAIツール{n}",
        kind=FeedKind.COMMUNITY,
        feed_id="hn-ai",
        source_name="Hacker News",
        published=published,
    )
    item = article.item.model_copy(
        update={"points": points, "comment_count": comments, "discussion_url": f"{HN}{n}"}
    )
    return article.model_copy(update={"item": item})


def company_article(n: int, *names: str, days_ago: int = 0) -> Article:
    return make_article(
        n,
        entities=tuple(Entity(name=name, kind=EntityKind.COMPANY) for name in names),
        published=datetime(2026, 4, 20, 3, 0, tzinfo=UTC) - timedelta(days=days_ago),
    )


@pytest.fixture(scope="module")
def site() -> dict[str, SiteObject]:
    late = datetime(2026, 4, 7, 14, 59, tzinfo=UTC)  # 23:59 JST, April 7
    early = datetime(2026, 4, 7, 15, 1, tzinfo=UTC)  # 00:01 JST, April 8
    stories = [
        story(40, late, 120),
        story(41, early, 80),
        story(42, early, 300),
        story(43, early, None),
    ]
    companies = [
        company_article(50, "OpenAI", "Microsoft"),
        company_article(51, "OpenAI", "Microsoft", days_ago=1),
        company_article(52, "OpenAI", "Google", days_ago=3),
    ]
    return by_key(render_site([*three_articles(), *stories, *companies], SITE, now=NOW))


def main_of(site: dict[str, SiteObject], key: str):  # type: ignore[no-untyped-def]
    return parse_html(site[key].body).find("main")


# --- Hacker日報 -------------------------------------------------------------------------------


def test_hacker_days_split_at_midnight_jst_and_rank_by_points(site: dict[str, SiteObject]) -> None:
    # Then the 23:59 story and the 00:01 stories are on different JST days
    assert "hacker/2026-04-07/index.html" in site
    day = main_of(site, "hacker/2026-04-08/index.html")
    titles = [h.clean_text() for h in day.find_all("h2")]
    # ranked by points, a story without points last; the community story of three_articles()
    # (20:05 UTC = 05:05 JST on April 8) has no points either, and is newer, so it comes before
    assert titles[:2] == ["話題のAIツール42", "話題のAIツール41"]
    assert "話題のAIツール40" not in titles
    first = day.with_class("hn-story")[0]
    text = first.clean_text()
    assert "300ポイント" in text and "コメント10件" in text
    links = {a.clean_text().split("（")[0]: a.attrs["href"] for a in first.find_all("a")}
    assert links["元の記事"] == "https://hn-ai.example.com/news/42"
    assert links["Hacker Newsの議論"] == f"{HN}42"
    assert day.find("h1").clean_text() == "Hacker日報 2026年4月8日（水）"


def test_hacker_archive_is_newest_first_with_the_latest_day_on_top(
    site: dict[str, SiteObject],
) -> None:
    main = main_of(site, "hacker/index.html")
    assert main.find("h2").clean_text() == "最新：2026年4月8日（水）"
    days = [a.attrs["href"] for a in main.with_class("day-list")[0].find_all("a")]
    assert days == ["/hacker/2026-04-08/", "/hacker/2026-04-07/"]
    assert "ポイント" in main.with_class("hn-list")[0].clean_text()


def test_an_empty_site_is_honest_and_has_no_day_pages() -> None:
    site = by_key(render_site([], SITE, now=NOW))
    assert "まだ記事がありません" in main_of(site, "hacker/index.html").clean_text()
    assert not [key for key in site if re.match(r"hacker/\d{4}-", key)]
    for key in ("trends/index.html", "videos/index.html", "tools/index.html"):
        assert main_of(site, key).with_class("empty"), key
    assert json.loads(site["search/tiers.json"].body)["archive_cutoff"] is None
    # no index to search yet: the search page loads none of Pagefind's files
    assert json.loads(site["search/tiers.json"].body)["bundles"] == []
    assert b"pagefind" not in site["search/index.html"].body


# --- 動画 ---------------------------------------------------------------------------------


def test_videos_show_a_thumbnail_link_and_no_player_until_clicked(
    site: dict[str, SiteObject],
) -> None:
    page = parse_html(site["videos/index.html"].body)
    main = page.find("main")
    link = main.with_class("video__play")[0]
    assert link.attrs["href"] == "https://www.youtube.com/watch?v=abcDEF12345"
    assert link.attrs["data-video-id"] == "abcDEF12345"
    img = link.find("img")
    assert img.attrs["src"] == "https://i.ytimg.com/vi/abcDEF12345/hqdefault.jpg"
    assert (img.attrs["loading"], img.attrs["width"], img.attrs["height"]) == ("lazy", "480", "360")
    assert img.attrs["alt"]
    assert not page.find_all("iframe")
    assert "Google DeepMind (YouTube)" in main.clean_text()
    assert "2026年4月6日" in main.clean_text()
    scripts = [s.attrs["src"] for s in page.find_all("script") if "src" in s.attrs]
    assert len(scripts) == 1 and re.fullmatch(r"/assets/video\.[0-9a-f]{8}\.js", scripts[0])
    assert scripts[0].lstrip("/") in site
    assert b"youtube-nocookie.com/embed/" in site[scripts[0].lstrip("/")].body


# --- AIツール ------------------------------------------------------------------------------


def test_tools_lists_tool_articles_with_their_own_link(site: dict[str, SiteObject]) -> None:
    main = main_of(site, "tools/index.html")
    tools = main.with_class("tool")
    assert len(tools) == 1
    assert tools[0].find("h2").clean_text() == "Show HN: A tiny CLI to benchmark local LLMs"
    link = tools[0].with_class("tool__link")[0].find("a")
    assert link.attrs["href"] == "https://hacker-news.example.com/news/3"
    assert link.clean_text().startswith("hacker-news.example.comで見る")
    assert "Hacker News" in tools[0].clean_text()


def test_tools_are_newest_first() -> None:
    older = make_article(1, category=Category.TOOL, title_ja="古いツール")
    newer = make_article(2, category=Category.TOOL, title_ja="新しいツール")
    site = by_key(render_site([older, newer], SITE, now=NOW))
    titles = [h.clean_text() for h in main_of(site, "tools/index.html").find_all("h2")]
    assert titles == ["新しいツール", "古いツール"]


# --- トレンド -----------------------------------------------------------------------------


def test_trend_charts_are_accessible_scalable_svg(site: dict[str, SiteObject]) -> None:
    main = main_of(site, "trends/index.html")
    charts = main.find_all("svg")
    assert len(charts) >= 3
    for svg in charts:
        assert svg.attrs["role"] == "img"
        assert re.fullmatch(r"0 0 \d+ \d+", svg.attrs["viewbox"])
        assert "width" not in svg.attrs and "height" not in svg.attrs and "style" not in svg.attrs
        title, desc = svg.find("title"), svg.find("desc")
        assert re.search(r"[ぁ-んァ-ン一-龥]", title.text() + desc.text())
        assert svg.attrs["aria-labelledby"] == f"{title.attrs['id']} {desc.attrs['id']}"
    ids = [node.attrs["id"] for node in main.iter() if "id" in node.attrs]
    assert len(ids) == len(set(ids))
    headings = [h.clean_text() for h in main.find_all("h2")]
    assert "直近7日間で伸びているタグ" in headings and "直近30日間で伸びている企業" in headings


def test_trend_rows_show_counts_and_growth(site: dict[str, SiteObject]) -> None:
    main = main_of(site, "trends/index.html")
    section = main.find("section", **{"aria-labelledby": "trend-companies-7"})
    rows = [row.clean_text() for row in section.with_class("trend-row")]
    # newest article April 20 JST: OpenAI three times this week, never before
    assert rows[0] == "OpenAI 3件 0件 新登場"


# --- 企業 ---------------------------------------------------------------------------------


def test_companies_index_has_counts_and_a_sparkline_each(site: dict[str, SiteObject]) -> None:
    main = main_of(site, "companies/index.html")
    rows = main.with_class("spark-row")
    names = [row.find("a").clean_text() for row in rows]
    assert names[:2] == ["Mistral AI5件", "OpenAI3件"]  # most articles first
    assert all(row.find("svg").attrs["role"] == "img" for row in rows)


def test_company_page_has_its_trend_and_co_occurring_companies(
    site: dict[str, SiteObject],
) -> None:
    main = main_of(site, "companies/openai/index.html")
    assert main.find("svg").attrs["role"] == "img"
    partners = [a.clean_text() for a in main.with_class("tags--cloud")[0].find_all("a")]
    assert partners == ["Microsoft2件", "Google1件"]
    assert "companies/openai/rss.xml" in site
    assert len(main.with_class("card")) == 3
