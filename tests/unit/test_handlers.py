"""The three handlers with fakes: real event shapes in, the right response out."""

import json
from dataclasses import dataclass

import pytest

from frontline.bootstrap import AnalyzeItemApp, FetchFeedsApp, RenderSiteApp
from frontline.domain.item_analysis import ItemAnalyst
from frontline.domain.models import ArticleStatus, ItemMessage
from frontline.domain.ports import AnalysisResult, FetchResult, ProviderRetryable
from frontline.site import SiteConfig
from infra.local.pipeline import load_handler
from tests.factories import make_analysis, make_item, make_source
from tests.unit.fakes import FakeArticles, FakeFetcher, FakeLedger, FakeQueue, FakeStates


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
    body = b'<rss version="2.0"><channel><title>t</title><item><title>AI</title><link>https://a.example/1</link></item></channel></rss>'
    fetcher = FakeFetcher({source.url: FetchResult(status=200, url=source.url, body=body)})
    queue = FakeQueue()
    app = FetchFeedsApp([source], FakeLedger(), FakeStates(), queue, fetcher.as_factory())
    summary = load_handler("fetch_feeds").handler({}, Context(), app=app)
    assert summary["queued"] == 1
    assert json.loads(queue.sent[0].model_dump_json())["schema_version"] == "frontline.item/1"


class MemoryStore:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.puts = 0

    def existing_hashes(self):
        return {key: self.hash_of(body) for key, body in self.objects.items()}

    def hash_of(self, body: bytes) -> str:
        import hashlib

        return hashlib.md5(body, usedforsecurity=False).hexdigest()

    def read(self, key: str) -> bytes | None:
        return self.objects.get(key)

    def put(self, obj) -> None:
        self.puts += 1
        self.objects[obj.key] = obj.body

    def delete(self, keys) -> None:
        for key in keys:
            del self.objects[key]


def test_render_handler_uploads_only_what_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    from tests.factories import make_article

    articles = FakeArticles({a.id: a for a in (make_article(n) for n in range(1, 4))})
    store = MemoryStore()
    app = RenderSiteApp(
        articles,
        store,
        SiteConfig(title="AIニュース最前線", tagline="t", base_url="https://x.example"),
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
    third = handler({"Records": [{}]}, Context(), app=app)
    assert third["deleted"] >= 1
    assert hidden.path.strip("/") + "/index.html" not in store.objects


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


@pytest.mark.parametrize(("job", "kind"), [("daily_digest", "daily"), ("weekly_digest", "weekly")])
def test_the_digest_schedules_queue_a_digest_message(
    monkeypatch: pytest.MonkeyPatch, job: str, kind: str
) -> None:
    from frontline.domain.digests import DigestJob, DigestMessage

    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    queue = FakeQueue()
    app = FetchFeedsApp(
        [],
        FakeLedger(),
        FakeStates(),
        queue,
        FakeFetcher().as_factory(),
        digest_job=DigestJob(queue),
    )

    result = load_handler("fetch_feeds").handler({"job": job}, Context(), app=app)

    [message] = queue.sent
    assert isinstance(message, DigestMessage) and message.kind.value == kind
    assert result == {"job": job, "period": message.period}
