"""Run Frontline's three handlers against moto, with the event shapes Lambda would send.

The runner plays the part of the Lambda service: it invokes fetch_feeds with a scheduled
event, turns the queue's messages into SQS batch events for analyze_item (deleting only the
records the handler did not report as failures), and reads the table's stream into DynamoDB
stream events for render_site, applying the stream filter that template.yaml declares.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
from botocore.config import Config

from frontline.bootstrap import (
    AnalyzeItemApp,
    FetchFeedsApp,
    RebuildSiteApp,
    RenderSiteApp,
    RequestDigestApp,
    RequeueWaitingItemsApp,
    aws_client,
    build_analyze_item,
    build_fetch_feeds,
    build_rebuild_site,
    build_render_site,
    build_request_digest,
    build_requeue_waiting_items,
)
from frontline.config import (
    AnalyzeSettings,
    DigestRequestSettings,
    FetchSettings,
    RenderSettings,
    RequeueSettings,
    load_settings,
)
from frontline.domain.models import FeedSource
from frontline.domain.ports import AnalysisProvider
from infra.local.least_privilege import Credentials
from infra.local.template_resources import LocalResources, create_local_stack, load_template

REPO = Path(__file__).resolve().parents[2]
REGION = "ap-northeast-1"
SQS_BATCH_SIZE = 5  # as template.yaml's SQS event
STREAM_BATCH_SIZE = 100


class InvocationCrashed(BaseException):
    """The function's process died mid-invocation (timeout, out of memory, killed): nothing
    inside the handler can catch it, and Lambda treats it as a failed invocation."""


def load_handler(function: str) -> ModuleType:
    """Import functions/<function>/app.py as Lambda does (by file, with the layer on the path)."""
    path = REPO / "functions" / function / "app.py"
    spec = importlib.util.spec_from_file_location(f"{function}_app", path)
    if spec is None or spec.loader is None:
        raise ImportError(path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as a normal import would: pydantic resolves names here
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


def use_local_environment(*, quiet: bool = False) -> None:
    """Credentials and region for moto; `quiet` keeps the handlers' JSON logs and metrics off
    the terminal so the demo's own progress lines stay readable."""
    if quiet:
        os.environ.update(
            {"POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"}
        )
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "POWERTOOLS_METRICS_NAMESPACE": "Frontline",
            "POWERTOOLS_SERVICE_NAME": "frontline",
        }
    )
    aws_client.cache_clear()


def stream_prefix_filter(template: dict[str, Any]) -> tuple[str, ...] | None:
    """The `pk` prefixes that render_site's stream event filters admit, read from the template
    (a record passes when any filter matches); None when there is no filter at all."""
    function = template["Resources"]["RenderSiteFunction"]["Properties"]
    prefixes: list[str] = []
    for event in function.get("Events", {}).values():
        if event.get("Type") != "DynamoDB":
            continue
        for entry in event["Properties"].get("FilterCriteria", {}).get("Filters", []):
            pattern = (
                json.loads(entry["Pattern"])
                if isinstance(entry["Pattern"], str)
                else entry["Pattern"]
            )
            rules = pattern.get("dynamodb", {}).get("Keys", {}).get("pk", {}).get("S", [])
            prefixes += [
                str(rule["prefix"]) for rule in rules if isinstance(rule, dict) and "prefix" in rule
            ]
    return tuple(prefixes) or None


