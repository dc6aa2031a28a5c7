"""A store as the CLI's --json, exports and check-auth write it (PRODUCT.md's keys).

Light on purpose: `stores list` reads rows straight from the SQLite file when it can, and this module
must not pull in SQLModel.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from asc_tui.domain import MARKETPLACES, iso_utc, renew_by, store_health

RECORD_KEYS = (
    "name", "email", "country", "website", "product_id_type", "attribute", "status", "auth_health",
    "seller_id", "marketplace_id", "authorized_at", "renew_by", "created_at", "updated_at",
)  # fmt: skip


def store_record(store: Any, now: datetime | None = None) -> dict[str, Any]:
    """The store as the CLI's --json and exports write it (PRODUCT.md's keys)."""
    health, _days = store_health(store, now)
    return {
        "name": store.name,
        "email": store.email,
        "country": store.country,
        "website": store.website,
        "product_id_type": store.product_id_type,
        "attribute": store.attribute,
        "status": store.status,
        "auth_health": health.value,
        "seller_id": store.seller_id,
        "marketplace_id": store.marketplace_id or MARKETPLACES[store.country].marketplace_id,
        "authorized_at": iso_utc(store.authorized_at),
        "renew_by": iso_utc(renew_by(store.authorized_at)) if store.authorized_at else None,
        "created_at": iso_utc(store.created_at),
        "updated_at": iso_utc(store.updated_at),
    }
