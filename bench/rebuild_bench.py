"""The partitioned full rebuild (frontline.site.rebuild), measured two ways.

`full N`: N synthetic articles (bench/synthetic.py) planned into partitions and published
by a process pool, one worker per core, as `frontline render --full` does. Each worker
publishes its partitions batch by batch through `publish_partition` into a folder
(bench/work/rebuild-site; an empty manifest, so every object is written). The time runs from
planning to the last partition (the source is built first and not timed: Hugo's bench writes
its Markdown before timing too). Reported: rebuild_full_<N>_s, objects written, partitions.

`peak N`: the peak memory of one partition of each kind at N articles published at 300 a
day (so a month holds ~9,000). The largest partition of each kind runs in a child forked
after the source was built; the child resets its high-water mark (/proc/self/clear_refs),
publishes the partition into a null store and reports VmHWM minus the VmRSS it started
with: the memory the partition itself needs (the parent freezes its objects out of the
garbage collector first, so the child copies only the inherited pages it reads). The source
here is the in-memory catalogue the child inherits (the store-side SiteIndex is not in this
tree yet), so it is not counted;
the interpreter with the site modules loaded (a fresh process, measured) is added. Pagefind's
own process is reported beside (search partition: the VmHWM of the child's live children).
rebuild_partition_peak_mb_<N> is the largest; rebuild_partition_peak_mb_<kind>_<N> each.
"""

# ruff: noqa: S603 - runs this interpreter on fixed arguments

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "layers" / "shared"), str(REPO), str(REPO / "bench")]

from synthetic import ARTICLES, SITE, synthetic_articles  # noqa: E402

from frontline.domain.ports import SiteObject  # noqa: E402
from frontline.site.catalogue import Catalogue, build_catalogue  # noqa: E402
from frontline.site.families import SiteContext  # noqa: E402
from frontline.site.rebuild import Partition, plan_partitions, publish_partition  # noqa: E402

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
WORK = REPO / "bench" / "work" / "rebuild-site"
PER_DAY = 300  # the archive's pace for `peak`: 100,000 articles is about 11 months

_SOURCE: Catalogue | None = None  # built before the workers fork: they inherit it


def _contexts() -> SiteContext:
    assert _SOURCE is not None
    return SiteContext(_SOURCE, SITE, now=NOW)


