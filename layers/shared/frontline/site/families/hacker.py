"""Hacker日報: AI stories from Hacker News by JST day, ranked by points; one page per day."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from frontline.domain.models import Article, ArticleChange, FeedKind
from frontline.domain.ports import SiteObject
from frontline.domain.trends import jst_day
from frontline.site.families.base import SiteContext, versions
from frontline.site.formatting import (
    format_jst,
    format_jst_date,
    format_jst_day_heading,
    iso_jst,
    jst_midnight,
)
from frontline.site.sanitise import is_http_url
from frontline.site.views import Link, PageMeta, is_untranslated, lang_of, summary_line

INDEX_PATH: Final = "/hacker/"
HACKER_ARCHIVE_DAYS: Final = 60


@dataclass(frozen=True)
class StoryView:
    rank: int
    title: str
    title_lang: str | None
    path: str  # our article page
    url: str  # the story itself
    discussion_url: str | None
    points: int | None
    comments: int | None
    summary: str  # empty when it would only repeat the title
    untranslated: bool
    time_iso: str
    time_label: str


def _story_rank(article: Article) -> tuple[int, int, float, str]:
    item = article.item
    return (-(item.points or 0), -(item.comment_count or 0), -item.published.timestamp(), item.id)


def hacker_days(articles: Sequence[Article]) -> dict[date, list[Article]]:
    """Community stories by JST day (newest day first), each day ranked by points."""
    by_day: dict[date, list[Article]] = defaultdict(list)
    for article in articles:
        if article.item.kind is FeedKind.COMMUNITY:
            by_day[jst_day(article.published)].append(article)
    return {day: sorted(by_day[day], key=_story_rank) for day in sorted(by_day, reverse=True)}


def hacker_day_path(day: date) -> str:
    return f"/hacker/{day.isoformat()}/"


def _days(ctx: SiteContext) -> dict[date, list[Article]]:
    return ctx.memo("hacker:days", lambda: hacker_days(ctx.catalogue.articles))


def _day_heading(day: date) -> str:
    return format_jst_day_heading(jst_midnight(day))


def _story_summary(article: Article) -> str:
    line = summary_line(article.analysis.tldr)
    title = article.analysis.title_ja.strip().rstrip(".。")
    return "" if line.strip().rstrip(".。") == title else line


def _stories(articles: Sequence[Article]) -> tuple[StoryView, ...]:
    views = []
    for rank, article in enumerate(articles, start=1):
        item = article.item
        discussion = item.discussion_url if item.discussion_url else None
        views.append(
            StoryView(
                rank=rank,
                title=article.analysis.title_ja,
                title_lang=lang_of(article.analysis.title_ja),
                path=article.path,
                url=item.url,
                discussion_url=discussion if discussion and is_http_url(discussion) else None,
                points=item.points,
                comments=item.comment_count,
                summary=_story_summary(article),
                untranslated=is_untranslated(article),
                time_iso=iso_jst(article.published),
                time_label=format_jst(article.published),
            )
        )
    return tuple(views)


def _index(ctx: SiteContext) -> SiteObject:
    days = _days(ctx)
    latest_day = next(iter(days), None)
    archive = [
        Link(f"{_day_heading(day)}（{len(stories)}件）", hacker_day_path(day))
        for day, stories in list(days.items())[:HACKER_ARCHIVE_DAYS]
    ]
    page = PageMeta(
        title="Hacker日報",
        description="Hacker Newsで話題になったAI関連の記事を、日ごとにポイント順でまとめています。",
        path=INDEX_PATH,
        nav="hacker",
    )
    lead = (
        "Hacker日報は、Hacker Newsで話題になったAI関連の記事を日本時間の1日ごとにまとめ、"
        "ポイント（投票数）の多い順に並べたものです。",
        "各記事の日本語タイトルと要約、元の記事とHacker Newsの議論へのリンクを掲載しています。",
    )
    return ctx.html(
        "hacker.html",
        page,
        heading="Hacker日報",
        lead=lead,
        day_heading=_day_heading(latest_day) if latest_day else None,
        day_path=hacker_day_path(latest_day) if latest_day else None,
        stories=_stories(days[latest_day]) if latest_day else (),
        archive=archive,
        pager=(),
        story_level=3,
    )


def _day_page(ctx: SiteContext, day: date) -> SiteObject:
    days = _days(ctx)
    ordered = list(days)
    i = ordered.index(day)
    heading = _day_heading(day)
    pager = []
    if i > 0:
        pager.append(
            Link(f"次の日（{_day_heading(ordered[i - 1])}）", hacker_day_path(ordered[i - 1]))
        )
    if i + 1 < len(ordered):
        pager.append(
            Link(f"前の日（{_day_heading(ordered[i + 1])}）", hacker_day_path(ordered[i + 1]))
        )
    pager.append(Link("Hacker日報の一覧へ", INDEX_PATH))
    page = PageMeta(
        title=f"Hacker日報 {format_jst_date(jst_midnight(day))}",
        description=f"{heading}にHacker Newsで話題になったAI関連の記事（{len(days[day])}件）。",
        path=hacker_day_path(day),
        nav="hacker",
    )
    return ctx.html(
        "hacker.html",
        page,
        heading=f"Hacker日報 {heading}",
        lead=(
            f"{heading}（日本時間）にHacker Newsで話題になったAI関連の記事"
            f"{len(days[day])}件を、ポイントの多い順に掲載しています。",
        ),
        day_heading=None,
        day_path=None,
        stories=_stories(days[day]),
        archive=(),
        pager=pager,
        story_level=2,
    )


class HackerFamily:
    name = "hacker"

    def paths(self, ctx: SiteContext) -> list[str]:
        return [INDEX_PATH, *(hacker_day_path(day) for day in _days(ctx))]

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        days = {
            hacker_day_path(jst_day(version.published))
            for version in versions(changes)
            if version.item.kind is FeedKind.COMMUNITY
        }  # a day whose only story was hidden is gone
        return [*self.paths(ctx), *sorted(days)]

    def render(self, path: str, ctx: SiteContext) -> SiteObject:
        if path == INDEX_PATH:
            return _index(ctx)
        return _day_page(ctx, date.fromisoformat(path.removeprefix(INDEX_PATH).strip("/")))
