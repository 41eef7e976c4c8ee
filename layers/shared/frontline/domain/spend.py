"""The spend policy: the daily budget, the model first, the fallback, and one charge per call.

Items and digests both go through `SpendPolicy.run`: past the daily budget the fallback (the
heuristic) answers; otherwise the model does, and what it spent is charged even when its
answer is refused or the call fails half-way. A charge carries the id of the work it pays
for (the item's version, the digest's period) and of the provider's call, so a charge
retried after a throttled write, or repeated by a redelivered message, is counted once, and
two pieces of work never share a charge even if a provider repeats its request ids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from frontline.domain.paths import JST
from frontline.domain.ports import ProviderError, SpendLedger, Usage

Pricing = Callable[[str | None, Usage], float]

BUDGET_REACHED = "daily LLM budget reached"


def budget_day(now: datetime) -> date:
    """The budget resets at midnight in Japan, where the site's day begins."""
    return now.astimezone(JST).date()


def charge_key(scope: str, request_id: str | None) -> str | None:
    """The charge's key: the work paid for and the provider's call; None without a call id
    (a call that failed before the provider named it is counted as it comes)."""
    return None if request_id is None else f"{scope}#{request_id}"


@dataclass(frozen=True, slots=True)
class Budget:
    ledger: SpendLedger
    daily_usd: float
    price: Pricing

    def exhausted(self, now: datetime) -> bool:
        return self.ledger.spent_on(budget_day(now)) >= self.daily_usd

    def charge(
        self, now: datetime, model_id: str | None, usage: Usage, *, charge_id: str | None
    ) -> float:
        """Record the cost of one call (once per `charge_id`); returns the cost."""
        cost = self.price(model_id, usage)
        if not usage.is_empty:
            self.ledger.record(budget_day(now), cost, usage, charge_id=charge_id)
        return cost


class Priced(Protocol):
    """What a provider's answer reports for the charge."""

    @property
    def model_id(self) -> str | None: ...

    @property
    def usage(self) -> Usage: ...

    @property
    def request_id(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Spent[R]:
    result: R
    cost: float = 0.0
    fallback_reason: str | None = None  # set when the fallback answered, and why
    failure: ProviderError | None = None  # the model's error that sent it to the fallback


@dataclass(frozen=True, slots=True)
class SpendPolicy:
    """`budget` None: the primary alone (the heuristic), nothing charged."""

    budget: Budget | None = None

    def run[R: Priced](
        self,
        now: datetime,
        primary: Callable[[], R],
        fallback: Callable[[], R],
        *,
        scope: str,
        model_id: str | None,
        raises: tuple[type[ProviderError], ...],
    ) -> Spent[R]:
        """The primary's answer within the budget, else the fallback's; `scope` names the
        work the call pays for (see `charge_key`).

        Errors of the `raises` types propagate (after their tokens are charged), so the queue
        retries or parks the message; any other ProviderError sends the work to the fallback.
        """
        budget = self.budget
        if budget is None:
            return Spent(primary())
        if budget.exhausted(now):
            return Spent(fallback(), fallback_reason=BUDGET_REACHED)
        try:
            result = primary()
        except ProviderError as exc:
            charge = charge_key(scope, exc.request_id)
            cost = budget.charge(now, model_id, exc.usage, charge_id=charge)
            if isinstance(exc, raises):
                raise
            return Spent(fallback(), cost, exc.reason[:500], exc)
        charge = charge_key(scope, result.request_id)
        cost = budget.charge(now, result.model_id, result.usage, charge_id=charge)
        return Spent(result, cost)
