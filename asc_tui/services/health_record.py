"""A store's health as `stores health --json` writes it: one object per store (the contract of issue 21).

Light on purpose, like records.py: no SQLModel, so the CLI can build its output from rows read any way.
Times are ISO 8601 UTC, amounts decimal strings (exact; never a JSON number, which readers take as a
float), and a value Amazon has not given is null.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from asc_tui.domain import iso_utc
from asc_tui.domain.health import StoreHealth, amount_text
from asc_tui.services.records import store_record


def health_json(store: Any, health: StoreHealth | None, now: datetime | None = None) -> dict[str, Any]:
    """The store (a storage row, a StoreRow or anything with a store's attributes) and its health as last
    checked (None: never), as one object of the `stores health --json` list."""
    record = store_record(store, now)  # the same status and auth_health as `stores list --json`
    sales = health.sales_30d if health is not None else None
    return {
        "name": record["name"],
        "status": record["status"],
        "auth_health": record["auth_health"],
        "checked_at": iso_utc(health.checked_at) if health is not None else None,
        "orders_30d": health.orders_30d if health is not None else None,
        "units_30d": health.units_30d if health is not None else None,
        "sales_30d": {"amount": amount_text(sales.amount), "currency": sales.currency} if sales else None,
        "daily": [
            {
                "date": day.date.isoformat(),
                "orders": day.orders,
                "units": day.units,
                "sales": amount_text(day.sales),
            }
            for day in (health.daily if health is not None else ())
        ],
        "has_suspended_listings": health.has_suspended_listings if health is not None else None,
        "is_participating": health.is_participating if health is not None else None,
        "listings_with_errors": health.listings_with_errors if health is not None else None,
        "problem": health.problem if health is not None else None,
        "problem_code": health.problem_code if health is not None else None,
    }
