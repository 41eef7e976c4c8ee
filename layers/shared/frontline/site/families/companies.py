"""企業: the company index with 30-day sparklines, and one page per company."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from markupsafe import Markup

from frontline.domain.models import ArticleChange, EntityKind
from frontline.domain.ports import SiteObject
from frontline.domain.trends import co_occurrences, window_ending
from frontline.site.catalogue import Group, by_count, company_keys
from frontline.site.charts import sparkline
from frontline.site.families.base import SiteContext, versions
from frontline.site.families.listing import group_at
from frontline.site.families.trends import SPARK_DAYS, mentions, spark_desc, spark_series
from frontline.site.formatting import format_jst_span
from frontline.site.paths import company_path
from frontline.site.views import FeedLink, PageMeta

INDEX_PATH: Final = "/companies/"
CO_OCCURRING: Final = 8
COMPANY_ARTICLES: Final = 50


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


def company_feed(group: Group) -> FeedLink:
    return FeedLink(f"{group.name}の記事をRSSで購読", group.path + "rss.xml")


def _spark(group: Group, series: dict[str, tuple[int, ...]], first: date, chart_id: str) -> Markup:
    values = series.get(group.key, (0,) * SPARK_DAYS)
    return sparkline(
        values,
        chart_id=chart_id,
        title=f"{group.name}の記事数（30日間、1日ごと）",
        desc=spark_desc(group.name, values, first),
    )


def _index(ctx: SiteContext) -> SiteObject:
    reference = ctx.reference_time
    rows: list[CompanyRow] = []
    period = None
    if reference is not None:
        window = window_ending(reference, SPARK_DAYS)
        period = format_jst_span(window.first, window.last)
        series = spark_series(ctx, company_keys)
        for i, group in enumerate(by_count(ctx.catalogue.companies.values())):
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


def _company(ctx: SiteContext, group: Group) -> SiteObject:
    companies = ctx.catalogue.companies
    reference = ctx.reference_time
    chart = None
    period = None
    if reference is not None:
        window = window_ending(reference, SPARK_DAYS)
        period = format_jst_span(window.first, window.last)
        chart = _spark(group, spark_series(ctx, company_keys), window.first, "spark-company")
    together = co_occurrences(mentions(group.articles, company_keys), group.key)
    partners = tuple(
        CompanyLink(companies[key].name, companies[key].path, count)
        for key, count in sorted(
            together.items(), key=lambda kv: (-kv[1], companies[kv[0]].name, kv[0])
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
    articles = group.articles[:COMPANY_ARTICLES]
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


def _moves_reference_time(changes: Sequence[ArticleChange], ctx: SiteContext) -> bool:
    """Whether the newest publication time, which ends every sparkline's window, can differ
    from before the changes: only if a changed version is (or was) at least as new."""
    reference = ctx.reference_time
    return reference is not None and any(v.published >= reference for v in versions(changes))


def touched_companies(changes: Sequence[ArticleChange]) -> list[str]:
    """The company pages of every version of the changed articles (gone, if it was the last)."""
    return sorted(
        {
            company_path(entity.name)
            for version in versions(changes)
            for entity in version.analysis.entities
            if entity.kind is EntityKind.COMPANY
        }
    )


class CompanyFamily:
    name = "companies"

    def paths(self, ctx: SiteContext) -> list[str]:
        return [INDEX_PATH, *(group.path for group in ctx.catalogue.companies.values())]

    def touched(self, changes: Sequence[ArticleChange], ctx: SiteContext) -> list[str]:
        if _moves_reference_time(changes, ctx):  # every page's 30-day sparkline shifts
            return self.paths(ctx)
        return [INDEX_PATH, *touched_companies(changes)]

    def render(self, path: str, ctx: SiteContext) -> SiteObject:
        if path == INDEX_PATH:
            return _index(ctx)
        return _company(ctx, group_at(ctx, "companies", ctx.catalogue.companies, path))
