"""Search: the memory of one Pagefind bundle by its number of records.

`python bench/search_bundle_bench.py 1000 3000 10000` builds, each in a fresh process, one
bundle of that many synthetic articles (bench/synthetic.py, through `search_record`) and
prints the Python process's own peak (VmHWM) and the Pagefind service's peak (its VmHWM,
read while it still runs), with their sum: what one search partition holds at most.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "layers" / "shared"), str(REPO), str(REPO / "bench")]


def _hwm_kb(status: Path) -> int:
    for line in status.read_text().splitlines() if status.exists() else []:
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _children_hwm_kb() -> int:
    pids = {
        pid
        for task in Path("/proc/self/task").iterdir()
        for pid in (task / "children").read_text().split()
    }
    return max([0, *(_hwm_kb(Path(f"/proc/{pid}/status")) for pid in pids)])


def one(count: int) -> dict[str, float]:
    from synthetic import synthetic_articles

    from frontline.site.search import pagefind_bundle, search_record

    records = [search_record(article) for article in synthetic_articles(count)]
    started = time.perf_counter()
    files = pagefind_bundle(records, "/search/archive/bench/")
    python_mb = _hwm_kb(Path("/proc/self/status")) / 1024
    pagefind_mb = _children_hwm_kb() / 1024
    return {
        "records": count,
        "seconds": round(time.perf_counter() - started, 1),
        "python_mb": round(python_mb, 1),
        "pagefind_mb": round(pagefind_mb, 1),
        "total_mb": round(python_mb + pagefind_mb, 1),
        "files": len(files),
        "bundle_mb": round(sum(len(file.body) for file in files) / 1e6, 1),
    }


if __name__ == "__main__":
    if sys.argv[1] == "--one":
        print(json.dumps(one(int(sys.argv[2]))))
    else:
        for size in sys.argv[1:]:
            command = [sys.executable, __file__, "--one", str(int(size))]
            done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
            print(done.stdout.strip())
