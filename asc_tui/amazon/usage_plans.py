"""Amazon's usage plans, kept on our side: a token bucket per (operation, store), shared by the process.

Amazon meters each operation per selling partner and app with a token bucket (rate per second, burst) and
answers HTTP 429 beyond it (reference/spapi-health.md §4). Waiting here first costs nothing and spares the
retries: a dashboard refreshing ten stores' health at once then spreads its calls instead of being refused.
The rate Amazon actually applied, when it says so in `x-amzn-RateLimit-Limit`, replaces the default (a
seller may be granted more, or be given less).

A wait longer than the caller can afford is not slept: `PlanExhausted` says how long it would be, so a
refresh fails fast with a clear error instead of hanging (getMarketplaceParticipations refills one call a
minute).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

GET_ORDER_METRICS = "getOrderMetrics"
GET_MARKETPLACE_PARTICIPATIONS = "getMarketplaceParticipations"
SEARCH_LISTINGS_ITEMS = "searchListingsItems"


@dataclass(frozen=True)
class UsagePlan:
    rate: float  # requests per second, refilled continuously
    burst: int  # the bucket's size: calls that may go at once after a quiet spell


# Amazon's defaults, from the models (sales.json, sellers.json, listingsItems_2021-08-01.json) as
# reference/spapi-health.md §1-3 quotes them.
USAGE_PLANS: dict[str, UsagePlan] = {
    GET_ORDER_METRICS: UsagePlan(rate=0.5, burst=15),
    GET_MARKETPLACE_PARTICIPATIONS: UsagePlan(rate=0.016, burst=15),
    SEARCH_LISTINGS_ITEMS: UsagePlan(rate=5.0, burst=5),
}


class PlanExhausted(Exception):
    """The bucket is empty and refills later than the caller may wait."""

    def __init__(self, operation: str, seconds: float) -> None:
        super().__init__(f"{operation}: the next call is allowed in {seconds:.1f} s")
        self.operation = operation
        self.seconds = seconds


def parse_rate_limit(value: str | None) -> float | None:
    """The rate in an `x-amzn-RateLimit-Limit` header (requests per second), or None when absent or not a
    positive finite number."""
    if value is None:
        return None
    try:
        rate = float(value.strip())
    except ValueError:
        return None
    return rate if math.isfinite(rate) and rate > 0 else None


class TokenBucket:
    """One operation's bucket for one store; thread-safe.

    A caller that must wait takes its token at once (the count goes below zero) and then sleeps outside the
    lock, so callers queue in order and each one's wait includes those ahead of it."""

    def __init__(
        self,
        operation: str,
        plan: UsagePlan,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.operation = operation
        self.burst = plan.burst
        self._rate = plan.rate
        self._tokens = float(plan.burst)
        self._clock = clock
        self._sleep = sleep
        self._updated = clock()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TokenBucket({self.operation!r}, rate={self._rate:g}, burst={self.burst})"

    @property
    def rate(self) -> float:
        return self._rate

    def acquire(self, max_wait: float) -> float:
        """Take a token, sleeping until one is due; returns the seconds slept. Raises `PlanExhausted`
        (taking nothing) when the wait would exceed `max_wait`."""
        with self._lock:
            self._refill()
            wait = 0.0 if self._tokens >= 1 else (1 - self._tokens) / self._rate
            if wait > max_wait:
                raise PlanExhausted(self.operation, wait)
            self._tokens -= 1
        if wait > 0:
            self._sleep(wait)
        return wait

    def adapt(self, rate_limit_header: str | None) -> None:
        """Follow the rate Amazon says it applied (`x-amzn-RateLimit-Limit`), when it says one."""
        rate = parse_rate_limit(rate_limit_header)
        if rate is None:
            return
        with self._lock:
            self._refill()  # what accrued so far accrued at the old rate
            self._rate = rate

    def drain(self) -> None:
        """Amazon refused with 429: its bucket is empty whatever ours counted, so ours starts from empty too
        and every caller sharing it slows down, not only the one that was refused."""
        with self._lock:
            self._refill()
            self._tokens = min(self._tokens, 0.0)

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(float(self.burst), self._tokens + (now - self._updated) * self._rate)
        self._updated = now


class UsagePlans:
    """The buckets of one process, by (operation, store key); thread-safe."""

    def __init__(
        self,
        plans: dict[str, UsagePlan] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._plans = dict(USAGE_PLANS if plans is None else plans)
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._guard = threading.Lock()

    def bucket(self, operation: str, store_key: str) -> TokenBucket:
        """The bucket of `operation` for the store `store_key` names (made full on first use)."""
        with self._guard:
            bucket = self._buckets.get((operation, store_key))
            if bucket is None:
                bucket = TokenBucket(operation, self._plans[operation], clock=self._clock, sleep=self._sleep)
                self._buckets[(operation, store_key)] = bucket
            return bucket


# The process's buckets: a refresh from the TUI and one from the CLI in the same process draw on the same.
SHARED_USAGE_PLANS = UsagePlans()
