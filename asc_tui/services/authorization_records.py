"""What `asc-tui authorizations list` shows: each seller's authorization per region, with its stores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from asc_tui.domain import AuthHealth, auth_health, iso_utc, renew_by, utcnow
from asc_tui.storage.database import Database
from asc_tui.storage.models import SellerAuthorization, Store


@dataclass(frozen=True)
class AuthorizationSummary:
    seller_id: str
    region: str  # NA | EU | FE
    authorized_at: datetime | None
    health: AuthHealth
    days_left: int | None
    stores: tuple[str, ...]  # the names of the stores on it, oldest first

    def record(self) -> dict[str, Any]:
        """The `--json` object: codes, not words, and times in ISO 8601 UTC."""
        return {
            "seller_id": self.seller_id,
            "region": self.region,
            "authorized_at": iso_utc(self.authorized_at),
            "renew_by": iso_utc(renew_by(self.authorized_at)) if self.authorized_at else None,
            "auth_health": self.health.value,
            "days_left": self.days_left,
            "stores": list(self.stores),
        }


def authorization_summaries(database: Database, now: datetime | None = None) -> list[AuthorizationSummary]:
    """Every authorization, by region then seller, with the stores on it."""
    now = now or utcnow()
    with database.session() as session:
        authorizations = session.exec(
            select(SellerAuthorization).order_by(
                col(SellerAuthorization.region), col(SellerAuthorization.seller_id)
            )
        ).all()
        names: dict[int, list[str]] = {}
        rows = session.exec(
            select(Store.authorization_id, Store.name)
            .where(col(Store.authorization_id).is_not(None))
            .order_by(col(Store.created_at), col(Store.id))
        ).all()
        for authorization_id, name in rows:
            names.setdefault(authorization_id or 0, []).append(name)
    summaries = []
    for authorization in authorizations:
        health, days = auth_health(authorization.authorized_at, authorization.revoked, now)
        summaries.append(
            AuthorizationSummary(
                seller_id=authorization.seller_id,
                region=authorization.region,
                authorized_at=authorization.authorized_at,
                health=health,
                days_left=days,
                stores=tuple(names.get(authorization.id or 0, ())),
            )
        )
    return summaries
