"""Analyse one queued item and store it as an article: the analyze_item worker's service.

The LLM provider is tried first, within the daily budget (`SpendPolicy`). When the budget is
spent, or the model's answer fails validation or grounding even after its repair round, the
heuristic analysis is stored instead (badged on the site) and the article is marked for a full
analysis later: nothing is dropped. Throttling and outages propagate, so SQS retries the
record; a request the provider refuses is the caller's to park in the dead-letter queue.

Faults cost nothing twice: the item is leased before the model is called (a second delivery
of the same message waits), the model's answer is recorded before anything that can fail
afterwards (a redelivery reuses it, and its charge is keyed by the call, so it is counted
once), and a message older than the stored version is acknowledged and dropped.

With a story desk, an item is first placed in its story (see `domain.stories`): the lead
item of a story is analysed as above; a later item joins the lead's article as a source,
and costs an analysis only when it adds material facts the story lacks (up to a per-story
cap): then the story is analysed again from all its sources and the update is logged. Every
write to a story's article happens under the story's lease, so no source is lost to a
concurrent write.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final

from frontline.domain.article_text import article_text_for
from frontline.domain.editorial import apply_overrides
from frontline.domain.models import (
    Article,
    ArticleStatus,
    FeedItem,
    ItemMessage,
    Overrides,
    Provenance,
    StorySource,
    StoryUpdate,
)
from frontline.domain.paths import article_path_for
from frontline.domain.ports import (
    AnalysisClaims,
    AnalysisInProgress,
    AnalysisProvider,
    AnalysisResult,
    AnalysisUngrounded,
    ArticleRepository,
    PageText,
    ProviderError,
    ProviderRejected,
    ProviderRetryable,
    StaleVersion,
    WorkQueue,
)
from frontline.domain.spend import Budget, SpendPolicy, Spent, charge_key
from frontline.domain.stories.facts import REANALYSIS_CAP, material_facts
from frontline.domain.stories.intake import story_input_of
from frontline.domain.stories.placement import StoryDesk
from frontline.domain.stories.signals import StoryInput

SUBSTANTIAL_TEXT = 600  # characters: shorter feed text sends the worker to the page itself
KNOWN_TEXT_CHARS = 5_000  # of the lead's text, read for the facts a story already holds
# Longer than the function's timeout: a lease outlives only a process that died holding it.
LEASE: Final = timedelta(minutes=16)


@dataclass(frozen=True, slots=True)
class StoryRevision:
    """A story analysed again: the text of all its sources, and what the article keeps."""

    text: str
    version: str  # the answer's key beside the item's content hash: one per set of sources
    sources: tuple[StorySource, ...]
    updates: tuple[StoryUpdate, ...]


class ItemAnalyst:
    def __init__(
        self,
        provider: AnalysisProvider,
        articles: ArticleRepository,
        *,
        fallback: AnalysisProvider | None = None,
        budget: Budget | None = None,
        page_text: PageText | None = None,
        claims: AnalysisClaims | None = None,
        on_ungrounded: Callable[[Article], None] | None = None,
        stories: StoryDesk | None = None,
        reanalysis_cap: int = REANALYSIS_CAP,
        opted_out: Collection[str] = (),
    ) -> None:
        """`provider` alone (the heuristic) or an LLM with `fallback`, `budget` and pages;
        with `stories`, items are placed in stories before they are analysed."""
        self._provider = provider
        self._articles = articles
        self._fallback = fallback
        self._spend = SpendPolicy(budget if fallback is not None else None)
        self._page_text = page_text
        self._claims = claims
        self._on_ungrounded = on_ungrounded
        self._stories = stories
        self._reanalysis_cap = reanalysis_cap
        self._opted_out = frozenset(opted_out)  # feed ids whose publishers opted out

    def process(self, message: ItemMessage, *, now: datetime) -> Article:
        """Analyse and store; an already-analysed identical item is returned, not re-analysed.

        A message older than the stored version returns the stored article (dropped). An
        item that joins a story returns the story's article, with the item as a source.
        """
        if self._stories is not None and message.reason != "reanalyse":
            placement = self._stories.place(story_input_of(message.item), now=now)
            if not placement.leads:
                return self._add_source(placement.story_id, message.item, now)
        with self._story_lease(message.item.id, now):
            return self._process_lead(message, now)

    @contextmanager
    def _story_lease(self, story_id: str, now: datetime) -> Iterator[None]:
        """Hold the story's lease while its article is read, analysed and written."""
        if self._stories is None:
            yield
            return
        index, holder = self._stories.index, uuid.uuid4().hex
        if not index.lease(story_id, holder=holder, now=now, until=now + LEASE):
            raise AnalysisInProgress(f"story {story_id} is being written by another delivery")
        try:
            yield
        finally:
            index.release(story_id, holder=holder)

    def _process_lead(self, message: ItemMessage, now: datetime) -> Article:
        item = message.item
        existing = self._articles.get(item.id)
        if existing is not None and _settled(existing, message):
            return existing
        seen_at = item.first_seen  # when the poller saw this version
        if existing is not None and existing.item.content_hash == item.content_hash:
            seen_at = max(seen_at, existing.seen_at or seen_at)  # a re-analysis: same version
        if existing is not None and existing.item.first_seen != item.first_seen:
            # An update keeps its first sighting: lists are ordered by it, so an edited
            # story stays where readers saw it instead of jumping to the front.
            item = item.model_copy(update={"first_seen": existing.item.first_seen})
        holder = uuid.uuid4().hex
        leased = self._claims is not None and self._spend.budget is not None
        if leased and self._claims is not None:
            if not self._claims.lease(item.id, holder=holder, now=now, until=now + LEASE):
                raise AnalysisInProgress(f"item {item.id} is being analysed by another delivery")
        try:
            # Another delivery may have stored the article between the read above and the
            # lease (it held the lease, stored, released): read again under the lease.
            latest = self._articles.get(item.id) if leased else existing
            if latest is not None and latest != existing and _settled(latest, message):
                return latest
            article, failure = self._analysed(item, existing, seen_at, now)
            if existing is not None:  # edits, a hiding and a pin outlast the analysis
                article = apply_overrides(article, self._overrides_now(item.id, existing))
            try:
                self._articles.save(article)
            except StaleVersion:
                return self._articles.get(item.id) or article
        finally:
            if leased and self._claims is not None:
                self._claims.release(item.id, holder=holder)
        if isinstance(failure, AnalysisUngrounded) and self._on_ungrounded is not None:
            self._on_ungrounded(article)
        return article

    def text_for(self, item: FeedItem) -> str:
        """The feed's text when substantial; otherwise the page's main text, if it has more."""
        text = article_text_for(item)
        if len(text) >= SUBSTANTIAL_TEXT or self._page_text is None:
            return text
        page = self._page_text.text_of(item.url)
        return page if page and len(page) > len(text) else text

    def _add_source(self, story_id: str, item: FeedItem, now: datetime) -> Article:
        """Add the item to its story's article; analyse the story again when the item adds
        material facts and the story's cap allows. A redelivery changes nothing."""
        with self._story_lease(story_id, now):
            lead = self._articles.get(story_id)
            if lead is None:  # the lead's own message has not been processed yet
                raise AnalysisInProgress(f"story {story_id}: its lead article is not stored yet")
            known = next((s for s in lead.sources if s.item_id == item.id), None)
            if known is not None and (
                known.content_hash == item.content_hash  # a redelivery
                or (known.seen_at is not None and known.seen_at > item.first_seen)  # stale
            ):
                return lead
            source = _source_of(item)
            sources = (*(s for s in lead.sources if s.item_id != item.id), source)
            facts = self._material_facts(lead, item)
            article = lead.model_copy(update={"sources": sources})
            failure: ProviderError | None = None
            if facts and len(lead.updates) < self._reanalysis_cap:
                update = StoryUpdate(
                    at=now, item_id=item.id, outlet=item.source_name, url=item.url, facts=facts[:12]
                )
                revision = StoryRevision(
                    text=_story_text(self.text_for(lead.item), sources),
                    version=_story_version(lead.item, sources),
                    sources=sources,
                    updates=(*lead.updates, update),
                )
                seen_at = lead.seen_at or lead.item.first_seen
                article, failure = self._analysed(lead.item, lead, seen_at, now, revision)
            try:
                self._articles.save(article)
            except StaleVersion:
                return self._articles.get(story_id) or article
        if isinstance(failure, AnalysisUngrounded) and self._on_ungrounded is not None:
            self._on_ungrounded(article)
        return article

    def _material_facts(self, lead: Article, item: FeedItem) -> tuple[str, ...]:
        assert self._stories is not None  # only stories have sources
        desk = self._stories
        # The lead's whole text: a figure it gives past its summary is no new fact.
        text = article_text_for(lead.item)[:KNOWN_TEXT_CHARS]
        lead_text = story_input_of(lead.item).model_copy(
            update={"id": f"{lead.id}:text:{lead.item.content_hash}", "summary": text}
        )
        known = [desk.signals(lead_text)]
        known += [desk.signals(_input_of(source)) for source in lead.sources]
        return material_facts(desk.signals(story_input_of(item)), known)

    def _analysed(
        self,
        item: FeedItem,
        existing: Article | None,
        seen_at: datetime,
        now: datetime,
        revision: StoryRevision | None = None,
    ) -> tuple[Article, ProviderError | None]:
        text = revision.text if revision is not None else self.text_for(item)
        version = revision.version if revision is not None else item.content_hash
        spent = self._spent(item, text, now, version)
        result = spent.result
        status, reason = ArticleStatus.PUBLISHED, None
        if not result.translated:
            status = ArticleStatus.UNTRANSLATED
            reason = spent.fallback_reason
        if spent.failure is not None:
            status = ArticleStatus.DEGRADED
            label = UNGROUNDED if isinstance(spent.failure, AnalysisUngrounded) else INVALID
            reason = f"{label}: {spent.failure.reason}"[:500]
        if not result.analysis.is_ai_related:
            status, reason = ArticleStatus.SKIPPED, "not about AI"
        if item.feed_id in self._opted_out:  # queued before the opt-out: never published
            status, reason = ArticleStatus.WITHDRAWN, "publisher opt-out"
        if existing is not None:  # operators and publishers decide
            hidden = existing.overrides.hidden  # applied below, over the status it hides
            kept = hidden.status_beneath if hidden is not None else existing.status
            if kept in _KEPT_STATUSES:
                status = kept
                reason = existing.status_reason if hidden is None else reason
        article = Article(
            id=item.id,
            # The path is fixed when the article is first stored and never changes.
            path=existing.path
            if existing
            else article_path_for(item.id, item.title, item.published),
            item=item,
            analysis=result.analysis,
            provenance=Provenance(
                provider=result.provider,
                model_id=result.model_id,
                input_tokens=result.usage.input_tokens,
                output_tokens=result.usage.output_tokens,
                cost_usd=spent.cost,
                analysed_at=now,
            ),
            status=status,
            status_reason=reason,
            needs_reanalysis=not result.translated and self._fallback is not None,
            seen_at=seen_at,
            created_at=existing.created_at if existing else now,
            updated_at=now,
            sources=revision.sources if revision else existing.sources if existing else (),
            updates=revision.updates if revision else existing.updates if existing else (),
        )
        return article, spent.failure

    def _overrides_now(self, item_id: str, existing: Article) -> Overrides:
        """The overrides stored now: an operator may have made one while the model answered
        (read again only then: the heuristic answers at once)."""
        if self._spend.budget is None:
            return existing.overrides
        current = self._articles.get(item_id)
        return (current or existing).overrides

    def _spent(
        self, item: FeedItem, text: str, now: datetime, version: str
    ) -> Spent[AnalysisResult]:
        budget, claims = self._spend.budget, self._claims
        fallback = self._fallback or self._provider
        scope = f"{item.id}:{version}"
        if budget is not None and claims is not None:
            recorded = claims.answer_for(item.id, version)
            if recorded is not None:  # the model answered an earlier delivery: no second call
                charge = charge_key(scope, recorded.request_id)
                cost = budget.charge(now, recorded.model_id, recorded.usage, charge_id=charge)
                return Spent(recorded, cost)

        def primary() -> AnalysisResult:
            result = self._provider.analyse(item, text)
            if result.request_id is None:  # every charge needs a key: one per call
                result = replace(result, request_id=uuid.uuid4().hex)
            if claims is not None and result.translated:
                claims.record_answer(item.id, version, result)
            return result

        return self._spend.run(
            now,
            primary,
            lambda: fallback.analyse(item, text),
            scope=scope,
            model_id=self._provider.model_id,
            raises=(ProviderRetryable, ProviderRejected),
        )


