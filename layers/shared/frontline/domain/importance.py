"""The importance score: computed in code from the model's four sub-scores, never asked for."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Final

# 深度 depth 40%, 関連度 relevance 30%, 実用性 practicality 20%, 革新性 innovation 10%.
WEIGHTS: Final[dict[str, Decimal]] = {
    "depth": Decimal("0.4"),
    "relevance": Decimal("0.3"),
    "practicality": Decimal("0.2"),
    "innovation": Decimal("0.1"),
}

# One label per level, used everywhere a score is shown ("4 重要 / 5段階").
LABELS: Final[dict[int, str]] = {
    5: "最重要",
    4: "重要",
    3: "注目",
    2: "通常",
    1: "参考",
}


def weighted_score(depth: int, relevance: int, practicality: int, innovation: int) -> Decimal:
    """The exact weighted mean, e.g. (4, 5, 3, 2) -> 3.9."""
    return (
        WEIGHTS["depth"] * depth
        + WEIGHTS["relevance"] * relevance
        + WEIGHTS["practicality"] * practicality
        + WEIGHTS["innovation"] * innovation
    )


def importance_of(depth: int, relevance: int, practicality: int, innovation: int) -> int:
    """round_half_up(0.4·d + 0.3·r + 0.2·p + 0.1·i): Decimal, so 2.5 becomes 3, not 2."""
    exact = weighted_score(depth, relevance, practicality, innovation)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def label_of(importance: int) -> str:
    return LABELS[importance]
