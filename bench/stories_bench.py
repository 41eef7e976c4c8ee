"""Story clustering on its labelled set, beside a word-overlap baseline, and the analyses it
saves (on the labelled set and on the demo feeds).

The set (tests/fixtures/stories/labelled.yaml): families of invented events, each reported by
2–5 outlets in their own words, with hard negatives beside them. Every report is placed in
publication order by the worker's own placement code (offline signals only); pairwise
precision / recall / F1 count pairs of reports of one split put in one story. The baseline
links two reports whose headlines' word-count vectors have a cosine of at least 0.6
(single link, stopwords removed): the public figure the feature is compared with.

Analyses saved per 100 items: (items − analyses) / items × 100, where a story costs one
analysis for its lead plus one re-analysis per later source that adds material facts, up to
the per-story cap.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "layers" / "shared"), str(REPO)]
LABELLED = REPO / "tests" / "fixtures" / "stories" / "labelled.yaml"
BASELINE_COSINE = 0.6


def labelled_reports(split: str | None = None) -> list[tuple[Any, str]]:
    """(report, event id) for every report of the split (both splits when None), by time."""
    import yaml

    from frontline.domain.stories import StoryInput

    document = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))
    found = []
    for family in document["families"]:
        if split is not None and family["split"] != split:
            continue
        for event in family["events"]:
            for number, (outlet, published, title, summary) in enumerate(event["items"], 1):
                report = StoryInput(
                    id=f"{event['id']}-{number}",
                    outlet=outlet,
                    url=f"https://news.example/{event['id']}/{number}",
                    published=datetime.fromisoformat(published),
                    title=title,
                    summary=summary,
                )
                found.append((report, event["id"]))
    return sorted(found, key=lambda pair: pair[0].published)


def pairwise(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    same_true = same_pred = both = 0
    for i, j in combinations(range(len(truth)), 2):
        t, p = truth[i] == truth[j], predicted[i] == predicted[j]
        same_true += t
        same_pred += p
        both += t and p
    precision = both / same_pred if same_pred else 1.0
    recall = both / same_true if same_true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def baseline_clusters(reports: Sequence[Any]) -> list[str]:
    """Single-link clusters of headlines whose word-count cosine is at least 0.6."""
    from frontline.domain.stories.signals import STOPWORDS

    def vector(title: str) -> Counter[str]:
        return Counter(w for w in re.findall(r"[a-z0-9]+", title.lower()) if w not in STOPWORDS)

    vectors = [vector(report.title) for report in reports]
    parent = list(range(len(reports)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in combinations(range(len(reports)), 2):
        a, b = vectors[i], vectors[j]
        dot = sum(a[k] * b[k] for k in a)
        norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
        if norm and dot / norm >= BASELINE_COSINE:
            parent[root(i)] = root(j)
    return [str(root(i)) for i in range(len(reports))]


def analyses_for(reports: Sequence[Any]) -> tuple[list[str], int]:
    """Each report's story and the analyses the worker would pay for (leads + re-analyses)."""
    from frontline.config import REPO_CONFIG_DIR, load_vocabulary
    from frontline.domain.stories import signals_of
    from frontline.domain.stories.clustering import cluster
    from frontline.domain.stories.facts import REANALYSIS_CAP, material_facts

    entities = load_vocabulary(REPO_CONFIG_DIR).entities
    placements = cluster(reports, entities)
    by_id = {report.id: report for report in reports}
    analyses = 0
    members: dict[str, list[Any]] = {}
    reanalyses: Counter[str] = Counter()

    for placement in placements:
        report = by_id[placement.item_id]
        known = members.setdefault(placement.story_id, [])
        if placement.leads:
            analyses += 1
        elif reanalyses[placement.story_id] < REANALYSIS_CAP and material_facts(
            signals_of(report, entities), [signals_of(m, entities) for m in known]
        ):
            reanalyses[placement.story_id] += 1
            analyses += 1
        known.append(report)
    return [p.story_id for p in placements], analyses


def saved_per_100(items: int, analyses: int) -> float:
    return round(100 * (items - analyses) / items, 1) if items else 0.0


def demo_reports() -> list[Any]:
    from frontline.domain.feed_entries import parse_feed
    from frontline.domain.stories.intake import story_input_of
    from infra.local.demo import DEMO_FEEDS, demo_catalogue

    now = datetime(2026, 11, 28, tzinfo=UTC)
    reports = []
    for source in demo_catalogue("http://127.0.0.1:1"):
        if not source.polled:  # an opted-out publisher is never read
            continue
        name = source.url.rsplit("/", 1)[-1]
        parsed = parse_feed(
            (DEMO_FEEDS / name).read_bytes(), content_type=None, source=source, now=now
        )
        reports += [
            story_input_of(item)
            for item in parsed.items
            if source.admits(item.title + " " + item.summary)
        ]
    return sorted(reports, key=lambda report: report.published)


def score(split: str | None) -> dict[str, float]:
    pairs = labelled_reports(split)
    reports = [report for report, _ in pairs]
    truth = [event for _, event in pairs]
    stories, analyses = analyses_for(reports)
    mine, base = pairwise(truth, stories), pairwise(truth, baseline_clusters(reports))
    return {
        **{f"stories_{key}": round(value, 3) for key, value in mine.items()},
        **{f"stories_baseline_{key}": round(value, 3) for key, value in base.items()},
        "stories_items": len(reports),
        "stories_events": len(set(truth)),
        "stories_analyses_saved_per_100": saved_per_100(len(reports), analyses),
    }


def main() -> dict[str, Any]:
    whole, dev, test = score(None), score("dev"), score("test")
    results: dict[str, Any] = {
        "stories_pairwise_f1": whole["stories_f1"],
        "stories_precision": whole["stories_precision"],
        "stories_recall": whole["stories_recall"],
        "stories_baseline_f1": whole["stories_baseline_f1"],
        "stories_baseline_precision": whole["stories_baseline_precision"],
        "stories_baseline_recall": whole["stories_baseline_recall"],
        "stories_dev_f1": dev["stories_f1"],
        "stories_dev_precision": dev["stories_precision"],
        "stories_heldout_f1": test["stories_f1"],
        "stories_heldout_precision": test["stories_precision"],
        "stories_heldout_recall": test["stories_recall"],
        "stories_labelled_items": whole["stories_items"],
        "stories_labelled_events": whole["stories_events"],
        "stories_analyses_saved_per_100_labelled": whole["stories_analyses_saved_per_100"],
    }
    demo = demo_reports()
    _, analyses = analyses_for(demo)
    results["stories_analyses_saved_per_100_demo"] = saved_per_100(len(demo), analyses)
    return results


if __name__ == "__main__":
    print(json.dumps(main()))
