"""In-memory implementations of the ports, for unit tests."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from frontline.domain.models import Article, FeedItem, FeedState, ItemMessage
from frontline.domain.ports import ClaimOutcome, FeedUnavailable, FetchResult, SiteObject


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
    hashes: dict[str, str] = field(default_factory=dict)

    def claim_new_items(self, items: Sequence[FeedItem]) -> ClaimOutcome:
        outcome = ClaimOutcome()
        for item in items:
            if item.id not in self.hashes:
                outcome.new.append(item)
            elif self.hashes[item.id] != item.content_hash:
                outcome.updated.append(item)
            else:
                continue
            self.hashes[item.id] = item.content_hash
        return outcome

    def release(self, items: Sequence[FeedItem]) -> None:
        for item in items:
            self.hashes.pop(item.id, None)


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

    def list_needing_analysis(self, limit: int) -> list[Article]:
        waiting = sorted(
            (a for a in self.articles.values() if a.needs_reanalysis), key=lambda a: a.created_at
        )
        return waiting[:limit]


@dataclass
class MemorySiteStore:
    """The published site in memory; hashes are MD5 as S3's ETags are."""

    objects: dict[str, SiteObject] = field(default_factory=dict)

    def existing_hashes(self) -> dict[str, str]:
        return {key: self.hash_of(obj.body) for key, obj in self.objects.items()}

    def hash_of(self, body: bytes) -> str:
        return hashlib.md5(body, usedforsecurity=False).hexdigest()

    def read(self, key: str) -> bytes | None:
        found = self.objects.get(key)
        return found.body if found else None

    def put(self, obj: SiteObject) -> None:
        self.objects[obj.key] = obj

    def delete(self, keys: Sequence[str]) -> None:
        for key in keys:
            del self.objects[key]
