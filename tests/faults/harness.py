"""Fault injection for the local pipeline, and the census taken after every step.

Faults enter in two ways, both outside the code under test:
- botocore event hooks on the default boto3 session, which every client the handlers build
  inherits: `before-send` answers a request with a throttling error instead of passing it to
  moto (so the SDK's own retries are exercised), `before-parameter-build` / `after-call` take
  entries out of a batch call and report them as failed (or, for deletes, as done);
- wrapped adapters: the analysis app's analyst is wrapped so the process can die
  (`InvocationCrashed`) right after an article is stored and before SQS hears of it.

Bedrock's Converse is answered by the same hook (an answer that fails validation, so each
item costs two paid calls) and the tokens it bills are counted, for the census's spend check.

The census reads the emulator's state (table, queues, bucket) with the faults suspended.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from moto.core.botocore_stubber import MockRawResponse

from frontline.bootstrap import AnalyzeItemApp, aws_client
from frontline.domain.models import Article, ArticleStatus, ItemMessage
from frontline.site.paths import article_json_path, key_for
from infra.local.pipeline import REGION, InvocationCrashed, LocalPipeline

ACCOUNT = "123456789012"
MODEL_USAGE = (3000, 600)  # input and output tokens of every stubbed model answer


# --- Faults ------------------------------------------------------------------------------------


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
    _in_a_row: int = 0


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
    injected: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)  # every request sent, by operation
    active: bool = True
    model_tokens: int = 0  # tokens the stubbed model billed, counted on the wire
    _lock: threading.Lock = field(default_factory=threading.Lock)
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
        try:
            yield
        finally:
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

    def _before_send(self, event_name: str, **kwargs: Any) -> AWSResponse | None:
        throttled = self._throttle(event_name)
        if throttled is not None:
            return throttled
        if event_name == "before-send.bedrock-runtime.Converse":
            return self._model_answer(kwargs["request"])
        response: AWSResponse | None = self._emulator(event_name=event_name, **kwargs)
        return response

    def _model_answer(self, request: Any) -> AWSResponse:
        """The model calls its tool with an empty answer (which fails validation, so the
        worker repairs once and then stores the heuristic analysis): every call is paid."""
        tools = json.loads(request.body)["toolConfig"]["tools"]
        usage = {"inputTokens": MODEL_USAGE[0], "outputTokens": MODEL_USAGE[1]}
        with self._lock:
            self.model_tokens += sum(MODEL_USAGE)
        tool_use = {"toolUseId": "t1", "name": tools[0]["toolSpec"]["name"], "input": {}}
        body = {
            "output": {"message": {"role": "assistant", "content": [{"toolUse": tool_use}]}},
            "stopReason": "tool_use",
            "usage": {**usage, "totalTokens": sum(MODEL_USAGE)},
            "metrics": {"latencyMs": 1},
        }
        headers = {"content-type": "application/json", "x-amzn-RequestId": "model"}
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
                if rule._in_a_row < rule.max_in_a_row and self.rng.random() < rule.probability:
                    rule._in_a_row += 1
                    self.injected[f"throttle {service}:{operation}"] += 1
                    return _throttled(service)
                rule._in_a_row = 0
        return None

    def _before_parameters(
        self, event_name: str, params: dict[str, Any], context: dict[str, Any], **_: Any
    ) -> None:
        service, operation = self._operation(event_name)
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

    def _after_call(self, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        report_as, ids = context.pop("fault_dropped", (None, []))
        for entry_id in ids:
            entry = (
                {"Id": entry_id, "SenderFault": False, "Code": "InternalError", "Message": "fault"}
                if report_as == "Failed"
                else {"Id": entry_id}
            )
            parsed.setdefault(report_as, []).append(entry)

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
        article: Article = self.inner.process(message, now=now)
        if self.faults.should_crash():
            raise InvocationCrashed(f"killed after storing {article.id}")
        return article

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class FaultyPipeline(LocalPipeline):
    """The local pipeline whose analysis app carries the crash wrapper."""

    faults: Faults

    def analyze_app(self) -> AnalyzeItemApp:
        app = super().analyze_app()
        return replace(app, analyst=CrashingAnalyst(app.analyst, self.faults))


# --- The census --------------------------------------------------------------------------------


@dataclass
class Census:
    """Where every fetched item is. Exactly one state each; reasons for what is not published."""

    fetched: int = 0
    published: int = 0
    not_ai: int = 0  # stored as skipped: a final decision, never published
    waiting: dict[str, str] = field(default_factory=dict)  # item id -> reason
    dead_lettered: dict[str, str] = field(default_factory=dict)  # item id -> reason
    lost: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    spend_tokens: int = 0  # tokens the spend ledger recorded
    model_tokens: int = 0  # tokens the model billed (counted on the wire)

    def line(self) -> str:
        return (
            f"fetched={self.fetched} published={self.published} not_ai={self.not_ai} "
            f"waiting={len(self.waiting)} dead_lettered={len(self.dead_lettered)} "
            f"lost={len(self.lost)} duplicates={len(self.duplicates)} "
            f"spend_tokens={self.spend_tokens} model_tokens={self.model_tokens}"
        )

    def problems(self) -> list[str]:
        """What must never be true, at any step."""
        found = [f"lost: {item}" for item in self.lost]
        found += [f"duplicate: {entry}" for entry in self.duplicates]
        if self.spend_tokens != self.model_tokens:
            found.append(f"spend: {self.spend_tokens} tokens recorded, {self.model_tokens} billed")
        if any(not reason for reason in {**self.waiting, **self.dead_lettered}.values()):
            found.append("an item waits or is dead-lettered without a reason")
        return found


def _queued_items(queue_url: str) -> list[tuple[str, str]]:
    """(item id, reason) of every item message in a queue, read from the emulator."""
    from moto.sqs.models import sqs_backends

    queue = sqs_backends[ACCOUNT][REGION].get_queue(queue_url.rsplit("/", 1)[-1])
    found: list[tuple[str, str]] = []
    for message in queue.messages:
        body = json.loads(message.body)
        if body.get("schema_version") != ItemMessage.model_fields["schema_version"].default:
            continue
        attributes = message.message_attributes
        reason = attributes.get("reason", {}).get("string_value") or (
            f"failed {message.approximate_receive_count} deliveries"
            if message.approximate_receive_count
            else f"queued ({body.get('reason', 'new')})"
        )
        found.append((body["item"]["id"], reason))
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
    claimed = {
        row["pk"]["S"].removeprefix("ITEM#")
        for row in rows
        if row["sk"]["S"] == "CLAIM" and row["pk"]["S"].startswith("ITEM#")  # not URL# claims
    }
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
    messages = Counter(item for item, _ in queued + dead)
    census.duplicates += [f"{item} has {n} messages" for item, n in messages.items() if n > 1]
    urls = Counter(a.item.url for a in articles.values() if a.status.is_public)
    census.duplicates += [f"{url} published {n} times" for url, n in urls.items() if n > 1]
    waiting = dict(queued)
    dead_lettered = dict(dead)
    for item in sorted(claimed):
        article = articles.get(item)
        if item in dead_lettered:
            census.dead_lettered[item] = dead_lettered[item]
        elif item in waiting:
            census.waiting[item] = waiting[item]
        elif article is None:
            census.lost.append(item)
        elif article.status is ArticleStatus.SKIPPED:
            census.not_ai += 1
        elif not article.status.is_public:
            census.waiting[item] = f"held: {article.status.value}"
        elif key_for(article_json_path(article.id)) in bucket_keys:
            census.published += 1
        else:
            census.waiting[item] = "stored, not yet rendered"
    return census


# --- One run -----------------------------------------------------------------------------------


Step = Callable[[LocalPipeline], object]

STEPS: tuple[tuple[str, Step], ...] = (
    ("fetch", lambda p: p.fetch()),
    ("analyse", lambda p: p.analyze(visibility_timeout=0)),
    ("digests", lambda p: p.request_digests()),
    ("analyse digests", lambda p: p.analyze(visibility_timeout=0)),
    ("render", lambda p: p.render()),
)


@dataclass
class RunResult:
    censuses: list[tuple[str, Census]]
    final: Census
    site_matches_full_render: bool
    injected: Counter[str]

    def report(self) -> str:
        lines = [f"  {step:<18} {census.line()}" for step, census in self.censuses]
        lines.append(f"  {'final':<18} {self.final.line()}")
        lines.append(
            f"  site equals a full render: {self.site_matches_full_render}; injected: "
            + (", ".join(f"{k}={v}" for k, v in sorted(self.injected.items())) or "nothing")
        )
        return "\n".join(lines)


def run_with_faults(pipeline: FaultyPipeline) -> RunResult:
    """The demo's steps with the faults on, then the faults off: drain, render, and compare
    the site with a full render of the store (a full render that changes nothing)."""
    faults = pipeline.faults
    censuses: list[tuple[str, Census]] = []
    for name, step in STEPS:
        step(pipeline)
        censuses.append((name, take_census(pipeline, faults)))
    faults.active = False
    pipeline.analyze(visibility_timeout=0)
    pipeline.render()
    final = take_census(pipeline, faults)
    rebuild = pipeline.render(full_rebuild=True)
    return RunResult(
        censuses,
        final,
        rebuild["uploaded"] == 0 and rebuild["deleted"] == 0,
        faults.injected,
    )
