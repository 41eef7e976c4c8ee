"""The three handlers with fakes: real event shapes in, the right response out."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from frontline.bootstrap import AnalyzeItemApp, FetchFeedsApp, RenderSiteApp
from frontline.domain.item_analysis import ItemAnalyst
from frontline.domain.models import ArticleStatus, ItemMessage
from frontline.domain.ports import AnalysisResult, FetchResult, ProviderRetryable
from frontline.observability import metrics
from frontline.site import SiteConfig
from infra.local.pipeline import load_handler
from tests.factories import make_analysis, make_item, make_source
from tests.unit.fakes import (
    FakeArticles,
    FakeFetcher,
    FakeLedger,
    FakeManifest,
    FakeQueue,
    FakeSiteIndex,
    FakeStates,
    MemoryBucket,
)


@dataclass
class Context:
    function_name: str = "test"
    memory_limit_in_mb: int = 128
    invoked_function_arn: str = "arn:aws:lambda:ap-northeast-1:123456789012:function:test"
    aws_request_id: str = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


class FixedProvider:
    name = "fixed"
    model_id = None

    def __init__(self, *, fail_for: str | None = None, ai: bool = True) -> None:
        self.fail_for, self.ai, self.calls = fail_for, ai, 0

    def analyse(self, item, text):
        self.calls += 1
        if item.id == self.fail_for:
            raise ProviderRetryable("throttled")
        return AnalysisResult(analysis=make_analysis(is_ai_related=self.ai), provider="fixed")


def sqs_event(*bodies: str) -> dict:
    return {
        "Records": [
            {
                "messageId": f"m{n}",
                "receiptHandle": f"r{n}",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1",
                    "SenderId": "s",
                    "ApproximateFirstReceiveTimestamp": "1",
                },
                "messageAttributes": {},
                "md5OfBody": "0" * 32,
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:ap-northeast-1:123456789012:q",
                "awsRegion": "ap-northeast-1",
            }
            for n, body in enumerate(bodies)
        ]
    }


@pytest.fixture
def analyze_handler(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Frontline")
    return load_handler("analyze_item").handler


def test_poisoned_record_fails_alone_while_the_others_are_stored(analyze_handler) -> None:
    # Given a batch with two good messages and one that is not a valid message at all
    good = [ItemMessage(item=make_item(n)).model_dump_json() for n in (1, 2)]
    event = sqs_event(
        good[0], '{"schema_version": "frontline.item/1", "item": {"id": "x"}}', good[1]
    )
    articles = FakeArticles()
    # When the worker handles it
    response = analyze_handler(
        event, Context(), app=AnalyzeItemApp(ItemAnalyst(FixedProvider(), articles))
    )
    # Then only the poisoned record is reported, and both good items are stored
    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert len(articles.articles) == 2


def test_a_retryable_provider_error_fails_only_that_record(analyze_handler) -> None:
    items = [make_item(n) for n in (1, 2)]
    event = sqs_event(*(ItemMessage(item=item).model_dump_json() for item in items))
    articles = FakeArticles()
    response = analyze_handler(
        event,
        Context(),
        app=AnalyzeItemApp(ItemAnalyst(FixedProvider(fail_for=items[0].id), articles)),
    )
    assert response == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert list(articles.articles) == [items[1].id]


def test_the_same_message_twice_is_analysed_once(analyze_handler) -> None:
    body = ItemMessage(item=make_item(1)).model_dump_json()
    provider, articles = FixedProvider(), FakeArticles()
    analyst = AnalyzeItemApp(ItemAnalyst(provider, articles))
    analyze_handler(sqs_event(body), Context(), app=analyst)
    analyze_handler(sqs_event(body), Context(), app=analyst)
    assert provider.calls == 1
    assert articles.writes == 1


def test_a_later_report_of_a_story_joins_it_in_one_batch(
    analyze_handler, capsys, caplog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")  # the demo's quiet mode sets it
    metrics.clear_metrics()  # what runs with metrics disabled left unflushed
    # Given two reports of one event from two outlets, in one batch
    from frontline.config import REPO_CONFIG_DIR, load_vocabulary
    from frontline.domain.stories import StoryDesk
    from frontline.domain.stories.memory import MemoryStoryIndex

    lead = make_item(1, title="Mistral AI releases Magistral 3, an open-weight reasoning model")
    later = make_item(
        2,
        feed_id="hn-ai",
        source_name="Hacker News",
        title="Magistral 3: Mistral's new reasoning model ships with open weights",
        summary="",
    )
    desk = StoryDesk(MemoryStoryIndex(), load_vocabulary(REPO_CONFIG_DIR).entities)
    provider, articles = FixedProvider(), FakeArticles()
    app = AnalyzeItemApp(ItemAnalyst(provider, articles, stories=desk))
    event = sqs_event(*(ItemMessage(item=item).model_dump_json() for item in (lead, later)))
    # When the worker handles the batch
    response = analyze_handler(event, Context(), app=app)
    # Then one article holds both, analysed once, and the join is logged and counted
    assert response == {"batchItemFailures": []}
    assert provider.calls == 1 and list(articles.articles) == [lead.id]
    assert [s.outlet for s in articles.articles[lead.id].sources] == ["Hacker News"]
    assert [r.getMessage() for r in caplog.records] == ["item analysed", "item joined a story"]
    assert '"StorySourcesJoined":[1.0]' in capsys.readouterr().out


def test_items_not_about_ai_are_stored_as_skipped(analyze_handler) -> None:
    articles = FakeArticles()
    analyze_handler(
        sqs_event(ItemMessage(item=make_item(1)).model_dump_json()),
        Context(),
        app=AnalyzeItemApp(ItemAnalyst(FixedProvider(ai=False), articles)),
    )
    [article] = articles.articles.values()
    assert article.status is ArticleStatus.SKIPPED
    assert article.status_reason == "not about AI"


def test_fetch_handler_returns_the_poll_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    source = make_source(url="https://a.example/f")
    today = format_datetime(datetime.now(UTC), usegmt=True)
    body = (
        '<rss version="2.0"><channel><title>t</title><item><title>AI</title>'
        f"<link>https://a.example/1</link><pubDate>{today}</pubDate></item></channel></rss>"
    ).encode()
    fetcher = FakeFetcher({source.url: FetchResult(status=200, url=source.url, body=body)})
    queue = FakeQueue()
    app = FetchFeedsApp([source], FakeLedger(), FakeStates(), queue, fetcher.as_factory())
    summary = load_handler("fetch_feeds").handler({}, Context(), app=app)
    assert summary["queued"] == 1
    assert json.loads(queue.sent[0].model_dump_json())["schema_version"] == "frontline.item/1"


def test_render_handler_uploads_only_what_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    from tests.factories import make_article

    articles = FakeArticles({a.id: a for a in (make_article(n) for n in range(1, 4))})
    store = MemoryBucket()
    app = RenderSiteApp(
        articles,
        store,
        SiteConfig(title="AIニュース最前線", tagline="t", base_url="https://x.example"),
        FakeManifest(),
    )
    handler = load_handler("render_site").handler
    first = handler({"Records": [{}]}, Context(), app=app)
    second = handler({"full_rebuild": True}, Context(), app=app)
    assert first["uploaded"] == first["rendered"] > 3
    assert "index.html" in store.objects
    assert second["uploaded"] == 0 and second["trigger"] == "full_rebuild"
    # Hiding an article removes its page
    hidden = next(iter(articles.articles.values()))
    articles.articles[hidden.id] = hidden.model_copy(update={"status": ArticleStatus.HIDDEN})
    third = handler({"full_rebuild": True}, Context(), app=app)
    assert third["deleted"] >= 1
    assert hidden.path.strip("/") + "/index.html" not in store.objects


def test_a_lost_stream_batch_is_redriven_as_a_full_publish(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A stream batch that failed every retry reaches RenderFailureQueue as Lambda's
    on-failure record (its shard and sequence numbers, not its changes); its SQS event
    publishes the whole site, which renders whatever the lost changes touched."""
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    from tests.factories import make_article

    lost = make_article(9)
    articles = FakeArticles({a.id: a for a in (make_article(n) for n in range(1, 4))})
    store, manifest = MemoryBucket(), FakeManifest()
    site = SiteConfig(title="AIニュース最前線", tagline="t", base_url="https://x.example")
    app = RenderSiteApp(articles, store, site, manifest)
    handler = load_handler("render_site").handler
    handler({"full_rebuild": True}, Context(), app=app)
    # Given an article whose stream batch was lost
    articles.articles[lost.id] = lost
    body = json.dumps(
        {
            "requestContext": {"condition": "RetryAttemptsExhausted"},
            "DDBStreamBatchInfo": {"startSequenceNumber": "100", "endSequenceNumber": "100"},
        }
    )
    event = {
        "Records": [
            {
                "messageId": "m-1",
                "receiptHandle": "r-1",
                "body": body,
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:ap-northeast-1:123456789012:RenderFailureQueue",
            }
        ]
    }
    # When RenderFailureQueue delivers its record
    result = handler(event, Context(), app=app)
    # Then the whole site is published again, with the lost article's page
    assert result["trigger"] == "lost_batch"
    assert lost.path.strip("/") + "/index.html" in store.objects


