"""analyze_item as deployed: bootstrap's wiring, Bedrock through the Stubber, moto's table."""

import json
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from frontline.adapters.dynamodb import DynamoSpendLedger, DynamoTable
from frontline.analysis.prompts import TOOL_NAME
from frontline.bootstrap import bedrock_provider, build_analyze_item
from frontline.config import load_vocabulary
from frontline.domain.models import ArticleStatus, FeedItem, ItemMessage
from frontline.domain.spend import budget_day
from infra.local.pipeline import LambdaContext, load_handler, sqs_record
from tests.converse import MODEL, tool_call_response

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "llm"


def answer(usage=(4000, 1500)) -> dict:
    tool_input = json.loads((FIXTURES / "answer_open_weights.json").read_text(encoding="utf-8"))
    return tool_call_response(TOOL_NAME, tool_input, usage=usage)


@pytest.fixture
def worker(local_aws, bedrock_settings, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Frontline")
    settings = bedrock_settings
    client = boto3.client("bedrock-runtime", region_name="ap-northeast-1")
    with Stubber(client) as stubber:
        provider = bedrock_provider(client, MODEL, load_vocabulary(REPO / "config"))
        yield build_analyze_item(settings, provider=provider), stubber, local_aws
        stubber.assert_no_pending_responses()


def event_for(message: ItemMessage, queue_arn: str) -> dict:
    raw = {
        "MessageId": "m-1",
        "ReceiptHandle": "r-1",
        "Body": message.model_dump_json(),
        "Attributes": {"ApproximateReceiveCount": "1"},
        "MessageAttributes": {},
    }
    return {"Records": [sqs_record(raw, queue_arn)]}


ITEM = FeedItem.model_validate(
    json.loads((FIXTURES / "article_open_weights.json").read_text(encoding="utf-8"))["item"]
)


def deliver(app, item: FeedItem) -> dict:
    """One SQS batch holding the item, through the real handler."""
    event = event_for(ItemMessage(item=item), "arn:aws:sqs:ap-northeast-1:123456789012:q")
    return load_handler("analyze_item").handler(event, LambdaContext("analyze_item"), app=app)


def test_the_same_message_twice_is_one_article_and_one_spend(worker) -> None:
    app, stubber, resources = worker
    item = ITEM
    stubber.add_response("converse", answer())  # exactly one model call is allowed
    assert deliver(app, item) == {"batchItemFailures": []}
    assert deliver(app, item) == {"batchItemFailures": []}

    article = app.analyst._articles.get(item.id)
    assert article.status is ArticleStatus.PUBLISHED
    assert article.provenance.model_id == MODEL
    assert article.provenance.cost_usd == pytest.approx(4000 / 1e6 * 1 + 1500 / 1e6 * 5)
    ledger = DynamoSpendLedger(DynamoTable(boto3.client("dynamodb"), resources["Table"]))
    assert ledger.spent_on(budget_day(article.provenance.analysed_at)) == pytest.approx(
        article.provenance.cost_usd
    )


def test_a_bad_request_is_parked_in_the_dlq_not_retried(worker) -> None:
    app, stubber, resources = worker
    item = ITEM
    stubber.add_client_error(
        "converse",
        service_error_code="ValidationException",
        service_message="Malformed input request",
        http_status_code=400,
    )
    response = deliver(app, item)
    assert response == {"batchItemFailures": []}  # not retried
    [parked] = boto3.client("sqs").receive_message(
        QueueUrl=resources["ItemDeadLetterQueue"], MessageAttributeNames=["All"]
    )["Messages"]
    assert "ValidationException" in parked["MessageAttributes"]["reason"]["StringValue"]


def test_throttling_fails_the_record_for_sqs_to_retry(worker) -> None:
    app, stubber, _ = worker
    item = ITEM
    stubber.add_client_error(
        "converse",
        service_error_code="ThrottlingException",
        service_message="Too many requests",
        http_status_code=429,
    )
    response = deliver(app, item)
    assert response == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
