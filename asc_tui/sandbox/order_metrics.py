"""Made-up but stable sales for the sandbox's Sales API, summed into getOrderMetrics' steps.

Every UTC hour of a seller's marketplace gets its orders from a hash of (seller, marketplace, hour), so the
same question always gets the same answer, on any machine, and every granularity sums the same hours: a Day
is its hours, a Week its days, a Total all of them. Only hours that have ended (by the emulator's calendar)
sell anything, so a dashboard's "today" grows during the day as it would against Amazon.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from functools import lru_cache

GRANULARITIES = ("Hour", "Day", "Week", "Month", "Year", "Total")
WEEKDAYS = {"Monday": 0, "Sunday": 6}  # firstDayOfWeek: the values the model allows

_CENT = Decimal("0.01")
_PRICES = tuple(Decimal(p) for p in ("8.99", "12.50", "19.99", "24.95", "34.00", "49.99"))
# Rough rates so that each marketplace's figures look like its currency's (the prices are invented, in USD);
# the listings' prices use them too. Every currency of the marketplace table has one (a test checks).
DEMO_RATES = {
    "USD": Decimal(1), "CAD": Decimal("1.35"), "MXN": Decimal(17), "BRL": Decimal("5.5"),
    "GBP": Decimal("0.8"), "EUR": Decimal("0.92"), "SEK": Decimal("10.5"), "PLN": Decimal(4),
    "TRY": Decimal(34), "AED": Decimal("3.67"), "SAR": Decimal("3.75"), "EGP": Decimal(48),
    "INR": Decimal(83), "ZAR": Decimal(18), "JPY": Decimal(150), "AUD": Decimal("1.5"), "SGD": Decimal("1.35"),
}  # fmt: skip


@dataclass(frozen=True)
class Sales:
    orders: int = 0
    items: int = 0
    units: int = 0
    total: Decimal = Decimal(0)

    def __add__(self, other: Sales) -> Sales:
        return Sales(
            self.orders + other.orders,
            self.items + other.items,
            self.units + other.units,
            self.total + other.total,
        )


@dataclass(frozen=True)
class MetricsQuery:
    """A checked getOrderMetrics request: an aware [start, end) and the zone its steps are cut in."""

    marketplace_id: str
    currency: str
    start: datetime
    end: datetime
    granularity: str
    zone: tzinfo
    first_day_of_week: int = 0  # Monday
    sells: bool = True  # False for filters the demo sellers have no sales under (B2B, AFN, an ASIN…)


@lru_cache(maxsize=65536)  # a Year at Day granularity reads 8,760 hours; a dashboard asks again soon
def hour_sales(seller_id: str, marketplace_id: str, currency: str, hour: int) -> Sales:
    """The orders of one UTC hour (`hour` counts hours since the epoch): about 18 a day, 0 to 3 an hour."""
    digest = hashlib.sha256(f"{seller_id}|{marketplace_id}|{hour}".encode()).digest()
    orders = digest[0] % 4 if digest[1] % 2 else 0
    rate = DEMO_RATES.get(currency, Decimal(1))
    items = units = 0
    total = Decimal(0)
    for i in range(orders):
        lines = 1 + (digest[2 + i] % 4 == 0)  # now and then an order of two different products
        for j in range(lines):
            quantity = 1 + (digest[6 + i + j] % 5 == 0)
            price = (_PRICES[digest[12 + i + j] % len(_PRICES)] * rate).quantize(_CENT)
            items += 1
            units += quantity
            total += price * quantity
    return Sales(orders, items, units, total)


def _floor(moment: datetime, granularity: str, zone: tzinfo, first_day_of_week: int) -> datetime:
    local = moment.astimezone(zone)
    if granularity == "Hour":
        return local.replace(minute=0, second=0, microsecond=0)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if granularity == "Week":
        return day - timedelta(days=(day.weekday() - first_day_of_week) % 7)
    if granularity == "Month":
        return day.replace(day=1)
    if granularity == "Year":
        return day.replace(month=1, day=1)
    return day


def _next(boundary: datetime, granularity: str, zone: tzinfo) -> datetime:
    if granularity == "Hour":  # in UTC: an hour is an hour even where the clocks change
        return (boundary.astimezone(UTC) + timedelta(hours=1)).astimezone(zone)
    # Calendar steps are wall-clock arithmetic in the zone (a DST day has 23 or 25 hours); the result is
    # made aware again through UTC so that its offset is the one that applies then.
    naive = boundary.replace(tzinfo=None)
    if granularity == "Day":
        naive += timedelta(days=1)
    elif granularity == "Week":
        naive += timedelta(days=7)
    elif granularity == "Month":
        naive = naive.replace(year=naive.year + naive.month // 12, month=naive.month % 12 + 1)
    else:
        naive = naive.replace(year=naive.year + 1)
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def steps(query: MetricsQuery) -> list[tuple[datetime, datetime]]:
    """The steps' whole boundaries: the first and last may reach outside the interval (partial data)."""
    if query.granularity == "Total":
        return [(query.start.astimezone(query.zone), query.end.astimezone(query.zone))]
    out: list[tuple[datetime, datetime]] = []
    boundary = _floor(query.start, query.granularity, query.zone, query.first_day_of_week)
    while boundary < query.end:
        following = _next(boundary, query.granularity, query.zone)
        out.append((boundary, following))
        boundary = following
    return out


def _sum(seller_id: str, query: MetricsQuery, start: datetime, end: datetime, now: datetime) -> Sales:
    if not query.sells:
        return Sales()
    total = Sales()
    first = math.ceil(start.timestamp() / 3600)
    last = math.ceil(min(end, now).timestamp() / 3600) - 1  # the hours that started before the end
    for hour in range(first, last + 1):
        if (hour + 1) * 3600 <= now.timestamp():  # only hours that are over
            total += hour_sales(seller_id, query.marketplace_id, query.currency, hour)
    return total


def _amount(value: Decimal) -> str:
    """A decimal string as Amazon writes them in its examples: "25", "12.5", "22.95", "0"."""
    return format(value.normalize(), "f")


def _moment(value: datetime) -> str:
    text = value.isoformat(timespec="minutes")  # "2018-05-01T00:00-07:00", as in Amazon's examples
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def order_metrics(seller_id: str, query: MetricsQuery, now: datetime) -> list[dict[str, object]]:
    """getOrderMetrics' payload: one OrderMetricsInterval per step."""
    payload: list[dict[str, object]] = []
    for step_start, step_end in steps(query):
        sales = _sum(seller_id, query, max(step_start, query.start), min(step_end, query.end), now)
        average = (sales.total / sales.units).quantize(_CENT) if sales.units else Decimal(0)
        payload.append(
            {
                "interval": f"{_moment(step_start)}--{_moment(step_end)}",
                "unitCount": sales.units,
                "orderItemCount": sales.items,
                "orderCount": sales.orders,
                "averageUnitPrice": {"amount": _amount(average), "currencyCode": query.currency},
                "totalSales": {"amount": _amount(sales.total), "currencyCode": query.currency},
            }
        )
    return payload
