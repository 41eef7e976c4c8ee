"""Fault injection for the local pipeline, and the census taken after every step.

Faults enter in two ways, both outside the code under test:
- botocore event hooks on the default boto3 session, which every client the handlers build
  inherits: `before-send` answers a request with a throttling error instead of passing it to
  moto (so the SDK's own retries are exercised), `before-parameter-build` / `after-call` take
  entries out of a batch call and report them as failed (or, for deletes, as done);
- `before-send` can also kill the process (`InvocationCrashed`) at a call, and
  `before-parameter-build` / `after-call` on ReceiveMessage hold an item's older message
  back until its newer one was delivered (standard SQS keeps no order);
- wrapped adapters: the analysis app's analyst is wrapped so the process can die
  (`InvocationCrashed`) right after an article is stored and before SQS hears of it; the
  fetch app runs on a clock that can move on (the next poll, after the sweep's deadline);
  the render app records the failures each publish reports; and an article's page can be
  made to raise while rendering, as a bad record would;
- feed edits between two polls, made to a copy of the demo feeds the loopback server serves.

Bedrock's Converse is answered by the same hook (an answer that fails validation, so each
item costs two paid calls) and the tokens it bills are counted, for the census's spend check.

The census reads the emulator's state (table, queues, bucket) with the faults suspended.
"""

from __future__ import annotations

import json
import random
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from moto.core.botocore_stubber import MockRawResponse

import frontline.site.families.article as article_family
from frontline.analysis.prompts import TOOL_NAME
from frontline.bootstrap import AnalyzeItemApp, FetchFeedsApp, RenderSiteApp, aws_client
from frontline.domain.digests import DigestKind
from frontline.domain.feed_poller import CLAIM_DEADLINE, PollReport, backoff_after
from frontline.domain.models import Article, ArticleChange, ArticleStatus, ItemMessage
from frontline.site.paths import article_json_path, key_for
from frontline.site.publishing import PublishReport
from infra.local.pipeline import REGION, InvocationCrashed, LocalPipeline

ACCOUNT = "123456789012"
MODEL_USAGE = (3000, 600)  # input and output tokens of every stubbed model answer


# --- Faults ------------------------------------------------------------------------------------


def _item_url(body: bytes | str) -> str:
    """The article URL an item analysis asks about (the prompt's `url:` line); "digest" for
    a digest, whose prompt lists many articles."""
    request = json.loads(body)
    if request["toolConfig"]["tools"][0]["toolSpec"]["name"] != TOOL_NAME:
        return "digest"
    text = json.dumps(request["messages"], ensure_ascii=False)
    found = re.search(r"url: (\S+?)(?:\\n|\s)", text)
    return found.group(1) if found else "?"


def _throttled(service: str) -> AWSResponse:
    """The error each service answers when it sheds load (all retryable by the SDK)."""
    if service == "s3":
        body: str = (
            "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>"
            "</Error>"
        )
        return AWSResponse("https://s3", 503, {}, MockRawResponse(body))
    body = json.dumps(
        {
            "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
            "message": "The level of configured provisioned throughput for the table was exceeded.",
        }
    )
    return AWSResponse(
        f"https://{service}", 400, {"x-amzn-RequestId": "fault"}, MockRawResponse(body)
    )


@dataclass
class Throttle:
    """Answer `operations` of `service` with a throttling error: each attempt with
    `probability`, never more than `max_in_a_row` attempts in a row (the SDK makes five)."""

    service: str
    operations: frozenset[str]
    probability: float
    max_in_a_row: int = 2
    limit: int = 1_000_000  # injections in all
    from_step: str | None = None  # only from this step of the run on
    _in_a_row: int = 0
    _injected: int = 0


@dataclass
class Kill:
    """The process dies (`InvocationCrashed`) when it makes this call, `limit` times."""

    service: str
    operation: str
    limit: int = 1


