"""Analyse one queued item and store it as an article: the analyze_item worker's service.

The LLM provider is tried first, within the daily budget. When the budget is spent, or the
model's answer fails validation even after its repair round, the heuristic analysis is
stored instead (badged on the site) and the article is marked for a full analysis later:
nothing is dropped. Throttling and outages propagate, so SQS retries the record; a request
the provider refuses is the caller's to park in the dead-letter queue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from frontline.domain.article_text import article_text_for
from frontline.domain.models import (
    Article,
    ArticleStatus,
    FeedItem,
    ItemMessage,
    Provenance,
)
from frontline.domain.paths import JST, article_path_for
from frontline.domain.ports import (
    AnalysisInvalid,
    AnalysisProvider,
    AnalysisResult,
    ArticleRepository,
    PageText,
    ProviderError,
    SpendLedger,
    Usage,
    WorkQueue,
)

SUBSTANTIAL_TEXT = 600  # characters: shorter feed text sends the worker to the page itself

Pricing = Callable[[str | None, Usage], float]


def budget_day(now: datetime) -> date:
    """The budget resets at midnight in Japan, where the site's day begins."""
    return now.astimezone(JST).date()


@dataclass(frozen=True, slots=True)
class Budget:
    ledger: SpendLedger
    daily_usd: float
    price: Pricing

    def exhausted(self, now: datetime) -> bool:
        return self.ledger.spent_on(budget_day(now)) >= self.daily_usd

    def charge(self, now: datetime, model_id: str | None, usage: Usage) -> float:
        cost = self.price(model_id, usage)
        if usage.input_tokens or usage.output_tokens:
            self.ledger.record(budget_day(now), cost, usage)
        return cost


class ItemAnalyst:
    def __init__(
        self,
        provider: AnalysisProvider,
        articles: ArticleRepository,
        *,
        fallback: AnalysisProvider | None = None,
        budget: Budget | None = None,
        page_text: PageText | None = None,
    ) -> None:
        """`provider` alone (the heuristic) or an LLM with `fallback`, `budget` and pages."""
        self._provider = provider
        self._articles = articles
        self._fallback = fallback
        self._budget = budget
        self._page_text = page_text

    def process(self, message: ItemMessage, *, now: datetime) -> Article:
        """Analyse and store; an already-analysed identical item is returned, not re-analysed."""
        item = message.item
        existing = self._articles.get(item.id)
        if (
            existing is not None
            and existing.item.content_hash == item.content_hash
            and message.reason != "reanalyse"
        ):
            # A redelivered message: no second analysis, no second spend. Articles waiting
            # for a full analysis come back as explicit "reanalyse" messages.
            return existing
        if existing is not None and message.reason == "reanalyse" and not existing.needs_reanalysis:
            return existing  # already fully analysed by an earlier delivery

        if existing is not None and existing.item.first_seen != item.first_seen:
            # An update keeps its first sighting: lists are ordered by it, so an edited
            # story stays where readers saw it instead of jumping to the front.
            item = item.model_copy(update={"first_seen": existing.item.first_seen})
        text = self.text_for(item)
        result, status, reason, cost = self._analyse(item, text, now)
        if not result.analysis.is_ai_related:
            status, reason = ArticleStatus.SKIPPED, "not about AI"
        if existing is not None and existing.status is ArticleStatus.HIDDEN:
            status, reason = ArticleStatus.HIDDEN, existing.status_reason  # operators decide
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
                cost_usd=cost,
                analysed_at=now,
            ),
            status=status,
            status_reason=reason,
            needs_reanalysis=not result.translated and self._fallback is not None,
            created_at=existing.created_at if existing else now,
            updated_at=now,
        )
        self._articles.save(article)
        return article

    def text_for(self, item: FeedItem) -> str:
        """The feed's text when substantial; otherwise the page's main text, if it has more."""
        text = article_text_for(item)
        if len(text) >= SUBSTANTIAL_TEXT or self._page_text is None:
            return text
        page = self._page_text.text_of(item.url)
        return page if page and len(page) > len(text) else text

    def _analyse(
        self, item: FeedItem, text: str, now: datetime
    ) -> tuple[AnalysisResult, ArticleStatus, str | None, float]:
        if self._fallback is None or self._budget is None:
            result = self._provider.analyse(item, text)
            status = ArticleStatus.PUBLISHED if result.translated else ArticleStatus.UNTRANSLATED
            return result, status, None, 0.0
        if self._budget.exhausted(now):
            fallback = self._fallback.analyse(item, text)
            return fallback, ArticleStatus.UNTRANSLATED, "daily LLM budget reached", 0.0
        model_id = getattr(self._provider, "model_id", None)
        try:
            result = self._provider.analyse(item, text)
        except AnalysisInvalid as exc:
            cost = self._budget.charge(now, model_id, exc.usage)
            fallback = self._fallback.analyse(item, text)
            return fallback, ArticleStatus.DEGRADED, f"invalid analysis: {exc.reason}"[:500], cost
        except ProviderError as exc:  # retryable or rejected: what was spent is still spent
            self._budget.charge(now, model_id, exc.usage)
            raise
        cost = self._budget.charge(now, result.model_id, result.usage)
        return result, ArticleStatus.PUBLISHED, None, cost


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
