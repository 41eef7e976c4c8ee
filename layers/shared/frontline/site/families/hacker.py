"""Hacker日報: AI stories from Hacker News by JST day, ranked by points; one page per day."""

from __future__ import annotations

from collections import Counter
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
from frontline.site.slices import COMMUNITY_DAY_KEY, hacker_day_key
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


def ranked_stories(articles: Sequence[Article]) -> list[Article]:
    """One day's community stories, most points first."""
    return sorted((a for a in articles if a.item.kind is FeedKind.COMMUNITY), key=_story_rank)


def hacker_day_path(day: date) -> str:
    return f"/hacker/{day.isoformat()}/"


DAY_STORIES: Final = 500  # more than any day has: a day page lists all its stories


def _stories_of(ctx: SiteContext, day: date) -> list[Article]:
    return ctx.memo(
        f"hacker:{day}", lambda: ranked_stories(ctx.newest_in(hacker_day_key(day), DAY_STORIES))
    )


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
    days = ctx.slices.days_before(COMMUNITY_DAY_KEY, None, HACKER_ARCHIVE_DAYS)
    latest_day = days[0].day if days else None
    archive = [
        Link(f"{_day_heading(d.day)}（{d.counts[COMMUNITY_DAY_KEY]}件）", hacker_day_path(d.day))
        for d in days
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
        stories=_stories(_stories_of(ctx, latest_day)) if latest_day else (),
        archive=archive,
        pager=(),
        story_level=3,
    )


def _day_page(ctx: SiteContext, day: date) -> SiteObject | None:
    stories = _stories_of(ctx, day)
    if not stories:
        return None
    heading = _day_heading(day)
    pager = []
    for newer in ctx.slices.days_after(COMMUNITY_DAY_KEY, day, 1):
        pager.append(Link(f"次の日（{_day_heading(newer.day)}）", hacker_day_path(newer.day)))
    for older in ctx.slices.days_before(COMMUNITY_DAY_KEY, day, 1):
        pager.append(Link(f"前の日（{_day_heading(older.day)}）", hacker_day_path(older.day)))
    pager.append(Link("Hacker日報の一覧へ", INDEX_PATH))
    page = PageMeta(
        title=f"Hacker日報 {format_jst_date(jst_midnight(day))}",
        description=f"{heading}にHacker Newsで話題になったAI関連の記事（{len(stories)}件）。",
        path=hacker_day_path(day),
        nav="hacker",
    )
    return ctx.html(
        "hacker.html",
        page,
        heading=f"Hacker日報 {heading}",
        lead=(
            f"{heading}（日本時間）にHacker Newsで話題になったAI関連の記事"
            f"{len(stories)}件を、ポイントの多い順に掲載しています。",
        ),
        day_heading=None,
        day_path=None,
        stories=_stories(stories),
        archive=(),
        pager=pager,
        story_level=2,
    )


def _day_of(path: str) -> date | None:
    rest = path.removeprefix(INDEX_PATH)
    if rest == path or not rest.endswith("/") or rest.count("/") != 1:
        return None
    try:
        return date.fromisoformat(rest.strip("/"))
    except ValueError:
        return None


class HackerFamily:
    name = "hacker"

    def paths(self, ctx: SiteContext) -> list[str]:
        days = ctx.slices.days_before(COMMUNITY_DAY_KEY, None, ctx.count() + 1)
        return [INDEX_PATH, *(hacker_day_path(d.day) for d in days)]

    def owns(self, path: str) -> bool:
        return path == INDEX_PATH or _day_of(path) is not None

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        changed = Counter(
            jst_day(version.published)
            for version in versions(changes)
            if version.item.kind is FeedKind.COMMUNITY
        )
        days = set(changed)
        # a day that appeared or went (its stories all came or left in these changes)
        # changes its neighbours' pagers
        appeared_or_gone = {
            day
            for day, moved in changed.items()
            if sum(d.counts.get(COMMUNITY_DAY_KEY, 0) for d in ctx.slices.days(day, day)) <= moved
        }
        near = {
            other.day
            for day in appeared_or_gone
            for other in (
                *ctx.slices.days_before(COMMUNITY_DAY_KEY, day, 1),
                *ctx.slices.days_after(COMMUNITY_DAY_KEY, day, 1),
            )
        }
        return [INDEX_PATH, *(hacker_day_path(day) for day in sorted(days | near))]

    def render(self, path: str, ctx: SiteContext) -> SiteObject | None:
        if path == INDEX_PATH:
            return _index(ctx)
        day = _day_of(path)
        return _day_page(ctx, day) if day is not None else None