@dataclass
class HoldOlder:
    """Keep the first-queued message of the item at `url` invisible until a later version
    of it has been delivered: v1 is stored after v2."""

    url: str
    held: list[tuple[str, str]] = field(default_factory=list)  # (queue name, receipt handle)
    newer_seen: bool = False
    released: bool = False


@dataclass
class DropEntries:
    """Take each entry of a batch call out with `probability` and report it back as failed
    (`report_as="Failed"`, SQS SendMessageBatch) or as done without doing it
    (`report_as="Successful"`, DeleteMessageBatch: the message is redelivered)."""

    service: str
    operation: str
    probability: float
    report_as: str
    limit: int = 1_000_000


@dataclass
class Faults:
    rng: random.Random
    throttles: list[Throttle] = field(default_factory=list)
    drops: list[DropEntries] = field(default_factory=list)
    crash_probability: float = 0.0
    crash_limit: int = 0
    twin_limit: int = 0  # how many messages are delivered to two instances at once
    kills: list[Kill] = field(default_factory=list)
    hold: HoldOlder | None = None
    poison_limit: int = 0  # how many articles' pages raise while rendering
    poisoned: set[str] = field(default_factory=set)
    feed_edits: list[Callable[[Path], None]] = field(default_factory=list)
    clock: timedelta = timedelta(0)  # added to the fetch app's now
    step: str = ""
    render_failures: list[str] = field(default_factory=list)  # article ids publishes reported
    last_publish: PublishReport | None = None
    model_calls: Counter[str] = field(default_factory=Counter)  # by item url in the prompt
    injected: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)  # every request sent, by operation
    active: bool = True
    model_tokens: int = 0  # tokens the stubbed model billed, counted on the wire
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _emulator_lock: threading.Lock = field(default_factory=threading.Lock)
    _emulator: Any = None

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Hook the default session (every client built from now on carries the hooks) and
        shorten the SDK's retry back-off, so a throttled run keeps its retries but not its
        waiting."""
        from botocore.retries.standard import ExponentialBackoff
        from moto.core.models import botocore_stubber

        boto3.setup_default_session(region_name=REGION)
        events = boto3.DEFAULT_SESSION.events  # type: ignore[union-attr]
        # Every before-send handler runs, whatever the first one answers: moto's stubber is
        # taken off and called from ours, so a throttled request never reaches the emulator.
        events.unregister("before-send", botocore_stubber)
        self._emulator = botocore_stubber
        events.register_first("before-send", self._before_send)
        events.register_first("before-parameter-build", self._before_parameters)
        events.register_first("after-call", self._after_call)
        aws_client.cache_clear()
        delay = ExponentialBackoff.delay_amount
        ExponentialBackoff.delay_amount = lambda backoff, context: 0.001  # type: ignore[method-assign]
        article_view = article_family.article_view
        article_family.article_view = self._poisoned(article_view)  # type: ignore[assignment]
        try:
            yield
        finally:
            article_family.article_view = article_view  # type: ignore[assignment]
            ExponentialBackoff.delay_amount = delay  # type: ignore[method-assign]
            boto3.DEFAULT_SESSION = None
            aws_client.cache_clear()

    @contextmanager
    def suspended(self) -> Iterator[None]:
        active, self.active = self.active, False
        try:
            yield
        finally:
            self.active = active

    @staticmethod
    def _operation(event_name: str) -> tuple[str, str]:
        _, service, operation = event_name.split(".", 2)
        return service, operation

    def _poisoned(self, article_view: Callable[..., Any]) -> Callable[..., Any]:
        """article_view, raising for the articles chosen to be poison (the first ones
        rendered while the faults are on)."""

        def view(article: Article, *args: Any, **kwargs: Any) -> Any:
            with self._lock:
                if self.active and len(self.poisoned) < self.poison_limit:
                    self.poisoned.add(article.id)
                    self.injected["poison article"] += 1
                poison = self.active and article.id in self.poisoned
            if poison:
                raise ValueError(f"unrenderable analysis of {article.id}")
            return article_view(article, *args, **kwargs)

        return view

    def _before_send(self, event_name: str, **kwargs: Any) -> AWSResponse | None:
        self._kill(event_name)
        throttled = self._throttle(event_name)
        if throttled is not None:
            return throttled
        if event_name == "before-send.bedrock-runtime.Converse":
            return self._model_answer(kwargs["request"])
        # One request at a time, as each AWS request is atomic (moto's conditional writes
        # are not, when two threads of the twin deliveries race).
        with self._emulator_lock:
            response: AWSResponse | None = self._emulator(event_name=event_name, **kwargs)
        return response

    def _model_answer(self, request: Any) -> AWSResponse:
        """The model calls its tool with an empty answer (which fails validation, so the
        worker repairs once and then stores the heuristic analysis): every call is paid."""
        tools = json.loads(request.body)["toolConfig"]["tools"]
        usage = {"inputTokens": MODEL_USAGE[0], "outputTokens": MODEL_USAGE[1]}
        with self._lock:
            self.model_tokens += sum(MODEL_USAGE)
            self.model_calls[_item_url(request.body)] += 1
            request_id = f"model-{sum(self.model_calls.values())}"  # one per call, as Bedrock's
        tool_use = {"toolUseId": "t1", "name": tools[0]["toolSpec"]["name"], "input": {}}
        body = {
            "output": {"message": {"role": "assistant", "content": [{"toolUse": tool_use}]}},
            "stopReason": "tool_use",
            "usage": {**usage, "totalTokens": sum(MODEL_USAGE)},
            "metrics": {"latencyMs": 1},
        }
        headers = {"content-type": "application/json", "x-amzn-RequestId": request_id}
        return AWSResponse("https://bedrock", 200, headers, MockRawResponse(json.dumps(body)))

    def _throttle(self, event_name: str) -> AWSResponse | None:
        service, operation = self._operation(event_name)
        with self._lock:
            self.calls[f"{service}:{operation}"] += 1
            if not self.active:
                return None
            for rule in self.throttles:
                if rule.service != service or operation not in rule.operations:
                    continue
                if rule.from_step is not None and not self._reached(rule.from_step):
                    continue
                if (
                    rule._in_a_row < rule.max_in_a_row
                    and rule._injected < rule.limit
                    and self.rng.random() < rule.probability
                ):
                    rule._in_a_row += 1
                    rule._injected += 1
                    self.injected[f"throttle {service}:{operation}"] += 1
                    return _throttled(service)
                rule._in_a_row = 0
        return None

    def _reached(self, step: str) -> bool:
        names = [name for name, _ in STEPS]
        return self.step in names and names.index(self.step) >= names.index(step)

    def _kill(self, event_name: str) -> None:
        service, operation = self._operation(event_name)
        with self._lock:
            for rule in self.kills:
                key = f"kill {service}:{operation}"
                if self.active and (rule.service, rule.operation) == (service, operation):
                    if self.injected[key] < rule.limit:
                        self.injected[key] += 1
                        raise InvocationCrashed(f"killed at {service}:{operation}")

    def _before_parameters(
        self, event_name: str, params: dict[str, Any], context: dict[str, Any], **_: Any
    ) -> None:
        service, operation = self._operation(event_name)
        if (service, operation) == ("sqs", "ReceiveMessage") and self.hold is not None:
            context["fault_queue_url"] = params["QueueUrl"]
            self.release_held()
        if not self.active:
            return
        for rule in self.drops:
            if (rule.service, rule.operation) != (service, operation):
                continue
            with self._lock:
                dropped = [
                    entry
                    for entry in params.get("Entries", [])
                    if self.injected[f"drop {operation}"] < rule.limit
                    and self.rng.random() < rule.probability
                    and not self.injected.update({f"drop {operation}": 1})
                ]
            if dropped == params["Entries"]:  # an empty batch is a client error, not a fault
                dropped.pop()
                self.injected[f"drop {operation}"] -= 1
            if dropped:
                params["Entries"] = [e for e in params["Entries"] if e not in dropped]
                context["fault_dropped"] = (rule.report_as, [e["Id"] for e in dropped])

    def release_held(self) -> None:
        """Once the newer version was delivered, the older message becomes visible."""
        from moto.sqs.models import sqs_backends

        hold = self.hold
        if hold is None or not hold.newer_seen or hold.released:
            return
        hold.released = True
        backend = sqs_backends[ACCOUNT][REGION]
        for queue_name, receipt in hold.held:
            backend.change_message_visibility(queue_name, receipt, 0)

    def _hold_older(self, parsed: dict[str, Any], queue_url: str) -> None:
        hold = self.hold
        if hold is None or hold.released:
            return
        from moto.sqs.models import sqs_backends

        backend = sqs_backends[ACCOUNT][REGION]
        kept = []
        for message in parsed.get("Messages", []):
            body = json.loads(message["Body"])
            if body.get("item", {}).get("url") != hold.url:
                kept.append(message)
            elif body["reason"] == "new" and self.active:
                queue_name = queue_url.rsplit("/", 1)[-1]
                hold.held.append((queue_name, message["ReceiptHandle"]))
                backend.change_message_visibility(queue_name, message["ReceiptHandle"], 3600)
                self.injected["hold older version"] += 1
            else:
                hold.newer_seen = True
                kept.append(message)
        parsed["Messages"] = kept

    def _after_call(
        self, event_name: str, parsed: dict[str, Any], context: dict[str, Any], **kwargs: Any
    ) -> None:
        if event_name == "after-call.sqs.ReceiveMessage":
            self._hold_older(parsed, context.get("fault_queue_url", ""))
        report_as, ids = context.pop("fault_dropped", (None, []))
        for entry_id in ids:
            entry = (
                {"Id": entry_id, "SenderFault": False, "Code": "InternalError", "Message": "fault"}
                if report_as == "Failed"
                else {"Id": entry_id}
            )
            parsed.setdefault(report_as, []).append(entry)

    def should_twin(self) -> bool:
        with self._lock:
            if not self.active or self.injected["twin delivery"] >= self.twin_limit:
                return False
            self.injected["twin delivery"] += 1
            return True

    def should_crash(self) -> bool:
        with self._lock:
            if not self.active or self.injected["crash"] >= self.crash_limit:
                return False
            if self.rng.random() >= self.crash_probability:
                return False
            self.injected["crash"] += 1
            return True


@dataclass(frozen=True)
class CrashingAnalyst:
    """Wraps the analyst: after an item's article is stored, the process may die before the
    batch response reaches SQS (so the message is delivered again)."""

    inner: Any
    faults: Faults

    def process(self, message: ItemMessage, *, now: datetime) -> Article:
        if self.faults.should_twin():
            article = self._twice(message, now)
        else:
            article = self.inner.process(message, now=now)
        if self.faults.should_crash():
            raise InvocationCrashed(f"killed after storing {article.id}")
        return article

    def _twice(self, message: ItemMessage, now: datetime) -> Article:
        """Two instances handle one message at the same moment (at-least-once delivery);
        the first's outcome is this delivery's, the other instance's is its own."""
        from concurrent.futures import ThreadPoolExecutor

        start = threading.Barrier(2)

        def deliver() -> Article:
            start.wait()
            result: Article = self.inner.process(message, now=now)
            return result

        with ThreadPoolExecutor(max_workers=2) as pool:
            first, second = pool.submit(deliver), pool.submit(deliver)
            with suppress(Exception):  # that instance's record fails, and is retried there
                second.result()
            return first.result()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@dataclass(frozen=True)
