"""AI日報 and 週報 pages: the archives, one page per report, and an RSS feed of each.

Pure functions of the stored digests and the public articles: a digest holds the ids of its
top articles by category, and the pages show those articles' current cards (an article taken
down since simply drops out). A period without articles gets an honest empty page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final

from frontline.domain.digests import Digest, DigestKind, period_label
from frontline.site.feeds import Feed, FeedEntry, render_rss, xml_text
from frontline.site.formatting import iso_jst, iso_utc, rfc822
from frontline.site.paths import absolute_url
from frontline.site.views import CardView, FeedLink, Link, PageMeta

if TYPE_CHECKING:
    from frontline.domain.ports import SiteObject
    from frontline.site.families.base import SiteContext

HEURISTIC_NOTICE: Final = "自動抽出による要約です"
HEURISTIC_EXPLANATION: Final = (
    "この概況は、各記事の見出しと要約を機械的に抜き出して並べたものです。"
    "編集部やAIによる解説ではありません。"
)
RSS_SIZE: Final = 30
WITHDRAWN_OVERVIEW: Final = (
    "この号で紹介した記事の一部は掲載を取りやめました。そのため概況は表示していません。"
    "残りの記事は以下のとおりです。"
)
_FIRST_SENTENCE: Final = re.compile(r"^.+?[。！？]")
_SENTENCES: Final = re.compile(r".+?(?:[。！？]|$)")


@dataclass(frozen=True)
class Wording:
    """What differs between AI日報 and 週報, in the reader's words."""

    name: str
    root: str
    archive_description: str
    archive_lead: tuple[str, ...]
    highlights_heading: str
    empty: str
    nav: str


WORDING: Final[Mapping[DigestKind, Wording]] = {
    DigestKind.DAILY: Wording(
        name="AI日報",
        root="/daily/",
        archive_description="毎朝7時（日本時間）に前日のAIニュースをまとめる日刊レポートの一覧です。",
        archive_lead=(
            "AI日報は、前日（日本時間0時〜24時）に掲載したAIニュースから重要度の高い記事を選び、"
            "その日の概況と分野ごとの一覧にまとめた日刊のレポートです。毎朝7時に更新します。",
        ),
        highlights_heading="この日の注目点",
        empty="この日の記事はありませんでした。",
        nav="daily",
    ),
    DigestKind.WEEKLY: Wording(
        name="週報",
        root="/weekly/",
        archive_description="毎週月曜7時（日本時間）に前週のAIニュースを振り返る週刊レポートの一覧です。",
        archive_lead=(
            "週報は、前の週（月曜〜日曜、日本時間）に掲載したAIニュースから重要度の高い記事を選び、"
            "その週のテーマと分野ごとの一覧にまとめた週刊のレポートです。毎週月曜の7時に更新します。",
        ),
        highlights_heading="今週のテーマ",
        empty="この週の記事はありませんでした。",
        nav="weekly",
    ),
}


def digest_path(digest: Digest) -> str:
    return period_path(digest.kind, digest.period)


def period_path(kind: DigestKind, period: str) -> str:
    """'/daily/2026-11-26/', '/weekly/2026-W48/'."""
    return f"{WORDING[kind].root}{period}/"


def rss_path(kind: DigestKind) -> str:
    return f"{WORDING[kind].root}rss.xml"


def _first_sentence(text: str) -> str:
    match = _FIRST_SENTENCE.match(text)
    return match.group(0) if match else text


@dataclass(frozen=True)
class CardSection:
    label: str
    cards: tuple[CardView, ...]


@dataclass(frozen=True)
class ReportView:
    title: str
    label: str
    path: str
    overview: str | None
    highlights: tuple[str, ...]
    extractive: bool
    article_count: int
    shown_count: int
    sections: tuple[CardSection, ...]


@dataclass(frozen=True)
class ArchiveRow:
    label: str
    path: str
    article_count: int
    summary: str
    extractive: bool


