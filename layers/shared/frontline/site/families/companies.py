"""企業: the company index with 30-day sparklines, and one page per company."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from markupsafe import Markup

from frontline.domain.models import ArticleChange
from frontline.domain.ports import SiteObject
from frontline.domain.trends import Window, window_ending
from frontline.site.charts import sparkline
from frontline.site.families.base import SiteContext
from frontline.site.families.listing import group_at, is_group_page, touched_groups
from frontline.site.families.trends import SPARK_DAYS, day_series, spark_desc
from frontline.site.formatting import format_jst_span
from frontline.site.slices import GroupCount, group_keys
from frontline.site.views import FeedLink, PageMeta

INDEX_PATH: Final = "/companies/"
CO_OCCURRING: Final = 8
COMPANY_ARTICLES: Final = 20


@dataclass(frozen=True)
class CompanyRow:
    name: str
    path: str
    count: int
    chart: Markup


@dataclass(frozen=True)
class CompanyLink:
    name: str
    path: str
    count: int


def company_feed(group: GroupCount) -> FeedLink:
    return FeedLink(f"{group.name}の記事をRSSで購読", group.path + "rss.xml")


def _spark(
    group: GroupCount, series: dict[str, tuple[int, ...]], first: date, chart_id: str
) -> Markup:
    values = series.get(group.posting, (0,) * SPARK_DAYS)
    return sparkline(
        values,
        chart_id=chart_id,
        title=f"{group.name}の記事数（30日間、1日ごと）",
        desc=spark_desc(group.name, values, first),
    )


def _index(ctx: SiteContext) -> SiteObject:
    """Every company, with the 30 days ending on the site's newest publication day."""
    reference = ctx.reference_day
    rows: list[CompanyRow] = []
    period = None
    if reference is not None:
        window = Window(reference, SPARK_DAYS)
        period = format_jst_span(window.first, window.last)
        series = day_series(ctx, window)
        for i, group in enumerate(ctx.groups("companies")):
            chart = _spark(group, series, window.first, f"spark-company-{i + 1}")
            rows.append(CompanyRow(group.name, group.path, group.count, chart))
    page = PageMeta(
        title="企業",
        description="記事に登場する企業の一覧です。記事数と最近30日間の推移を掲載しています。",
        path=INDEX_PATH,
        nav="companies",
    )
    lead = (
        "記事に登場する企業を、記事数の多い順に並べています。企業名を選ぶと関連する記事の一覧が開きます。",
    )
    return ctx.html("companies.html", page, heading="企業", lead=lead, rows=rows, period=period)


def _company(ctx: SiteContext, group: GroupCount) -> SiteObject:
    """The company's newest articles, the companies they name with it, and the 30 days
    ending on its own newest article's day (so other companies' news leaves it alone)."""
    articles = ctx.newest_in(group.posting, COMPANY_ARTICLES)
    names = ctx.group_names("companies")
    chart = None
    period = None
    if articles:
        window = window_ending(max(a.published for a in articles), SPARK_DAYS)
        period = format_jst_span(window.first, window.last)
        chart = _spark(group, day_series(ctx, window), window.first, "spark-company")
    together: Counter[str] = Counter()
    for article in articles:
        together.update(set(group_keys(article, "companies")) - {group.key})
    partners = tuple(
        CompanyLink(names[key].name, names[key].path, count)
        for key, count in sorted(
            ((key, count) for key, count in together.items() if key in names),
            key=lambda kv: (-kv[1], names[kv[0]].name, kv[0]),
        )[:CO_OCCURRING]
    )
    feed = company_feed(group)
    page = PageMeta(
        title=f"{group.name}のニュース",
        description=f"{group.name}に関するAIニュースの一覧です。",
        path=group.path,
        nav="companies",
        feeds=(feed,),
    )
    return ctx.html(
        "company.html",
        page,
        heading=f"{group.name}のニュース",
        name=group.name,
        count=group.count,
        feed=feed,
        chart=chart,
        period=period,
        partners=partners,
        cards=ctx.cards(articles),
        truncated=group.count > len(articles),
    )


class CompanyFamily:
    name = "companies"

    def paths(self, ctx: SiteContext) -> list[str]:
        return [INDEX_PATH, *(group.path for group in ctx.groups("companies"))]

    def owns(self, path: str) -> bool:
        return path == INDEX_PATH or is_group_page(path, "companies")

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        return [INDEX_PATH, *touched_groups(changes, "companies")]

    def render(self, path: str, ctx: SiteContext) -> SiteObject | None:
        if path == INDEX_PATH:
            return _index(ctx)
        group = group_at(ctx, "companies", path)
        return _company(ctx, group) if group is not None else None