class ShiftedClock:
    """The fetch app, run as if `faults.clock` later (the next poll comes after a while)."""

    inner: FetchFeedsApp
    faults: Faults

    def run(self, *, now: datetime) -> PollReport:
        return self.inner.run(now=now + self.faults.clock)


@dataclass(frozen=True)
class RecordingRenderApp:
    """The render app; the article ids of the pages each publish reports as failed are
    recorded, as the handler's error log and PagesFailed metric report them."""

    inner: RenderSiteApp
    faults: Faults

    def run(
        self,
        *,
        now: datetime,
        changes: list[ArticleChange] | None = None,
        drain: bool = False,
        digest_changes: Sequence[tuple[DigestKind, str]] = (),
    ) -> PublishReport:
        report = self.inner.run(
            now=now, changes=changes, drain=drain, digest_changes=digest_changes
        )
        self.faults.last_publish = report
        self.faults.render_failures += [f.article_id or f.path for f in report.failed]
        return report


class FaultyPipeline(LocalPipeline):
    """The local pipeline whose apps carry the fault wrappers."""

    faults: Faults

    def analyze_app(self) -> AnalyzeItemApp:
        app = super().analyze_app()
        return replace(app, analyst=CrashingAnalyst(app.analyst, self.faults))

    def fetch_app(self) -> FetchFeedsApp:
        return ShiftedClock(super().fetch_app(), self.faults)  # type: ignore[return-value]

    def render_app(self) -> RenderSiteApp:
        return RecordingRenderApp(super().render_app(), self.faults)  # type: ignore[return-value]