@dataclass
class LocalPipeline:
    resources: LocalResources
    template: dict[str, Any]
    config_dir: Path
    site_url: str
    catalogue: list[FeedSource] | None = None
    progress: Callable[[str], None] = lambda message: None
    # The analysis provider: the offline heuristic unless a test answers the model's calls.
    llm_provider: str = "heuristic"
    daily_budget_usd: float = 0
    # A real model for the demo (infra/local/demo_model.py): its id, and the provider built
    # for it; None keeps the template's default model and builds the provider as deployed.
    model_id: str | None = None
    openai_base_url: str | None = None
    provider: AnalysisProvider | None = None
    # With moto's access control on: the operator's credentials (the Lambda service's own
    # reads, the demo's set-up and export) and each function's, by its folder under functions/.
    operator: Credentials | None = None
    function_credentials: dict[str, Credentials] = field(default_factory=dict)
    invoked: set[str] = field(default_factory=set)
    _stream_iterators: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(
        cls,
        *,
        config_dir: Path,
        site_url: str,
        catalogue: list[FeedSource] | None = None,
        progress: Callable[[str], None] = lambda message: None,
        template: dict[str, Any] | None = None,
        quiet: bool = False,
    ) -> LocalPipeline:
        """Must run inside moto's mock_aws()."""
        use_local_environment(quiet=quiet)
        template = template if template is not None else load_template()
        resources = create_local_stack(boto3.session.Session(region_name=REGION), template=template)
        return cls(resources, template, config_dir, site_url, catalogue, progress)

    @contextmanager
    def identity(self, function: str | None) -> Iterator[None]:
        """Run the block as `function`'s role (None: the operator); a no-op without
        credentials. Clients are rebuilt, so apps built inside keep that identity."""
        if function is not None:
            self.invoked.add(function)
        credentials = self.operator if function is None else self.function_credentials.get(function)
        if credentials is None:
            yield
            return
        saved = {
            name: os.environ.get(name)
            for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
        }
        os.environ.pop("AWS_SESSION_TOKEN", None)  # IAM user keys carry no session token
        os.environ.update(credentials.environment())
        boto3.DEFAULT_SESSION = None  # the default session caches the credentials it found
        aws_client.cache_clear()
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            boto3.DEFAULT_SESSION = None
            aws_client.cache_clear()

    # --- settings as template.yaml would set them -----------------------------------------

    def _common(self) -> dict[str, Any]:
        return {
            "table_name": self.resources["Table"],
            "site_title": self._default("SiteTitle"),
            "site_tagline": self._default("SiteTagline"),
            "config_dir": self.config_dir,
            "site_url": self.site_url,
        }

    def _default(self, parameter: str) -> str:
        return str(self.template["Parameters"][parameter]["Default"])

    def fetch_app(self) -> FetchFeedsApp:
        settings = load_settings(
            FetchSettings,
            **self._common(),
            queue_url=self.resources["ItemQueue"],
            allow_private_network=True,
            first_poll_cutoff_days=None,
        )
        return build_fetch_feeds(settings, catalogue=self.catalogue)

    def analyze_app(self) -> AnalyzeItemApp:
        settings = load_settings(
            AnalyzeSettings,
            **self._common(),
            llm_provider=self.llm_provider,
            bedrock_model_id=self._default("BedrockModelId"),
            daily_budget_usd=self.daily_budget_usd,
            **self._model_settings(),
            fetch_pages=False,  # the demo's article links point at hosts that do not exist
            queue_url=self.resources["ItemQueue"],
            dead_letter_queue_url=self.resources["ItemDeadLetterQueue"],
        )
        return build_analyze_item(settings, provider=self.provider, catalogue=self.catalogue)

    def _model_settings(self) -> dict[str, Any]:
        if self.model_id is None:
            return {}
        if self.llm_provider == "openai":
            return {"openai_model": self.model_id, "openai_base_url": self.openai_base_url}
        return {"bedrock_model_id": self.model_id}

    def requeue_app(self) -> RequeueWaitingItemsApp:
        settings = load_settings(
            RequeueSettings,
            **self._common(),
            queue_url=self.resources["ItemQueue"],
            llm_provider=self.llm_provider,
        )
        return build_requeue_waiting_items(settings)

    def digest_request_app(self) -> RequestDigestApp:
        settings = load_settings(
            DigestRequestSettings, **self._common(), queue_url=self.resources["ItemQueue"]
        )
        return build_request_digest(settings)

    def render_app(self) -> RenderSiteApp:
        settings = load_settings(
            RenderSettings,
            **self._common(),
            site_bucket=self.resources["SiteBucket"],
        )
        return build_render_site(settings, catalogue=self.catalogue)

    def rebuild_app(self) -> RebuildSiteApp:
        settings = load_settings(
            RenderSettings,
            **self._common(),
            site_bucket=self.resources["SiteBucket"],
        )
        return build_rebuild_site(settings)

    # --- the three stages -----------------------------------------------------------------

    def fetch(self) -> dict[str, Any]:
        handler = load_handler("fetch_feeds").handler
        with self.identity("fetch_feeds"):
            summary: dict[str, Any] = handler(
                {}, LambdaContext("fetch_feeds"), app=self.fetch_app()
            )
        self.progress(
            f"fetch_feeds: {summary['feeds']} feeds, {summary['new']} new items queued "
            f"({summary['not_modified']} not modified, {summary['errors']} errors)"
        )
        return summary

    def scheduled(self, function: str, event: dict[str, Any]) -> dict[str, Any]:
        """Invoke `function` (its folder under functions/) as EventBridge Scheduler does, with
        a schedule's Input as the event, under the function's role."""
        builders: dict[str, Callable[[], object]] = {
            "fetch_feeds": self.fetch_app,
            "analyze_item": self.analyze_app,
            "render_site": self.render_app,
            "rebuild_site": self.rebuild_app,
            "requeue_waiting_items": self.requeue_app,
            "request_digest": self.digest_request_app,
        }
        if function not in builders:
            raise KeyError(f"{function}: add its app builder to LocalPipeline.scheduled")
        handler = load_handler(function).handler
        with self.identity(function):
            result: dict[str, Any] = handler(
                event, LambdaContext(function), app=builders[function]()
            )
        return result

    def analyze(self, *, visibility_timeout: int = 60) -> dict[str, int]:
        """Deliver every queued message in SQS batch events until the queue is empty (the
        event source mapping reads and deletes with the function's role).

        A failed record is redelivered once `visibility_timeout` seconds pass; 0 redelivers
        it at once, so retries (and the redrive to the dead-letter queue after the queue's
        maxReceiveCount) happen within one call. A handler that raises, or whose process
        dies (`InvocationCrashed`), fails its whole batch, as in Lambda.
        """
        with self.identity("analyze_item"):
            return self._deliver_queued_items(visibility_timeout)

    def _deliver_queued_items(self, visibility_timeout: int) -> dict[str, int]:
        handler = load_handler("analyze_item").handler
        app = self.analyze_app()
        sqs = aws_client("sqs")
        queue_url = self.resources["ItemQueue"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        delivered = failed = 0
        while True:
            messages = sqs.receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=SQS_BATCH_SIZE,
                MessageAttributeNames=["All"],
                AttributeNames=["All"],
                VisibilityTimeout=visibility_timeout,
            ).get("Messages", [])
            if not messages:
                break
            event = {"Records": [sqs_record(message, queue_arn) for message in messages]}
            try:
                response = handler(event, LambdaContext("analyze_item"), app=app)
            except (Exception, InvocationCrashed):  # the whole batch returns to the queue
                response = {
                    "batchItemFailures": [{"itemIdentifier": m["MessageId"]} for m in messages]
                }
            failures = {entry["itemIdentifier"] for entry in response["batchItemFailures"]}
            done = [message for message in messages if message["MessageId"] not in failures]
            if done:
                sqs.delete_message_batch(
                    QueueUrl=queue_url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                        for i, m in enumerate(done)
                    ],
                )
            delivered += len(done)
            failed += len(failures)
        self.progress(f"analyze_item: {delivered} items analysed, {failed} failed")
        return {"analysed": delivered, "failed": failed}

    def request_digests(self) -> dict[str, int]:
        """Queue AI日報 for every JST day that has articles and 週報 for every week covered.

        The scheduled jobs report on yesterday and last week by the clock; the demo's clock is
        its newest article, so it asks for every period its articles span instead.
        """
        from frontline.adapters.dynamodb import DynamoArticleRepository, DynamoTable
        from frontline.domain.digests import DigestKind, periods_covering

        with self.identity(None):
            table = DynamoTable(aws_client("dynamodb"), self.resources["Table"])
            repository = DynamoArticleRepository(table)
            published = [article.published for article in repository.list_public()]
        with self.identity("request_digest"):
            job = self.digest_request_app().job
            counts = {
                kind.value: len(job.request(kind, periods_covering(kind, published)))
                for kind in DigestKind
            }
        self.progress(
            f"digests: {counts['daily']} daily and {counts['weekly']} weekly reports queued"
        )
        return counts

    def stream_events(self) -> Iterator[dict[str, Any]]:
        """New stream records, filtered as the event source mapping would, in batches."""
        streams = boto3.client(
            "dynamodbstreams",
            region_name=REGION,
            config=Config(account_id_endpoint_mode="disabled"),  # moto serves the classic endpoint
        )
        with self.identity(None):  # the event source mapping knows its stream's ARN
            table = aws_client("dynamodb").describe_table(TableName=self.resources["Table"])
        stream_arn = table["Table"]["LatestStreamArn"]
        prefixes = stream_prefix_filter(self.template)
        records: list[dict[str, Any]] = []
        shards = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            iterator = (
                self._stream_iterators.get(shard["ShardId"])
                or streams.get_shard_iterator(
                    StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
            )
            while iterator:
                page = streams.get_records(ShardIterator=iterator, Limit=1000)
                records += [dict(record) for record in page["Records"]]
                self._stream_iterators[shard["ShardId"]] = page.get("NextShardIterator") or iterator
                if not page["Records"]:
                    break
                iterator = page.get("NextShardIterator")
        wanted = [
            {**record, "eventSourceARN": stream_arn}
            for record in records
            if prefixes is None or record["dynamodb"]["Keys"]["pk"]["S"].startswith(prefixes)
        ]
        for start in range(0, len(wanted), STREAM_BATCH_SIZE):
            yield {
                "Records": json.loads(
                    json.dumps(wanted[start : start + STREAM_BATCH_SIZE], default=str)
                )
            }

    def render(self, *, full_rebuild: bool = False) -> dict[str, Any]:
        """Deliver the new stream records to render_site, then the drain schedule's event
        (or only the nightly rebuild's). As Lambda does, a stream batch whose invocation
        fails is retried MaximumRetryAttempts times and then reported to the on-failure
        destination; a scheduled invocation that fails is counted, and the next one runs."""
        handler = load_handler("render_site").handler
        summary: dict[str, Any] = {
            "uploaded": 0,
            "deleted": 0,
            "rendered": 0,
            "invocations": 0,
            "failed_invocations": 0,
            "reported": 0,
            "redriven": 0,
        }
        with self.identity("render_site"):
            app = self.render_app()
            events = [{"full_rebuild": True}] if full_rebuild else list(self.stream_events())
            if not full_rebuild:
                events.append({"drain": True})  # what the drain schedule does a minute later
            for event in events:
                attempts = 1 + (self._stream_retries() if "Records" in event else 0)
                for _ in range(attempts):
                    context = LambdaContext("render_site", memory_limit_in_mb=1024)
                    summary["invocations"] += 1
                    try:
                        result = handler(event, context, app=app)
                    except Exception:
                        summary["failed_invocations"] += 1
                        continue
                    summary["rendered"] = max(summary["rendered"], result["rendered"])
                    summary["uploaded"] += result["uploaded"]
                    summary["deleted"] += result["deleted"]
                    break
                else:
                    if "Records" in event:
                        self._report_failed_batch(event)
                        summary["reported"] += 1
            summary["redriven"] = self._redrive_lost_batches(handler, app)
        self.progress(
            f"render_site: {summary['invocations']} invocations, {summary['rendered']} objects "
            f"rendered, {summary['uploaded']} uploaded"
        )
        return summary

    def rebuild(self, run: str = "local-rebuild") -> dict[str, Any]:
        """The nightly rebuild as RebuildStateMachine runs it: rebuild_site plans the run's
        partitions, publishes each (one Distributed Map item each, here one after another)
        and finishes the run."""
        handler = load_handler("rebuild_site").handler
        with self.identity("rebuild_site"):
            app = self.rebuild_app()

            def step(event: dict[str, Any]) -> dict[str, Any]:
                context = LambdaContext("rebuild_site", memory_limit_in_mb=1024)
                result: dict[str, Any] = handler(event, context, app=app)
                return result

            plan = step({"step": "plan", "run": run})
            summaries = [
                step({"step": "partition", "run": plan["run"], "partition": name})
                for name in plan["partitions"]
            ]
            finished = step({"step": "finish", "run": plan["run"]})
        summary = {
            "partitions": len(summaries),
            "rendered": sum(s["rendered"] for s in summaries),
            "uploaded": sum(s["uploaded"] for s in summaries),
            "failed": sum(s["failed"] for s in summaries),
            "deleted": finished["deleted"],
        }
        self.progress(
            f"rebuild_site: {summary['partitions']} partitions, {summary['rendered']} objects "
            f"rendered, {summary['uploaded']} uploaded, {summary['deleted']} deleted"
        )
        return summary

    def _redrive_lost_batches(self, handler: Callable[..., Any], app: RenderSiteApp) -> int:
        """The RenderFailureQueue event source: each lost batch, one message an invocation;
        one that fails again stays hidden for the queue's visibility timeout (the back-off)."""
        sqs = aws_client("sqs")
        queue_url = self.resources["RenderFailureQueue"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        redriven = 0
        while messages := sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=1, AttributeNames=["All"]
        ).get("Messages", []):
            event = {"Records": [sqs_record(message, queue_arn) for message in messages]}
            try:
                handler(event, LambdaContext("render_site", memory_limit_in_mb=1024), app=app)
            except Exception:  # noqa: S112 - it comes back after the visibility timeout
                continue
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=messages[0]["ReceiptHandle"])
            redriven += 1
        return redriven

    def _stream_retries(self) -> int:
        events = self.template["Resources"]["RenderSiteFunction"]["Properties"]["Events"]
        return int(events["ArticleChanges"]["Properties"].get("MaximumRetryAttempts", 0))

    def _report_failed_batch(self, event: dict[str, Any]) -> None:
        """What the event source mapping sends its on-failure destination: the batch's
        shard and sequence range, not the records."""
        records = event["Records"]
        numbers = [record["dynamodb"]["SequenceNumber"] for record in records]
        body = {
            "requestContext": {"condition": "RetryAttemptsExhausted"},
            "DDBStreamBatchInfo": {
                "streamArn": records[0]["eventSourceARN"],
                "startSequenceNumber": min(numbers),
                "endSequenceNumber": max(numbers),
                "batchSize": len(records),
            },
        }
        aws_client("sqs").send_message(
            QueueUrl=self.resources["RenderFailureQueue"], MessageBody=json.dumps(body)
        )

    def export_site(self, destination: Path) -> int:
        """Copy the bucket to a folder, as CloudFront would serve it."""
        with self.identity(None):
            s3 = aws_client("s3")
            bucket = self.resources["SiteBucket"]
            count = 0
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                for obj in page.get("Contents", []):
                    target = destination / obj["Key"]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
                    target.write_bytes(body)
                    count += 1
            return count


def sqs_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """An SQS message as the Lambda event source mapping delivers it."""
    attributes = message.get("Attributes", {})
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {
            "ApproximateReceiveCount": attributes.get("ApproximateReceiveCount", "1"),
            "SentTimestamp": attributes.get("SentTimestamp", "0"),
            "SenderId": attributes.get("SenderId", "AIDAEXAMPLE"),
            "ApproximateFirstReceiveTimestamp": attributes.get(
                "ApproximateFirstReceiveTimestamp", "0"
            ),
        },
        "messageAttributes": {
            name: {
                "stringValue": value.get("StringValue"),
                "binaryValue": None,
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": value["DataType"],
            }
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody")
        or hashlib.md5(message["Body"].encode(), usedforsecurity=False).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }
