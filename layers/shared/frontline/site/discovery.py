"""The discovery pages: Hacker日報, 動画, AIツール, トレンド, 企業 and 検索.

Each builder is a pure function of the site's pages object (the catalogue, the site config,
the shared page plumbing); like every other page, the same articles give the same bytes.
Dates are days on the Japanese calendar, and "now" is the newest article's time, never the
clock. The scripts these pages use are first-party files named by the hash of their bytes.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from markupsafe import Markup

from frontline.domain.models import Article, Category, FeedKind, MediaKind
from frontline.domain.trends import (
    Mention,
    Trend,
    co_occurrences,
    daily_counts,
    jst_day,
    rising,
    window_ending,
)
from frontline.site.catalogue import Catalogue, Group, by_count, company_keys, tag_keys
from frontline.site.charts import BarRow, bar_chart, sparkline
from frontline.site.formatting import (
    JST,
    format_jst,
    format_jst_date,
    format_jst_day_heading,
    format_jst_month_day,
    iso_jst,
)
from frontline.site.sanitise import is_http_url
from frontline.site.search import ARCHIVE_DIR
from frontline.site.views import (
    CardView,
    FeedLink,
    Link,
    PageMeta,
    is_untranslated,
    lang_of,
    summary_line,
)

if TYPE_CHECKING:
    from frontline.site.pages import RenderedPage, SitePages

HACKER_ARCHIVE_DAYS = 60
TREND_WINDOWS = (7, 30)
SPARK_DAYS = 30
RISING_LIMIT = 10
SPARK_LIMIT = 6
CO_OCCURRING = 8
COMPANY_ARTICLES = 50

_VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{6,32}$")  # as the article page checks it

JS = "text/javascript; charset=utf-8"
JSON = "application/json; charset=utf-8"


# --- assets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaticFile:
    path: str
    body: bytes
    content_type: str
    immutable: bool


@functools.cache
def script(name: str) -> StaticFile:
    """`static/<name>.js` as `/assets/<name>.<hash>.js` (cached for a year)."""
    body = resources.files("frontline.site").joinpath("static", f"{name}.js").read_bytes()
    digest = hashlib.sha256(body).hexdigest()[:8]
    return StaticFile(f"/assets/{name}.{digest}.js", body, JS, immutable=True)


def discovery_files() -> list[StaticFile]:
    """The first-party scripts the discovery pages need."""
    return [script("search"), script("video")]


# --- Hacker日報 -------------------------------------------------------------------------------


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


def hacker_days(catalogue: Catalogue) -> dict[date, list[Article]]:
    """Community stories by JST day (newest day first), each day ranked by points."""
    by_day: dict[date, list[Article]] = defaultdict(list)
    for article in catalogue.of_kind(FeedKind.COMMUNITY):
        by_day[jst_day(article.published)].append(article)
    return {day: sorted(by_day[day], key=_story_rank) for day in sorted(by_day, reverse=True)}


def hacker_day_path(day: date) -> str:
    return f"/hacker/{day.isoformat()}/"


def _jst_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=JST)


def _day_heading(day: date) -> str:
    return format_jst_day_heading(_jst_midnight(day))


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


def hacker_index(pages: SitePages) -> RenderedPage:
    days = hacker_days(pages.catalogue)
    latest_day = next(iter(days), None)
    archive = [
        Link(f"{_day_heading(day)}（{len(stories)}件）", hacker_day_path(day))
        for day, stories in list(days.items())[:HACKER_ARCHIVE_DAYS]
    ]
    page = PageMeta(
        title="Hacker日報",
        description="Hacker Newsで話題になったAI関連の記事を、日ごとにポイント順でまとめています。",
        path="/hacker/",
        nav="hacker",
    )
    lead = (
        "Hacker日報は、Hacker Newsで話題になったAI関連の記事を日本時間の1日ごとにまとめ、"
        "ポイント（投票数）の多い順に並べたものです。",
        "各記事の日本語タイトルと要約、元の記事とHacker Newsの議論へのリンクを掲載しています。",
    )
    return pages._render(
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


def hacker_day_pages(pages: SitePages) -> list[RenderedPage]:
    days = hacker_days(pages.catalogue)
    ordered = list(days)
    rendered = []
    for i, day in enumerate(ordered):
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
        pager.append(Link("Hacker日報の一覧へ", "/hacker/"))
        page = PageMeta(
            title=f"Hacker日報 {format_jst_date(_jst_midnight(day))}",
            description=f"{heading}にHacker Newsで話題になったAI関連の記事（{len(days[day])}件）。",
            path=hacker_day_path(day),
            nav="hacker",
        )
        rendered.append(
            pages._render(
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
        )
    return rendered


# --- 動画 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VideoView:
    card: CardView
    video_id: str | None
    watch_url: str
    thumbnail: str | None
    width: int
    height: int
    alt: str


def _video_view(article: Article, card: CardView) -> VideoView:
    video_id = None
    thumbnail = None
    width, height = 480, 360
    alt = ""
    for media in article.item.media:
        if media.kind is MediaKind.VIDEO and media.video_id and _VIDEO_ID.match(media.video_id):
            video_id = video_id or media.video_id
        elif media.kind is MediaKind.IMAGE and thumbnail is None and is_http_url(media.url):
            thumbnail = media.url
            width, height = media.width or 480, media.height or 360
            alt = media.alt.strip()
    watch = f"https://www.youtube.com/watch?v={video_id}" if video_id else article.item.url
    return VideoView(
        card=card,
        video_id=video_id,
        watch_url=watch,
        thumbnail=thumbnail,
        width=width,
        height=height,
        alt=alt or f"「{article.analysis.title_ja}」のサムネイル",
    )


def videos_page(pages: SitePages) -> RenderedPage:
    articles = pages.catalogue.of_kind(FeedKind.VIDEO)
    videos = [_video_view(article, pages._card(article)) for article in articles]
    page = PageMeta(
        title="動画",
        description="AIに関する動画を、日本語の要約つきで新しい順に紹介しています。",
        path="/videos/",
        nav="videos",
    )
    lead = (
        "YouTubeチャンネルから届いたAI関連の動画を、日本語の要約つきで新しい順に掲載しています。",
        "サムネイルを選ぶとその場で再生が始まります。再生するまで、YouTubeには接続しません。",
    )
    return pages._render(
        "videos.html",
        page,
        heading="動画",
        lead=lead,
        videos=videos,
        scripts=(script("video").path,),
    )


# --- AIツール ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ToolView:
    card: CardView
    url: str
    host: str


def tools_page(pages: SitePages) -> RenderedPage:
    articles = [a for a in pages.catalogue.articles if a.analysis.category is Category.TOOL]
    articles.sort(key=lambda a: (a.published, a.id), reverse=True)
    tools = [
        ToolView(pages._card(a), a.item.url, urlsplit(a.item.url).hostname or a.item.url)
        for a in articles
    ]
    page = PageMeta(
        title="AIツール",
        description="新しいAIツールやサービスの公開・更新に関するニュースを新しい順に紹介しています。",
        path="/tools/",
        nav="tools",
    )
    lead = (
        "新しいAIツールやサービスの公開、主な機能更新を伝える記事を、公開日の新しい順に掲載しています。",
        "各記事から、紹介元のページ（製品のページや発表記事）を直接開けます。",
    )
    return pages._render("tools.html", page, heading="AIツール", lead=lead, tools=tools)


# --- トレンド -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendRow:
    name: str
    path: str
    current: int
    previous: int
    change: str  # "+3" / "±0" / "-1"
    growth: str  # "新登場" / "+150%" / "-50%"


@dataclass(frozen=True)
class TrendSection:
    id: str
    heading: str
    period: str
    previous_period: str
    chart: Markup | None
    rows: tuple[TrendRow, ...]
    prefix: str


@dataclass(frozen=True)
class SparkRow:
    name: str
    path: str
    total: int
    chart: Markup


def _mentions(
    articles: Sequence[Article], keys_of: Callable[[Article], list[str]]
) -> list[Mention]:
    return [Mention(article.published, tuple(keys_of(article))) for article in articles]


def _growth(trend: Trend) -> str:
    if trend.is_new:
        return "新登場"
    growth = trend.growth
    if growth is None:
        return "—"
    percent = round(growth * 100)
    return f"{percent:+d}%" if percent else "±0%"


def _change(trend: Trend) -> str:
    return f"{trend.change:+d}" if trend.change else "±0"


def _span(first: date, last: date) -> str:
    return f"{format_jst_date(_jst_midnight(first))}〜{format_jst_month_day(_jst_midnight(last))}"


def _names(groups: dict[str, Group]) -> dict[str, str]:
    return {key: group.name for key, group in groups.items()}


def _trend_section(
    pages: SitePages,
    *,
    ident: str,
    label: str,
    groups: dict[str, Group],
    keys_of: Callable[[Article], list[str]],
    days: int,
    reference: datetime,
    prefix: str,
    with_chart: bool,
) -> TrendSection:
    window = window_ending(reference, days)
    before = window.previous()
    found = rising(
        _mentions(pages.catalogue.articles, keys_of), reference, days, _names(groups), RISING_LIMIT
    )
    rows = tuple(
        TrendRow(
            groups[t.key].name, groups[t.key].path, t.current, t.previous, _change(t), _growth(t)
        )
        for t in found
    )
    chart = None
    if with_chart and rows:
        chart = bar_chart(
            [BarRow(prefix + row.name, row.current, row.previous) for row in rows],
            chart_id=f"chart-{ident}",
            title=f"直近{days}日間で伸びている{label}（上位{len(rows)}件）",
            desc="、".join(
                f"{prefix}{row.name}：{row.current}件（前の期間は{row.previous}件）" for row in rows
            ),
        )
    return TrendSection(
        id=ident,
        heading=f"直近{days}日間で伸びている{label}",
        period=_span(window.first, window.last),
        previous_period=_span(before.first, before.last),
        chart=chart,
        rows=rows,
        prefix=prefix,
    )


def _spark_desc(name: str, values: Sequence[int], first: date) -> str:
    total = sum(values)
    if not total:
        return f"{name}の記事は、この30日間にはありません。"
    peak = max(values)
    peak_day = first + timedelta(days=values.index(peak))
    return (
        f"{name}の記事数の推移。30日間で合計{total}件、"
        f"最も多かったのは{peak_day.month}月{peak_day.day}日の{peak}件、最終日は{values[-1]}件。"
    )


def _sparks(
    groups: Sequence[Group],
    series: dict[str, tuple[int, ...]],
    first: date,
    ident: str,
    prefix: str = "",
) -> tuple[SparkRow, ...]:
    rows = []
    for i, group in enumerate(groups):
        values = series.get(group.key, (0,) * SPARK_DAYS)
        name = prefix + group.name
        rows.append(
            SparkRow(
                name,
                group.path,
                sum(values),
                sparkline(
                    values,
                    chart_id=f"spark-{ident}-{i + 1}",
                    title=f"{name}の記事数（30日間、1日ごと）",
                    desc=_spark_desc(name, values, first),
                ),
            )
        )
    return tuple(rows)


def _spark_series(
    pages: SitePages, keys_of: Callable[[Article], list[str]], reference: datetime
) -> dict[str, tuple[int, ...]]:
    return daily_counts(_mentions(pages.catalogue.articles, keys_of), reference, SPARK_DAYS)


def _top_in_series(
    groups: dict[str, Group], series: dict[str, tuple[int, ...]], limit: int
) -> list[Group]:
    ranked = sorted(series, key=lambda key: (-sum(series[key]), groups[key].name, key))
    return [groups[key] for key in ranked[:limit]]


def trends_page(pages: SitePages) -> RenderedPage:
    reference = pages.reference_time
    catalogue = pages.catalogue
    sections: list[TrendSection] = []
    sparks: tuple[tuple[str, tuple[SparkRow, ...]], ...] = ()
    reference_label = None
    if reference is not None:
        reference_label = format_jst_day_heading(reference)
        for days in TREND_WINDOWS:
            sections.append(
                _trend_section(
                    pages, ident=f"tags-{days}", label="タグ", groups=catalogue.tags,
                    keys_of=tag_keys, days=days, reference=reference, prefix="#",
                    with_chart=True,
                )
            )  # fmt: skip
            sections.append(
                _trend_section(
                    pages, ident=f"companies-{days}", label="企業", groups=catalogue.companies,
                    keys_of=company_keys, days=days, reference=reference, prefix="",
                    with_chart=False,
                )
            )  # fmt: skip
        first = window_ending(reference, SPARK_DAYS).first
        tag_series = _spark_series(pages, tag_keys, reference)
        company_series = _spark_series(pages, company_keys, reference)
        sparks = (
            (
                "よく取り上げられたタグの推移",
                _sparks(
                    _top_in_series(catalogue.tags, tag_series, SPARK_LIMIT),
                    tag_series,
                    first,
                    "tags",
                    "#",
                ),
            ),
            (
                "よく登場した企業の推移",
                _sparks(
                    _top_in_series(catalogue.companies, company_series, SPARK_LIMIT),
                    company_series,
                    first,
                    "companies",
                ),
            ),
        )
    page = PageMeta(
        title="トレンド",
        description="直近7日間と30日間のAIニュースで、取り上げられる回数が伸びているタグと企業です。",
        path="/trends/",
        nav="trends",
    )
    return pages._render(
        "trends.html",
        page,
        reference_label=reference_label,
        sections=sections,
        sparks=sparks,
    )


# --- 企業 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompanyRow:
    name: str
    path: str
    count: int
    chart: Markup


def _company_spark(
    group: Group, series: dict[str, tuple[int, ...]], first: date, chart_id: str
) -> Markup:
    values = series.get(group.key, (0,) * SPARK_DAYS)
    return sparkline(
        values,
        chart_id=chart_id,
        title=f"{group.name}の記事数（30日間、1日ごと）",
        desc=_spark_desc(group.name, values, first),
    )


def companies_page(pages: SitePages) -> RenderedPage:
    catalogue = pages.catalogue
    reference = pages.reference_time
    rows: list[CompanyRow] = []
    period = None
    if reference is not None:
        window = window_ending(reference, SPARK_DAYS)
        period = _span(window.first, window.last)
        series = _spark_series(pages, company_keys, reference)
        for i, group in enumerate(by_count(catalogue.companies.values())):
            chart = _company_spark(group, series, window.first, f"spark-company-{i + 1}")
            rows.append(CompanyRow(group.name, group.path, group.count, chart))
    page = PageMeta(
        title="企業",
        description="記事に登場する企業の一覧です。記事数と最近30日間の推移を掲載しています。",
        path="/companies/",
        nav="companies",
    )
    lead = (
        "記事に登場する企業を、記事数の多い順に並べています。企業名を選ぶと関連する記事の一覧が開きます。",
    )
    return pages._render(
        "companies.html", page, heading="企業", lead=lead, rows=rows, period=period
    )


@dataclass(frozen=True)
class CompanyLink:
    name: str
    path: str
    count: int


def company_page(pages: SitePages, group: Group) -> RenderedPage:
    catalogue = pages.catalogue
    reference = pages.reference_time
    chart = None
    period = None
    if reference is not None:
        window = window_ending(reference, SPARK_DAYS)
        period = _span(window.first, window.last)
        series = _spark_series(pages, company_keys, reference)
        chart = _company_spark(group, series, window.first, "spark-company")
    together = co_occurrences(_mentions(group.articles, company_keys), group.key)
    partners = tuple(
        CompanyLink(catalogue.companies[key].name, catalogue.companies[key].path, count)
        for key, count in sorted(
            together.items(), key=lambda kv: (-kv[1], catalogue.companies[kv[0]].name, kv[0])
        )[:CO_OCCURRING]
    )
    feed = FeedLink(f"{group.name}の記事をRSSで購読", group.path + "rss.xml")
    page = PageMeta(
        title=f"{group.name}のニュース",
        description=f"{group.name}に関するAIニュースの一覧です。",
        path=group.path,
        nav="companies",
        feeds=(feed,),
    )
    articles = group.articles[:COMPANY_ARTICLES]
    return pages._render(
        "company.html",
        page,
        heading=f"{group.name}のニュース",
        name=group.name,
        count=group.count,
        feed=feed,
        chart=chart,
        period=period,
        partners=partners,
        cards=pages._cards(articles),
        truncated=group.count > len(articles),
    )


# --- 検索 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cloud:
    heading: str
    groups: tuple[Group, ...]
    prefix: str
    empty: str


def search_page(pages: SitePages) -> RenderedPage:
    page = PageMeta(
        title="検索",
        description="サイト内のAIニュースをキーワードで検索できます。",
        path="/search/",
        nav="search",
    )
    sections = (
        Cloud(
            "タグから探す",
            tuple(by_count(pages.catalogue.tags.values())),
            "#",
            "まだタグはありません。",
        ),
        Cloud(
            "企業から探す",
            tuple(by_count(pages.catalogue.companies.values())),
            "",
            "まだ企業の記事はありません。",
        ),
    )
    return pages._render(
        "search.html",
        page,
        heading="検索",
        article_count=len(pages.catalogue.articles),
        sections=sections,
        # Pagefind's UI from the archive bundle, then the script that starts it.
        stylesheets=(f"{ARCHIVE_DIR}pagefind-ui.css",),
        scripts=(f"{ARCHIVE_DIR}pagefind-ui.js", script("search").path),
    )