class FolderStore:
    """The site bucket as a folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def read(self, key: str) -> bytes | None:
        path = self.root / key
        return path.read_bytes() if path.is_file() else None

    def put(self, obj: SiteObject) -> None:
        path = self.root / obj.key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(obj.body)

    def delete(self, keys: Any) -> None:
        for key in keys:
            (self.root / key).unlink(missing_ok=True)


class NullStore(FolderStore):
    def __init__(self) -> None:
        super().__init__(Path("/nonexistent"))

    def put(self, obj: SiteObject) -> None:
        pass


class EmptyManifest:
    """Nothing published yet: every object is uploaded."""

    def hashes_of(self, keys: Any) -> dict[str, str]:
        list(keys)
        return {}

    def all_hashes(self) -> dict[str, str]:
        return {}

    def record(self, hashes: Any) -> None:
        pass

    def forget(self, keys: Any) -> None:
        pass

    def pending(self) -> list[str]:
        return []

    def mark_pending(self, paths: Any) -> None:
        list(paths)

    def clear_pending(self, paths: Any) -> None:
        pass


def _publish(name: str) -> tuple[str, int]:
    report = publish_partition(
        Partition.parse(name), _contexts, store=FolderStore(WORK), manifest=EmptyManifest()
    )
    if report.failures:
        raise RuntimeError(f"{name}: {len(report.failures)} pages failed")
    return name, report.rendered


def full(count: int = ARTICLES) -> dict[str, Any]:
    global _SOURCE
    _SOURCE = build_catalogue(synthetic_articles(count))
    shutil.rmtree(WORK, ignore_errors=True)
    workers = os.cpu_count() or 1
    started = time.perf_counter()
    names = [partition.name for partition in plan_partitions(_contexts())]
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    with pool:
        done = list(pool.map(_publish, names))
    elapsed = time.perf_counter() - started
    label = f"{count // 1000}k"
    return {
        f"rebuild_full_{label}_s": round(elapsed, 2),
        f"rebuild_full_{label}_objects": sum(rendered for _name, rendered in done),
        f"rebuild_full_{label}_partitions": len(names),
        f"rebuild_full_{label}_workers": workers,
    }


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _children_hwm_kb() -> int:
    """The largest VmHWM among this process's live children (Pagefind's service)."""
    pids = {
        pid
        for task in Path("/proc/self/task").iterdir()
        for pid in (task / "children").read_text().split()
    }
    peaks = [0]
    for pid in pids:
        status = Path(f"/proc/{pid}/status")
        for line in status.read_text().splitlines() if status.exists() else []:
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]))
    return max(peaks)


def _measure_in_child(name: str) -> dict[str, float]:
    """Publish one partition in a forked child; its own memory (VmHWM − VmRSS at start)."""
    read, write = os.pipe()
    # Without this the child's garbage collector walks every inherited object and copies the
    # whole source into its own memory: the figure would be the source's size, not the
    # partition's.
    gc.freeze()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
        start_kb = _status_kb("VmRSS")
        started = time.perf_counter()
        report = publish_partition(
            Partition.parse(name), _contexts, store=NullStore(), manifest=EmptyManifest()
        )
        found = {
            "own_mb": (_status_kb("VmHWM") - start_kb) / 1024,
            "children_mb": _children_hwm_kb() / 1024,
            "seconds": time.perf_counter() - started,
            "objects": report.rendered,
        }
        os.write(write, json.dumps(found).encode())
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.waitpid(pid, 0)
    return dict(json.loads(b"".join(chunks)))


def _interpreter_mb() -> float:
    """A fresh interpreter with the rebuild's modules loaded: what every worker starts with."""
    # VmHWM, not ru_maxrss: the latter keeps the forked parent's size across exec
    code = (
        "import sys; from pathlib import Path; sys.path[:0] = ['layers/shared']\n"
        "import frontline.site.rebuild, frontline.bootstrap\n"
        "status = Path('/proc/self/status').read_text().splitlines()\n"
        "print(next(int(s.split()[1]) for s in status if s.startswith('VmHWM:')) / 1024)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    return float(out.stdout.strip())


def _largest_search_bundle(largest_month: str) -> Partition:
    """The first archive bundle of the largest month: a full one (`ARCHIVE_BUNDLE_SIZE`)."""
    return Partition("search", f"{largest_month}-1")


def _count_pagefind(results: dict[str, Any], label: str, found: dict[str, float]) -> None:
    """Pagefind's service belongs to the search partition that runs it: its peak is added."""
    results[f"rebuild_pagefind_peak_mb_{label}"] = round(found["children_mb"], 1)
    results[f"rebuild_partition_peak_mb_search_{label}"] += round(found["children_mb"], 1)


def peak(count: int = 100_000) -> dict[str, Any]:
    global _SOURCE
    import synthetic

    synthetic.DAYS = max(1, count // PER_DAY)
    base = _interpreter_mb()
    _SOURCE = build_catalogue(synthetic_articles(count))
    months = _SOURCE.months()
    largest_month = max(months, key=lambda month: months[month])
    planned = plan_partitions(_contexts())
    chosen: dict[str, Partition] = {}
    for partition in planned:  # the first of each kind; articles: the largest month
        if partition.kind == "articles":
            chosen["articles"] = Partition("articles", largest_month)
        elif partition.kind == "search":
            chosen["search"] = _largest_search_bundle(largest_month)
        else:
            chosen.setdefault(partition.kind, partition)
    label = f"{count // 1000}k"
    results: dict[str, Any] = {
        f"rebuild_interpreter_mb_{label}": round(base, 1),
        f"rebuild_largest_month_articles_{label}": months[largest_month],
    }
    for kind, partition in chosen.items():
        found = _measure_in_child(partition.name)
        print(f"{partition.name}: {json.dumps(found)}", file=sys.stderr, flush=True)
        results[f"rebuild_partition_peak_mb_{kind}_{label}"] = round(base + found["own_mb"], 1)
        results[f"rebuild_partition_s_{kind}_{label}"] = round(found["seconds"], 1)
        if kind == "search":
            _count_pagefind(results, label, found)
    results[f"rebuild_partition_peak_mb_{label}"] = max(
        value for key, value in results.items() if key.startswith("rebuild_partition_peak_mb_")
    )
    return results


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "full"
    size = int(sys.argv[2]) if len(sys.argv) > 2 else (ARTICLES if mode == "full" else 100_000)
    print(json.dumps({"full": full, "peak": peak}[mode](size)))
