"""The composition root: settings validated, clients built and adapters wired, once per process.

Nothing is built at import. Each `*_app()` is cached, so a warm Lambda reuses its clients;
tests build the app classes themselves with fakes or moto-backed clients.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from frontline.config import (
    AnalyzeSettings,
    ConfigurationError,
    FetchSettings,
    RenderSettings,
    load_catalogue,
    load_settings,
    load_vocabulary,
)
from frontline.domain.feed_poller import FeedPoller, PollReport
from frontline.domain.item_analysis import ItemAnalyst
from frontline.domain.models import FeedSource
from frontline.domain.ports import (
    AnalysisProvider,
    ArticleRepository,
    FeedFetcher,
    FeedStateStore,
    ItemLedger,
    SiteStore,
    WorkQueue,
)

if TYPE_CHECKING:
    from datetime import datetime

    from frontline.site import SiteConfig
    from frontline.site.publishing import PublishReport


def user_agent(site_url: str) -> str:
    return f"FrontlineBot/0.1 (+{site_url}; AI news in Japanese)"


@cache
def aws_client(service: str) -> Any:
    """One boto3 client per service per process, with standard retries and short timeouts."""
    import boto3
    from botocore.config import Config

    return boto3.client(  # type: ignore[call-overload]
        service,
        config=Config(
            retries={"mode": "standard", "max_attempts": 5},
            connect_timeout=5,
            read_timeout=30,
        ),
    )


# --- fetch_feeds ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchFeedsApp:
    catalogue: list[FeedSource]
    ledger: ItemLedger
    states: FeedStateStore
    queue: WorkQueue
    fetcher: Callable[[], AbstractAsyncContextManager[FeedFetcher]]
    concurrency: int = 20
    first_poll_cutoff: timedelta | None = timedelta(days=7)

    def run(self, *, now: datetime) -> PollReport:
        async def poll() -> PollReport:
            async with self.fetcher() as fetcher:
                poller = FeedPoller(
                    fetcher,
                    self.states,
                    self.ledger,
                    self.queue,
                    concurrency=self.concurrency,
                    first_poll_cutoff=self.first_poll_cutoff,
                )
                return await poller.poll(self.catalogue, now=now)

        return asyncio.run(poll())


def build_fetch_feeds(
    settings: FetchSettings, *, catalogue: list[FeedSource] | None = None
) -> FetchFeedsApp:
    from frontline.adapters.dynamodb import DynamoFeedStateStore, DynamoItemLedger, DynamoTable
    from frontline.adapters.http_feeds import HttpFeedFetcher
    from frontline.adapters.sqs import SqsWorkQueue

    table = DynamoTable(aws_client("dynamodb"), settings.table_name)
    cutoff = settings.first_poll_cutoff_days
    return FetchFeedsApp(
        catalogue=catalogue
        if catalogue is not None
        else load_catalogue(settings.config_dir / "feeds.yaml"),
        ledger=DynamoItemLedger(table),
        states=DynamoFeedStateStore(table),
        queue=SqsWorkQueue(aws_client("sqs"), settings.queue_url),
        fetcher=lambda: HttpFeedFetcher(
            user_agent=user_agent(settings.site_url),
            allow_private_network=settings.allow_private_network,
        ),
        concurrency=settings.max_concurrency,
        first_poll_cutoff=timedelta(days=cutoff) if cutoff is not None else None,
    )


@cache
def fetch_feeds_app() -> FetchFeedsApp:
    return build_fetch_feeds(load_settings(FetchSettings))


# --- analyze_item ---------------------------------------------------------------------------


def build_provider(settings: AnalyzeSettings) -> AnalysisProvider:
    from frontline.adapters.heuristic import HeuristicProvider

    vocabulary = load_vocabulary(settings.config_dir)
    if settings.llm_provider == "heuristic":
        return HeuristicProvider(vocabulary)
    raise ConfigurationError(
        f"LLM_PROVIDER={settings.llm_provider}: this build ships the heuristic provider only"
    )


def build_analyst(settings: AnalyzeSettings) -> ItemAnalyst:
    from frontline.adapters.dynamodb import DynamoArticleRepository, DynamoTable

    table = DynamoTable(aws_client("dynamodb"), settings.table_name)
    return ItemAnalyst(build_provider(settings), DynamoArticleRepository(table))


@cache
def analyze_item_app() -> ItemAnalyst:
    return build_analyst(load_settings(AnalyzeSettings))


# --- render_site ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderSiteApp:
    articles: ArticleRepository
    store: SiteStore
    site: SiteConfig

    def run(self, *, now: datetime) -> PublishReport:
        from frontline.site.publishing import publish_site

        return publish_site(self.articles, self.store, self.site, now=now)


def build_render_site(settings: RenderSettings) -> RenderSiteApp:
    from frontline.adapters.dynamodb import DynamoArticleRepository, DynamoTable
    from frontline.adapters.s3_site import S3SiteStore
    from frontline.site import SiteConfig

    table = DynamoTable(aws_client("dynamodb"), settings.table_name)
    return RenderSiteApp(
        articles=DynamoArticleRepository(table),
        store=S3SiteStore(aws_client("s3"), settings.site_bucket),
        site=SiteConfig(
            title=settings.site_title, tagline=settings.site_tagline, base_url=settings.site_url
        ),
    )


@cache
def render_site_app() -> RenderSiteApp:
    return build_render_site(load_settings(RenderSettings))
