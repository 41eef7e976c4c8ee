"""The composition root: settings validated, clients built and adapters wired, once per process.

Nothing is built at import. Each `*_app()` is cached, so a warm Lambda reuses its clients;
tests build the app classes themselves with fakes or moto-backed clients.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from frontline.config import (
    AnalyzeSettings,
    ConfigurationError,
    DigestRequestSettings,
    FetchSettings,
    RenderSettings,
    RequeueSettings,
    load_catalogue,
    load_grounding_rules,
    load_prices,
    load_settings,
    load_vocabulary,
)
from frontline.domain.digests import Digest, DigestJob, DigestKind, DigestMessage, DigestWriter
from frontline.domain.item_analysis import ItemAnalyst, ReanalysisJob
from frontline.domain.models import Article, ArticleChange, FeedSource, ItemMessage
from frontline.domain.ports import (
    AnalysisProvider,
    ArticleRepository,
    CdnInvalidator,
    ChangeBacklog,
    DeadLetters,
    DigestRepository,
    FeedFetcher,
    FeedStateStore,
    ItemLedger,
    PeriodArticles,
    ProviderRejected,
    PublishManifest,
    RebuildLedger,
    RebuildRun,
    SiteStore,
    Usage,
    WorkQueue,
)
from frontline.domain.spend import Budget, Pricing
from frontline.domain.vocabulary import Vocabulary

if TYPE_CHECKING:
    import httpx
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient

    from frontline.adapters.dynamodb import DynamoTable
    from frontline.analysis.provider import LlmAnalysisProvider
    from frontline.domain.feed_poller import PollReport
    from frontline.domain.grounding import GroundingRules
    from frontline.domain.opt_out import SourceArticles
    from frontline.domain.stories import StoryDesk
    from frontline.site import SiteConfig
    from frontline.site.extras import SiteExtras
    from frontline.site.families import SiteContext
    from frontline.site.publishing import PublishReport
    from frontline.site.rebuild import PartitionReport
    from frontline.site.rebuild_runs import FinishReport
    from frontline.site.slices import SiteIndex


def user_agent(site_url: str) -> str:
    return f"FrontlineBot/0.1 (+{site_url}; AI news in Japanese)"


@cache
def aws_client(service: str) -> Any:
    """One boto3 client per service per process, with standard retries and short timeouts."""
    import boto3
    from botocore.config import Config

    # Bedrock: a full answer takes tens of seconds, and past two tries the SQS redelivery
    # (with its growing visibility timeout) is the better retry.
    slow = service == "bedrock-runtime"
    return boto3.client(  # type: ignore[call-overload]
        service,
        config=Config(
            retries={"mode": "standard", "max_attempts": 2 if slow else 5},
            connect_timeout=5,
            read_timeout=100 if slow else 30,
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
    concurrency: int = 40
    first_poll_cutoff: timedelta | None = timedelta(days=7)
    articles: SourceArticles | None = None  # to take opted-out sources' articles off the site

    def run(self, *, now: datetime) -> PollReport:
        import asyncio

        from frontline.domain.feed_poller import FeedPoller
        from frontline.domain.opt_out import withdraw_opted_out

        withdrawn, withdraw_error = 0, None
        if self.articles is not None:
            try:
                done = withdraw_opted_out(self.catalogue, self.states, self.articles, now=now)
                withdrawn = sum(withdrawal.withdrawn for withdrawal in done)
            except Exception as exc:  # retried next run; polling goes on
                withdraw_error = f"{type(exc).__name__}: {exc}"[:300]

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

        report = asyncio.run(poll())
        report.withdrawn, report.withdraw_error = withdrawn, withdraw_error
        return report


def build_fetch_feeds(
    settings: FetchSettings, *, catalogue: list[FeedSource] | None = None
) -> FetchFeedsApp:
    from frontline.adapters.dynamodb import (
        DynamoArticleRepository,
        DynamoFeedStateStore,
        DynamoItemLedger,
        DynamoTable,
    )
    from frontline.adapters.http_feeds import HttpFeedFetcher
    from frontline.adapters.sqs import SqsWorkQueue

    table = DynamoTable(aws_client("dynamodb"), settings.table_name)
    queue = SqsWorkQueue(aws_client("sqs"), settings.queue_url)
    cutoff = settings.first_poll_cutoff_days
    return FetchFeedsApp(
        catalogue=catalogue
        if catalogue is not None
        else load_catalogue(settings.config_dir / "feeds.yaml"),
        ledger=DynamoItemLedger(table),
        states=DynamoFeedStateStore(table),
        articles=DynamoArticleRepository(table),
        queue=queue,
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


# --- requeue_waiting_items ------------------------------------------------------------------


@dataclass(frozen=True)
class RequeueWaitingItemsApp:
    job: ReanalysisJob | None  # None with the heuristic alone: nothing waits for an LLM

    def run(self) -> int:
        """Queue the articles waiting for a full analysis; how many were queued."""
        return 0 if self.job is None else self.job.run()


def build_requeue_waiting_items(settings: RequeueSettings) -> RequeueWaitingItemsApp:
    if settings.llm_provider == "heuristic":
        return RequeueWaitingItemsApp(None)
    from frontline.adapters.dynamodb import DynamoArticleRepository, DynamoTable
    from frontline.adapters.sqs import SqsWorkQueue

    table = DynamoTable(aws_client("dynamodb"), settings.table_name)
    queue = SqsWorkQueue(aws_client("sqs"), settings.queue_url)
    return RequeueWaitingItemsApp(ReanalysisJob(DynamoArticleRepository(table), queue))


@cache
def requeue_waiting_items_app() -> RequeueWaitingItemsApp:
    return build_requeue_waiting_items(load_settings(RequeueSettings))


# --- request_digest -------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestDigestApp:
    job: DigestJob

    def run(self, kind: DigestKind, *, now: datetime) -> DigestMessage:
        """Queue the digest of the period that ended before `now` (yesterday, last week)."""
        return self.job.run(kind, now=now)


def build_request_digest(settings: DigestRequestSettings) -> RequestDigestApp:
    from frontline.adapters.sqs import SqsWorkQueue

    return RequestDigestApp(DigestJob(SqsWorkQueue(aws_client("sqs"), settings.queue_url)))


@cache
def request_digest_app() -> RequestDigestApp:
    return build_request_digest(load_settings(DigestRequestSettings))


# --- analyze_item ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Parked:
    """A message the provider refused: parked in the DLQ with its reason, not retried."""

    reason: str
    request_id: str | None


@dataclass(frozen=True)
class AnalyzeItemApp:
    analyst: ItemAnalyst
    dead_letters: DeadLetters | None = None
    digests: DigestWriter | None = None

    def handle(self, message: ItemMessage, *, now: datetime) -> Article | Parked:
        try:
            return self.analyst.process(message, now=now)
        except ProviderRejected as exc:
            if self.dead_letters is None:
                raise
            self.dead_letters.park(message, reason=exc.reason, request_id=exc.request_id)
            return Parked(exc.reason, exc.request_id)

    def handle_digest(self, message: DigestMessage, *, now: datetime) -> Digest:
        """Write the period's digest (the LLM's overview, or the marked extractive one)."""
        if self.digests is None:
            raise ConfigurationError("this analyze_item app has no digest writer")
        return self.digests.process(message, now=now)


def pricing(settings: AnalyzeSettings) -> Pricing:
    """Cost of a call from config/prices.yaml; an unpriced model fails at start."""
    prices = load_prices(settings.config_dir)
    model_id = settings.model_id
    if model_id is not None and model_id not in prices:
        raise ConfigurationError(
            f"{settings.config_dir / 'prices.yaml'}: no price for model '{model_id}' "
            "(the daily budget needs one)"
        )

    def price(used_model: str | None, usage: Usage) -> float:
        known = prices.get(used_model or model_id or "")
        return known.cost_of(usage) if known else 0.0

    return price


def openai_api_key(settings: AnalyzeSettings) -> str | None:
    if not settings.openai_api_key_secret_arn:
        return None
    secret = aws_client("secretsmanager").get_secret_value(
        SecretId=settings.openai_api_key_secret_arn
    )
    return str(secret["SecretString"]).strip()


def heuristic_provider(vocabulary: Vocabulary) -> AnalysisProvider:
    from frontline.adapters.heuristic import HeuristicProvider

    return HeuristicProvider(vocabulary)


def bedrock_provider(
    client: BedrockRuntimeClient,
    model_id: str,
    vocabulary: Vocabulary,
    *,
    grounding: GroundingRules | None = None,
    cache_ttl: str | None = None,
    **kw: Any,
) -> LlmAnalysisProvider:
    """The analysis over Amazon Bedrock's Converse API (Claude, Amazon Nova)."""
    from frontline.adapters.bedrock import BedrockConverseClient
    from frontline.analysis.provider import LlmAnalysisProvider

    client_ = BedrockConverseClient(client, model_id, cache_ttl=cache_ttl)
    return LlmAnalysisProvider(client_, vocabulary, grounding=grounding, **kw)


