"""The story on the site: the lead's article page lists every source (「n件のソース」) and
the update log, cards show the source count, the JSON API carries the sources, and every
list shows the story once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from frontline.domain.models import Article, StorySource, StoryUpdate
from frontline.domain.ports import SiteObject
from frontline.site import render_site
from frontline.site.paths import key_for
from tests.unit.test_site_support import NOW, SITE, Node, by_key, parse_html, three_articles

UPDATED_AT = datetime(2026, 4, 8, 1, 5, tzinfo=UTC)  # 10:05 JST


@pytest.fixture(scope="module")
def story() -> Article:
    lead = three_articles()[0]
    sources = (
        StorySource(
            item_id="a" * 32,
            feed_id="startup-beat",
            outlet="Startup Beat",
            url="https://startup-beat.example/news/1",
            title="Lab's model ships with open weights",
            published=lead.published + timedelta(hours=3),
            content_hash="b" * 64,
        ),
        StorySource(
            item_id="c" * 32,
            feed_id="robot-report",
            outlet="Robot Report",
            url="https://robot-report.example/2",
            title="Open weights <b>model</b> & more",
            published=lead.published + timedelta(hours=1),
            content_hash="d" * 64,
        ),
    )
    update = StoryUpdate(
        at=UPDATED_AT,
        item_id="a" * 32,
        outlet="Startup Beat",
        url="https://startup-beat.example/news/1",
        facts=("$6 billion", "NVIDIA"),
    )
    return lead.model_copy(update={"sources": sources, "updates": (update,)})


@pytest.fixture(scope="module")
def site(story: Article) -> dict[str, SiteObject]:
    return by_key(render_site([story, *three_articles()[1:]], SITE, now=NOW))


@pytest.fixture(scope="module")
def page(site: dict[str, SiteObject], story: Article) -> Node:
    return parse_html(site[key_for(story.path)].body)


def test_the_story_page_lists_every_source_with_outlet_time_and_link(page: Node) -> None:
    section = page.with_class("story-sources")[0]
    assert section.find("h2").clean_text() == "3件のソース"
    rows = section.find("ol").find_all("li")
    assert [row.with_class("story-sources__outlet")[0].clean_text() for row in rows] == [
        "AI Wire",
        "Robot Report",
        "Startup Beat",
    ]  # the lead first, then by time
    assert rows[0].with_class("badge--lead")[0].clean_text() == "元記事"
    assert rows[1].find("a").attrs["href"] == "https://robot-report.example/2"
    assert rows[1].find("a").clean_text() == "Open weights <b>model</b> & more"  # escaped text
    assert rows[2].find("time").clean_text() == "2026年4月7日 23:43"


def test_the_update_log_says_when_and_what_changed(page: Node) -> None:
    [entry] = page.with_class("story-updates")[0].find_all("li")
    assert entry.clean_text() == (
        "更新 2026年4月8日 10:05 Startup Beatの報道を受けて再分析しました"
        "（新たな情報: $6 billion、NVIDIA）。"
    )
    byline = page.with_class("byline")[0].clean_text()
    assert byline.endswith("更新 2026年4月8日 10:05")


def test_the_outlet_count_stands_beside_the_unchanged_importance(
    page: Node, story: Article
) -> None:
    overall = page.with_class("overall")[0]
    assert overall.with_class("overall__score")[0].clean_text() == str(story.importance)
    assert overall.with_class("overall__outlets")[0].clean_text() == "3媒体が報道"


def test_cards_show_the_source_count_and_lists_show_the_story_once(
    site: dict[str, SiteObject], story: Article
) -> None:
    home = parse_html(site["index.html"].body)
    cards = [c for c in home.with_class("card") if story.analysis.title_ja in c.clean_text()]
    assert len(cards) == 1
    assert cards[0].with_class("badge--sources")[0].clean_text() == "3件のソース"
    assert cards[0].with_class("badge--updated")[0].clean_text() == "更新"


def test_the_json_api_exposes_the_sources(site: dict[str, SiteObject], story: Article) -> None:
    document = json.loads(site[f"api/v1/articles/{story.id}.json"].body)
    assert [s["outlet"] for s in document["sources"]] == ["Startup Beat", "Robot Report"]
    assert document["updates"][0]["facts"] == ["$6 billion", "NVIDIA"]
    schema = json.loads(site["api/v1/schema/article.json"].body)
    assert "sources" in schema["properties"] and "updates" in schema["properties"]
