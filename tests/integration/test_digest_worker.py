"""AI日報 through the deployed wiring: a digest message on the queue, analyze_item's handler,
Bedrock through the Stubber, and the digest stored in moto's table from template.yaml."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber

from frontline.adapters.digest_store import DynamoDigestRepository, DynamoPeriodArticles
from frontline.adapters.dynamodb import DynamoArticleRepository, DynamoSpendLedger, DynamoTable
from frontline.analysis.prompts import DIGEST_TOOL_NAME
from frontline.bootstrap import bedrock_provider, build_analyze_item
from frontline.config import load_vocabulary
from frontline.domain.digests import DigestKind, DigestMessage
from frontline.domain.models import ArticleStatus, Category
from frontline.domain.paths import JST
from frontline.domain.spend import budget_day
from infra.local.pipeline import (
    REPO,
    LambdaContext,
    load_handler,
    sqs_record,
    stream_prefix_filter,
)
from infra.local.template_resources import load_template
from tests.converse import MODEL, tool_call_response
from tests.factories import make_analysis, make_article, make_item

QUEUE_ARN = "arn:aws:sqs:ap-northeast-1:123456789012:q"
DAY = "2026-11-26"

OVERVIEW = {
    "overview": (
        "26日はオープンウェイトモデルの公開と、その実務への取り込みが話題の中心となった。"
        "研究所が単一GPUで動く蒸留モデルを公開し、小規模な企業でも自社環境で運用できる道が広がった。"
        "ツール面ではローカル実行を支える周辺ソフトウェアの更新が続き、"
        "開発者が手元で生成AIを試す環境が整いつつある。"
    ),
    "highlights": [
        "研究所が単一GPUで動作する蒸留モデルをオープンウェイトで公開した。",
        "ローカルLLMの実行環境を整えるツールの更新が相次いだ。",
        "重みの商用利用を認めるライセンスが広がり、国内企業の採用判断に影響しそうだ。",
    ],
}
ENGLISH = {
    "overview": "Open-weight models dominated the day.",
    "highlights": ["Open weights", "Local tools", "Licences"],
}


def converse_answer(tool_input: dict, usage=(3000, 600)) -> dict:
    return tool_call_response(DIGEST_TOOL_NAME, tool_input, usage=usage)


@pytest.fixture
def worker(local_aws, bedrock_settings, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Frontline")
    settings = bedrock_settings
    table = DynamoTable(boto3.client("dynamodb"), local_aws["Table"])
    articles = DynamoArticleRepository(table)
    # The day's articles, as the worker stored them: the 23:59 one belongs to the day before.
    for n, when, category in (
        (1, datetime(2026, 11, 26, 9, 30, tzinfo=JST), Category.RESEARCH),
        (2, datetime(2026, 11, 26, 18, 0, tzinfo=JST), Category.TOOL),
        (3, datetime(2026, 11, 26, 0, 1, tzinfo=JST), Category.NEWS),
        (4, datetime(2026, 11, 25, 23, 59, tzinfo=JST), Category.NEWS),
    ):
        articles.save(
            make_article(
                n, item=make_item(n, published=when), analysis=make_analysis(category=category)
            )
        )
    articles.save(
        make_article(
            5,
            item=make_item(5, published=datetime(2026, 11, 26, 12, tzinfo=JST)),
            status=ArticleStatus.SKIPPED,
        )
    )
    client = boto3.client("bedrock-runtime", region_name="ap-northeast-1")
    with Stubber(client) as stubber:
        provider = bedrock_provider(client, MODEL, load_vocabulary(REPO / "config"))
        yield build_analyze_item(settings, provider=provider), stubber, table
        stubber.assert_no_pending_responses()


def deliver(app, message: DigestMessage) -> dict:
    raw = {
        "MessageId": "m-1",
        "ReceiptHandle": "r-1",
        "Body": message.model_dump_json(),
        "Attributes": {"ApproximateReceiveCount": "1"},
        "MessageAttributes": {},
    }
    event = {"Records": [sqs_record(raw, QUEUE_ARN)]}
    return load_handler("analyze_item").handler(event, LambdaContext("analyze_item"), app=app)


def spent_today(table: DynamoTable) -> float:
    return DynamoSpendLedger(table).spent_on(budget_day(datetime.now(UTC)))


def test_the_daily_digest_is_written_by_the_model_and_stored(worker) -> None:
    app, stubber, table = worker
    stubber.add_response("converse", converse_answer(OVERVIEW))

    response = deliver(app, DigestMessage(kind=DigestKind.DAILY, period=DAY))

    assert response == {"batchItemFailures": []}
    digest = DynamoDigestRepository(table).get(DigestKind.DAILY, DAY)
    assert digest is not None and digest.generated_by == "llm"
    assert digest.overview is not None and digest.overview.overview == OVERVIEW["overview"]
    assert digest.article_count == 3  # 00:01 counts, 23:59 the day before does not, skipped never
    assert [section.category for section in digest.sections] == [
        Category.NEWS,
        Category.RESEARCH,
        Category.TOOL,
    ]
    assert digest.provenance is not None and digest.provenance.model_id == MODEL
    assert spent_today(table) == pytest.approx(digest.provenance.cost_usd)
    assert digest.provenance.cost_usd == pytest.approx(3000 / 1e6 * 1 + 600 / 1e6 * 5)


def test_running_the_same_digest_twice_is_one_digest_and_one_call(worker) -> None:
    app, stubber, table = worker
    stubber.add_response("converse", converse_answer(OVERVIEW))  # exactly one call allowed
    message = DigestMessage(kind=DigestKind.DAILY, period=DAY)

    assert deliver(app, message) == {"batchItemFailures": []}
    assert deliver(app, message) == {"batchItemFailures": []}

    stored = [d for d in DynamoDigestRepository(table).list_all() if d.kind is DigestKind.DAILY]
    assert [d.period for d in stored] == [DAY]
    assert spent_today(table) == pytest.approx(3000 / 1e6 * 1 + 600 / 1e6 * 5)


def test_an_english_answer_is_repaired_once(worker) -> None:
    app, stubber, table = worker
    stubber.add_response("converse", converse_answer(ENGLISH, usage=(3000, 100)))
    stubber.add_response("converse", converse_answer(OVERVIEW, usage=(3400, 600)))

    deliver(app, DigestMessage(kind=DigestKind.DAILY, period=DAY))

    digest = DynamoDigestRepository(table).get(DigestKind.DAILY, DAY)
    assert digest is not None and digest.generated_by == "llm"
    assert digest.provenance is not None and digest.provenance.input_tokens == 6400


def test_an_answer_invalid_after_the_repair_falls_back_to_the_marked_summary(worker) -> None:
    app, stubber, table = worker
    stubber.add_response("converse", converse_answer(ENGLISH, usage=(3000, 100)))
    stubber.add_response("converse", converse_answer(ENGLISH, usage=(3400, 100)))
    message = DigestMessage(kind=DigestKind.DAILY, period=DAY)

    assert deliver(app, message) == {"batchItemFailures": []}

    digest = DynamoDigestRepository(table).get(DigestKind.DAILY, DAY)
    assert digest is not None and digest.generated_by == "heuristic"
    assert digest.overview is not None
    assert digest.overview.overview.startswith("この日に掲載したAIニュースは3件で")
    assert digest.status_reason is not None and "still invalid" in digest.status_reason
    assert spent_today(table) == pytest.approx(6400 / 1e6 * 1 + 200 / 1e6 * 5)  # both paid

    # The next run asks the model again, and its answer replaces the extractive one.
    stubber.add_response("converse", converse_answer(OVERVIEW))
    deliver(app, message)
    rewritten = DynamoDigestRepository(table).get(DigestKind.DAILY, DAY)
    assert rewritten is not None and rewritten.generated_by == "llm"
    assert rewritten.created_at == digest.created_at


def test_a_day_without_articles_is_stored_empty_without_a_call(worker) -> None:
    app, _stubber, table = worker

    assert deliver(app, DigestMessage(kind=DigestKind.DAILY, period="2026-11-20")) == {
        "batchItemFailures": []
    }

    digest = DynamoDigestRepository(table).get(DigestKind.DAILY, "2026-11-20")
    assert digest is not None and digest.is_empty and digest.generated_by == "none"


def test_the_period_query_splits_days_at_midnight_in_japan(worker) -> None:
    _app, _stubber, table = worker
    periods = DynamoPeriodArticles(table)

    def published_on(day: int) -> list[str]:
        start = datetime(2026, 11, day, tzinfo=JST)
        end = datetime(2026, 11, day + 1, tzinfo=JST)
        return [
            a.item.published.astimezone(JST).strftime("%H:%M")
            for a in periods.list_public_between(start, end)
        ]

    assert published_on(25) == ["23:59"]
    assert published_on(26) == ["18:00", "09:30", "00:01"]


def test_digest_writes_reach_the_render_stream_filter() -> None:
    assert stream_prefix_filter(load_template()) == ("ARTICLE#", "DIGEST#", "FEED#")
