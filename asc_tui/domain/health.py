"""Store health's vocabulary: what Amazon says about a connected store, as plain values (issue 21).

Plain Python only (no SQLModel, no Textual): the storage, the services, the CLI and the TUI share these
types. Money is always a Decimal made from Amazon's decimal strings (`"79.96"`), never a float, so sums
stay exact ("0.10" + "0.20" is "0.30") and what is shown is what Amazon said.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Protocol

from asc_tui.domain import StoreStatus
from asc_tui.i18n import _, format_count, ngettext


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
    """What a store card shows of its health: light, for 10,000 cards at once.

    The amounts stay in their stored text until a card asks (`sales_30d`, `daily_sales`): the home holds
    every store but paints a screenful, and decoding 300,000 amounts up front took most of the read's time
    and several times the memory of the text (benchmarks/health_read.py); even the total's Decimal and
    Money were 1.5 MB of 10,000 stores' health.
    """

    checked_at: datetime | None
    sales_30d_text: str | None  # the stored decimal text of the 30 days' sales; None: not known
    currency: str | None
    is_participating: bool | None
    has_suspended_listings: bool | None
    listings_with_errors: int | None
    problem: str | None
    daily_sales_text: str = field(default="", repr=False)  # encode_daily_sales's text

    @property
    def sales_30d(self) -> Money | None:
        if self.sales_30d_text is None or not self.currency:
            return None
        try:
            return Money.parse(self.sales_30d_text, self.currency)
        except ValueError:
            return None  # a row edited by hand: the card says sales are not known rather than fail

    @property
    def daily_sales(self) -> tuple[Decimal, ...]:
        """Each day's sales, oldest first (the sparkline); decoded on each access, so keep the result."""
        return decode_daily_sales(self.daily_sales_text)


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


def average_unit_price(health: StoreHealth) -> Money | None:
    """Sales ÷ units over the 30 days, exact as Decimal (format_money rounds it once, when shown); None when
    Amazon has not said or nothing sold (no unit to divide by)."""
    if health.sales_30d is None or not health.units_30d:
        return None
    return Money(health.sales_30d.amount / health.units_30d, health.sales_30d.currency)


# --- the daily points as text ----------------------------------------------------------------------
# One compact JSON list, oldest day first: `[["2026-11-06",4,5,"79.96"],...]` (date, orders, units, sales;
# amounts as decimal strings, exact). The storage keeps it in one column (models.StoreHealthRecord says
# why); it is here, in plain Python, so a card can decode its own points when it is painted.


def encode_daily(daily: Sequence[DailySales]) -> str:
    points = [[day.date.isoformat(), day.orders, day.units, amount_text(day.sales)] for day in daily]
    return json.dumps(points, separators=(",", ":"))


def decode_daily(text: str | None) -> tuple[DailySales, ...]:
    if not text:
        return ()
    return tuple(
        DailySales(date.fromisoformat(day), int(orders), int(units), parse_amount(sales))
        for day, orders, units, sales in json.loads(text)
    )


def encode_daily_sales(daily: Sequence[DailySales]) -> str:
    """Only each day's sales, oldest first, as exact decimal text separated by spaces: what the home keeps
    of every store's days (a quarter of encode_daily's text)."""
    return " ".join(amount_text(day.sales) for day in daily)


def decode_daily_sales(text: str | None) -> tuple[Decimal, ...]:
    return tuple(map(Decimal, text.split())) if text else ()


# --- what needs the admin -------------------------------------------------------------------------


class AskableStore(Protocol):
    """What deciding whether Amazon can be asked about a store reads of it."""

    status: str
    auth_revoked: bool
    token_ref: str | None
    seller_id: str | None


def why_not_asked(store: AskableStore) -> str | None:
    """Why Amazon cannot be asked about this store's health (None: it can be), one sentence."""
    if store.status != StoreStatus.ACTIVE.value:
        return _("Not connected, or inactive: Amazon is asked only about active connected stores.")
    if store.auth_revoked:
        return _("Its authorization was revoked; reconnect it first.")
    if not store.token_ref or not store.seller_id:
        return _("Not connected yet.")
    return None


def _needs(health: StoreHealth | HomeHealth | None) -> list[tuple[str, str]]:
    """What in a store's last check needs the admin: (one short sentence, a few words for a card) each."""
    if health is None:
        return []
    needs = []
    if health.problem:
        needs.append(
            (_("The last check failed: {problem}").format(problem=health.problem), _("last check failed"))
        )
    if health.is_participating is False:
        needs.append((_("The account no longer sells in this marketplace."), _("not selling here")))
    if health.has_suspended_listings:
        needs.append((_("Listings are suspended: act in Seller Central."), _("listings suspended")))
    if count := health.listings_with_errors:
        sentence = ngettext(
            "{count} listing has errors: act in Seller Central.",
            "{count} listings have errors: act in Seller Central.",
            count,
        )
        words = ngettext("{count} listing with errors", "{count} listings with errors", count)
        needs.append((sentence.format(count=format_count(count)), words.format(count=format_count(count))))
    return needs


def health_warnings(health: StoreHealth | HomeHealth | None) -> list[str]:
    """What in a store's last check needs the admin, one short sentence each (empty: nothing)."""
    return [sentence for sentence, _words in _needs(health)]


def health_flags(health: StoreHealth | HomeHealth | None) -> list[str]:
    """The same as `health_warnings`, a few words each, for a card's one line."""
    return [words for _sentence, words in _needs(health)]
