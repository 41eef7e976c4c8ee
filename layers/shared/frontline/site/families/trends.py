"""トレンド: tags and companies rising in the last 7 and 30 days, with charts.

Also the counts other families show: the home page's trending tags and the 30-day series
behind the company sparklines. "Now" is the newest article's time, never the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup

from frontline.domain.models import ArticleChange
from frontline.domain.ports import SiteObject
from frontline.domain.trends import Trend, Window, ranked
from frontline.site.charts import BarRow, bar_chart, sparkline
from frontline.site.families.base import SiteContext
from frontline.site.formatting import format_jst_day_heading, format_jst_span, jst_midnight
from frontline.site.slices import TAG, DayCount, GroupCount, GroupKind, posting_key
from frontline.site.views import PageMeta

PATH = "/trends/"
TREND_DAYS = 7
TREND_TAGS = 30
TREND_WINDOWS = (7, 30)
SPARK_DAYS = 30
RISING_LIMIT = 10
SPARK_LIMIT = 6
RECENT_DAYS = 2 * max(TREND_WINDOWS)  # the longest trend window and the one before it


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


def _days(ctx: SiteContext, window: Window) -> Sequence[DayCount]:
    """The day counts of a window. Every window ending on the reference day comes from one
    read of the RECENT_DAYS up to it (the trend windows, those before them, the sparklines)."""
    reference = ctx.reference_day
    recent = Window(reference, RECENT_DAYS) if reference is not None else None
    if recent is None or not (recent.contains(window.first) and recent.contains(window.last)):
        return ctx.slices.days(window.first, window.last)
    read = ctx.memo(f"days:{recent.first}", lambda: ctx.slices.days(recent.first, recent.last))
    return [day for day in read if window.contains(day.day)]


def day_series(ctx: SiteContext, window: Window) -> dict[str, tuple[int, ...]]:
    """Per day key (`tag:…`, `company:…`), its articles on each JST day of the window,
    oldest day first (keys without any are left out)."""

    def build() -> dict[str, tuple[int, ...]]:
        series: dict[str, list[int]] = {}
        for day in _days(ctx, window):
            index = (day.day - window.first).days
            for key, count in day.counts.items():
                series.setdefault(key, [0] * window.days)[index] += count
        return {key: tuple(values) for key, values in sorted(series.items())}

    return ctx.memo(f"days:{window.first}:{window.days}", build)


def window_counts(ctx: SiteContext, window: Window) -> dict[str, int]:
    """Per day key, its articles in the window."""
    return {key: sum(values) for key, values in day_series(ctx, window).items()}


def trending_tags(ctx: SiteContext) -> list[tuple[GroupCount, int]]:
    """Tags by the number of articles in the last TREND_DAYS JST days, most first."""
    newest = ctx.reference_day
    if newest is None:
        return []
    counts = window_counts(ctx, Window(newest, TREND_DAYS))
    names = ctx.group_names("tags")
    found = [
        (names[key.removeprefix(TAG)], count)
        for key, count in counts.items()
        if key.startswith(TAG) and key.removeprefix(TAG) in names
    ]
    found.sort(key=lambda pair: (-pair[1], pair[0].name, pair[0].key))
    return found[:TREND_TAGS]


def spark_desc(name: str, values: Sequence[int], first: date) -> str:
    total = sum(values)
    if not total:
        return f"{name}の記事は、この30日間にはありません。"
    peak = max(values)
    peak_day = first + timedelta(days=values.index(peak))
    return (
        f"{name}の記事数の推移。30日間で合計{total}件、"
        f"最も多かったのは{peak_day.month}月{peak_day.day}日の{peak}件、最終日は{values[-1]}件。"
    )


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


def _trend_section(
    ctx: SiteContext,
    *,
    ident: str,
    label: str,
    kind: GroupKind,
    days: int,
    prefix: str,
    with_chart: bool,
) -> TrendSection:
    reference = ctx.reference_day
    assert reference is not None
    window = Window(reference, days)
    before = window.previous()
    groups = ctx.group_names(kind)
    head = posting_key(kind, "")

    def of_kind(counts: dict[str, int]) -> dict[str, int]:
        return {
            key.removeprefix(head): count
            for key, count in counts.items()
            if key.startswith(head) and key.removeprefix(head) in groups
        }

    names = {key: group.name for key, group in groups.items()}
    found = [
        trend
        for trend in ranked(
            of_kind(window_counts(ctx, window)), of_kind(window_counts(ctx, before)), names
        )
        if trend.change > 0
    ][:RISING_LIMIT]
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
        period=format_jst_span(window.first, window.last),
        previous_period=format_jst_span(before.first, before.last),
        chart=chart,
        rows=rows,
        prefix=prefix,
    )


def _sparks(
    groups: Sequence[GroupCount],
    series: dict[str, tuple[int, ...]],
    first: date,
    ident: str,
    prefix: str = "",
) -> tuple[SparkRow, ...]:
    rows = []
    for i, group in enumerate(groups):
        values = series.get(group.posting, (0,) * SPARK_DAYS)
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
                    desc=spark_desc(name, values, first),
                ),
            )
        )
    return tuple(rows)


def _top_in_series(
    ctx: SiteContext, kind: GroupKind, series: dict[str, tuple[int, ...]], limit: int
) -> list[GroupCount]:
    groups = ctx.group_names(kind)
    head = posting_key(kind, "")
    keys = [
        k.removeprefix(head)
        for k in series
        if k.startswith(head) and k.removeprefix(head) in groups
    ]
    ranked_keys = sorted(keys, key=lambda key: (-sum(series[head + key]), groups[key].name, key))
    return [groups[key] for key in ranked_keys[:limit]]


class TrendsFamily:
    name = "trends"

    def paths(self, ctx: SiteContext) -> list[str]:
        return [PATH]

    def owns(self, path: str) -> bool:
        return path == PATH

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        return [PATH]

    def render(self, path: str, ctx: SiteContext) -> SiteObject:
        reference = ctx.reference_day
        sections: list[TrendSection] = []
        sparks: tuple[tuple[str, tuple[SparkRow, ...]], ...] = ()
        reference_label = None
        if reference is not None:
            reference_label = format_jst_day_heading(jst_midnight(reference))
            for days in TREND_WINDOWS:
                sections.append(
                    _trend_section(
                        ctx, ident=f"tags-{days}", label="タグ", kind="tags",
                        days=days, prefix="#", with_chart=True,
                    )
                )  # fmt: skip
                sections.append(
                    _trend_section(
                        ctx, ident=f"companies-{days}", label="企業", kind="companies",
                        days=days, prefix="", with_chart=False,
                    )
                )  # fmt: skip
            window = Window(reference, SPARK_DAYS)
            series = day_series(ctx, window)
            sparks = (
                (
                    "よく取り上げられたタグの推移",
                    _sparks(
                        _top_in_series(ctx, "tags", series, SPARK_LIMIT),
                        series,
                        window.first,
                        "tags",
                        "#",
                    ),
                ),
                (
                    "よく登場した企業の推移",
                    _sparks(
                        _top_in_series(ctx, "companies", series, SPARK_LIMIT),
                        series,
                        window.first,
                        "companies",
                    ),
                ),
            )
        page = PageMeta(
            title="トレンド",
            description="直近7日間と30日間のAIニュースで、取り上げられる回数が伸びているタグと企業です。",
            path=PATH,
            nav="trends",
        )
        return ctx.html(
            "trends.html",
            page,
            reference_label=reference_label,
            sections=sections,
            sparks=sparks,
        )
