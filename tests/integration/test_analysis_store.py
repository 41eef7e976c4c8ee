"""The worker's fault-safety in DynamoDB (moto, table from template.yaml): versioned article
writes, the analysis lease and recorded answer, and spend charged once per call."""

from __future__ import annotations

from datetime import date, timedelta

import boto3
import pytest
from botocore.exceptions import ClientError

from frontline.adapters.dynamodb import (
    DynamoAnalysisClaims,
    DynamoArticleRepository,
    DynamoSpendLedger,
    DynamoTable,
)
from frontline.domain.ports import AnalysisResult, StaleVersion, Usage
from tests.factories import NOW, make_analysis, make_article, make_item

DAY = date(2026, 11, 27)


def table(local_aws) -> DynamoTable:
    return DynamoTable(boto3.client("dynamodb"), local_aws["Table"])


def versions():
    v1 = make_item(1, title="Lab releases model", first_seen=NOW)
    v2 = make_item(
        1, title="Lab releases model, now with weights", first_seen=NOW + timedelta(hours=1)
    )
    return (
        make_article(item=v1, seen_at=NOW),
        make_article(item=v2, seen_at=NOW + timedelta(hours=1)),
    )


def test_v1_arriving_after_v2_is_refused_and_v2_stays(local_aws) -> None:
    repo = DynamoArticleRepository(table(local_aws))
    v1, v2 = versions()
    assert repo.save(v2) is True
    with pytest.raises(StaleVersion):
        repo.save(v1)
    assert repo.get(v1.id) == v2


def test_v2_replaces_v1_and_the_same_version_may_be_reanalysed(local_aws) -> None:
    repo = DynamoArticleRepository(table(local_aws))
    v1, v2 = versions()
    assert repo.save(v1) is True
    assert repo.save(v2) is True
    reanalysed = v2.model_copy(update={"analysis": make_analysis(title_ja="再解析した見出し")})
    assert repo.save(reanalysed) is True
    assert repo.get(v1.id) == reanalysed


def test_an_article_stored_before_versions_were_kept_may_be_updated(local_aws) -> None:
    repo = DynamoArticleRepository(table(local_aws))
    v1, v2 = versions()
    repo.save(v2)
    boto3.client("dynamodb").update_item(
        TableName=local_aws["Table"],
        Key={"pk": {"S": f"ARTICLE#{v2.id}"}, "sk": {"S": "ARTICLE"}},
        UpdateExpression="REMOVE seen_at",
    )
    assert repo.save(v1) is True


def test_the_lease_is_exclusive_until_it_expires_or_is_released(local_aws) -> None:
    claims = DynamoAnalysisClaims(table(local_aws))
    item = make_item(1)
    until = NOW + timedelta(minutes=15)
    assert claims.lease(item.id, holder="a", now=NOW, until=until) is True
    assert claims.lease(item.id, holder="b", now=NOW, until=until) is False
    assert claims.lease(item.id, holder="b", now=until + timedelta(seconds=1), until=until) is True
    claims.release(item.id, holder="a")  # taken over: not a's to release
    assert claims.lease(item.id, holder="c", now=NOW, until=until) is False
    claims.release(item.id, holder="b")
    assert claims.lease(item.id, holder="c", now=NOW, until=until) is True


def test_a_recorded_answer_round_trips_for_its_version_only(local_aws) -> None:
    claims = DynamoAnalysisClaims(table(local_aws))
    item = make_item(1)
    result = AnalysisResult(
        analysis=make_analysis(),
        provider="bedrock",
        model_id="m",
        usage=Usage(1200, 400),
        request_id="req-9",
    )
    claims.lease(item.id, holder="a", now=NOW, until=NOW + timedelta(minutes=15))
    claims.record_answer(item.id, item.content_hash, result)
    assert claims.answer_for(item.id, item.content_hash) == result
    assert claims.answer_for(item.id, "0" * 64) is None


def test_a_charge_is_counted_once_per_call(local_aws) -> None:
    ledger = DynamoSpendLedger(table(local_aws))
    ledger.record(DAY, 0.25, Usage(100, 10), charge_id="req-1")
    ledger.record(DAY, 0.25, Usage(100, 10), charge_id="req-1")  # retried or redelivered
    ledger.record(DAY, 0.5, Usage(100, 10), charge_id="req-2")
    assert ledger.spent_on(DAY) == 0.75


def test_a_throttled_charge_is_retried_not_lost(local_aws) -> None:
    client = boto3.client("dynamodb")
    refusals = {"left": 2}

    def throttle(**kwargs) -> None:
        if refusals["left"]:
            refusals["left"] -= 1
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}},
                "TransactWriteItems",
            )

    client.meta.events.register("before-call.dynamodb.TransactWriteItems", throttle)
    ledger = DynamoSpendLedger(DynamoTable(client, local_aws["Table"]))
    ledger.record(DAY, 0.25, Usage(100, 10), charge_id="req-1")
    assert (ledger.spent_on(DAY), refusals["left"]) == (0.25, 0)


def test_two_deliveries_of_one_message_call_the_model_once_and_pay_once(local_aws) -> None:
    from frontline.domain.item_analysis import ItemAnalyst
    from frontline.domain.models import ItemMessage
    from frontline.domain.ports import AnalysisInProgress
    from frontline.domain.spend import Budget, budget_day

    store = table(local_aws)
    articles, ledger = DynamoArticleRepository(store), DynamoSpendLedger(store)
    message = ItemMessage(item=make_item(1))
    seen: dict[str, object] = {}

    class Model:
        name, model_id = "bedrock", "m"

        def __init__(self, during_the_call=None) -> None:
            self.calls, self.during_the_call = 0, during_the_call

        def analyse(self, item, text):
            self.calls += 1
            if self.during_the_call is not None:
                self.during_the_call()
            return AnalysisResult(
                analysis=make_analysis(), provider="bedrock", model_id="m",
                usage=Usage(1000, 500), request_id=f"req-{self.calls}",
            )  # fmt: skip

    second = Model()

    def second_delivery() -> None:
        # While the model answers, SQS hands the same message to a second worker
        with pytest.raises(AnalysisInProgress):
            worker(second).process(message, now=NOW)
        seen["second_delivery"] = "waited"

    class Heuristic:
        name, model_id = "heuristic", None

        def analyse(self, item, text):
            return AnalysisResult(analysis=make_analysis(), provider="heuristic", translated=False)

    def worker(model) -> ItemAnalyst:
        return ItemAnalyst(
            model,
            articles,
            fallback=Heuristic(),
            budget=Budget(ledger, 5.0, lambda _m, u: u.input_tokens / 1e6),
            claims=DynamoAnalysisClaims(store),
        )

    model = Model(during_the_call=second_delivery)
    first = worker(model).process(message, now=NOW)
    redelivered = worker(second).process(message, now=NOW)  # the second delivery, retried

    assert seen == {"second_delivery": "waited"}
    assert (model.calls, second.calls) == (1, 0)
    assert redelivered == first
    assert ledger.spent_on(budget_day(NOW)) == pytest.approx(0.001)
