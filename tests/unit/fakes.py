"""In-memory implementations of the ports, for unit tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from frontline.domain.listing_order import listing_key
from frontline.domain.models import Article, ArticleChange, FeedItem, FeedState, ItemMessage
from frontline.domain.ports import (
    AnalysisResult,
    ClaimOutcome,
    FeedUnavailable,
    FetchResult,
    RebuildRun,
    SiteObject,
    StaleVersion,
    Usage,
)
from frontline.domain.urls import names_one_page
from frontline.site.catalogue import build_catalogue


@dataclass
class FakeFetcher:
    """Serves canned responses by URL; raises FeedUnavailable for URLs mapped to an error."""

    responses: dict[str, FetchResult | FeedUnavailable] = field(default_factory=dict)
    requests: list[tuple[str, str | None, str | None]] = field(default_factory=list)

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        self.requests.append((url, etag, last_modified))
        response = self.responses[url]
        if isinstance(response, FeedUnavailable):
            raise response
        if etag is not None and response.etag == etag:
            return FetchResult(status=304, url=url, etag=etag)
        return response

    def as_factory(self):
        @asynccontextmanager
        async def factory():
            yield self

        return factory


@dataclass
class FakeLedger:
    """Claims by id, one item per URL and feed, and the messages not yet marked queued."""

    hashes: dict[str, str] = field(default_factory=dict)
    url_owners: dict[tuple[str, str], str] = field(default_factory=dict)
    duplicates: set[str] = field(default_factory=set)
    pending: dict[str, ItemMessage] = field(default_factory=dict)

    def claim_new_items(self, items: Sequence[FeedItem]) -> ClaimOutcome:
        outcome = ClaimOutcome()
        for item in items:
            if item.id in self.duplicates:
                continue
            if item.id not in self.hashes:
                owner = (
                    self.url_owners.setdefault((item.feed_id, item.url), item.id)
                    if names_one_page(item.url)
                    else item.id
                )
                if owner != item.id:
                    self.duplicates.add(item.id)
                    outcome.duplicates.append(item)
                    continue
                outcome.new.append(item)
                self.pending[item.id] = ItemMessage(item=item, reason="new")
            elif self.hashes[item.id] != item.content_hash:
                outcome.updated.append(item)
                self.pending[item.id] = ItemMessage(item=item, reason="updated")
            else:
                continue
            self.hashes[item.id] = item.content_hash
        return outcome

    def release(self, items: Sequence[FeedItem]) -> None:
        for item in items:
            self.hashes.pop(item.id, None)
            self.pending.pop(item.id, None)
            if self.url_owners.get((item.feed_id, item.url)) == item.id:
                del self.url_owners[(item.feed_id, item.url)]

    def mark_queued(self, items: Sequence[FeedItem]) -> None:
        for item in items:
            message = self.pending.get(item.id)
            if message is not None and message.item.content_hash == item.content_hash:
                del self.pending[item.id]

    def unqueued_claims(self, *, claimed_before: datetime, limit: int) -> list[ItemMessage]:
        stale = [m for m in self.pending.values() if m.item.first_seen < claimed_before]
        return sorted(stale, key=lambda m: m.item.first_seen)[:limit]


@dataclass
class FakePins:
    """Articles pinned until a moment (None: until unpinned), as the editorial store keeps them."""

    pins: list[tuple[Article, datetime | None]] = field(default_factory=list)

    def pinned(self, now: datetime, limit: int) -> list[Article]:
        return [a for a, until in self.pins if until is None or until > now][:limit]


@dataclass
class FakeStates:
    states: dict[str, FeedState] = field(default_factory=dict)

    def load_states(self, feed_ids: Iterable[str]) -> dict[str, FeedState]:
        return {feed_id: self.states[feed_id] for feed_id in feed_ids if feed_id in self.states}

    def save_state(self, state: FeedState) -> None:
        self.states[state.feed_id] = state


@dataclass
class FakeQueue:
    sent: list[ItemMessage] = field(default_factory=list)
    refuse: int = 0  # how many of the next messages to refuse

    def enqueue(self, messages: Sequence[ItemMessage]) -> list[ItemMessage]:
        refused = list(messages[: self.refuse])
        self.refuse = max(0, self.refuse - len(refused))
        self.sent += messages[len(refused) :]
        return refused


@dataclass
class FakeArticles:
    articles: dict[str, Article] = field(default_factory=dict)
    writes: int = 0

    def get(self, article_id: str) -> Article | None:
        return self.articles.get(article_id)

    def save(self, article: Article) -> bool:
        """As the store: a different version seen earlier than the stored one is refused."""
        stored = self.articles.get(article.id)
        if (
            stored is not None
            and stored.item.content_hash != article.item.content_hash
            and stored.seen_at is not None
            and article.seen_at is not None
            and stored.seen_at > article.seen_at
        ):
            raise StaleVersion(f"article {article.id}: a newer version is stored")
        self.writes += 1
        self.articles[article.id] = article
        return True

    def list_public(self, limit: int | None = None) -> list[Article]:
        public = sorted(
            (a for a in self.articles.values() if a.status.is_public),
            key=lambda a: a.published,
            reverse=True,
        )
        return public[:limit] if limit is not None else public

    def list_newest(self, limit: int) -> list[Article]:
        public = (a for a in self.articles.values() if a.status.is_public)
        return sorted(public, key=listing_key, reverse=True)[:limit]

    def list_needing_analysis(self, limit: int) -> list[Article]:
        waiting = sorted(
            (a for a in self.articles.values() if a.needs_reanalysis), key=lambda a: a.created_at
        )
        return waiting[:limit]


class ListedEverything(AssertionError):
    """A code path that must read bounded slices asked the store for every article."""


@dataclass
class BoundedArticles(FakeArticles):
    """The article store of a large archive: raises when asked to list everything."""

    def list_public(self, limit: int | None = None) -> list[Article]:
        if limit is None:
            raise ListedEverything("asked the store for every public article")
        return super().list_public(limit)


class CountingIndex:
    """The site index of `articles` (built when reconciled), counting the articles and
    postings each question returns — the items a store would read — and raising if a
    question asks for every public article of an archive past 500 (a smaller one may be
    read whole by a change deep inside it)."""

    def __init__(self, articles: FakeArticles) -> None:
        self._articles = articles
        self._catalogue = build_catalogue(articles.articles.values())
        self.items_read = 0
        self.questions: list[str] = []

    def reconcile(self, article_ids: Iterable[str]) -> int:
        self._catalogue = build_catalogue(self._articles.articles.values())
        return len(list(article_ids))

    def reconcile_all(self) -> int:
        return self.reconcile(self._articles.articles)

    def reconcile_month(self, month: str) -> int:
        return self.reconcile_all()

    @staticmethod
    def _items(name: str, result: Any) -> int:
        """What the store's index reads for an answer: aggregates are kept per shard
        (groups, 16 items) and per day (sitemap rows); lists read one item per entry."""
        if name == "groups":
            return min(len(result), 16)
        if name == "month_rows":
            return len({row.path.split("/")[4] for row in result})  # /articles/Y/M/D/...
        return len(result) if hasattr(result, "__len__") else int(result is not None)

    def __getattr__(self, name: str) -> Any:
        answer = getattr(self._catalogue, name)

        def asked(*args: Any, **kwargs: Any) -> Any:
            if name == "newest" and args[0] >= self._catalogue.count() > 500:
                raise ListedEverything(f"newest({args[0]}) reads every public article")
            result = answer(*args, **kwargs)
            self.questions.append(name)
            self.items_read += self._items(name, result)
            return result

        return asked


class Throttled(Exception):
    """What a fake write raises while `failures` remain: the store was busy."""


@dataclass
class FakeSpendLedger:
    """The daily spend; a charge id already recorded adds nothing, as in DynamoDB."""

    spent: dict[date, float] = field(default_factory=dict)
    calls: int = 0
    charges: set[str] = field(default_factory=set)
    failures: int = 0  # the next writes that fail, before anything is recorded

    def spent_on(self, day: date) -> float:
        return self.spent.get(day, 0.0)

    def record(
        self, day: date, cost_usd: float, usage: Usage, *, charge_id: str | None = None
    ) -> None:
        if self.failures:
            self.failures -= 1
            raise Throttled("spend counter throttled")
        if charge_id is not None:
            if charge_id in self.charges:
                return
            self.charges.add(charge_id)
        self.calls += 1
        self.spent[day] = self.spent.get(day, 0.0) + cost_usd


@dataclass
class FakeClaims:
    """Analysis leases and recorded answers, in memory."""

    leases: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    answers: dict[tuple[str, str], AnalysisResult] = field(default_factory=dict)

    def lease(self, item_id: str, *, holder: str, now: datetime, until: datetime) -> bool:
        current = self.leases.get(item_id)
        if current is not None and current[0] != holder and current[1] >= now:
            return False
        self.leases[item_id] = (holder, until)
        return True

    def release(self, item_id: str, *, holder: str) -> None:
        if self.leases.get(item_id, ("", None))[0] == holder:
            del self.leases[item_id]

    def answer_for(self, item_id: str, content_hash: str) -> AnalysisResult | None:
        return self.answers.get((item_id, content_hash))

    def record_answer(self, item_id: str, content_hash: str, result: AnalysisResult) -> None:
        self.answers[(item_id, content_hash)] = result


class UploadFailed(Exception):
    pass


@dataclass
class MemoryBucket:
    """The site bucket: objects by key; `failing` keys raise on upload, as S3 errors would."""

    objects: dict[str, SiteObject] = field(default_factory=dict)
    puts: list[str] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)

    def read(self, key: str) -> bytes | None:
        found = self.objects.get(key)
        return found.body if found else None

    def put(self, obj: SiteObject) -> None:
        if obj.key in self.failing:
            raise UploadFailed(obj.key)
        self.puts.append(obj.key)
        self.objects[obj.key] = obj

    def delete(self, keys: Sequence[str]) -> None:
        for key in keys:
            del self.objects[key]


@dataclass
class FakeManifest:
    """The publish manifest: hashes by key and pending paths; counts what was read."""

    hashes: dict[str, str] = field(default_factory=dict)
    pending_paths: set[str] = field(default_factory=set)
    keys_read: int = 0
    full_reads: int = 0

    def hashes_of(self, keys: Iterable[str]) -> dict[str, str]:
        wanted = set(keys)
        self.keys_read += len(wanted)
        return {key: self.hashes[key] for key in wanted if key in self.hashes}

    def all_hashes(self) -> dict[str, str]:
        self.full_reads += 1
        return dict(self.hashes)

    def record(self, hashes: Mapping[str, str]) -> None:
        self.hashes.update(hashes)

    def forget(self, keys: Sequence[str]) -> None:
        for key in keys:
            self.hashes.pop(key, None)

    def pending(self) -> list[str]:
        return sorted(self.pending_paths)

    def mark_pending(self, paths: Iterable[str]) -> None:
        self.pending_paths.update(paths)

    def clear_pending(self, paths: Iterable[str]) -> None:
        self.pending_paths.difference_update(paths)


@dataclass
class FakeBacklog:
    """Stream batches waiting to be published, and when the last publish ran."""

    entries: list[tuple[str, ArticleChange | None]] = field(default_factory=list)
    published_at: datetime | None = None
    added: int = 0

    def add(self, changes: Sequence[ArticleChange]) -> None:
        batch: Sequence[ArticleChange | None] = changes or [None]
        for change in batch:
            self.added += 1
            self.entries.append((f"{self.added:08d}", change))

    def waiting(self) -> list[tuple[str, ArticleChange | None]]:
        return list(self.entries)

    def settle(self, tokens: Sequence[str], *, published_at: datetime) -> None:
        settled = set(tokens)
        self.entries = [entry for entry in self.entries if entry[0] not in settled]
        self.published_at = published_at

    def last_publish(self) -> datetime | None:
        return self.published_at


class FakeModel:
    """An LLM that answers every item with a valid analysis (titled 解析<n> for its n-th
    call, request id req-<n>); the `failures` given are raised first, one per call."""

    name = "bedrock"
    model_id = "test-model"

    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.calls = 0

    def analyse(self, item: FeedItem, text: str) -> AnalysisResult:
        from tests.factories import make_analysis

        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return AnalysisResult(
            analysis=make_analysis(title_ja=f"解析{self.calls}"),
            provider="bedrock",
            model_id="test-model",
            usage=Usage(2000, 800),
            request_id=f"req-{self.calls}",
        )


class FakeSiteIndex(CountingIndex):
    """The index of `articles`, recording what the renderer asks it to reconcile."""

    def __init__(self, articles: FakeArticles) -> None:
        super().__init__(articles)
        self.reconciled: list[set[str]] = []
        self.full = 0

    def reconcile(self, article_ids: Iterable[str]) -> int:
        self.reconciled.append(set(article_ids))
        return super().reconcile(self.reconciled[-1])

    def reconcile_all(self) -> int:
        self.full += 1
        CountingIndex.reconcile(self, self._articles.articles)
        return 0


@dataclass
class FakeRebuildLedger:
    """The rebuild runs: plans, and per partition done the keys it produced."""

    runs: dict[str, RebuildRun] = field(default_factory=dict)
    done: dict[str, dict[str, tuple[set[str], set[str]]]] = field(default_factory=dict)

    def start(self, run: RebuildRun) -> None:
        self.runs[run.run] = run

    def plan(self, run: str) -> RebuildRun | None:
        return self.runs.get(run)

    def finish(self, run: str, partition: str, keys: Iterable[str], failed: Iterable[str]) -> None:
        self.done.setdefault(run, {})[partition] = (set(keys), set(failed))

    def finished(self, run: str) -> set[str]:
        return set(self.done.get(run, {}))

    def produced(self, run: str) -> Iterable[str]:
        return [key for keys, _failed in self.done.get(run, {}).values() for key in keys]

    def failed(self, run: str) -> set[str]:
        return {path for _keys, failed in self.done.get(run, {}).values() for path in failed}