def _source_of(item: FeedItem) -> StorySource:
    return StorySource(
        item_id=item.id,
        feed_id=item.feed_id,
        outlet=item.source_name,
        url=item.url,
        title=item.title,
        summary=story_input_of(item).summary,
        published=item.published,
        content_hash=item.content_hash,
        seen_at=item.first_seen,
    )


def _input_of(source: StorySource) -> StoryInput:
    return StoryInput(
        id=source.item_id,
        outlet=source.outlet,
        url=source.url,
        published=source.published,
        title=source.title,
        summary=source.summary,
    )


def _story_text(lead_text: str, sources: Sequence[StorySource]) -> str:
    """The lead's text, then each later source's headline and summary, marked as such."""
    reports = "\n\n".join(f"{s.title.rstrip('.')}.\n{s.summary}".strip() for s in sources)
    return f"{lead_text}\n\nOther reports of the same event:\n\n{reports}"


def _story_version(lead: FeedItem, sources: Sequence[StorySource]) -> str:
    parts = [lead.content_hash, *sorted(f"{s.item_id}:{s.content_hash}" for s in sources)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


# Statuses a new analysis never replaces: an operator's hiding (without an override record:
# stored before overrides were) and a publisher's opt-out.
_KEPT_STATUSES: Final = frozenset({ArticleStatus.HIDDEN, ArticleStatus.WITHDRAWN})
UNGROUNDED: Final = "ungrounded analysis"
INVALID: Final = "invalid analysis"


def _settled(existing: Article, message: ItemMessage) -> bool:
    """Nothing to do: a redelivery, an already-done re-analysis, or an older version."""
    item = message.item
    same_version = existing.item.content_hash == item.content_hash
    if message.reason == "reanalyse":
        return not existing.needs_reanalysis or not same_version
    if same_version:
        # A redelivered message: no second analysis, no second spend. Articles waiting
        # for a full analysis come back as explicit "reanalyse" messages.
        return True
    return existing.seen_at is not None and existing.seen_at > item.first_seen


class ReanalysisJob:
    """Re-queue articles that wait for a full analysis (after the budget resets)."""

    def __init__(self, articles: ArticleRepository, queue: WorkQueue) -> None:
        self._articles = articles
        self._queue = queue

    def run(self, *, limit: int = 500) -> int:
        waiting: Sequence[Article] = self._articles.list_needing_analysis(limit)
        messages = [ItemMessage(item=article.item, reason="reanalyse") for article in waiting]
        unsent = self._queue.enqueue(messages)
        return len(messages) - len(unsent)
