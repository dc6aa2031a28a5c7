"""A connected store with health saved as a refresh would have saved it, from fixed values: for the store view's
snapshots and the tests that need no Amazon (those that do connect through the sandbox's consent pages)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from asc_tui.domain.health import CommunicationEntry, DailySales
from tests.support.health import checked_health, connect_seeded

from .helpers import FIXED, saved_registry, seed

CHECKED = datetime(2026, 12, 7, 20, 53, tzinfo=UTC)
FIRST_DAY = date(2026, 11, 7)


def fixed_days() -> tuple[DailySales, ...]:
    """Thirty days with a weekly rhythm, one day without sales, amounts in cents."""
    days = []
    for i in range(30):
        orders = 0 if i == 12 else 2 + (i * 5) % 7
        units = orders + i % 3 if orders else 0
        days.append(DailySales(FIRST_DAY + timedelta(days=i), orders, units, units * Decimal("15.99")))
    return tuple(days)


def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The authorization's days left counted from a fixed now (the day after the check)."""
    monkeypatch.setattr("asc_tui.domain.utcnow", lambda: CHECKED + timedelta(hours=1))


def seed_connected_with_health(name: str) -> None:
    """A store seeded as Active (seller A1EXAMPLE, authorized at FIXED), its health and two logged calls."""
    seed((name, "US"))
    with saved_registry() as registry:
        store_id = connect_seeded(registry, name, "A1EXAMPLE", "snapshot", FIXED)  # not "Reconnect needed"
        registry.health.save_health(
            store_id, checked_health(store_id, CHECKED, fixed_days(), listings_with_errors=3)
        )
        registry.health.append_log(
            store_id,
            [
                CommunicationEntry(
                    datetime(2026, 12, 6, 8, 15, tzinfo=UTC),
                    "getOrderMetrics",
                    "QuotaExceeded",
                    "You exceeded your quota for the requested resource.",
                ),
                CommunicationEntry(
                    datetime(2026, 12, 7, 20, 52, tzinfo=UTC),
                    "searchListingsItems",
                    "InternalFailure",
                    "We encountered an internal error.\x1b[31m Please try again.\x07",
                ),
            ],
        )
