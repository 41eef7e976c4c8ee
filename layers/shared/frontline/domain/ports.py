"""The ports: what the services need from the outside world, as small Protocols.

Adapters in `frontline.adapters` implement them against AWS and HTTP; unit tests pass fakes.
Adapters translate infrastructure errors into the exceptions defined here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from frontline.domain.models import (
    Analysis,
    Article,
    ArticleChange,
    FeedItem,
    FeedState,
    ItemMessage,
)

if TYPE_CHECKING:
    from frontline.domain.digests import (
        Digest,
        DigestKind,
        DigestMessage,
        DigestRequest,
        OverviewResult,
    )


@dataclass(frozen=True, slots=True)
class Usage:
    """Tokens of one or more calls. `input_tokens` excludes what was read from or written to
    the provider's prompt cache, which is counted (and priced) apart."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_read_tokens + other.cache_read_tokens,
            self.cache_write_tokens + other.cache_write_tokens,
        )

    @property
    def is_empty(self) -> bool:
        return (
            not (self.input_tokens or self.output_tokens or self.cache_read_tokens)
            and not self.cache_write_tokens
        )


# --- Errors the services understand --------------------------------------------------------


class FrontlineError(Exception):
    """Base of every error the domain raises or understands."""


class FeedUnavailable(FrontlineError):
    """The feed could not be fetched: network failure, refused address, bad status, too big."""

    def __init__(
        self, reason: str, *, status: int | None = None, retry_after_s: float | None = None
    ):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after_s = retry_after_s


class FeedUnparseable(FrontlineError):
    """The body is not a feed at all (an HTML challenge page, an empty or hostile document)."""