class DigestPages:
    """The digest pages of one render, on top of the site's page renderer and its cards."""

    def __init__(self, ctx: SiteContext) -> None:
        self._ctx = ctx

    def of_kind(self, kind: DigestKind) -> Sequence[Digest]:
        """The kind's digests, newest period first."""
        return self._ctx.memo(f"digests:{kind}", lambda: self._ctx.digests.of_kind(kind))

    # --- archive ----------------------------------------------------------------------------

    def archive(self, kind: DigestKind) -> SiteObject:
        wording = WORDING[kind]
        feed = FeedLink(f"{wording.name}をRSSで購読", rss_path(kind))
        page = PageMeta(
            title=wording.name,
            description=wording.archive_description,
            path=wording.root,
            nav=wording.nav,
            feeds=(feed,),
        )
        rows = tuple(self._archive_row(digest) for digest in self.of_kind(kind))
        return self._ctx.html(
            f"{kind.value}_archive.html",
            page,
            heading=wording.name,
            lead=wording.archive_lead,
            feed=feed,
            rows=rows,
            notice=HEURISTIC_NOTICE,
        )

    def _archive_row(self, digest: Digest) -> ArchiveRow:
        wording = WORDING[digest.kind]
        if digest.overview is None:
            summary = wording.empty
        elif digest.generated_by == "heuristic":
            # The extractive overview opens with a count the row already shows: name the
            # period's most important article instead.
            sentences = _SENTENCES.findall(digest.overview.overview)
            summary = sentences[1] if len(sentences) > 1 else digest.overview.overview
        else:
            summary = _first_sentence(digest.overview.overview)
        return ArchiveRow(
            label=period_label(digest.kind, digest.period),
            path=digest_path(digest),
            article_count=digest.article_count,
            summary=summary,
            extractive=digest.generated_by == "heuristic",
        )

    # --- one report -------------------------------------------------------------------------

    def _view(self, digest: Digest) -> ReportView:
        wording = WORDING[digest.kind]
        label = period_label(digest.kind, digest.period)
        sections = []
        found = self._ctx.articles([i for section in digest.sections for i in section.article_ids])
        for section in digest.sections:
            shown = [found[i] for i in section.article_ids if i in found]
            if shown:
                sections.append(CardSection(section.label, self._ctx.cards(shown)))
        overview = digest.overview
        text, highlights = (overview.overview, overview.highlights) if overview else (None, ())
        extractive = digest.generated_by == "heuristic"
        chosen = {i for section in digest.sections for i in section.article_ids}
        if overview is not None and not chosen <= found.keys():
            # an article it names was taken down: its overview may quote it, so it goes too
            text, highlights, extractive = WITHDRAWN_OVERVIEW, (), False
        return ReportView(
            title=f"{wording.name} {label}",
            label=label,
            path=digest_path(digest),
            overview=text,
            highlights=highlights,
            extractive=extractive,
            article_count=digest.article_count,
            shown_count=sum(len(section.cards) for section in sections),
            sections=tuple(sections),
        )

    def report(self, digest: Digest) -> SiteObject:
        wording = WORDING[digest.kind]
        view = self._view(digest)
        older, newer = self._ctx.digests.adjacent(digest.kind, digest.period)
        pager = []
        if older is not None:
            pager.append(
                Link(
                    f"前の{wording.name}（{period_label(older.kind, older.period)}）",
                    digest_path(older),
                )
            )
        pager.append(Link(f"{wording.name}の一覧", wording.root))
        if newer is not None:
            pager.append(
                Link(
                    f"次の{wording.name}（{period_label(newer.kind, newer.period)}）",
                    digest_path(newer),
                )
            )
        description = (
            _first_sentence(view.overview)
            if view.overview
            else f"{view.label}の{wording.name}。{wording.empty}"
        )
        page = PageMeta(
            title=view.title,
            description=description,
            path=view.path,
            nav=wording.nav,
            feeds=(FeedLink(f"{wording.name}をRSSで購読", rss_path(digest.kind)),),
        )
        return self._ctx.html(
            f"{digest.kind.value}_report.html",
            page,
            view=view,
            wording=wording,
            pager=pager,
            notice=HEURISTIC_NOTICE,
            explanation=HEURISTIC_EXPLANATION,
            published_iso=iso_jst(digest.created_at),
        )

    # --- RSS --------------------------------------------------------------------------------

    def rss(self, kind: DigestKind, *, now: datetime) -> str:
        wording = WORDING[kind]
        site = self._ctx.site
        shown = self._ctx.digests.newest(kind, RSS_SIZE)
        # No reports yet: the newest article's update dates the feed, so the bytes stay put.
        fallback = next((a.updated_at for a in self._ctx.newest(1)), now)
        updated = max((d.updated_at for d in shown), default=fallback)
        entries = []
        for digest in shown:
            view = self._view(digest)
            summary = view.overview or wording.empty
            if view.extractive:
                summary = f"【{HEURISTIC_NOTICE}】{summary}"
            url = absolute_url(site.base_url, view.path)
            entries.append(
                FeedEntry(
                    title=xml_text(view.title),
                    url=url,
                    summary=xml_text(summary),
                    tags=(),
                    source_name=xml_text(site.title),
                    published_rfc822=rfc822(digest.created_at),
                    published_iso=iso_utc(digest.created_at),
                    updated_iso=iso_utc(digest.updated_at),
                )
            )
        feed = Feed(
            title=xml_text(f"{wording.name} | {site.title}"),
            description=xml_text(wording.archive_description),
            site_title=xml_text(site.title),
            home_url=absolute_url(site.base_url, wording.root),
            feed_url=absolute_url(site.base_url, rss_path(kind)),
            updated_rfc822=rfc822(updated),
            updated_iso=iso_utc(updated),
            entries=tuple(entries),
        )
        return render_rss(feed)
