"""The HTML pages: each method returns one page's site path and markup.

Every page is a pure function of the catalogue (and the site config), so the same articles
always give the same bytes. Lists are in listing order (see `catalogue`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from frontline.domain.digests import Digest, DigestKind
from frontline.domain.importance import LABELS, importance_of, weighted_score
from frontline.domain.models import Article
from frontline.site import discovery
from frontline.site.catalogue import Catalogue, Group, by_count, company_keys, tag_keys
from frontline.site.digest_pages import DigestPages
from frontline.site.environment import environment
from frontline.site.formatting import (
    format_jst_date,
    stars,
)
from frontline.site.paths import news_archive_path
from frontline.site.site_config import SiteConfig
from frontline.site.views import (
    CardView,
    FeedLink,
    Link,
    PageMeta,
    article_view,
    card_view,
    first_image,
    news_article_json_ld,
)

HOME_SIZE = 30
NEWS_PAGE_SIZE = 20
LIST_LIMIT = 50
TREND_DAYS = 7
TREND_TAGS = 30
TREND_COMPANIES = 10
HOME_TRENDING = 12

if TYPE_CHECKING:
    from frontline.site.page_plan import PagePlan


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    path: str


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("news", "最新ニュース", "/news/"),
    NavItem("daily", "AI日報", "/daily/"),
    NavItem("hacker", "Hacker日報", "/hacker/"),
    NavItem("weekly", "週報", "/weekly/"),
    NavItem("videos", "動画", "/videos/"),
    NavItem("tools", "AIツール", "/tools/"),
    NavItem("trends", "トレンド", "/trends/"),
    NavItem("companies", "企業", "/companies/"),
    NavItem("search", "検索", "/search/"),
    NavItem("rss", "RSS", "/rss.xml"),
)

SUBSCORE_DESCRIPTIONS: tuple[tuple[str, str, int], ...] = (
    ("深度", "内容の掘り下げ。一次情報、技術的な詳細、データがどれだけ含まれているか", 40),
    ("関連度", "日本の読者や企業にとって、どれだけ関係が深いか", 30),
    ("実用性", "仕事や開発、日々の利用にすぐ役立つか", 20),
    ("革新性", "これまでにない新しさがあるか", 10),
)

LEVEL_DESCRIPTIONS: dict[int, str] = {
    5: "業界の流れを変えうる、必ず押さえておきたいニュース",
    4: "多くの読者に影響がある、読んでおきたいニュース",
    3: "関心のある分野なら押さえておきたいニュース",
    2: "動向の把握に役立つニュース",
    1: "参考程度の小さな話題",
}


@dataclass(frozen=True)
class RenderedPage:
    path: str
    html: str


@dataclass(frozen=True)
class GroupSection:
    heading: str
    groups: tuple[Group, ...]
    prefix: str = ""
    cloud: bool = False
    empty: str = "まだありません。"


def archive_page_count(article_count: int) -> int:
    """Archive pages hold only full pages of 20, counted from the oldest article."""
    return article_count // NEWS_PAGE_SIZE


class SitePages:
    def __init__(
        self,
        catalogue: Catalogue,
        site: SiteConfig,
        css_path: str,
        *,
        digests: Sequence[Digest] = (),
    ) -> None:
        self.catalogue = catalogue
        self.site = site
        self.css_path = css_path
        self._card_cache: dict[str, CardView] = {}
        self.digest_pages = DigestPages(self, digests)

    def _card(self, article: Article) -> CardView:
        """Each article's card is built once per render, however many lists show it."""
        card = self._card_cache.get(article.id)
        if card is None:
            card = self._card_cache[article.id] = card_view(article)
        return card

    def _cards(self, articles: Sequence[Article]) -> tuple[CardView, ...]:
        return tuple(self._card(article) for article in articles)

    # --- plumbing ---------------------------------------------------------------------------

    def _render(self, template: str, page: PageMeta, **context: Any) -> RenderedPage:
        html = (
            environment()
            .get_template(template)
            .render(
                site=self.site,
                page=page,
                nav_items=NAV_ITEMS,
                css_path=self.css_path,
                **context,
            )
        )
        return RenderedPage(page.path, html)

    @property
    def reference_time(self) -> datetime | None:
        """The newest publication time: 'today' and 'this week' are measured from it."""
        return max((article.published for article in self.catalogue.articles), default=None)

    def all(self) -> Iterator[RenderedPage]:
        yield from self.site_wide()
        yield from self.per_article()

    def per_article(self, plan: PagePlan | None = None) -> Iterator[RenderedPage]:
        """Pages that grow with the archive: all of them, or those a plan names."""
        pages = archive_page_count(len(self.catalogue.articles))
        for number in range(1, pages + 1):
            if plan is None or number in plan.archive_pages:
                yield self.news_archive(number)
        for article in self.catalogue.articles:
            if plan is None or article.id in plan.articles:
                yield self.article(article)
        for groups, render, wanted in (
            (self.catalogue.tags, self.tag, plan.tags if plan else None),
            (self.catalogue.companies, self.company, plan.companies if plan else None),
            (self.catalogue.sources, self.source, plan.sources if plan else None),
        ):
            for key, group in groups.items():
                if wanted is None or key in wanted:
                    yield render(group)

    def per_article_paths(self) -> Iterator[str]:
        """The paths `per_article()` renders, without rendering them."""
        for number in range(1, archive_page_count(len(self.catalogue.articles)) + 1):
            yield news_archive_path(number)
        for article in self.catalogue.articles:
            yield article.path
        for groups in (self.catalogue.tags, self.catalogue.companies, self.catalogue.sources):
            for group in groups.values():
                yield group.path

    def site_wide(self) -> Iterator[RenderedPage]:
        """A bounded set of pages, rendered on every publish."""
        yield self.home()
        yield self.news()
        yield self.tags_index()
        yield self.companies_index()
        yield self.sources_index()
        yield self.daily()
        yield self.hacker()
        yield from self.hacker_days()
        yield self.weekly()
        yield from self.digest_pages.reports()
        yield self.videos()
        yield self.tools()
        yield self.trends()
        yield self.search()
        yield self.about()
        yield self.not_found()

    # --- news -------------------------------------------------------------------------------

    def home(self) -> RenderedPage:
        page = PageMeta(title=self.site.title, description=self.site.tagline, path="/")
        return self._render(
            "index.html",
            page,
            cards=self._cards(self.catalogue.articles[:HOME_SIZE]),
            trending=[group for group, _count in self._trending_tags()][:HOME_TRENDING],
        )

    def news(self) -> RenderedPage:
        articles = self.catalogue.articles
        pages = archive_page_count(len(articles))
        archive = [self._archive_link(number) for number in range(pages, 0, -1)]
        pager = [Link("より古い記事へ", news_archive_path(pages))] if pages else []
        page = PageMeta(
            title="最新ニュース",
            description=f"{self.site.title}の最新AIニュース一覧。新しい記事から順に掲載しています。",
            path="/news/",
            nav="news",
        )
        return self._render(
            "news.html",
            page,
            heading="最新ニュース",
            lead="新しく届いた記事から順に20件を掲載しています。",
            cards=self._cards(articles[:NEWS_PAGE_SIZE]),
            pager=pager,
            archive=archive,
        )

    def _archive_slice(self, number: int) -> Sequence[Article]:
        """Archive page `number`, newest first: counted from the oldest end of the listing."""
        total = len(self.catalogue.articles)
        start = total - number * NEWS_PAGE_SIZE
        return self.catalogue.articles[start : start + NEWS_PAGE_SIZE]

    def _archive_link(self, number: int) -> Link:
        chunk = self._archive_slice(number)
        times = [article.published for article in chunk]
        span = f"{format_jst_date(min(times))}〜{format_jst_date(max(times))}"
        return Link(f"ページ{number}（{span}）", news_archive_path(number))

    def news_archive(self, number: int) -> RenderedPage:
        """Page 1 holds the oldest 20; a full page never changes when new articles arrive.

        Its only outward links are to the neighbouring pages, and the newer neighbour exists
        as soon as a page after it is full (until then it links to /news/).
        """
        pages = archive_page_count(len(self.catalogue.articles))
        if not 1 <= number <= pages:
            raise ValueError(f"no archive page {number} (there are {pages})")
        pager = []
        if number < pages:
            pager.append(Link("より新しい記事へ", news_archive_path(number + 1)))
        else:
            pager.append(Link("最新ニュースへ", "/news/"))
        if number > 1:
            pager.append(Link("より古い記事へ", news_archive_path(number - 1)))
        page = PageMeta(
            title=f"ニュース一覧 ページ{number}",
            description=f"{self.site.title}の過去のAIニュース一覧（ページ{number}）。",
            path=news_archive_path(number),
            nav="news",
        )
        return self._render(
            "news.html",
            page,
            heading=f"ニュース一覧（ページ{number}）",
            lead="過去の記事を、掲載した順に20件ずつまとめています。",
            cards=self._cards(self._archive_slice(number)),
            pager=pager,
            archive=[],
        )

    # --- article ----------------------------------------------------------------------------

    def article(self, article: Article) -> RenderedPage:
        related = self._cards(self.catalogue.related_to(article))
        view = article_view(article, self.site, related, self._card(article))
        page = PageMeta(
            title=article.analysis.title_ja,
            description=article.analysis.tldr,
            path=article.path,
            nav="news",
            og_type="article",
            image=first_image(article),
            json_ld=news_article_json_ld(article, self.site),
        )
        return self._render("article.html", page, view=view)

    # --- tags, companies, sources -----------------------------------------------------------

    def _listing(
        self,
        page: PageMeta,
        heading: str,
        articles: Sequence[Article],
        *,
        lead: Sequence[str] = (),
        feed: FeedLink | None = None,
        empty: str = "まだ記事はありません。",
    ) -> RenderedPage:
        return self._render(
            "listing.html",
            page,
            heading=heading,
            lead=lead,
            feed=feed,
            cards=self._cards(articles[:LIST_LIMIT]),
            truncated=len(articles) > LIST_LIMIT,
            empty=empty,
        )

    def tag(self, group: Group) -> RenderedPage:
        feed = FeedLink(f"「#{group.name}」の記事をRSSで購読", group.path + "rss.xml")
        page = PageMeta(
            title=f"「{group.name}」のニュース",
            description=f"タグ「{group.name}」がついたAIニュースの一覧です。",
            path=group.path,
            feeds=(feed,),
        )
        return self._listing(
            page,
            f"#{group.name}",
            group.articles,
            lead=(
                f"タグ「{group.name}」がついた記事（{group.count}件）を新しい順に掲載しています。",
            ),
            feed=feed,
        )

    def company(self, group: Group) -> RenderedPage:
        return discovery.company_page(self, group)

    def source(self, group: Group) -> RenderedPage:
        page = PageMeta(
            title=f"{group.name}の記事",
            description=f"{group.name}が伝えたAIニュースの日本語要約の一覧です。",
            path=group.path,
        )
        return self._listing(
            page,
            f"{group.name}の記事",
            group.articles,
            lead=(f"情報源「{group.name}」の記事（{group.count}件）を新しい順に掲載しています。",),
        )

    def _groups_page(
        self, page: PageMeta, heading: str, lead: Sequence[str], sections: Sequence[GroupSection]
    ) -> RenderedPage:
        return self._render("groups.html", page, heading=heading, lead=lead, sections=sections)

    def tags_index(self) -> RenderedPage:
        page = PageMeta(
            title="タグ一覧",
            description="記事についているタグの一覧です。",
            path="/tags/",
        )
        section = GroupSection(
            "すべてのタグ",
            tuple(by_count(self.catalogue.tags.values())),
            prefix="#",
            cloud=True,
            empty="まだタグはありません。",
        )
        return self._groups_page(page, "タグ一覧", ("記事数の多い順に並べています。",), (section,))

    def companies_index(self) -> RenderedPage:
        return discovery.companies_page(self)

    def sources_index(self) -> RenderedPage:
        page = PageMeta(
            title="情報源",
            description=f"{self.site.title}が記事を集めている情報源の一覧です。",
            path="/sources/",
        )
        section = GroupSection(
            "情報源一覧",
            tuple(by_count(self.catalogue.sources.values())),
            empty="まだ記事はありません。",
        )
        lead = ("記事を掲載したことのある情報源を、記事数の多い順に並べています。",)
        return self._groups_page(page, "情報源", lead, (section,))

    # --- reports ----------------------------------------------------------------------------

    def daily(self) -> RenderedPage:
        return self.digest_pages.archive(DigestKind.DAILY)

    def weekly(self) -> RenderedPage:
        return self.digest_pages.archive(DigestKind.WEEKLY)

    def hacker(self) -> RenderedPage:
        return discovery.hacker_index(self)

    def hacker_days(self) -> list[RenderedPage]:
        return discovery.hacker_day_pages(self)

    def videos(self) -> RenderedPage:
        return discovery.videos_page(self)

    def tools(self) -> RenderedPage:
        return discovery.tools_page(self)

    def _trend_window(self) -> list[Article]:
        newest = self.reference_time
        if newest is None:
            return []
        start = newest - timedelta(days=TREND_DAYS)
        return [article for article in self.catalogue.articles if article.published > start]

    def _trending(
        self, groups: dict[str, Group], keys_of: Callable[[Article], list[str]], limit: int
    ) -> list[tuple[Group, int]]:
        """Groups by the number of articles in the trend window, most first."""
        counts: Counter[str] = Counter()
        for article in self._trend_window():
            counts.update(keys_of(article))
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], groups[kv[0]].name, kv[0]))
        return [(groups[key], count) for key, count in ranked[:limit]]

    def _trending_tags(self) -> list[tuple[Group, int]]:
        return self._trending(self.catalogue.tags, tag_keys, TREND_TAGS)

    def _trending_companies(self) -> list[tuple[Group, int]]:
        return self._trending(self.catalogue.companies, company_keys, TREND_COMPANIES)

    def trends(self) -> RenderedPage:
        return discovery.trends_page(self)

    def search(self) -> RenderedPage:
        return discovery.search_page(self)

    # --- about, 404 -------------------------------------------------------------------------

    def about(self) -> RenderedPage:
        example = {"depth": 4, "relevance": 5, "practicality": 3, "innovation": 2}
        weighted = weighted_score(**example)
        rounded = importance_of(**example)
        page = PageMeta(
            title="このサイトについて",
            description=f"{self.site.title}の仕組み、重要度の決め方、情報源について。",
            path="/about/",
        )
        return self._render(
            "about.html",
            page,
            subscores=[
                {"name": name, "description": description, "weight": weight}
                for name, description, weight in SUBSCORE_DESCRIPTIONS
            ],
            example={
                **example,
                "weighted": f"{weighted:.1f}",
                "importance": rounded,
                "label": LABELS[rounded],
            },
            levels=[
                {
                    "importance": level,
                    "label": LABELS[level],
                    "stars": stars(level),
                    "description": LEVEL_DESCRIPTIONS[level],
                }
                for level in sorted(LABELS, reverse=True)
            ],
            sources=by_count(self.catalogue.sources.values()),
        )

    def not_found(self) -> RenderedPage:
        page = PageMeta(
            title="ページが見つかりません",
            description="お探しのページは見つかりませんでした。",
            path="/404.html",
            noindex=True,
        )
        return self._render("404.html", page)