# --- The census --------------------------------------------------------------------------------


@dataclass
class Census:
    """Where every fetched item is. Exactly one state each; reasons for what is not published."""

    fetched: int = 0
    published: int = 0
    not_ai: int = 0  # stored as skipped: a final decision, never published
    same_story: int = 0  # a known story under a new guid: published once, as the first item
    joined: int = 0  # a later report of a story: a source of the story's stored article
    waiting: dict[str, str] = field(default_factory=dict)  # item id -> reason
    dead_lettered: dict[str, str] = field(default_factory=dict)  # item id -> reason
    lost: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # stored older than the newest version seen
    spend_tokens: int = 0  # tokens the spend ledger recorded
    model_tokens: int = 0  # tokens the model billed (counted on the wire)

    def line(self) -> str:
        return (
            f"fetched={self.fetched} published={self.published} not_ai={self.not_ai} "
            f"same_story={self.same_story} joined={self.joined} "
            f"waiting={len(self.waiting)} dead_lettered={len(self.dead_lettered)} "
            f"lost={len(self.lost)} duplicates={len(self.duplicates)} stale={len(self.stale)} "
            f"spend_tokens={self.spend_tokens} model_tokens={self.model_tokens}"
        )

    def problems(self) -> list[str]:
        """What must never be true, at any step."""
        found = [f"lost: {item}" for item in self.lost]
        found += [f"duplicate: {entry}" for entry in self.duplicates]
        found += [f"stale: {entry}" for entry in self.stale]
        if self.spend_tokens != self.model_tokens:
            found.append(f"spend: {self.spend_tokens} tokens recorded, {self.model_tokens} billed")
        if any(not reason for reason in {**self.waiting, **self.dead_lettered}.values()):
            found.append("an item waits or is dead-lettered without a reason")
        return found


