"""Search: the cost of the recent index per publish, and of the nightly archive index.

The archive holds the 10,000 synthetic articles (bench/synthetic.py); since its build, 100
more were stored (about eight hours at 300 a day) and sit in the recent index; then one
new article arrives. Pagefind runs as render_site runs it (frontline.site.search).

- search_recent_publish_s: `search_files` for the 101 recent articles in a fresh process,
  so the Pagefind binary starts and loads its Japanese dictionary (a cold Lambda);
- search_recent_publish_warm_s: the same with the service already running (a warm Lambda);
- search_recent_publish_puts: objects of that publish whose bytes differ from the recent
  index before the new article (what publish_site uploads), the tiers file included;
- search_archive_build_10k_s, search_archive_10k_mb, search_archive_10k_files,
  search_peak_mb: the nightly archive index of the 10,000 articles (warm service), its size
  and file count, and this process's peak RSS (ru_maxrss; the binary's own memory is not
  included).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "layers" / "shared"), str(REPO), str(REPO / "bench")]

from synthetic import ARTICLES, synthetic_articles  # noqa: E402

from frontline.domain.models import Article  # noqa: E402
from frontline.site.search import SearchFile, archive_cutoff_of, search_files  # noqa: E402

RECENT = 100


def stored_at(article: Article, created: datetime) -> Article:
    return article.model_copy(update={"created_at": created, "updated_at": created})


def changed(before: list[SearchFile], after: list[SearchFile]) -> int:
    previous = {file.path: file.body for file in before}
    return sum(1 for file in after if previous.get(file.path) != file.body)


def run(count: int) -> dict[str, float]:
    articles = synthetic_articles(count + RECENT + 2)
    archived, later = articles[:count], articles[count:]
    cutoff = archive_cutoff_of(archived)
    assert cutoff is not None
    later = [stored_at(a, cutoff + timedelta(minutes=5 * (n + 1))) for n, a in enumerate(later)]
    recent, (first, second) = later[:RECENT], later[RECENT:]

    started = time.perf_counter()
    with_first = search_files([*archived, *recent, first], cutoff)  # starts Pagefind
    cold_s = time.perf_counter() - started
    before = search_files([*archived, *recent], cutoff)
    started = time.perf_counter()
    search_files([*archived, *recent, second], cutoff)
    warm_s = time.perf_counter() - started

    started = time.perf_counter()
    archive = search_files(archived, None)
    archive_s = time.perf_counter() - started
    return {
        "search_recent_publish_s": round(cold_s, 2),
        "search_recent_publish_warm_s": round(warm_s, 2),
        "search_recent_publish_puts": changed(before, with_first),
        "search_archive_build_10k_s": round(archive_s, 2),
        "search_archive_10k_mb": round(sum(len(f.body) for f in archive) / 1e6, 1),
        "search_archive_10k_files": len(archive),
        "search_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else ARTICLES)))
