"""The full rebuild in partitions: the union of the partitions is the full render, byte for
byte; each partition publishes as it goes; a failed run resumes with the partitions not done
and ends equal to a full render."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from concurrent.futures import Executor, Future
from datetime import UTC, datetime
from typing import Any

import pytest

from bench.synthetic import synthetic_articles
from frontline.adapters.heuristic import HeuristicDigestWriter
from frontline.domain.digests import Digest, DigestKind, DigestMessage, DigestWriter
from frontline.domain.models import Article
from frontline.domain.ports import SiteObject
from frontline.site import SiteConfig, rebuild
from frontline.site.catalogue import build_catalogue
from frontline.site.families import SiteContext
from frontline.site.rebuild import Partition, plan_partitions, render_partition
from frontline.site.rebuild_runs import (
    RebuildIncomplete,
    finish_run,
    plan_run,
    run_partition,
    run_partitions,
)
from frontline.site.render import RenderResult, render_all
from tests.unit.fakes import FakeManifest, FakeRebuildLedger, MemoryBucket, UploadFailed
from tests.unit.test_digests import FakeDigests, FakePeriodArticles

SITE = SiteConfig(
    title="AIニュース最前線",
    tagline="世界中のAI最新情報を日本語で毎時更新",
    base_url="https://news.example",
)
NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def digests_of(articles: list[Article]) -> list[Digest]:
    store = FakeDigests()
    writer = DigestWriter(FakePeriodArticles(articles), store, HeuristicDigestWriter())
    days = sorted({a.published.astimezone().strftime("%Y-%m-%d") for a in articles})
    for day in days[-5:-1]:
        writer.process(DigestMessage(kind=DigestKind.DAILY, period=day), now=NOW)
    for week in ("2026-W46", "2026-W47"):
        writer.process(DigestMessage(kind=DigestKind.WEEKLY, period=week), now=NOW)
    return store.list_all()


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    return synthetic_articles(330)


@pytest.fixture(scope="module")
def digests(articles: list[Article]) -> list[Digest]:
    found = digests_of(articles)
    assert {d.kind for d in found} == {DigestKind.DAILY, DigestKind.WEEKLY}
    return found


def contexts_for(articles: list[Article], digests: list[Digest]) -> Any:
    catalogue = build_catalogue(articles)
    return lambda: SiteContext(catalogue, SITE, now=NOW, digests=digests)


@pytest.fixture(scope="module")
def full(articles: list[Article], digests: list[Digest]) -> RenderResult:
    result = render_all(contexts_for(articles, digests)())
    assert result.failures == ()
    return result


def as_bytes(obj: SiteObject) -> tuple[bytes, str, str]:
    return (obj.body, obj.content_type, obj.cache_control)


def test_the_partitions_together_are_the_full_render_byte_for_byte(
    articles: list[Article],
    digests: list[Digest],
    full: RenderResult,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given small batches and shards, so that every partition kind splits
    monkeypatch.setattr(rebuild, "BATCH", 7)
    monkeypatch.setattr(rebuild, "GROUPS_PER_SHARD", 40)
    contexts = contexts_for(articles, digests)

    # When every partition is rendered on its own
    partitions = plan_partitions(contexts())
    objects: list[SiteObject] = []
    claimed: list[str] = []
    for partition in partitions:
        for batch in render_partition(partition, contexts):
            assert batch.failures == ()
            assert len(batch.objects) <= max(7, 1) or partition.kind in {"site", "search"}
            objects += batch.objects
            claimed += batch.keys

    # Then no key is claimed twice and together they are the full render
    assert [key for key, n in Counter(claimed).items() if n > 1] == []
    assert set(claimed) == full.keys
    assert len(objects) == len(full.objects)
    assert {o.key: as_bytes(o) for o in objects} == {o.key: as_bytes(o) for o in full.objects}
    kinds = Counter(partition.kind for partition in partitions)
    assert kinds["articles"] == len(build_catalogue(articles).months()) >= 2
    assert kinds["tags"] >= 2 and kinds["companies"] >= 2
    assert {"site", "news", "search", "sitemaps", "digests", "hacker"} <= set(kinds)
    assert kinds["search"] == kinds["articles"] + 1  # a bundle a month, and the tiers file


def test_search_bundles_of_a_small_size_together_are_the_full_render(
    articles: list[Article], digests: list[Digest], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given archive bundles of at most 50 articles: several for each month
    monkeypatch.setattr("frontline.site.search.ARCHIVE_BUNDLE_SIZE", 50)
    contexts = contexts_for(articles, digests)
    months = build_catalogue(articles).months()
    expected = sum(-(-count // 50) for count in months.values())
    full = {o.key: as_bytes(o) for o in render_all(contexts()).objects}

    # When the search partitions are rendered on their own
    partitions = [p for p in plan_partitions(contexts()) if p.kind == "search"]
    objects = [
        o for p in partitions for batch in render_partition(p, contexts) for o in batch.objects
    ]

    # Then each bundle is a partition, and together with the tiers file they are the full
    # render's search objects (and the search page names the first bundle)
    assert len(partitions) == expected + 1 and expected > len(months) >= 2
    first = f"search/archive/{min(months)}-1/"
    tiers = json.loads(full["search/tiers.json"][0])
    assert len(tiers["bundles"]) == expected and tiers["bundles"][0] == "/" + first
    index_objects = {
        k: v for k, v in full.items() if k.startswith("search/") and k != "search/index.html"
    }
    assert {o.key: as_bytes(o) for o in objects} == index_objects
    assert f'src="/{first}pagefind-ui.js"'.encode() in full["search/index.html"][0]
    assert not [key for key in full if key.startswith("search/archive/pagefind")]


def test_a_partition_name_round_trips_and_an_unknown_kind_is_refused() -> None:
    assert Partition.parse("articles:2026-11") == Partition("articles", "2026-11")
    assert Partition.parse("site").name == "site"
    with pytest.raises(ValueError, match="no partition kind"):
        Partition.parse("everything")


class InlineExecutor(Executor):
    """Runs each submitted call at once, in order (the process pool's contract, serially)."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


def published(bucket: MemoryBucket) -> dict[str, tuple[bytes, str, str]]:
    return {key: as_bytes(obj) for key, obj in bucket.objects.items()}


def test_a_failed_partition_is_resumed_alone_and_the_site_ends_equal_to_a_full_render(
    articles: list[Article], digests: list[Digest], full: RenderResult
) -> None:
    # Given a bucket with a page that left the site, and an upload that fails in one partition
    contexts = contexts_for(articles, digests)
    bucket, manifest, ledger = MemoryBucket(), FakeManifest(), FakeRebuildLedger()
    gone = SiteObject("articles/2020/01/01/gone-00000000/index.html", b"old", "text/html", "x")
    bucket.put(gone)
    manifest.record({gone.key: "old-hash"})
    manifest.mark_pending(["/tags/old/"])
    failing = next(
        o.key for o in full.objects if o.key.startswith("tags/") and o.key.count("/") == 2
    )
    bucket.failing = {failing}
    plan = plan_run(contexts, run="r1", now=NOW, ledger=ledger, manifest=manifest)
    rendered: list[str] = []

    def work(run: str, name: str) -> dict[str, int | str]:
        rendered.append(name)
        report = run_partition(run, name, contexts, ledger=ledger, store=bucket, manifest=manifest)
        return report.summary()

    progress: list[tuple[str, Any]] = []

    # When the run fails in one partition
    failed = run_partitions(
        plan,
        plan.partitions,
        executor=InlineExecutor(),
        work=work,
        progress=lambda name, outcome, _s: progress.append((name, outcome)),
    )

    # Then only that partition failed, the run cannot finish, nothing was deleted
    broken = next(name for name in plan.partitions if name.startswith("tags:"))
    assert failed == [n for n in plan.partitions if n.startswith("tags:")][:1] == [broken]
    assert isinstance(dict(progress)[broken], UploadFailed)
    assert ledger.finished("r1") == set(plan.partitions) - {broken}
    with pytest.raises(RebuildIncomplete) as incomplete:
        finish_run("r1", ledger=ledger, store=bucket, manifest=manifest)
    assert incomplete.value.missing == (broken,)
    assert gone.key in bucket.objects

    # When the upload works again and the run is resumed
    bucket.failing = set()
    rendered.clear()
    todo = [name for name in plan.partitions if name not in ledger.finished("r1")]
    assert (
        run_partitions(plan, todo, executor=InlineExecutor(), work=work, progress=lambda *_: None)
        == []
    )
    report = finish_run("r1", ledger=ledger, store=bucket, manifest=manifest)

    # Then only the failed partition rendered again, and the bucket is the full render
    assert rendered == [broken]
    assert report.deleted == [gone.key]
    assert published(bucket) == {o.key: as_bytes(o) for o in full.objects}
    assert manifest.hashes == {o.key: hashlib.sha256(o.body).hexdigest() for o in full.objects}
    assert manifest.pending() == []


def test_a_second_rebuild_of_the_same_site_uploads_nothing(
    articles: list[Article], digests: list[Digest], full: RenderResult
) -> None:
    contexts = contexts_for(articles, digests)
    bucket, manifest, ledger = MemoryBucket(), FakeManifest(), FakeRebuildLedger()
    for run in ("first", "second"):
        plan = plan_run(contexts, run=run, now=NOW, ledger=ledger, manifest=manifest)
        bucket.puts.clear()
        for name in plan.partitions:
            run_partition(run, name, contexts, ledger=ledger, store=bucket, manifest=manifest)
        finish_run(run, ledger=ledger, store=bucket, manifest=manifest)

    assert bucket.puts == []
    assert published(bucket) == {o.key: as_bytes(o) for o in full.objects}