def _queued_items(queue_url: str) -> list[tuple[str, str, str]]:
    """(item id, content hash, reason) of every item message in a queue, read from the
    emulator."""
    from moto.sqs.models import sqs_backends

    queue = sqs_backends[ACCOUNT][REGION].get_queue(queue_url.rsplit("/", 1)[-1])
    found: list[tuple[str, str, str]] = []
    for message in queue._messages:  # visible or in flight: both wait
        body = json.loads(message.body)
        if body.get("schema_version") != ItemMessage.model_fields["schema_version"].default:
            continue
        attributes = message.message_attributes
        reason = attributes.get("reason", {}).get("string_value") or (
            f"failed {message.approximate_receive_count} deliveries"
            if message.approximate_receive_count
            else f"queued ({body.get('reason', 'new')})"
        )
        found.append((body["item"]["id"], body["item"]["content_hash"], reason))
    return found


def take_census(pipeline: LocalPipeline, faults: Faults | None = None) -> Census:
    suspended = faults.suspended() if faults is not None else nullcontext()
    with suspended, pipeline.identity(None):
        return _count(pipeline, faults)


def _count(pipeline: LocalPipeline, faults: Faults | None) -> Census:
    dynamodb = aws_client("dynamodb")
    rows: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=pipeline.resources["Table"]):
        rows += page["Items"]
    claims = {
        row["pk"]["S"].removeprefix("ITEM#"): row
        for row in rows
        if row["sk"]["S"] == "CLAIM" and row["pk"]["S"].startswith("ITEM#")  # not URL# claims
    }
    claimed = set(claims)
    pending_pages = {row["sk"]["S"] for row in rows if row["pk"]["S"] == "SITE#PENDING"}
    articles = {
        row["pk"]["S"].removeprefix("ARTICLE#"): Article.model_validate_json(row["doc"]["S"])
        for row in rows
        if row["sk"]["S"] == "ARTICLE"
    }
    bucket_keys: set[str] = set()
    s3 = aws_client("s3")
    for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=pipeline.resources["SiteBucket"]
    ):
        bucket_keys |= {obj["Key"] for obj in page.get("Contents", [])}
    queued = _queued_items(pipeline.resources["ItemQueue"])
    dead = _queued_items(pipeline.resources["ItemDeadLetterQueue"])

    census = Census(fetched=len(claimed))
    census.spend_tokens = sum(
        int(row[name]["N"])
        for row in rows
        if row["pk"]["S"].startswith("USAGE#")
        for name in ("input_tokens", "output_tokens")
        if name in row
    )
    census.model_tokens = faults.model_tokens if faults is not None else 0
    # Two versions of an item may both be queued (v2 seen before v1 was analysed); two
    # messages of one version are a duplicate.
    messages = Counter((item, version) for item, version, _ in queued + dead)
    census.duplicates += [
        f"{item} ({version[:8]}) has {n} messages"
        for (item, version), n in messages.items()
        if n > 1
    ]
    urls = Counter(a.item.url for a in articles.values() if a.status.is_public)
    census.duplicates += [f"{url} published {n} times" for url, n in urls.items() if n > 1]
    sources = {
        (source.item_id, source.content_hash)
        for article in articles.values()
        for source in article.sources
    }
    waiting = {item: reason for item, _, reason in queued}
    dead_lettered = {item: reason for item, _, reason in dead}
    for item in sorted(claimed):
        article = articles.get(item)
        claim = claims[item]
        if item in dead_lettered:
            census.dead_lettered[item] = dead_lettered[item]
        elif item in waiting:
            census.waiting[item] = waiting[item]
        elif "duplicate_of" in claim:
            census.same_story += 1
        elif "pending" in claim:
            census.waiting[item] = "claimed, not yet queued: the sweep queues it"
        elif article is None and (item, claim["content_hash"]["S"]) in sources:
            census.joined += 1
        elif article is None:
            census.lost.append(item)
        elif article.item.content_hash != claim["content_hash"]["S"]:
            census.stale.append(f"{item} stored {article.item.content_hash[:8]}")
        elif article.status is ArticleStatus.SKIPPED:
            census.not_ai += 1
        elif not article.status.is_public:
            census.waiting[item] = f"held: {article.status.value}"
        elif key_for(article_json_path(article.id)) in bucket_keys and (
            article.path not in pending_pages
        ):
            census.published += 1
        elif article.path in pending_pages:
            census.waiting[item] = "page pending: the next publish renders it"
        else:
            census.waiting[item] = "stored, not yet rendered"
    return census


