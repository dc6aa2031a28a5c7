"""getOrderMetrics' question and answer without a server: the last whole days in the marketplace's zone
(each end with its own offset across a change of clocks) and the answer's days, as Decimal."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx
import pytest

from asc_tui.amazon.errors import AmazonProtocolError
from asc_tui.amazon.http import json_object
from asc_tui.amazon.order_metrics import format_interval, last_whole_days, parse_order_metrics
from asc_tui.domain import MARKETPLACES


def interval(code: str, now: datetime, days: int = 30) -> str:
    return format_interval(*last_whole_days(MARKETPLACES[code].time_zone, days, now))


def test_every_marketplace_has_a_real_time_zone() -> None:
    zones = {code: m.time_zone for code, m in MARKETPLACES.items()}
    assert {code: zones[code] for code in ("US", "CA", "MX", "UK", "DE", "JP", "AU", "BR", "IN")} == {
        "US": "America/Los_Angeles",
        "CA": "America/Toronto",
        "MX": "America/Mexico_City",
        "UK": "Europe/London",
        "DE": "Europe/Berlin",
        "JP": "Asia/Tokyo",
        "AU": "Australia/Sydney",
        "BR": "America/Sao_Paulo",
        "IN": "Asia/Kolkata",
    }
    for zone in zones.values():
        ZoneInfo(zone)


def test_a_japanese_or_indian_day_ends_at_midnight_there() -> None:
    now = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)  # already the 8th in Tokyo, 01:30 on the 8th in Kolkata
    assert interval("JP", now) == "2026-11-08T00:00:00+09:00--2026-12-08T00:00:00+09:00"
    assert interval("IN", now) == "2026-11-08T00:00:00+05:30--2026-12-08T00:00:00+05:30"


def test_the_last_30_whole_days_end_at_todays_midnight_there() -> None:
    now = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)  # noon in Los Angeles
    assert interval("US", now) == "2026-11-07T00:00:00-08:00--2026-12-07T00:00:00-08:00"
    # 07:30 UTC is still the evening before in Los Angeles: today there is the 6th.
    early = datetime(2026, 12, 7, 7, 30, tzinfo=UTC)
    assert interval("US", early) == "2026-11-06T00:00:00-08:00--2026-12-06T00:00:00-08:00"
    assert interval("MX", now) == "2026-11-07T00:00:00-06:00--2026-12-07T00:00:00-06:00"  # no DST since 2022


@pytest.mark.parametrize(
    ("code", "now", "expected"),
    [
        # Clocks go back on 1 Nov 2026 in Los Angeles and Toronto: the start is still summer time.
        (
            "US",
            datetime(2026, 11, 15, 20, tzinfo=UTC),
            "2026-10-16T00:00:00-07:00--2026-11-15T00:00:00-08:00",
        ),
        (
            "CA",
            datetime(2026, 11, 15, 20, tzinfo=UTC),
            "2026-10-16T00:00:00-04:00--2026-11-15T00:00:00-05:00",
        ),
        # Forward on 8 Mar 2026 (US) and 29 Mar 2026 (UK): the end is summer time.
        ("US", datetime(2026, 3, 20, 20, tzinfo=UTC), "2026-02-18T00:00:00-08:00--2026-03-20T00:00:00-07:00"),
        ("UK", datetime(2026, 4, 10, 12, tzinfo=UTC), "2026-03-11T00:00:00+00:00--2026-04-10T00:00:00+01:00"),
    ],
)
def test_an_interval_across_a_change_of_clocks_has_each_ends_own_offset(
    code: str, now: datetime, expected: str
) -> None:
    assert interval(code, now) == expected


def test_now_must_be_aware_and_days_positive() -> None:
    with pytest.raises(ValueError):
        last_whole_days("Europe/London", 30, datetime(2026, 1, 1))
    with pytest.raises(ValueError):
        last_whole_days("Europe/London", 0, datetime(2026, 1, 1, tzinfo=UTC))


def answer(text: str) -> dict[str, object] | None:
    """The body as the client reads it off the wire."""
    return json_object(httpx.Response(200, content=text.encode()))


def step(day: int, orders: int, amount: str, *, raw_amount: bool = False) -> str:
    money = amount if raw_amount else f'"{amount}"'
    return (
        f'{{"interval": "2026-12-{day:02d}T00:00-08:00--2026-12-{day + 1:02d}T00:00-08:00", '
        f'"unitCount": {orders * 2}, "orderItemCount": {orders}, "orderCount": {orders}, '
        f'"totalSales": {{"amount": {money}, "currencyCode": "USD"}}}}'
    )


def test_the_answer_becomes_days_oldest_first_with_exact_decimals() -> None:
    steps = [step(1, 3, "0.1"), step(2, 1, "0.2"), step(3, 0, "0"), step(4, 2, "19.99", raw_amount=True)]
    random.Random(7).shuffle(steps)  # Amazon promises no order
    body = answer(f'{{"payload": [{", ".join(steps)}]}}')
    metrics = parse_order_metrics(body, "ATVPDKIKX0DER", "whatever")
    assert [p.day for p in metrics.points] == [date(2026, 12, d) for d in (1, 2, 3, 4)]
    assert [p.orders for p in metrics.points] == [3, 1, 0, 2]
    assert [p.units for p in metrics.points] == [6, 2, 0, 4]
    assert all(type(p.sales) is Decimal for p in metrics.points)  # a bare JSON number too: never float
    assert metrics.sales == Decimal("20.29")  # 0.1 + 0.2 exactly, which float would not give
    assert (metrics.orders, metrics.units) == (6, 12)
    assert {p.currency for p in metrics.points} == {"USD"}


@pytest.mark.parametrize(
    "payload",
    [
        "{}",
        '{"payload": {}}',
        f'{{"payload": [{step(1, 1, "NaN")}]}}',
        f'{{"payload": [{step(1, 1, "twelve")}]}}',
        f'{{"payload": [{step(1, 1, "true", raw_amount=True)}]}}',
        '{"payload": [{"interval": "yesterday", "orderCount": 1, "unitCount": 1, "totalSales": {}}]}',
        '{"payload": [{"interval": "2026-12-01T00:00--2026-12-02T00:00", "orderCount": 1, "unitCount": 1,'
        ' "totalSales": {"amount": "1", "currencyCode": "USD"}}]}',
        '{"payload": [{"interval": "2026-12-01T00:00Z--2026-12-02T00:00Z", "orderCount": -1, "unitCount": 1,'
        ' "totalSales": {"amount": "1", "currencyCode": "USD"}}]}',
    ],
)
def test_a_malformed_answer_is_a_protocol_error(payload: str) -> None:
    with pytest.raises(AmazonProtocolError):
        parse_order_metrics(answer(payload), "ATVPDKIKX0DER", "whatever")
