"""A partitioned full rebuild as a run: planned once, each partition published once by any
worker (a process pool locally, a Distributed Map in AWS), then finished.

The ledger (`RebuildLedger`) records the plan and every partition done with the keys it
produced, so a run that failed part-way is resumed by publishing only the partitions not
done. Finishing deletes, by key, the published keys no partition produced (a page that left
the site since the last rebuild); it refuses while a partition is not done, because the keys
that partition would produce would look stale.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future, as_completed
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from frontline.domain.ports import (
    CdnInvalidator,
    PublishManifest,
    RebuildLedger,
    RebuildRun,
    SiteStore,
)
from frontline.site.paths import key_for
from frontline.site.publishing import invalidation_paths
from frontline.site.rebuild import (
    ContextFactory,
    Partition,
    PartitionReport,
    plan_partitions,
    publish_partition,
    stale_keys,
)


class RebuildIncomplete(Exception):
    """Finishing a run whose partitions are not all done."""

    def __init__(self, run: str, missing: Sequence[str]) -> None:
        super().__init__(f"rebuild {run}: {len(missing)} partitions not done: {', '.join(missing)}")
        self.missing = tuple(missing)


def plan_run(
    ctx_factory: ContextFactory,
    *,
    run: str,
    now: datetime,
    ledger: RebuildLedger,
    manifest: PublishManifest,
) -> RebuildRun:
    """Plan the partitions of the site as it is now and record the run."""
    partitions = tuple(partition.name for partition in plan_partitions(ctx_factory()))
    plan = RebuildRun(run, partitions, now, tuple(manifest.pending()))
    ledger.start(plan)
    return plan


def run_partition(
    run: str,
    name: str,
    contexts: ContextFactory,
    *,
    ledger: RebuildLedger,
    store: SiteStore,
    manifest: PublishManifest,
) -> PartitionReport:
    """Publish one partition of the run (again, if it was done: it is idempotent) and record
    it done."""
    report = publish_partition(Partition.parse(name), contexts, store=store, manifest=manifest)
    ledger.finish(run, name, report.keys, [failure.path for failure in report.failures])
    return report


@dataclass(frozen=True)
class FinishReport:
    partitions: int
    deleted: list[str]
    failed: int
    invalidated: list[str]

    def summary(self) -> dict[str, int]:
        return {
            "partitions": self.partitions,
            "deleted": len(self.deleted),
            "failed": self.failed,
            "invalidated": len(self.invalidated),
        }


def finish_run(
    run: str,
    *,
    ledger: RebuildLedger,
    store: SiteStore,
    manifest: PublishManifest,
    cdn: CdnInvalidator | None = None,
) -> FinishReport:
    """Delete the stale keys, settle the pending pages the run published (or that left the
    site) unless they failed again, and invalidate what was deleted."""
    plan = ledger.plan(run)
    if plan is None:
        raise LookupError(f"no rebuild run {run!r}")
    missing = sorted(set(plan.partitions) - ledger.finished(run))
    if missing:
        raise RebuildIncomplete(run, missing)
    produced = set(ledger.produced(run))
    stale = stale_keys(manifest.all_hashes(), produced)
    if stale:
        store.delete(stale)
        manifest.forget(stale)
    failed = ledger.failed(run)
    # settled: what was pending when the run was planned, and what an upload that failed
    # during the run left pending and a later attempt of its partition published
    waiting = {*plan.pending, *(p for p in manifest.pending() if key_for(p) in produced)}
    if settled := sorted(waiting - failed):
        manifest.clear_pending(settled)
    invalidated = invalidation_paths(stale) if cdn is not None else []
    if invalidated and cdn is not None:
        cdn.invalidate(invalidated, reference=f"rebuild-{run}")
    return FinishReport(len(plan.partitions), stale, len(failed), invalidated)


# (run, partition name) -> the partition's summary; picklable for a process pool
PartitionWork = Callable[[str, str], Mapping[str, Any]]
Progress = Callable[[str, Mapping[str, Any] | BaseException, float], None]


def run_partitions(
    plan: RebuildRun,
    todo: Iterable[str],
    *,
    executor: Executor,
    work: PartitionWork,
    progress: Progress,
) -> list[str]:
    """Publish the partitions in `todo` on the executor's workers, reporting each as it ends
    (its summary, or the error it raised). Returns the partitions that failed."""
    started = time.perf_counter()
    futures: dict[Future[Mapping[str, Any]], str] = {
        executor.submit(work, plan.run, name): name for name in todo
    }
    failed: list[str] = []
    for future in as_completed(futures):
        name = futures[future]
        error = future.exception()
        if error is not None:
            failed.append(name)
            progress(name, error, time.perf_counter() - started)
        else:
            progress(name, future.result(), time.perf_counter() - started)
    return sorted(failed)
