"""Analyse one queued item and store it as an article: the analyze_item worker's service."""

from __future__ import annotations

from datetime import datetime

from frontline.domain.article_text import article_text_for
from frontline.domain.models import (
    Article,
    ArticleStatus,
    ItemMessage,
    Provenance,
)
from frontline.domain.paths import article_path_for
from frontline.domain.ports import AnalysisProvider, ArticleRepository


class ItemAnalyst:
    def __init__(self, provider: AnalysisProvider, articles: ArticleRepository) -> None:
        self._provider = provider
        self._articles = articles

    def process(self, message: ItemMessage, *, now: datetime) -> Article:
        """Analyse and store; an already-analysed identical item is returned, not re-analysed.

        Provider errors propagate, so the SQS record fails and is retried or parked.
        """
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

        result = self._provider.analyse(item, article_text_for(item))
        status = ArticleStatus.PUBLISHED if result.translated else ArticleStatus.UNTRANSLATED
        reason = None
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
                analysed_at=now,
            ),
            status=status,
            status_reason=reason,
            needs_reanalysis=not result.translated,
            created_at=existing.created_at if existing else now,
            updated_at=now,
        )
        self._articles.save(article)
        return article