def openai_provider(
    http: httpx.Client,
    *,
    base_url: str,
    model: str,
    api_key: str | None,
    vocabulary: Vocabulary,
    grounding: GroundingRules | None = None,
    **kw: Any,
) -> LlmAnalysisProvider:
    """The analysis over an OpenAI-compatible /chat/completions server."""
    from frontline.adapters.openai_compat import OpenAiChatClient
    from frontline.analysis.provider import LlmAnalysisProvider

    client = OpenAiChatClient(http, base_url=base_url, model=model, api_key=api_key)
    return LlmAnalysisProvider(client, vocabulary, grounding=grounding, **kw)


def build_provider(settings: AnalyzeSettings) -> AnalysisProvider:
    """The configured provider: heuristic, or an LLM through the tool-calling loop."""
    vocabulary = load_vocabulary(settings.config_dir)
    if settings.llm_provider == "heuristic":
        return heuristic_provider(vocabulary)
    from frontline.observability import MetricUnit, metrics

    def count_repair(problems: tuple[str, ...]) -> None:
        metrics.add_metric(name="AnalysisRepairs", unit=MetricUnit.Count, value=1)

    grounding = load_grounding_rules(settings.config_dir)
    if settings.llm_provider == "bedrock":
        price = load_prices(settings.config_dir).get(settings.bedrock_model_id)
        return bedrock_provider(
            aws_client("bedrock-runtime"),
            settings.bedrock_model_id,
            vocabulary,
            grounding=grounding,
            cache_ttl=price.prompt_cache_ttl if price is not None else None,
            on_repair=count_repair,
        )
    import httpx

    return openai_provider(
        httpx.Client(timeout=httpx.Timeout(90.0, connect=5.0)),
        base_url=settings.openai_base_url,
        model=settings.openai_model,
        api_key=openai_api_key(settings),
        vocabulary=vocabulary,
        grounding=grounding,
        on_repair=count_repair,
    )


