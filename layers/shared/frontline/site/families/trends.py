"""トレンド: tags and companies rising in the last 7 and 30 days, with charts.

Also the counts other families show: the home page's trending tags and the 30-day series
behind the company sparklines. "Now" is the newest article's time, never the clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup

from frontline.domain.models import Article, ArticleChange
from frontline.domain.ports import SiteObject
from frontline.domain.trends import Mention, Trend, daily_counts, rising, window_ending
from frontline.site.catalogue import Group, company_keys, tag_keys
from frontline.site.charts import BarRow, bar_chart, sparkline
from frontline.site.families.base import SiteContext
from frontline.site.formatting import format_jst_day_heading, format_jst_span
from frontline.site.views import PageMeta

PATH = "/trends/"
TREND_DAYS = 7
TREND_TAGS = 30
TREND_WINDOWS = (7, 30)
SPARK_DAYS = 30
RISING_LIMIT = 10
SPARK_LIMIT = 6

KeysOf = Callable[[Article], list[str]]


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


def mentions(articles: Iterable[Article], keys_of: KeysOf) -> list[Mention]:
    return [Mention(article.published, tuple(keys_of(article))) for article in articles]


def trending_tags(ctx: SiteContext) -> list[tuple[Group, int]]:
    """Tags by the number of articles in the last TREND_DAYS, most first."""
    newest = ctx.reference_time
    if newest is None:
        return []
    start = newest - timedelta(days=TREND_DAYS)
    counts: Counter[str] = Counter()
    for article in ctx.catalogue.articles:
        if article.published > start:
            counts.update(tag_keys(article))
    groups = ctx.catalogue.tags
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], groups[kv[0]].name, kv[0]))
    return [(groups[key], count) for key, count in ranked[:TREND_TAGS]]


def spark_series(ctx: SiteContext, keys_of: KeysOf) -> dict[str, tuple[int, ...]]:
    """Articles per JST day over the last SPARK_DAYS, by key (empty without articles)."""
    reference = ctx.reference_time
    if reference is None:
        return {}
    name = f"spark-series:{keys_of.__name__}"
    return ctx.memo(
        name, lambda: daily_counts(mentions(ctx.catalogue.articles, keys_of), reference, SPARK_DAYS)
    )


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
    groups: dict[str, Group],
    keys_of: KeysOf,
    days: int,
    prefix: str,
    with_chart: bool,
) -> TrendSection:
    reference = ctx.reference_time
    assert reference is not None
    window = window_ending(reference, days)
    before = window.previous()
    names = {key: group.name for key, group in groups.items()}
    found = rising(mentions(ctx.catalogue.articles, keys_of), reference, days, names, RISING_LIMIT)
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
                    desc=spark_desc(name, values, first),
                ),
            )
        )
    return tuple(rows)


def _top_in_series(
    groups: dict[str, Group], series: dict[str, tuple[int, ...]], limit: int
) -> list[Group]:
    ranked = sorted(series, key=lambda key: (-sum(series[key]), groups[key].name, key))
    return [groups[key] for key in ranked[:limit]]


class TrendsFamily:
    name = "trends"

    def paths(self, ctx: SiteContext) -> list[str]:
        return [PATH]

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        return [PATH]

    def render(self, path: str, ctx: SiteContext) -> SiteObject:
        reference = ctx.reference_time
        catalogue = ctx.catalogue
        sections: list[TrendSection] = []
        sparks: tuple[tuple[str, tuple[SparkRow, ...]], ...] = ()
        reference_label = None
        if reference is not None:
            reference_label = format_jst_day_heading(reference)
            for days in TREND_WINDOWS:
                sections.append(
                    _trend_section(
                        ctx, ident=f"tags-{days}", label="タグ", groups=catalogue.tags,
                        keys_of=tag_keys, days=days, prefix="#", with_chart=True,
                    )
                )  # fmt: skip
                sections.append(
                    _trend_section(
                        ctx, ident=f"companies-{days}", label="企業", groups=catalogue.companies,
                        keys_of=company_keys, days=days, prefix="", with_chart=False,
                    )
                )  # fmt: skip
            first = window_ending(reference, SPARK_DAYS).first
            tag_series = spark_series(ctx, tag_keys)
            company_series = spark_series(ctx, company_keys)
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
