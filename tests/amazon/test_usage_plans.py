"""The usage-plan buckets on a fake clock: bursts, waits, Amazon's own rate, 429s, and the shared registry."""

from __future__ import annotations

import threading

import pytest

from asc_tui.amazon.usage_plans import (
    GET_MARKETPLACE_PARTICIPATIONS,
    GET_ORDER_METRICS,
    SEARCH_LISTINGS_ITEMS,
    USAGE_PLANS,
    PlanExhausted,
    TokenBucket,
    UsagePlan,
    UsagePlans,
    parse_rate_limit,
)
from tests.support.threads import at_once


class FakeTime:
    """A clock that moves only when something sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += seconds


def test_the_plans_are_the_fact_sheets() -> None:
    # reference/spapi-health.md §1-3 (Amazon's models): rate per second, burst.
    assert USAGE_PLANS[GET_ORDER_METRICS] == UsagePlan(0.5, 15)
    assert USAGE_PLANS[GET_MARKETPLACE_PARTICIPATIONS] == UsagePlan(0.016, 15)
    assert USAGE_PLANS[SEARCH_LISTINGS_ITEMS] == UsagePlan(5.0, 5)


def test_a_burst_goes_at_once_then_each_call_waits_for_its_token() -> None:
    t = FakeTime()
    bucket = TokenBucket(GET_ORDER_METRICS, UsagePlan(0.5, 15), clock=t.clock, sleep=t.sleep)
    assert [bucket.acquire(max_wait=60) for _ in range(15)] == [0.0] * 15
    assert t.slept == []
    assert bucket.acquire(max_wait=60) == pytest.approx(2.0)  # 0.5 a second: one token every 2 s
    assert bucket.acquire(max_wait=60) == pytest.approx(2.0)
    t.now += 10  # a quiet spell refills five tokens
    assert [bucket.acquire(max_wait=60) for _ in range(5)] == [0.0] * 5
    assert bucket.acquire(max_wait=60) == pytest.approx(2.0)


def test_a_wait_longer_than_allowed_is_refused_at_once_and_takes_nothing() -> None:
    t = FakeTime()
    bucket = TokenBucket(GET_MARKETPLACE_PARTICIPATIONS, UsagePlan(0.016, 1), clock=t.clock, sleep=t.sleep)
    bucket.acquire(max_wait=0)
    with pytest.raises(PlanExhausted) as refused:
        bucket.acquire(max_wait=30)
    assert refused.value.seconds == pytest.approx(62.5)  # about a minute: never slept through
    assert refused.value.operation == GET_MARKETPLACE_PARTICIPATIONS
    assert t.slept == []
    t.now += 62.5  # nothing was taken: the token is there when due
    assert bucket.acquire(max_wait=0) == 0.0


def test_waiting_callers_queue_in_turn() -> None:
    # Ten threads at once on a bucket of 5 at 1/s, on a frozen clock: five go now, the others are given
    # 1, 2, 3, 4, 5 s: each wait counts those ahead of it, so no two wake up for the same token.
    t = FakeTime()
    bucket = TokenBucket(SEARCH_LISTINGS_ITEMS, UsagePlan(1.0, 5), clock=t.clock, sleep=lambda _s: None)
    waits = at_once(lambda: bucket.acquire(max_wait=60), 10)
    assert sorted(waits) == pytest.approx([0, 0, 0, 0, 0, 1, 2, 3, 4, 5])


def test_amazons_rate_header_retunes_the_bucket() -> None:
    t = FakeTime()
    bucket = TokenBucket(GET_ORDER_METRICS, UsagePlan(0.5, 1), clock=t.clock, sleep=t.sleep)
    bucket.acquire(max_wait=0)
    bucket.adapt("2")  # this seller was granted more
    assert bucket.rate == 2.0
    assert bucket.acquire(max_wait=60) == pytest.approx(0.5)
    for ignored in (None, "", "fast", "inf", "nan", "-1", "0"):
        bucket.adapt(ignored)
        assert bucket.rate == 2.0


@pytest.mark.parametrize(
    ("header", "rate"),
    [("0.016", 0.016), (" 5 ", 5.0), ("0.5", 0.5), (None, None), ("", None), ("1e400", None), ("0", None)],
)
def test_parse_rate_limit(header: str | None, rate: float | None) -> None:
    assert parse_rate_limit(header) == rate


def test_a_429_empties_the_bucket_for_everyone_sharing_it() -> None:
    t = FakeTime()
    bucket = TokenBucket(GET_ORDER_METRICS, UsagePlan(0.5, 15), clock=t.clock, sleep=t.sleep)
    bucket.drain()  # Amazon said 429 although we counted 15 left (another process, another app)
    assert bucket.acquire(max_wait=60) == pytest.approx(2.0)


def test_one_bucket_per_operation_and_store() -> None:
    plans = UsagePlans()
    us = plans.bucket(GET_ORDER_METRICS, "store-us")
    assert plans.bucket(GET_ORDER_METRICS, "store-us") is us
    assert plans.bucket(GET_ORDER_METRICS, "store-ca") is not us
    assert plans.bucket(SEARCH_LISTINGS_ITEMS, "store-us") is not us
    assert plans.bucket(SEARCH_LISTINGS_ITEMS, "store-us").burst == 5