def story_desk(settings: AnalyzeSettings, table: DynamoTable) -> StoryDesk:
    """Placement in stories: the table's story index, the entity table, and the embeddings
    model when one is configured."""
    from frontline.adapters.story_index import DynamoStoryIndex
    from frontline.domain.stories import MatchRules, StoryDesk

    embedder = None
    if settings.embedding_model_id:
        from frontline.adapters.bedrock_embeddings import BedrockEmbedder

        embedder = BedrockEmbedder(aws_client("bedrock-runtime"), settings.embedding_model_id)
    return StoryDesk(
        DynamoStoryIndex(table),
        load_vocabulary(settings.config_dir).entities,
        rules=MatchRules(window=timedelta(hours=settings.story_window_hours)),
        embedder=embedder,
    )


def build_analyze_item(
    settings: AnalyzeSettings,
    *,
    provider: AnalysisProvider | None = None,
    catalogue: list[FeedSource] | None = None,
) -> AnalyzeItemApp:
    from frontline.adapters.digest_store import DynamoDigestRepository, DynamoPeriodArticles
    from frontline.adapters.dynamodb import (
        DynamoAnalysisClaims,
        DynamoArticleRepository,
        DynamoSpendLedger,
        DynamoTable,
    )
    from frontline.adapters.heuristic import HeuristicDigestWriter, HeuristicProvider
    from frontline.adapters.sqs import SqsDeadLetters

    table = DynamoTable(aws_client("dynamodb"), settings.table_name)
    articles = DynamoArticleRepository(table)
    provider = provider or build_provider(settings)
    sources = (
        catalogue if catalogue is not None else load_catalogue(settings.config_dir / "feeds.yaml")
    )
    opted_out = [source.id for source in sources if source.opt_out]
    dead_letters = SqsDeadLetters(aws_client("sqs"), settings.dead_letter_queue_url)
    period_articles = DynamoPeriodArticles(table)
    digest_store = DynamoDigestRepository(table)
    stories = story_desk(settings, table)
    cap = settings.story_reanalysis_cap
    if provider.name == "heuristic":
        digests = DigestWriter(period_articles, digest_store, HeuristicDigestWriter())
        analyst = ItemAnalyst(
            provider, articles, stories=stories, reanalysis_cap=cap, opted_out=opted_out
        )
        return AnalyzeItemApp(analyst, dead_letters, digests)
    page_text = None
    if settings.fetch_pages:
        from frontline.adapters.http_feeds import HttpFeedFetcher
        from frontline.adapters.page_text import WebPageText

        agent = user_agent(settings.site_url)
        page_text = WebPageText(
            lambda: HttpFeedFetcher(
                user_agent=agent, allow_private_network=settings.allow_private_network
            ),
            user_agent=agent,
        )
    budget = Budget(DynamoSpendLedger(table), settings.daily_budget_usd, pricing(settings))
    from frontline.observability import MetricUnit, metrics

    def count_ungrounded(article: Article) -> None:
        metrics.add_metric(name="AnalysesUngrounded", unit=MetricUnit.Count, value=1)

    analyst = ItemAnalyst(
        provider,
        articles,
        fallback=HeuristicProvider(load_vocabulary(settings.config_dir)),
        budget=budget,
        page_text=page_text,
        claims=DynamoAnalysisClaims(table),
        on_ungrounded=count_ungrounded,
        stories=stories,
        reanalysis_cap=cap,
        opted_out=opted_out,
    )
    return AnalyzeItemApp(
        analyst, dead_letters, build_digest_writer(provider, period_articles, digest_store, budget)
    )


