"""The analyze_item worker's own time per item, with a model that answers instantly.

The real handler module (functions/analyze_item/app.py, loaded as Lambda loads it), the real
powertools BatchProcessor and pydantic record parsing, the real LlmAnalysisProvider (prompt
templates, tool schema, the Converse request built for every call, validation of the
fixture's Japanese answer), ItemAnalyst with its heuristic fallback and daily budget. Only
the outside world is faked: an LlmClient that returns tests/fixtures/llm/answer_open_weights
without a network call, and in-memory article and spend stores. Logs and metrics are on at
their deployed level and written to /dev/null.

250 distinct items are delivered in SQS batches of 5 after one warm-up batch; the median of
(batch time / 5) is reported as worker_overhead_ms_per_item.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import statistics
import sys
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "layers" / "shared"), str(REPO)]

ITEMS = 250
BATCH = 5
MODEL = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
FIXTURES = REPO / "tests" / "fixtures" / "llm"


class InstantModel:
    """An LlmClient whose answer is the fixture's, returned at once."""

    provider = "bedrock"
    model_id = MODEL

    def __init__(self, answer: dict[str, Any]) -> None:
        from frontline.adapters.bedrock import BedrockConverseClient

        self._answer = answer
        self._wire = BedrockConverseClient(None, MODEL)  # type: ignore[arg-type]

    def payload(self, conversation: Any) -> dict[str, Any]:
        return self._wire.payload(conversation)

    def send(self, conversation: Any) -> Any:
        from frontline.analysis.conversation import LlmReply
        from frontline.domain.ports import Usage

        json.dumps(self.payload(conversation), ensure_ascii=False)  # what the SDK would send
        return LlmReply(
            tool_input=copy.deepcopy(self._answer),
            stop_reason="tool_use",
            usage=Usage(4_200, 1_500),
            request_id=str(uuid.uuid4()),
            tool_call_id="tooluse_bench",
        )


class MemorySpend:
    def __init__(self) -> None:
        self.spent: dict[date, float] = {}

    def spent_on(self, day: date) -> float:
        return self.spent.get(day, 0.0)

    def record(self, day: date, cost_usd: float, usage: Any, *, charge_id: Any = None) -> None:
        self.spent[day] = self.spent.get(day, 0.0) + cost_usd


def sqs_batch(messages: list[str]) -> dict[str, Any]:
    from infra.local.pipeline import sqs_record

    arn = "arn:aws:sqs:ap-northeast-1:123456789012:frontline-items"
    return {
        "Records": [
            sqs_record(
                {"MessageId": str(uuid.uuid4()), "ReceiptHandle": uuid.uuid4().hex, "Body": body},
                arn,
            )
            for body in messages
        ]
    }


def main() -> dict[str, Any]:
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "frontline")
    os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Frontline")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "INFO")
    from frontline.adapters.heuristic import HeuristicProvider
    from frontline.analysis.provider import LlmAnalysisProvider
    from frontline.bootstrap import AnalyzeItemApp
    from frontline.config import load_prices, load_vocabulary
    from frontline.domain.item_analysis import ItemAnalyst
    from frontline.domain.models import FeedItem, ItemMessage
    from frontline.domain.spend import Budget
    from infra.local.pipeline import LambdaContext, load_handler
    from tests.unit.fakes import FakeArticles

    handler = load_handler("analyze_item").handler
    vocabulary = load_vocabulary(REPO / "config")
    price = load_prices(REPO / "config")[MODEL]
    article = json.loads((FIXTURES / "article_open_weights.json").read_text(encoding="utf-8"))
    answer = json.loads((FIXTURES / "answer_open_weights.json").read_text(encoding="utf-8"))
    paragraphs = "".join(f"<p>{p}</p>" for p in article["text"].split("\n\n"))
    base = FeedItem.model_validate(article["item"] | {"content_html": paragraphs})

    articles = FakeArticles()
    app = AnalyzeItemApp(
        ItemAnalyst(
            LlmAnalysisProvider(InstantModel(answer), vocabulary),
            articles,
            fallback=HeuristicProvider(vocabulary),
            budget=Budget(
                MemorySpend(),
                1_000.0,
                lambda _model, usage: price.cost_of(usage),
            ),
        )
    )

    def message(n: int) -> str:
        item = base.model_copy(
            update={
                "id": hashlib.sha256(f"bench-{n}".encode()).hexdigest()[:32],
                "url": f"{base.url}-{n}",
                "content_hash": hashlib.sha256(f"bench-content-{n}".encode()).hexdigest(),
            }
        )
        return ItemMessage(item=item).model_dump_json()

    bodies = [message(n) for n in range(ITEMS + BATCH)]
    batches = [bodies[i : i + BATCH] for i in range(0, len(bodies), BATCH)]
    per_item_ms: list[float] = []
    for index, batch in enumerate(batches):
        event = sqs_batch(batch)
        started = time.perf_counter()
        response = handler(event, LambdaContext("analyze_item"), app=app)
        elapsed = time.perf_counter() - started
        if response["batchItemFailures"]:
            raise RuntimeError(f"batch {index} reported failures: {response}")
        if index == 0:
            first_ms = elapsed * 1000 / len(batch)
            continue
        per_item_ms.append(elapsed * 1000 / len(batch))
    published = sum(1 for a in articles.articles.values() if a.status.value == "published")
    if published != len(bodies):
        raise RuntimeError(f"{published} of {len(bodies)} items were published with the model")
    return {
        "worker_overhead_ms_per_item": round(statistics.median(per_item_ms), 2),
        "worker_first_batch_ms_per_item": round(first_ms, 1),
    }


if __name__ == "__main__":
    # The handler logs to stdout as on Lambda: send that to /dev/null, keep the result.
    result_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    result = main()
    os.write(result_fd, (json.dumps(result) + "\n").encode())