# --- Digests on the same queue ---------------------------------------------------------------


def test_a_digest_message_and_an_item_in_one_batch_each_reach_their_service(
    analyze_handler,
) -> None:
    from frontline.adapters.heuristic import HeuristicDigestWriter
    from frontline.domain.digests import DigestKind, DigestMessage, DigestWriter
    from tests.unit.test_digests import FakeDigests, FakePeriodArticles

    articles, digests = FakeArticles(), FakeDigests()
    writer = DigestWriter(FakePeriodArticles(), digests, HeuristicDigestWriter())
    app = AnalyzeItemApp(ItemAnalyst(FixedProvider(), articles), digests=writer)
    event = sqs_event(
        ItemMessage(item=make_item(1)).model_dump_json(),
        DigestMessage(kind=DigestKind.DAILY, period="2026-11-26").model_dump_json(),
    )

    response = analyze_handler(event, Context(), app=app)

    assert response == {"batchItemFailures": []}
    assert make_item(1).id in articles.articles
    assert digests.get(DigestKind.DAILY, "2026-11-26").is_empty  # no articles that day


def test_a_message_of_an_unknown_schema_fails_alone(analyze_handler) -> None:
    app = AnalyzeItemApp(ItemAnalyst(FixedProvider(), FakeArticles()))
    event = sqs_event(json.dumps({"schema_version": "frontline.other/9", "kind": "daily"}))

    response = analyze_handler(event, Context(), app=app)

    assert response == {"batchItemFailures": [{"itemIdentifier": "m0"}]}


@pytest.mark.parametrize("kind", ["daily", "weekly"])
def test_request_digest_queues_the_digest_of_the_period_just_ended(
    monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    from frontline.bootstrap import RequestDigestApp
    from frontline.domain.digests import DigestJob, DigestMessage

    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    queue = FakeQueue()

    result = load_handler("request_digest").handler(
        {"kind": kind}, Context(), app=RequestDigestApp(DigestJob(queue))
    )

    [message] = queue.sent
    assert isinstance(message, DigestMessage) and message.kind.value == kind
    assert result == {"kind": kind, "period": message.period}


def test_request_digest_refuses_an_unknown_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from frontline.bootstrap import RequestDigestApp
    from frontline.domain.digests import DigestJob

    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    queue = FakeQueue()
    with pytest.raises(ValidationError):
        load_handler("request_digest").handler(
            {"kind": "monthly"}, Context(), app=RequestDigestApp(DigestJob(queue))
        )
    assert queue.sent == []


def test_requeue_waiting_items_queues_the_articles_stored_with_the_heuristic(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from frontline.bootstrap import RequeueWaitingItemsApp
    from frontline.domain.item_analysis import ReanalysisJob
    from tests.factories import make_article

    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    waiting = make_article(1, needs_reanalysis=True, status=ArticleStatus.UNTRANSLATED)
    articles, queue = FakeArticles({waiting.id: waiting, "done": make_article(2)}), FakeQueue()

    result = load_handler("requeue_waiting_items").handler(
        {}, Context(), app=RequeueWaitingItemsApp(ReanalysisJob(articles, queue))
    )

    assert result == {"queued": 1}
    assert [(m.item.id, m.reason) for m in queue.sent] == [(waiting.id, "reanalyse")]


def test_requeue_waiting_items_with_the_heuristic_alone_queues_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from frontline.bootstrap import RequeueWaitingItemsApp

    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    result = load_handler("requeue_waiting_items").handler(
        {}, Context(), app=RequeueWaitingItemsApp(None)
    )
    assert result == {"queued": 0}


def test_items_that_cannot_be_queued_are_an_error_and_a_metric(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")  # the demo's quiet mode sets it
    metrics.clear_metrics()  # what runs with metrics disabled left unflushed
    source = make_source(url="https://a.example/f")
    today = format_datetime(datetime.now(UTC), usegmt=True)
    body = (
        '<rss version="2.0"><channel><title>t</title><item><title>AI</title>'
        f"<link>https://a.example/1</link><pubDate>{today}</pubDate></item></channel></rss>"
    ).encode()
    fetcher = FakeFetcher({source.url: FetchResult(status=200, url=source.url, body=body)})
    app = FetchFeedsApp(
        [source], FakeLedger(), FakeStates(), FakeQueue(refuse=1), fetcher.as_factory()
    )
    summary = load_handler("fetch_feeds").handler({}, Context(), app=app)
    assert (summary["errors"], summary["unqueued"], summary["queued"]) == (1, 1, 0)
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line]
    [published] = [record for record in emitted if "UnqueuedItems" in record]
    assert published["UnqueuedItems"] == [1.0]


def test_the_renderer_reconciles_the_site_index_before_it_publishes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A stream batch's articles (both versions' ids) are reconciled; a full publish
    reconciles every article; a drain publishes what is indexed already."""
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    from tests.factories import make_article, make_stream_record

    new, old = make_article(1), make_article(2)
    hidden = old.model_copy(update={"status": ArticleStatus.HIDDEN})
    articles = FakeArticles({new.id: new, old.id: hidden})
    index = FakeSiteIndex(articles)
    site = SiteConfig(title="AIニュース最前線", tagline="t", base_url="https://x.example")
    app = RenderSiteApp(articles, MemoryBucket(), site, FakeManifest(), index=index)
    handler = load_handler("render_site").handler
    # When a stream batch arrives, then the nightly rebuild, then a drain
    handler(
        {
            "Records": [
                make_stream_record("INSERT", new=new),
                make_stream_record("MODIFY", old=old, new=hidden),
            ]
        },
        Context(),
        app=app,
    )
    handler({"full_rebuild": True}, Context(), app=app)
    handler({"drain": True}, Context(), app=app)
    # Then the batch's two articles were reconciled, and every article once
    assert index.reconciled == [{new.id, old.id}]
    assert index.full == 1
