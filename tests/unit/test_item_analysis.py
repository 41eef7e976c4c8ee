"""The worker's service: LLM within budget, heuristic fallback, degradation, re-analysis."""

from datetime import date, timedelta
from typing import ClassVar

import pytest

from frontline.bootstrap import AnalyzeItemApp, Parked
from frontline.domain.item_analysis import ItemAnalyst, ReanalysisJob
from frontline.domain.models import ArticleStatus, ItemMessage
from frontline.domain.ports import (
    AnalysisInvalid,
    AnalysisResult,
    ProviderRejected,
    ProviderRetryable,
    Usage,
)
from frontline.domain.spend import Budget, budget_day
from tests.factories import NOW, make_analysis, make_item
from tests.unit.fakes import FakeArticles, FakeModel, FakeQueue
from tests.unit.fakes import FakeSpendLedger as MemoryLedger


class Heuristic:
    name = "heuristic"
    model_id = None

    def analyse(self, item, text):
        return AnalysisResult(
            analysis=make_analysis(title_ja=item.title), provider="heuristic", translated=False
        )


def price(model_id, usage: Usage) -> float:  # $1 / $5 per million, as Claude Haiku 4.5
    return (usage.input_tokens * 1 + usage.output_tokens * 5) / 1_000_000


def analyst(llm, *, daily_usd=1.0, articles=None, ledger=None, page_text=None):
    articles = articles or FakeArticles()
    ledger = ledger or MemoryLedger()
    return (
        ItemAnalyst(
            llm,
            articles,
            fallback=Heuristic(),
            budget=Budget(ledger, daily_usd, price),
            page_text=page_text,
        ),
        articles,
        ledger,
    )


def test_a_valid_answer_is_published_with_its_cost() -> None:
    worker, _articles, ledger = analyst(FakeModel())
    article = worker.process(ItemMessage(item=make_item(1)), now=NOW)
    assert article.status is ArticleStatus.PUBLISHED
    assert not article.needs_reanalysis
    assert article.provenance.cost_usd == pytest.approx(0.006)  # 2000 in + 800 out
    assert (article.provenance.input_tokens, article.provenance.output_tokens) == (2000, 800)
    assert ledger.spent[budget_day(NOW)] == pytest.approx(0.006)


def test_budget_exhaustion_falls_back_marks_and_requeues_after_reset() -> None:
    # Given a budget that one analysis uses up
    llm = FakeModel()
    worker, articles, _ledger = analyst(llm, daily_usd=0.005)
    first = worker.process(ItemMessage(item=make_item(1)), now=NOW)
    # When the next item arrives the same day
    second = worker.process(ItemMessage(item=make_item(2)), now=NOW + timedelta(minutes=5))
    # Then it gets the heuristic analysis, badged and marked, and the LLM is not called
    assert first.status is ArticleStatus.PUBLISHED
    assert second.status is ArticleStatus.UNTRANSLATED
    assert second.needs_reanalysis and second.status_reason == "daily LLM budget reached"
    assert llm.calls == 1
    # And after the reset, the re-analysis job queues it and the worker analyses it fully
    queue = FakeQueue()
    assert ReanalysisJob(articles, queue).run() == 1
    [message] = queue.sent
    assert message.reason == "reanalyse"
    redone = worker.process(message, now=NOW + timedelta(days=1))
    assert redone.status is ArticleStatus.PUBLISHED and not redone.needs_reanalysis
    assert redone.path == second.path  # the URL never changes
    assert llm.calls == 2


def test_an_invalid_answer_is_stored_degraded_and_its_tokens_are_paid() -> None:
    worker, _articles, ledger = analyst(
        FakeModel(AnalysisInvalid("title_ja: not Japanese", usage=Usage(3000, 1000)))
    )
    article = worker.process(ItemMessage(item=make_item(1)), now=NOW)
    assert article.status is ArticleStatus.DEGRADED
    assert article.needs_reanalysis
    assert "not Japanese" in article.status_reason
    assert ledger.spent[budget_day(NOW)] == pytest.approx(0.008)