# --- One run -----------------------------------------------------------------------------------


Step = Callable[[LocalPipeline], object]

# The feeds are polled twice: between the polls, the schedules' feed edits are made (an item
# edited at its source, a story reappearing under a new guid).
STEPS: tuple[tuple[str, Step], ...] = (
    ("fetch", lambda p: p.fetch()),
    ("analyse", lambda p: p.analyze(visibility_timeout=0)),
    ("render", lambda p: p.render()),
    ("fetch again", lambda p: p.fetch()),
    ("analyse again", lambda p: p.analyze(visibility_timeout=0)),
    ("digests", lambda p: p.request_digests()),
    ("analyse digests", lambda p: p.analyze(visibility_timeout=0)),
    ("render again", lambda p: p.render()),
)


@dataclass
class RunResult:
    censuses: list[tuple[str, Census]]
    final: Census
    site_matches_full_render: bool
    injected: Counter[str]
    site_differences: list[str] = field(default_factory=list)  # keys a full render changed
    healing: dict[str, Any] = field(default_factory=dict)  # the render after the faults
    model_calls: Counter[str] = field(default_factory=Counter)  # by item url
    render_failures: list[str] = field(default_factory=list)  # article ids, as reported
    poisoned: set[str] = field(default_factory=set)

    def report(self) -> str:
        lines = [f"  {step:<18} {census.line()}" for step, census in self.censuses]
        lines.append(f"  {'final':<18} {self.final.line()}")
        lines.append(
            f"  site equals a full render: {self.site_matches_full_render}; injected: "
            + (", ".join(f"{k}={v}" for k, v in sorted(self.injected.items())) or "nothing")
        )
        return "\n".join(lines)


