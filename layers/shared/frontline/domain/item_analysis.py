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
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
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

SUBSTANTIAL_TEXT = 600  # characters: shorter feed text sends the worker to the page itself
# Longer than the function's timeout: a lease outlives only a process that died holding it.
LEASE: Final = timedelta(minutes=16)


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
        opted_out: Collection[str] = (),
    ) -> None:
        """`provider` alone (the heuristic) or an LLM with `fallback`, `budget` and pages."""
        self._provider = provider
        self._articles = articles
        self._fallback = fallback
        self._spend = SpendPolicy(budget if fallback is not None else None)
        self._page_text = page_text
        self._claims = claims
        self._on_ungrounded = on_ungrounded
        self._opted_out = frozenset(opted_out)  # feed ids whose publishers opted out

    def process(self, message: ItemMessage, *, now: datetime) -> Article:
        """Analyse and store; an already-analysed identical item is returned, not re-analysed.

        A message older than the stored version returns the stored article (dropped).
        """
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

    def _analysed(
        self, item: FeedItem, existing: Article | None, seen_at: datetime, now: datetime
    ) -> tuple[Article, ProviderError | None]:
        text = self.text_for(item)
        spent = self._spent(item, text, now)
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
        )
        return article, spent.failure

    def _overrides_now(self, item_id: str, existing: Article) -> Overrides:
        """The overrides stored now: an operator may have made one while the model answered
        (read again only then: the heuristic answers at once)."""
        if self._spend.budget is None:
            return existing.overrides
        current = self._articles.get(item_id)
        return (current or existing).overrides

    def _spent(self, item: FeedItem, text: str, now: datetime) -> Spent[AnalysisResult]:
        budget, claims = self._spend.budget, self._claims
        fallback = self._fallback or self._provider
        scope = f"{item.id}:{item.content_hash}"
        if budget is not None and claims is not None:
            recorded = claims.answer_for(item.id, item.content_hash)
            if recorded is not None:  # the model answered an earlier delivery: no second call
                charge = charge_key(scope, recorded.request_id)
                cost = budget.charge(now, recorded.model_id, recorded.usage, charge_id=charge)
                return Spent(recorded, cost)

        def primary() -> AnalysisResult:
            result = self._provider.analyse(item, text)
            if result.request_id is None:  # every charge needs a key: one per call
                result = replace(result, request_id=uuid.uuid4().hex)
            if claims is not None and result.translated:
                claims.record_answer(item.id, item.content_hash, result)
            return result

        return self._spend.run(
            now,
            primary,
            lambda: fallback.analyse(item, text),
            scope=scope,
            model_id=self._provider.model_id,
            raises=(ProviderRetryable, ProviderRejected),
        )


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
