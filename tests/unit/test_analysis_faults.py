"""Faults cost nothing twice: one model call per item version, spend counted once, no stale
version stored over a newer one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from frontline.domain.item_analysis import ItemAnalyst
from frontline.domain.models import Article, ArticleStatus, ItemMessage
from frontline.domain.ports import (
    AnalysisInProgress,
    AnalysisResult,
    AnalysisUngrounded,
    StaleVersion,
    Usage,
)
from frontline.domain.spend import Budget, budget_day
from tests.factories import NOW, make_analysis, make_item
from tests.unit.fakes import FakeArticles, FakeClaims, FakeModel, FakeSpendLedger, Throttled


class Heuristic:
    name = "heuristic"
    model_id = None

    def analyse(self, item, text):
        return AnalysisResult(analysis=make_analysis(), provider="heuristic", translated=False)


class FailingSaves(FakeArticles):
    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def save(self, article: Article) -> bool:
        if self.failures:
            self.failures -= 1
            raise Throttled("store throttled")
        return super().save(article)


def worker(model, *, articles=None, ledger=None, claims=None, on_ungrounded=None):
    return ItemAnalyst(
        model,
        articles if articles is not None else FakeArticles(),
        fallback=Heuristic(),
        budget=Budget(ledger or FakeSpendLedger(), 1.0, lambda _m, u: u.input_tokens / 1e6),
        claims=claims if claims is not None else FakeClaims(),
        on_ungrounded=on_ungrounded,
    )


def test_a_second_delivery_while_the_first_analyses_does_not_call_the_model() -> None:
    model, claims = FakeModel(), FakeClaims()
    item = make_item(1)
    claims.lease(item.id, holder="first delivery", now=NOW, until=NOW + timedelta(minutes=15))
    with pytest.raises(AnalysisInProgress):
        worker(model, claims=claims).process(ItemMessage(item=item), now=NOW)
    assert model.calls == 0


def test_a_lease_left_by_a_dead_process_expires() -> None:
    model, claims = FakeModel(), FakeClaims()
    item = make_item(1)
    claims.lease(item.id, holder="dead", now=NOW, until=NOW - timedelta(seconds=1))
    article = worker(model, claims=claims).process(ItemMessage(item=item), now=NOW)
    assert (article.status, model.calls, claims.leases) == (ArticleStatus.PUBLISHED, 1, {})


def test_a_failure_after_the_answer_reuses_it_on_redelivery() -> None:
    model, articles, ledger = FakeModel(), FailingSaves(failures=1), FakeSpendLedger()
    analyst = worker(model, articles=articles, ledger=ledger)
    message = ItemMessage(item=make_item(1))
    with pytest.raises(Throttled):
        analyst.process(message, now=NOW)
    article = analyst.process(message, now=NOW)  # the redelivery
    assert model.calls == 1
    assert article.analysis.title_ja == "解析1"
    assert ledger.calls == 1
    assert ledger.spent[budget_day(NOW)] == pytest.approx(0.002)


def test_a_throttled_spend_write_is_counted_once_and_never_lost() -> None:
    model, ledger = FakeModel(), FakeSpendLedger(failures=1)
    analyst = worker(model, ledger=ledger)
    message = ItemMessage(item=make_item(1))
    with pytest.raises(Throttled):
        analyst.process(message, now=NOW)
    analyst.process(message, now=NOW)
    item = message.item
    assert (model.calls, ledger.calls) == (1, 1)
    assert ledger.charges == {f"{item.id}:{item.content_hash}#req-1"}
    assert ledger.spent[budget_day(NOW)] == pytest.approx(0.002)


def test_a_charge_without_a_request_id_still_has_one_key() -> None:
    class Anonymous(FakeModel):
        def analyse(self, item, text):
            result = super().analyse(item, text)
            return AnalysisResult(
                analysis=result.analysis, provider="openai", model_id="m", usage=result.usage
            )

    ledger = FakeSpendLedger()
    worker(Anonymous(), ledger=ledger).process(ItemMessage(item=make_item(1)), now=NOW)
    assert len(ledger.charges) == 1


def test_two_items_answered_under_one_request_id_are_both_charged() -> None:
    class Repeating(FakeModel):  # a proxy or a stub that repeats its request ids
        def analyse(self, item, text):
            result = super().analyse(item, text)
            return AnalysisResult(
                analysis=result.analysis,
                provider="bedrock",
                model_id="test-model",
                usage=result.usage,
                request_id="same",
            )

    ledger = FakeSpendLedger()
    analyst = worker(Repeating(), ledger=ledger)
    for n in (1, 2):
        analyst.process(ItemMessage(item=make_item(n)), now=NOW)
    assert ledger.calls == 2
    assert ledger.spent[budget_day(NOW)] == pytest.approx(0.004)


def test_an_older_version_after_a_newer_one_is_dropped_without_a_model_call() -> None:
    model, articles = FakeModel(), FakeArticles()
    analyst = worker(model, articles=articles)
    v1 = make_item(1, title="Lab releases model", first_seen=NOW)
    v2 = make_item(
        1, title="Lab releases model, now with weights", first_seen=NOW + timedelta(hours=1)
    )
    analyst.process(ItemMessage(item=v2, reason="updated"), now=NOW + timedelta(hours=1))
    kept = analyst.process(ItemMessage(item=v1), now=NOW + timedelta(hours=2))
    assert articles.articles[v1.id].item.content_hash == v2.content_hash
    assert kept.item.content_hash == v2.content_hash
    assert model.calls == 1


def test_a_newer_version_replaces_the_older_and_keeps_its_first_sighting() -> None:
    model, articles = FakeModel(), FakeArticles()
    analyst = worker(model, articles=articles)
    v1 = make_item(1, title="Lab releases model", first_seen=NOW)
    later = NOW + timedelta(hours=1)
    v2 = make_item(1, title="Lab releases model, now with weights", first_seen=later)
    analyst.process(ItemMessage(item=v1), now=NOW)
    stored = analyst.process(ItemMessage(item=v2, reason="updated"), now=later)
    assert (stored.item.content_hash, stored.seen_at, stored.item.first_seen) == (
        v2.content_hash,
        later,
        NOW,
    )


def test_a_stale_write_lost_in_a_race_returns_the_stored_version() -> None:
    class RacedArticles(FakeArticles):
        def save(self, article: Article) -> bool:
            raise StaleVersion("a newer version is stored")

    articles = RacedArticles()
    kept = worker(FakeModel(), articles=articles).process(ItemMessage(item=make_item(1)), now=NOW)
    assert kept.item.id == make_item(1).id  # nothing stored: the message is acknowledged


def test_an_ungrounded_answer_is_stored_degraded_and_counted() -> None:
    counted: list[str] = []
    ungrounded = AnalysisUngrounded(
        "tldr: 数値「60」が原文にない", usage=Usage(3000, 1000), request_id="r1"
    )
    article = worker(FakeModel(ungrounded), on_ungrounded=lambda a: counted.append(a.id)).process(
        ItemMessage(item=make_item(1)), now=NOW
    )
    assert article.status is ArticleStatus.DEGRADED
    assert article.status_reason == "ungrounded analysis: tldr: 数値「60」が原文にない"
    assert article.needs_reanalysis
    assert counted == [article.id]


class StoredByAnotherDelivery(FakeArticles):
    """The other delivery stores the article (and releases its lease) right after this one
    has read the store: this delivery's first read sees nothing."""

    def __init__(self, other: Article) -> None:
        super().__init__()
        self.other: Article | None = other

    def get(self, article_id: str) -> Article | None:
        found = super().get(article_id)
        if self.other is not None:
            super().save(self.other)
            self.other = None
        return found


def test_a_delivery_that_leases_after_another_stored_the_item_does_not_call_the_model() -> None:
    # Given a delivery that read the store just before a concurrent delivery stored the
    # analysed article and released the lease (a heuristic result: no recorded answer)
    item = make_item(1)
    first_model = FakeModel()
    stored = worker(first_model).process(ItemMessage(item=item), now=NOW)
    articles, ledger, model = StoredByAnotherDelivery(stored), FakeSpendLedger(), FakeModel()
    # When it leases the item and goes on
    result = worker(model, articles=articles, ledger=ledger).process(
        ItemMessage(item=item), now=NOW
    )
    # Then it returns what the other delivery stored, without a model call or a charge
    assert result == stored
    assert model.calls == 0
    assert ledger.charges == set()