def test_throttling_propagates_so_sqs_retries_and_spend_is_kept() -> None:
    worker, articles, ledger = analyst(
        FakeModel(ProviderRetryable("ThrottlingException", usage=Usage(100, 0)))
    )
    with pytest.raises(ProviderRetryable):
        worker.process(ItemMessage(item=make_item(1)), now=NOW)
    assert articles.articles == {}
    assert ledger.calls == 1


def test_the_same_message_twice_is_one_article_and_one_spend() -> None:
    llm = FakeModel()
    worker, articles, ledger = analyst(llm)
    message = ItemMessage(item=make_item(1))
    worker.process(message, now=NOW)
    worker.process(message, now=NOW + timedelta(seconds=30))
    assert (llm.calls, articles.writes, ledger.calls) == (1, 1, 1)


def test_a_duplicate_reanalyse_message_does_not_pay_twice() -> None:
    llm = FakeModel()
    worker, _articles, _ledger = analyst(llm)
    item = make_item(1)
    worker.process(ItemMessage(item=item), now=NOW)
    worker.process(ItemMessage(item=item, reason="reanalyse"), now=NOW)
    assert llm.calls == 1


def test_a_rejected_request_is_parked_with_its_reason() -> None:
    class Letters:
        parked: ClassVar[list] = []

        def park(self, message, *, reason, request_id):
            self.parked.append((message.item.id, reason, request_id))

    worker, articles, _ = analyst(
        FakeModel(ProviderRejected("ValidationException: bad", request_id="req-9"))
    )
    letters = Letters()
    outcome = AnalyzeItemApp(worker, letters).handle(ItemMessage(item=make_item(1)), now=NOW)
    assert outcome == Parked("ValidationException: bad", "req-9")
    assert letters.parked == [(make_item(1).id, "ValidationException: bad", "req-9")]
    assert articles.articles == {}


class Pages:
    def __init__(self, text: str | None) -> None:
        self.text, self.asked = text, []

    def text_of(self, url: str) -> str | None:
        self.asked.append(url)
        return self.text


def test_a_teaser_sends_the_worker_to_the_page() -> None:
    pages = Pages("Full article text. " * 80)
    worker, *_ = analyst(FakeModel(), page_text=pages)
    teaser = make_item(1, content_html="", summary="Short teaser.")
    assert worker.text_for(teaser).startswith("Full article text.")
    assert pages.asked == [teaser.url]


def test_substantial_feed_text_is_used_as_is() -> None:
    pages = Pages("unused")
    worker, *_ = analyst(FakeModel(), page_text=pages)
    rich = make_item(1, content_html="<p>" + "Long paragraph with details. " * 40 + "</p>")
    assert "Long paragraph" in worker.text_for(rich)
    assert pages.asked == []


def test_the_budget_day_is_the_japanese_day() -> None:
    # 14:59 UTC is 23:59 in Japan; 15:01 UTC is already the next day there
    assert budget_day(NOW.replace(hour=14, minute=59)) == date(2026, 11, 27)
    assert budget_day(NOW.replace(hour=15, minute=1)) == date(2026, 11, 28)


def test_an_updated_item_keeps_its_first_sighting() -> None:
    worker, *_ = analyst(FakeModel())
    original = make_item(1)
    worker.process(ItemMessage(item=original), now=NOW)
    later = original.model_copy(
        update={
            "first_seen": NOW + timedelta(hours=5),
            "content_hash": "e" * 64,
            "title": "Corrected title",
        }
    )
    updated = worker.process(
        ItemMessage(item=later, reason="updated"), now=NOW + timedelta(hours=5)
    )
    assert updated.item.title == "Corrected title"
    assert updated.item.first_seen == original.first_seen
