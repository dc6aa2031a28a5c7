"""Store health's vocabulary: money is exact, made from Amazon's decimal strings only."""

from datetime import date
from decimal import Decimal

import pytest

from asc_tui.domain.health import (
    DailySales,
    Money,
    StoreHealth,
    amount_text,
    average_unit_price,
    parse_amount,
    sum_daily,
)
from asc_tui.i18n import format_money


def test_amounts_come_from_decimal_strings_and_stay_exact() -> None:
    assert parse_amount("79.96") == Decimal("79.96")
    assert parse_amount(" 0.10 ") + parse_amount("0.20") == Decimal("0.30")
    assert amount_text(parse_amount("0.10") + parse_amount("0.20")) == "0.30"
    assert amount_text(Decimal("1E+2")) == "100"  # never exponent notation for a reader
    assert Money.parse("19.99", "usd") == Money(Decimal("19.99"), "USD")


@pytest.mark.parametrize("bad", ["", "abc", "NaN", "Infinity", "-inf", "1,5"])
def test_what_is_not_a_finite_decimal_string_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(bad)


def test_a_float_is_refused_its_cents_are_already_lost() -> None:
    with pytest.raises(ValueError, match="decimal string"):
        parse_amount(0.1)  # type: ignore[arg-type]


def test_daily_points_sum_exactly() -> None:
    days = [DailySales(date(2026, 11, d), 1, 2, Decimal(a)) for d, a in ((1, "0.10"), (2, "0.20"))]
    orders, units, sales = sum_daily(days, "USD")
    assert (orders, units, amount_text(sales.amount), sales.currency) == (2, 4, "0.30", "USD")
    assert sum_daily([], "GBP") == (0, 0, Money(Decimal(0), "GBP"))


def test_the_average_unit_price_is_sales_over_units_exactly() -> None:
    exact = average_unit_price(StoreHealth(1, None, units_30d=4, sales_30d=Money(Decimal("79.96"), "USD")))
    assert exact == Money(Decimal("19.99"), "USD")  # a float gives 19.990000000000002
    third = average_unit_price(StoreHealth(1, None, units_30d=3, sales_30d=Money(Decimal("10.00"), "USD")))
    assert (
        third is not None and format_money(third.amount, third.currency) == "US$3.33"
    )  # rounded once, shown
    assert average_unit_price(StoreHealth(1, None, units_30d=0, sales_30d=Money(Decimal(0), "USD"))) is None
    assert average_unit_price(StoreHealth(1, None)) is None
