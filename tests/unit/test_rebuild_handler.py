"""rebuild_site: the state machine's steps (plan, partition, finish) routed to the app."""

from __future__ import annotations

import pytest

from frontline.bootstrap import RebuildSiteApp
from frontline.site import SiteConfig
from infra.local.pipeline import load_handler
from tests.factories import make_article
from tests.unit.fakes import FakeArticles, FakeManifest, FakeRebuildLedger, MemoryBucket
from tests.unit.test_handlers import Context


def test_the_steps_plan_publish_each_partition_and_finish(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    articles = FakeArticles({a.id: a for a in (make_article(n) for n in range(1, 4))})
    store = MemoryBucket()
    ledger = FakeRebuildLedger()
    app = RebuildSiteApp(
        articles=articles,
        store=store,
        site=SiteConfig(title="AIニュース最前線", tagline="t", base_url="https://x.example"),
        manifest=FakeManifest(),
        ledger=ledger,
    )
    handler = load_handler("rebuild_site").handler

    plan = handler({"step": "plan", "run": "exec-1"}, Context(), app=app)
    summaries = [
        handler({"step": "partition", "run": "exec-1", "partition": name}, Context(), app=app)
        for name in plan["partitions"]
    ]
    finished = handler({"step": "finish", "run": "exec-1"}, Context(), app=app)

    assert plan["run"] == "exec-1"
    assert plan["partitions"][0].startswith("articles:") and "site" in plan["partitions"]
    assert ledger.finished("exec-1") == set(plan["partitions"])
    assert sum(s["uploaded"] for s in summaries) == len(store.objects) > 3 * 2
    assert {s["partition"] for s in summaries} == set(plan["partitions"])
    assert finished == {
        "run": "exec-1",
        "partitions": len(plan["partitions"]),
        "deleted": 0,
        "failed": 0,
        "invalidated": 0,
    }


def test_an_unknown_step_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    handler = load_handler("rebuild_site").handler
    with pytest.raises(ValueError, match="unknown rebuild step 'render'"):
        handler({"step": "render"}, Context(), app=None)