class ProviderError(FrontlineError):
    """The analysis provider failed. `usage` holds tokens already spent on the attempt."""

    def __init__(self, reason: str, *, usage: Usage | None = None, request_id: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.usage = usage or Usage()
        self.request_id = request_id


class ProviderRetryable(ProviderError):
    """Throttling, service unavailable, timeout: fail the record so SQS retries it."""


class ProviderRejected(ProviderError):
    """The request itself was refused (bad request, access denied): retrying will not help."""


class AnalysisInvalid(ProviderError):
    """The model answered, but the answer failed validation (after the repair round)."""


class AnalysisUngrounded(AnalysisInvalid):
    """The answer kept numbers, dates, names or claims the source does not contain."""


class StaleVersion(FrontlineError):
    """A newer version of the item is already stored: the older message is dropped."""


class AnalysisInProgress(FrontlineError):
    """Another delivery holds the item's analysis lease: fail the record, SQS retries later."""


# --- Fetching ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One HTTP fetch after redirects: a 304 has an empty body."""

    status: int
    url: str  # final URL after redirects
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    permanent_url: str | None = None  # set when a 301/308 chain moved the feed
    content_location: str | None = None  # the response's Content-Location header, if any


class FeedFetcher(Protocol):
    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET with conditional headers; raises FeedUnavailable."""
        ...


# --- The store -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClaimOutcome:
    new: list[FeedItem] = field(default_factory=list)  # never seen before: now claimed
    updated: list[FeedItem] = field(default_factory=list)  # known, but its content changed
    # Never seen under this id, but its URL belongs to another item of the feed: recorded, so
    # a story republished under a new guid never becomes a second article.
    duplicates: list[FeedItem] = field(default_factory=list)


class ItemLedger(Protocol):
    """Remembers every item ever seen, so each is queued at most once, even under races."""

    def claim_new_items(self, items: Sequence[FeedItem]) -> ClaimOutcome:
        """Claim the unseen items and the changed ones with conditional writes."""
        ...

    def release(self, items: Sequence[FeedItem]) -> None:
        """Undo claims whose messages could not be queued, so the next poll retries them."""
        ...

    def mark_queued(self, items: Sequence[FeedItem]) -> None:
        """Mark these claims settled (queued, or deliberately not queued): none is re-sent."""
        ...

    def unqueued_claims(self, *, claimed_before: datetime, limit: int) -> list[ItemMessage]:
        """At most `limit` messages of claims made before then and never marked queued:
        what a process that died between claiming and queueing left behind."""
        ...


class FeedStateStore(Protocol):
    def load_states(self, feed_ids: Iterable[str]) -> dict[str, FeedState]: ...

    def save_state(self, state: FeedState) -> None: ...


class ArticleRepository(Protocol):
    def get(self, article_id: str) -> Article | None: ...

    def save(self, article: Article) -> bool:
        """Store the article; False when an identical analysis was already stored.

        Conditional on the version: raises StaleVersion when a different version of the item
        seen later (`seen_at`) is stored.
        """
        ...

    def list_public(self, limit: int | None = None) -> list[Article]:
        """Public articles, newest published first. Without a limit, every public article:
        only the full rebuild may ask for that."""
        ...

    def list_newest(self, limit: int) -> list[Article]:
        """The `limit` public articles that come first in listing order (newest arrival
        first, see `domain.listing_order`), reading no others."""
        ...

    def list_needing_analysis(self, limit: int) -> list[Article]:
        """Articles stored with a heuristic analysis that wait for a full one, oldest first."""
        ...


class PinnedArticleStore(Protocol):
    def pinned(self, now: datetime, limit: int) -> list[Article]:
        """At most `limit` public articles pinned at `now`, the latest pin first, read
        without listing the articles."""
        ...


class AnalysisClaims(Protocol):
    """Per item: who analyses it now (a lease with expiry) and the model's answer once given."""

    def lease(self, item_id: str, *, holder: str, now: datetime, until: datetime) -> bool:
        """Take the item's lease unless another holder's lease is still running."""
        ...

    def release(self, item_id: str, *, holder: str) -> None: ...

    def answer_for(self, item_id: str, content_hash: str) -> AnalysisResult | None:
        """The model's recorded answer for this version of the item, if one was given."""
        ...

    def record_answer(self, item_id: str, content_hash: str, result: AnalysisResult) -> None: ...


class SpendLedger(Protocol):
    """The daily LLM spend, kept with atomic counters."""

    def spent_on(self, day: date) -> float: ...

    def record(
        self, day: date, cost_usd: float, usage: Usage, *, charge_id: str | None = None
    ) -> None:
        """Add one call's cost; a `charge_id` already recorded adds nothing."""
        ...


# --- The queue -----------------------------------------------------------------------------


class WorkQueue(Protocol):
    def enqueue(self, messages: Sequence[ItemMessage]) -> list[ItemMessage]:
        """Send the messages; return those that could not be sent after retries."""
        ...


class DeadLetters(Protocol):
    """Where a message that must not be retried is parked, with its reason, for operators."""

    def park(self, message: ItemMessage, *, reason: str, request_id: str | None) -> None: ...


class PageText(Protocol):
    """The main text of an item's web page, when the feed's own text is too short."""

    def text_of(self, url: str) -> str | None: ...


# --- Analysis ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    analysis: Analysis
    provider: str
    model_id: str | None = None
    usage: Usage = field(default_factory=Usage)
    translated: bool = True
    request_id: str | None = None  # the call that answered: what the charge is keyed by


class AnalysisProvider(Protocol):
    name: str

    @property
    def model_id(self) -> str | None:
        """The model that answers (priced in config/prices.yaml); None for the heuristic."""
        ...

    def analyse(self, item: FeedItem, text: str) -> AnalysisResult:
        """Analyse one item whose article text is `text`; raises ProviderError."""
        ...


# --- Publishing ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SiteObject:
    key: str  # e.g. "index.html", "articles/2026/04/07/x-1a2b3c4d/index.html"
    body: bytes
    content_type: str
    cache_control: str


class SiteStore(Protocol):
    """The bucket readers are served from: written and deleted by key, never listed."""

    def read(self, key: str) -> bytes | None:
        """The published object's bytes; None when there is no such object."""
        ...

    def put(self, obj: SiteObject) -> None: ...

    def delete(self, keys: Sequence[str]) -> None: ...


class PublishManifest(Protocol):
    """What is published: each object's content hash by key, and the pages left pending."""

    def hashes_of(self, keys: Iterable[str]) -> dict[str, str]:
        """The published hash of each of these keys (keys not published are absent)."""
        ...

    def all_hashes(self) -> dict[str, str]:
        """Every published key's hash: for a full rebuild only."""
        ...

    def record(self, hashes: Mapping[str, str]) -> None: ...

    def forget(self, keys: Sequence[str]) -> None: ...

    def pending(self) -> list[str]:
        """The site paths an earlier publish could not render or upload."""
        ...

    def mark_pending(self, paths: Iterable[str]) -> None: ...

    def clear_pending(self, paths: Iterable[str]) -> None: ...


@dataclass(frozen=True, slots=True)
class RebuildRun:
    """A partitioned full rebuild: its partitions, the moment its pages are dated by, and
    the pages left pending when it was planned (settled when it finishes)."""

    run: str
    partitions: tuple[str, ...]
    now: datetime
    pending: tuple[str, ...] = ()


class RebuildLedger(Protocol):
    """The runs of a partitioned rebuild: the plan, and each partition done with the keys it
    produced (what the finishing step keeps; every other published key is stale)."""

    def start(self, run: RebuildRun) -> None: ...

    def plan(self, run: str) -> RebuildRun | None: ...

    def finish(self, run: str, partition: str, keys: Iterable[str], failed: Iterable[str]) -> None:
        """Partition done: the keys it produced and the paths that failed to render."""
        ...

    def finished(self, run: str) -> set[str]:
        """The partitions of the run done so far."""
        ...

    def produced(self, run: str) -> Iterable[str]:
        """Every key the run's finished partitions produced."""
        ...

    def failed(self, run: str) -> set[str]:
        """The paths the run's finished partitions could not render."""
        ...


class ChangeBacklog(Protocol):
    """Article changes waiting to be published, so that a burst is published together."""

    def add(self, changes: Sequence[ArticleChange]) -> None:
        """Record a stream batch (no changes: a digest, which only site-wide pages show)."""
        ...

    def waiting(self) -> list[tuple[str, ArticleChange | None]]:
        """Every batch entry waiting, oldest first, with the token that settles it."""
        ...

    def settle(self, tokens: Sequence[str], *, published_at: datetime) -> None:
        """These entries are published; a publish happened at `published_at`."""
        ...

    def last_publish(self) -> datetime | None: ...


class CdnInvalidator(Protocol):
    def invalidate(self, paths: Sequence[str], *, reference: str) -> None:
        """Drop these viewer paths from the CDN's caches (one request per `reference`)."""
        ...


# --- Digests (AI日報, 週報) ------------------------------------------------------------------


class PeriodArticles(Protocol):
    def list_public_between(self, start: datetime, end: datetime) -> list[Article]:
        """Public articles published in [start, end), newest first."""
        ...


class DigestRepository(Protocol):
    def get(self, kind: DigestKind, period: str) -> Digest | None: ...

    def put(self, digest: Digest) -> None:
        """Store the digest, replacing the period's previous one (one digest per period)."""
        ...

    def list_all(self) -> list[Digest]:
        """Every digest, newest period first within each kind."""
        ...

    def of_kind(self, kind: DigestKind) -> Sequence[Digest]:
        """The kind's digests, newest period first."""
        ...

    def newest(self, kind: DigestKind, limit: int) -> Sequence[Digest]: ...

    def adjacent(self, kind: DigestKind, period: str) -> tuple[Digest | None, Digest | None]:
        """The nearest digests of the kind before and after `period`."""
        ...


class DigestQueue(Protocol):
    def enqueue(self, messages: Sequence[DigestMessage]) -> list[DigestMessage]:
        """Send the messages; return those that could not be sent after retries."""
        ...


class OverviewWriter(Protocol):
    name: str

    @property
    def model_id(self) -> str | None: ...

    def write(self, request: DigestRequest) -> OverviewResult:
        """The Japanese overview of the request's articles; raises ProviderError."""
        ...
