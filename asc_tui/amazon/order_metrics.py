"""getOrderMetrics for a health card: the question (the last whole days, in the marketplace's zone) and the
answer (one point a day, money as Decimal).

Amazon cuts the days in `granularityTimeZone` and wants the interval's offsets to agree with it
(reference/spapi-health.md §1), so each end of the interval carries the offset in force at that end: an
interval that spans a change of clocks starts at -07:00 and ends at -08:00 in Los Angeles. Today is left
out, as it is not over: the last point is yesterday, whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from asc_tui.amazon.errors import AmazonProtocolError
from asc_tui.amazon.sellers import SERVICE
from asc_tui.i18n import _


@dataclass(frozen=True)
class DailySales:
    day: date  # the marketplace's calendar day (in its time zone)
    orders: int  # orderCount
    units: int  # unitCount
    sales: Decimal  # totalSales.amount, exactly as Amazon wrote it
    currency: str  # totalSales.currencyCode


@dataclass(frozen=True)
class OrderMetrics:
    marketplace_id: str
    interval: str  # as sent to Amazon, for the communication log
    points: tuple[DailySales, ...]  # oldest first

    @property
    def orders(self) -> int:
        return sum(point.orders for point in self.points)

    @property
    def units(self) -> int:
        return sum(point.units for point in self.points)

    @property
    def sales(self) -> Decimal:
        return sum((point.sales for point in self.points), Decimal(0))


def last_whole_days(time_zone: str, days: int, now: datetime) -> tuple[datetime, datetime]:
    """[midnight `days` days before today, today's midnight) in `time_zone`, each with its own offset."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if days < 1:
        raise ValueError("days must be at least 1")
    zone = ZoneInfo(time_zone)
    today = now.astimezone(zone).date()
    # Built from the wall clock, so zoneinfo gives each midnight the offset in force on that date.
    end = datetime.combine(today, time(), tzinfo=zone)
    start = datetime.combine(today - timedelta(days=days), time(), tzinfo=zone)
    return start, end


def format_interval(start: datetime, end: datetime) -> str:
    """Amazon's interval: `2026-11-07T00:00:00-08:00--2026-12-07T00:00:00-08:00`."""
    return f"{start.isoformat(timespec='seconds')}--{end.isoformat(timespec='seconds')}"


def _bad(problem: str) -> AmazonProtocolError:
    return AmazonProtocolError(SERVICE, problem, status=200)


def _count(item: dict[str, Any], key: str) -> int:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _bad(_("{field} is not a count").format(field=key))
    return value


def _amount(value: Any) -> Decimal:
    # Amazon writes amounts as strings ("79.96"); a bare JSON number arrives here as Decimal or int.
    if isinstance(value, bool) or not isinstance(value, str | Decimal | int):
        raise _bad(_("totalSales.amount is not a decimal number"))
    try:
        amount = Decimal(value) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise _bad(_("totalSales.amount is not a decimal number")) from None
    if not amount.is_finite():
        raise _bad(_("totalSales.amount is not a decimal number"))
    return amount


def _point(item: Any) -> tuple[datetime, DailySales]:
    if not isinstance(item, dict):
        raise _bad(_("a payload step is not an object"))
    interval = item.get("interval")
    parts = interval.split("--") if isinstance(interval, str) else []
    try:
        start = datetime.fromisoformat(parts[0]) if len(parts) == 2 else None
    except ValueError:
        start = None
    if start is None or start.tzinfo is None:
        raise _bad(_("a payload step has no valid interval"))
    money = item.get("totalSales")
    currency = money.get("currencyCode") if isinstance(money, dict) else None
    if not isinstance(money, dict) or not isinstance(currency, str) or not currency:
        raise _bad(_("a payload step has no totalSales"))
    point = DailySales(
        day=start.date(),  # Amazon writes each step in the requested zone: its date is the local day
        orders=_count(item, "orderCount"),
        units=_count(item, "unitCount"),
        sales=_amount(money.get("amount")),
        currency=currency,
    )
    return start, point


def parse_order_metrics(body: Any, marketplace_id: str, interval: str) -> OrderMetrics:
    """getOrderMetrics' 200 answer as daily points, oldest first (Amazon's order is not promised)."""
    payload = body.get("payload") if isinstance(body, dict) else None
    if not isinstance(payload, list):
        raise _bad(_("the answer has no payload list"))
    steps = sorted((_point(item) for item in payload), key=lambda pair: pair[0])
    return OrderMetrics(marketplace_id, interval, tuple(point for _start, point in steps))
