"""Are two reports the same event? Conflicts first, then agreement, precision before recall.

Merging two events is worse than showing one twice, so a pair is kept apart whenever one
signal says they differ: too far apart in time, commentary beside a report, reports of
different kinds (a funding round and a launch), headline amounts that disagree, headline
model versions that disagree, or different companies at the centre. Otherwise their
agreement is scored from headline words, all words, headline character 4-grams and shared
anchors (a product, a version, a name, a figure), and an embedding's cosine, when one is
given, combines with that score: it can carry a pair the words nearly join and keep apart
a pair the words alone would join, but it never overrides a conflict.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from frontline.domain.stories.signals import EXCLUSIVE_KINDS, Signals

DEFAULT_WINDOW: Final = timedelta(hours=72)


@dataclass(frozen=True, slots=True)
class MatchRules:
    """The thresholds (chosen on the labelled set's dev split, see bench/stories_bench.py)."""

    window: timedelta = DEFAULT_WINDOW
    join_score: float = 0.42
    # With an embedding: a pair the words nearly join joins on a close embedding, and a pair
    # they join is kept apart when the embedding is far.
    near_score: float = 0.30
    close_cosine: float = 0.82
    far_cosine: float = 0.45


@dataclass(frozen=True, slots=True)
class Affinity:
    score: float  # 0 when a conflict keeps the pair apart
    conflict: str | None = None


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / min(|a|, |b|): a short headline inside a long one counts fully."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(count * b[key] for key, count in a.items() if key in b)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def conflict_between(a: Signals, b: Signals, rules: MatchRules) -> str | None:
    """Why the two cannot be one event, or None."""
    if abs(a.published - b.published) > rules.window:
        return "time"
    if a.commentary or b.commentary:
        return "commentary"
    if a.kind != b.kind and (
        (a.kind and b.kind) or a.kind in EXCLUSIVE_KINDS or b.kind in EXCLUSIVE_KINDS
    ):
        return "kind"
    if (
        a.title_money
        and b.title_money
        and not (a.title_money & b.money)
        and not (b.title_money & a.money)
    ):
        return "amounts"
    if a.title_versions and b.title_versions and not (a.title_versions & b.versions):
        if not (b.title_versions & a.versions):
            return "versions"
    if a.companies and b.companies and not (a.companies & b.companies):
        return "companies"
    return None


def affinity(a: Signals, b: Signals, rules: MatchRules) -> Affinity:
    conflict = conflict_between(a, b, rules)
    if conflict is not None:
        return Affinity(0.0, conflict)
    anchors = len(a.anchors & b.anchors)
    score = (
        0.35 * overlap(a.title_words, b.title_words)
        + 0.25 * overlap(a.words, b.words)
        + 0.25 * cosine(a.grams, b.grams)
        + 0.08 * min(anchors, 3)
        + (0.05 if a.companies & b.companies else 0.0)
    )
    return Affinity(min(score, 1.0))


def same_event(a: Signals, b: Signals, rules: MatchRules, similarity: float | None = None) -> bool:
    """The decision for one pair; `similarity` is the embeddings' cosine, when there are any."""
    found = affinity(a, b, rules)
    return found.conflict is None and joins(found.score, similarity, rules)


def joins(score: float, similarity: float | None, rules: MatchRules) -> bool:
    """The decision from a conflict-free pair's score and, when there are any, its cosine."""
    if similarity is None:
        return score >= rules.join_score
    if score >= rules.join_score:
        return similarity >= rules.far_cosine
    return score >= rules.near_score and similarity >= rules.close_cosine


def vector_cosine(a: tuple[float, ...] | None, b: tuple[float, ...] | None) -> float | None:
    if not a or not b or len(a) != len(b):
        return None
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else None
