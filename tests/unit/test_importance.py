from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.domain.importance import LABELS, importance_of, label_of, weighted_score


def test_reference_scores_give_four_labelled_important() -> None:
    # Given the reference page's sub-scores: depth 4, relevance 5, practicality 3, innovation 2
    # When the importance is computed
    exact = weighted_score(4, 5, 3, 2)
    importance = importance_of(4, 5, 3, 2)
    # Then 3.9 rounds to 4, labelled 重要
    assert exact == Decimal("3.9")
    assert importance == 4
    assert label_of(importance) == "重要"


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ((3, 2, 2, 3), 3),  # 2.5 exactly: half-up gives 3 (banker's rounding would give 2)
        ((2, 3, 3, 3), 3),  # 2.6
        ((2, 2, 3, 3), 2),  # 2.3
        ((1, 1, 1, 1), 1),
        ((5, 5, 5, 5), 5),
        ((4, 4, 5, 5), 4),  # 4.3
        ((5, 4, 4, 4), 4),  # 4.4
        ((5, 5, 4, 4), 5),  # 4.7... half-up at 4.5 and above
    ],
)
def test_half_up_rounding(scores: tuple[int, int, int, int], expected: int) -> None:
    assert importance_of(*scores) == expected


@given(st.tuples(*(st.integers(1, 5) for _ in range(4))))
def test_importance_is_the_nearest_level_with_halves_up(scores: tuple[int, int, int, int]) -> None:
    exact = weighted_score(*scores)
    importance = importance_of(*scores)
    assert 1 <= importance <= 5
    assert abs(Decimal(importance) - exact) <= Decimal("0.5")
    if exact - int(exact) == Decimal("0.5"):
        assert importance == int(exact) + 1
    assert importance in LABELS