def run_with_faults(pipeline: FaultyPipeline, feeds: Path | None = None) -> RunResult:
    """The demo's steps with the faults on (a step whose function fails or dies is counted,
    and the run goes on, as the next scheduled or queued invocation would), then the faults
    off: the next poll after the sweep's deadline, the analysis, and a render that has no
    new article but only the drain schedule to publish with; then the site is compared with
    a full render of the store (a full render that changes nothing)."""
    faults = pipeline.faults
    censuses: list[tuple[str, Census]] = []
    for name, step in STEPS:
        faults.step = name
        if name == "fetch again" and feeds is not None:
            for edit in faults.feed_edits:
                edit(feeds)
        faults.clock += timedelta(minutes=1)
        try:
            outcome = step(pipeline)
        except (Exception, InvocationCrashed):
            faults.injected[f"failed step: {name}"] += 1
        else:
            if isinstance(outcome, dict) and outcome.get("failed_invocations"):
                faults.injected["failed render invocations"] += outcome["failed_invocations"]
        censuses.append((name, take_census(pipeline, faults)))
    faults.active = False
    if faults.hold is not None:  # nothing holds a message back once the faults stop
        faults.hold.newer_seen = True
        faults.release_held()
    # The next poll comes after the sweep's deadline, and after the first back-off of a
    # feed whose poll a killed run cut short (the emulated death cancels the other feeds'
    # requests, which record an error; a real one records nothing).
    faults.clock += max(CLAIM_DEADLINE, backoff_after(1)) + timedelta(minutes=5)
    pipeline.fetch()
    pipeline.analyze(visibility_timeout=0)
    healing = pipeline.render()
    final = take_census(pipeline, faults)
    pipeline.render(full_rebuild=True)
    rebuilt = faults.last_publish
    # Every key but the search index's: a publish adds a recent index beside the archive
    # index a full rebuild writes (see families/search), so those differ by design.
    differences = sorted(
        key
        for key in ([*rebuilt.uploaded, *rebuilt.deleted] if rebuilt is not None else ["?"])
        if not key.startswith("search/")
    )
    return RunResult(
        censuses,
        final,
        not differences,
        faults.injected,
        site_differences=differences,
        healing=healing,
        model_calls=faults.model_calls,
        render_failures=faults.render_failures,
        poisoned=faults.poisoned,
    )