def build_digest_writer(
    provider: AnalysisProvider,
    articles: PeriodArticles,
    digests: DigestRepository,
    budget: Budget,
) -> DigestWriter:
    """The LLM behind the analysis writes the digests too, within the same daily budget."""
    from frontline.adapters.heuristic import HeuristicDigestWriter
    from frontline.analysis.provider import LlmAnalysisProvider, LlmDigestProvider

    if not isinstance(provider, LlmAnalysisProvider):  # a custom provider: extractive only
        return DigestWriter(articles, digests, HeuristicDigestWriter())
    from frontline.observability import MetricUnit, metrics

    def count_repair(problems: tuple[str, ...]) -> None:
        metrics.add_metric(name="DigestRepairs", unit=MetricUnit.Count, value=1)

    return DigestWriter(
        articles,
        digests,
        LlmDigestProvider(provider.client, on_repair=count_repair),
        fallback=HeuristicDigestWriter(),
        budget=budget,
    )


@cache
def analyze_item_app() -> AnalyzeItemApp:
    return build_analyze_item(load_settings(AnalyzeSettings))


# --- render_site ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderSiteApp:
    articles: ArticleRepository
    store: SiteStore
    site: SiteConfig
    manifest: PublishManifest
    digests: DigestRepository | None = None
    cdn: CdnInvalidator | None = None
    backlog: ChangeBacklog | None = None  # None: every batch is published at once
    # the site index, brought up to date before a publish (None: slices from listing
    # `articles`, for in-memory stores)
    index: SiteIndex | None = None
    extras: SiteExtras | None = None  # pinned articles and feed health, when a store has them

    def run(
        self,
        *,
        now: datetime,
        changes: Sequence[ArticleChange] | None = None,
        drain: bool = False,
        digest_changes: Sequence[tuple[DigestKind, str]] = (),
    ) -> PublishReport:
        """A full publish; or a stream batch (`changes`), published with whatever else
        waits in the backlog unless a publish ran moments ago; or (`drain`) what waits.

        The index is reconciled first: a stream batch's articles as they arrive (so a
        batch that waits in the backlog is indexed already), every article on a full
        publish (the nightly check, and the heal after a lost batch)."""
        from frontline.site.catalogue import ListedIndex
        from frontline.site.publishing import publish_coalesced, publish_site

        index = self.index if self.index is not None else ListedIndex(self.articles)
        if changes is not None:
            index.reconcile({v.id for change in changes for v in change.versions})
        elif not drain:
            index.reconcile_all()
        if self.backlog is None:
            return publish_site(
                self.articles,
                self.store,
                self.site,
                manifest=self.manifest,
                now=now,
                index=index,
                digests=self.digests,
                changes=[] if drain else changes,
                digest_changes=digest_changes,
                cdn=self.cdn,
                extras=self.extras,
            )
        return publish_coalesced(
            self.articles,
            self.store,
            self.site,
            manifest=self.manifest,
            backlog=self.backlog,
            now=now,
            changes=changes,
            index=index,
            full=changes is None and not drain,
            digest_changes=digest_changes,
            digests=self.digests,
            cdn=self.cdn,
            extras=self.extras,
        )


