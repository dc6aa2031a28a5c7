"""Store health's vocabulary: what Amazon says about a connected store, as plain values (issue 21).

Plain Python only (no SQLModel, no Textual): the storage, the services, the CLI and the TUI share these
types. Money is always a Decimal made from Amazon's decimal strings (`"79.96"`), never a float, so sums
stay exact ("0.10" + "0.20" is "0.30") and what is shown is what Amazon said.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation


def parse_amount(text: str) -> Decimal:
    """An amount from Amazon's decimal string; ValueError for anything that is not a finite number.

    Only strings are taken: a float has already lost the cents it was meant to hold.
    """
    if not isinstance(text, str):
        raise ValueError(f"an amount must be a decimal string, not {type(text).__name__}")
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"not a decimal amount: {text[:40]!r}") from None
    if not amount.is_finite():
        raise ValueError(f"not a finite amount: {text[:40]!r}")
    return amount


def amount_text(amount: Decimal) -> str:
    """The amount as a plain decimal string ("1E+2" would be exact but no reader expects it): "100"."""
    return format(amount, "f")


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str  # ISO 4217, as Amazon's currencyCode: "USD"

    @classmethod
    def parse(cls, amount: str, currency: str) -> Money:
        """Money from Amazon's `{"amount": "79.96", "currencyCode": "USD"}` parts."""
        return cls(parse_amount(amount), currency.strip().upper())


@dataclass(frozen=True, slots=True)
class DailySales:
    """One day of getOrderMetrics (granularity Day): the day in the marketplace's time zone."""

    date: date
    orders: int
    units: int
    sales: Decimal  # in the store's currency (StoreHealth.sales_30d says which)


@dataclass(frozen=True, slots=True)
class StoreHealth:
    """A store's health as last checked; None in a field means Amazon has not said (yet, or this time)."""

    store_id: int
    checked_at: datetime | None  # UTC
    daily: tuple[DailySales, ...] = ()  # oldest first, up to 30 days
    orders_30d: int | None = None
    units_30d: int | None = None
    sales_30d: Money | None = None
    is_participating: bool | None = None
    has_suspended_listings: bool | None = None
    listings_with_errors: int | None = None
    # The last refresh's problem, one sentence for a person, and Amazon's (or LWA's) code for scripts.
    problem: str | None = None
    problem_code: str | None = None


@dataclass(frozen=True, slots=True)
class HomeHealth:
    """What a store card shows of its health: light, for 10,000 cards at once."""

    checked_at: datetime | None
    daily_sales: tuple[Decimal, ...]  # oldest first: the sparkline
    sales_30d: Money | None
    is_participating: bool | None
    has_suspended_listings: bool | None
    listings_with_errors: int | None
    problem: str | None


@dataclass(frozen=True, slots=True)
class CommunicationEntry:
    """One exchange with Amazon that went wrong (Adobe's Communication Errors Log): time, call, code, words."""

    at: datetime  # UTC
    operation: str  # e.g. "getOrderMetrics"
    code: str  # Amazon's error code, e.g. "QuotaExceeded", or LWA's "invalid_grant"
    message: str  # Amazon's message, as it said it (English)


def sum_daily(daily: Iterable[DailySales], currency: str) -> tuple[int, int, Money]:
    """Orders, units and sales over the days, exactly (what a 30-day total is when not asked separately)."""
    orders = units = 0
    sales = Decimal(0)
    for day in daily:
        orders += day.orders
        units += day.units
        sales += day.sales
    return orders, units, Money(sales, currency)
