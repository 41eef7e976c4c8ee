"""How long a failing feed waits before its next poll."""

from __future__ import annotations

from datetime import timedelta


def backoff_after(error_streak: int) -> timedelta:
    """1 h, 2 h, 4 h, … capped at a day: a broken feed is retried, less and less often."""
    if error_streak <= 0:
        return timedelta(0)
    return min(timedelta(hours=2 ** (error_streak - 1)), timedelta(hours=24))