def build_render_site(
    settings: RenderSettings, *, catalogue: list[FeedSource] | None = None
) -> RenderSiteApp:
    from frontline.adapters.digest_store import DynamoDigestRepository
    from frontline.adapters.dynamodb import (
        DynamoArticleRepository,
        DynamoFeedStateStore,
        DynamoTable,
    )
    from frontline.adapters.editorial_store import DynamoEditorialStore
    from frontline.adapters.publish_manifest import DynamoChangeBacklog, DynamoPublishManifest
    from frontline.adapters.s3_site import S3SiteStore
    from frontline.adapters.site_index import DynamoSiteIndex
    from frontline.site import SiteConfig
    from frontline.site.extras import SiteExtras

    table = DynamoTable(aws_client("dynamodb"), settings.table_name)
    cdn = None
    if settings.distribution_id:  # empty locally: there is no CDN
        from frontline.adapters.cloudfront import CloudFrontInvalidator

        cdn = CloudFrontInvalidator(aws_client("cloudfront"), settings.distribution_id)
    return RenderSiteApp(
        cdn=cdn,
        articles=DynamoArticleRepository(table),
        digests=DynamoDigestRepository(table),
        store=S3SiteStore(aws_client("s3"), settings.site_bucket),
        manifest=DynamoPublishManifest(table),
        backlog=DynamoChangeBacklog(table),
        index=DynamoSiteIndex(table),
        extras=SiteExtras(
            pins=DynamoEditorialStore(table),
            catalogue=catalogue
            if catalogue is not None
            else load_catalogue(settings.config_dir / "feeds.yaml"),
            feed_states=DynamoFeedStateStore(table),
        ),
        site=SiteConfig(
            title=settings.site_title, tagline=settings.site_tagline, base_url=settings.site_url
        ),
    )


@cache
def render_site_app() -> RenderSiteApp:
    return build_render_site(load_settings(RenderSettings))


# --- rebuild_site -------------------------------------------------------------------------


@dataclass(frozen=True)
class RebuildSiteApp:
    """The partitioned full rebuild: plan a run, publish one of its partitions, finish it."""

    articles: ArticleRepository
    store: SiteStore
    site: SiteConfig
    manifest: PublishManifest
    ledger: RebuildLedger
    digests: DigestRepository | None = None
    cdn: CdnInvalidator | None = None
    index: SiteIndex | None = None  # None: slices from listing `articles` (in-memory stores)
    extras: SiteExtras | None = None  # pinned articles and feed health, as a publish has them

    @cached_property
    def slices(self) -> SiteIndex:
        from frontline.site.catalogue import ListedIndex

        return self.index if self.index is not None else ListedIndex(self.articles)

    def contexts(self, now: datetime) -> Callable[[], SiteContext]:
        from frontline.site.extras import extras_at
        from frontline.site.families import SiteContext
        from frontline.site.families.base import DigestList

        digests = self.digests if self.digests is not None else DigestList(())
        at = extras_at(self.extras, now)
        return lambda: SiteContext(
            self.slices,
            self.site,
            now=now,
            digests=digests,
            pinned=at.pinned,
            source_health=at.source_health,
        )

    def plan(self, *, run: str, now: datetime) -> RebuildRun:
        from frontline.site.rebuild_runs import plan_run

        return plan_run(
            self.contexts(now), run=run, now=now, ledger=self.ledger, manifest=self.manifest
        )

    def partition(self, run: str, name: str) -> PartitionReport:
        from frontline.site.rebuild_runs import run_partition

        plan = self.ledger.plan(run)
        if plan is None:
            raise LookupError(f"no rebuild run {run!r}")
        kind, _, month = name.partition(":")
        if kind == "articles":  # the nightly check of the index, a month per partition
            self.slices.reconcile_month(month)
        return run_partition(
            run,
            name,
            self.contexts(plan.now),
            ledger=self.ledger,
            store=self.store,
            manifest=self.manifest,
        )

    def finish(self, run: str) -> FinishReport:
        from frontline.site.rebuild_runs import finish_run

        return finish_run(
            run, ledger=self.ledger, store=self.store, manifest=self.manifest, cdn=self.cdn
        )


def build_rebuild_site(settings: RenderSettings) -> RebuildSiteApp:
    from frontline.adapters.dynamodb import DynamoTable
    from frontline.adapters.rebuild_ledger import DynamoRebuildLedger

    render = build_render_site(settings)
    table = DynamoTable(aws_client("dynamodb"), settings.table_name)
    return RebuildSiteApp(
        articles=render.articles,
        store=render.store,
        site=render.site,
        manifest=render.manifest,
        ledger=DynamoRebuildLedger(table),
        digests=render.digests,
        cdn=render.cdn,
        index=render.index,
        extras=render.extras,
    )


@cache
def rebuild_site_app() -> RebuildSiteApp:
    return build_rebuild_site(load_settings(RenderSettings))


def rebuild_partition(run: str, name: str) -> dict[str, int | str]:
    """One partition of a run in this process (a worker of the local process pool)."""
    return rebuild_site_app().partition(run, name).summary()
