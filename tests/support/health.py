"""Store health as a refresh saves it, from the days a test chooses: one builder for the service, home and
snapshot tests, so each states only what its check said differently."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text

from asc_tui.domain.health import DailySales, StoreHealth, sum_daily
from asc_tui.services.registry import Registry
from asc_tui.settings.secret_store import refresh_token_key


def checked_health(
    store_id: int, checked_at: datetime, daily: tuple[DailySales, ...], currency: str = "USD", **said: Any
) -> StoreHealth:
    """A check whose 30-day totals are its days' sums, of a store in good standing (participating, nothing
    suspended, no listing with errors) unless `said` (StoreHealth's other fields) says otherwise."""
    orders, units, sales = sum_daily(daily, currency)
    good_standing = {"is_participating": True, "has_suspended_listings": False, "listings_with_errors": 0}
    return StoreHealth(store_id, checked_at, daily, orders, units, sales, **{**good_standing, **said})


def connect_seeded(
    registry: Registry, name: str, seller: str, token_ref: str, authorized_at: datetime
) -> int:
    """The seeded store `name` as a connect leaves it, without Amazon: Active for `seller` since
    `authorized_at`, its refresh token in this machine's keyring (so nothing asks to reconnect it); its id."""
    store_id = registry.stores.find(name).id or 0
    with registry.database.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE store SET status='active', seller_id=:s, authorized_at=:a, token_ref=:r WHERE id=:i"
            ),
            {"s": seller, "a": authorized_at, "r": token_ref, "i": store_id},
        )
    registry.secrets.set(refresh_token_key(token_ref), f"Atzr|{token_ref}")
    return store_id
