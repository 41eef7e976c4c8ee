"""`make chaos`: random fault schedules over the demo, seed after seed, for a bounded time.

    python -m tests.faults.chaos --seconds 300 --seeds 1-1000

Each seed picks one to three schedules from the registry (tests/faults/schedules.py), runs
the demo's steps with them, then without them, and prints the census after every step. The
exit status is 1 if any census found a lost or duplicated item, spend that does not match
the model calls, more dead letters than the schedules allow, or a site that differs from a
full render of the store.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from moto import mock_aws

from infra.local.demo import DEMO_FEEDS, demo_catalogue
from infra.local.feed_server import serve_feeds
from infra.local.pipeline import REGION, REPO
from tests.faults.harness import Faults, FaultyPipeline, RunResult, run_with_faults
from tests.faults.schedules import FaultSchedule, random_schedule


def run_schedules(schedules: Sequence[FaultSchedule], seed: int) -> RunResult:
    """The demo in a fresh moto account with `schedules` armed from `seed`."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        os.environ.setdefault(name, value)
    with (
        mock_aws(),
        tempfile.TemporaryDirectory() as folder,
        serve_feeds(_copy_of_demo_feeds(Path(folder))) as feeds_base,
    ):
        pipeline = FaultyPipeline.create(
            config_dir=REPO / "config",
            site_url="http://127.0.0.1:8000",
            catalogue=demo_catalogue(feeds_base),
            quiet=True,
        )
        pipeline.llm_provider, pipeline.daily_budget_usd = "bedrock", 1000.0  # a stubbed model
        faults = Faults(random.Random(seed))
        for schedule in schedules:
            schedule.arm(faults)
        pipeline.faults = faults
        with faults.installed():
            return run_with_faults(pipeline, feeds=Path(folder) / "feeds")


def _copy_of_demo_feeds(folder: Path) -> Path:
    """The demo feeds, in a folder the schedules may edit between two polls."""
    return Path(shutil.copytree(DEMO_FEEDS, folder / "feeds"))


def failures_of(result: RunResult, schedules: Sequence[FaultSchedule]) -> list[str]:
    allowed = sum(schedule.max_dead_lettered for schedule in schedules)
    found = [f"{step}: {p}" for step, census in result.censuses for p in census.problems()]
    found += [f"final: {p}" for p in result.final.problems()]
    if result.final.waiting:
        found.append(f"final: still waiting {sorted(result.final.waiting.items())}")
    if len(result.final.dead_lettered) > allowed:
        found.append(f"final: dead-lettered {sorted(result.final.dead_lettered.items())}")
    if not result.site_matches_full_render:
        found.append(
            "final: the site differs from a full render of the store: "
            + ", ".join(result.site_differences[:5])
        )
    return found


def seed_range(text: str) -> range:
    first, _, last = text.partition("-")
    return range(int(first), int(last or first) + 1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="stop starting seeds after")
    parser.add_argument("--seeds", type=seed_range, default=seed_range("1-1000"))
    args = parser.parse_args(argv)
    os.environ.update({"POWERTOOLS_LOG_LEVEL": "CRITICAL", "POWERTOOLS_METRICS_DISABLED": "true"})
    deadline = time.monotonic() + args.seconds
    runs = failed = 0
    for seed in args.seeds:
        if time.monotonic() >= deadline:
            break
        schedules = random_schedule(random.Random(seed))
        result = run_schedules(schedules, seed)
        problems = failures_of(result, schedules)
        runs += 1
        failed += bool(problems)
        names = "+".join(schedule.name for schedule in schedules)
        print(f"seed {seed}: {names}: {'FAILED' if problems else 'ok'}")
        print(result.report())
        for problem in problems:
            print(f"  ! {problem}")
        sys.stdout.flush()
    print(f"chaos: {runs} seeds, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
