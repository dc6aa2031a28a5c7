"""Store health as stored: each store's last check, the home's summaries, and the communication log.

Writes come from the refresh (and its CLI twin, `stores health`); reads from the cards, the store view and
the CLI. Every health write bumps the health counter (storage/models.HealthRevision), not the registry's:
the home polls both, reloads every store only when the registry moved, and when only health moved reads
the few rows written since (`changed_since`), so a refresh of 10,000 stores costs the home one small query
per poll instead of 10,000 store reloads.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from asc_tui.domain.health import (
    CommunicationEntry,
    HomeHealth,
    Money,
    StoreHealth,
    amount_text,
    decode_daily,
    encode_daily,
    encode_daily_sales,
)
from asc_tui.errors import StoreNotFound
from asc_tui.storage.database import Database
from asc_tui.storage.models import CommunicationLog, HealthRevision, StoreHealthRecord

# Adobe's Communication Errors Log shows the recent past; older entries are pruned as new ones arrive.
LOG_KEPT = 100
# Amazon's words are kept, but one runaway message (a whole HTML error page) must not bloat the log.
MESSAGE_MAX = 1000
_CODE_MAX = 64

_health = StoreHealthRecord.__table__  # type: ignore[attr-defined]
_log = CommunicationLog.__table__  # type: ignore[attr-defined]
_counter = HealthRevision.__table__  # type: ignore[attr-defined]
_HOME_COLUMNS = (
    "store_id", "checked_at", "daily_sales", "sales_30d", "currency", "is_participating",
    "has_suspended_listings", "listings_with_errors", "problem",
)  # fmt: skip


class HealthService:
    def __init__(self, database: Database) -> None:
        self._db = database

    # --- writing ------------------------------------------------------------------------------------

    def save_health(self, store_id: int, health: StoreHealth) -> int:
        """Replace the store's health with this one; the health revision it was saved as.

        StoreNotFound when the store was deleted meanwhile (its health would point at nothing).
        """
        if health.store_id != store_id:
            raise ValueError(f"health of store #{health.store_id} given for store #{store_id}")
        values = _row_values(health)
        with self._db.session() as session:
            try:
                # The counter first: on PostgreSQL its row stays locked until the commit, so writes commit
                # in the order of their revisions and a reader of "newer than N" never misses one. Store
                # changes never lock this row (their triggers bump the registry's), so no deadlock with
                # a store deleted meanwhile.
                revision = int(
                    session.execute(
                        _counter.update()
                        .where(_counter.c.id == 1)
                        .values(revision=_counter.c.revision + 1)
                        .returning(_counter.c.revision)
                    ).scalar_one()
                )
                values["revision"] = revision
                updated = session.execute(
                    _health.update().where(_health.c.store_id == store_id).values(values)
                )
                if updated.rowcount == 0:  # type: ignore[attr-defined]
                    session.execute(_health.insert().values(store_id=store_id, **values))
                session.commit()
            except IntegrityError:
                session.rollback()
                raise StoreNotFound(f"#{store_id}") from None
        return revision

    def append_log(self, store_id: int, entries: Sequence[CommunicationEntry]) -> None:
        """Add entries (oldest first) to the store's log and keep only its last LOG_KEPT."""
        if not entries:
            return
        rows = [
            {
                "store_id": store_id,
                "at": entry.at,
                "operation": entry.operation[:_CODE_MAX],
                "code": entry.code[:_CODE_MAX],
                "message": entry.message[:MESSAGE_MAX],
            }
            for entry in entries[-LOG_KEPT:]
        ]
        with self._db.session() as session:
            try:
                session.execute(_log.insert(), rows)
            except IntegrityError:
                session.rollback()
                raise StoreNotFound(f"#{store_id}") from None
            # The oldest entry still kept; everything older goes (both walk the (store_id, id) index).
            oldest_kept = session.execute(
                select(_log.c.id)
                .where(_log.c.store_id == store_id)
                .order_by(_log.c.id.desc())
                .offset(LOG_KEPT - 1)
                .limit(1)
            ).scalar()
            if oldest_kept is not None:
                session.execute(_log.delete().where(_log.c.store_id == store_id, _log.c.id < oldest_kept))
            session.commit()

    # --- reading ------------------------------------------------------------------------------------

    def health_of(self, store_id: int) -> StoreHealth | None:
        """The store's health as last saved, or None when it was never checked."""
        with self._db.session() as session:
            row = session.execute(select(_health).where(_health.c.store_id == store_id)).mappings().first()
        if row is None:
            return None
        return StoreHealth(
            store_id=store_id,
            checked_at=row["checked_at"],
            daily=decode_daily(row["daily"]),
            orders_30d=row["orders_30d"],
            units_30d=row["units_30d"],
            sales_30d=_money(row["sales_30d"], row["currency"]),
            is_participating=row["is_participating"],
            has_suspended_listings=row["has_suspended_listings"],
            listings_with_errors=row["listings_with_errors"],
            problem=row["problem"],
            problem_code=row["problem_code"],
        )

    def health_for_home(self) -> dict[int, HomeHealth]:
        """What every card shows of its store's health, by store id, in one query (stores never checked
        are absent)."""
        return self._home_read()

    def changed_since(self, revision: int) -> dict[int, HomeHealth]:
        """The cards' health of the stores saved after `revision` (from `revision()`), in one query."""
        return self._home_read(revision)

    def revision(self) -> int:
        """A number that goes up with every health write: one single-row query, cheap to poll."""
        with self._db.session() as session:
            value = session.execute(select(_counter.c.revision).where(_counter.c.id == 1)).scalar()
        return int(value or 0)

    def log_of(self, store_id: int, limit: int = LOG_KEPT) -> list[CommunicationEntry]:
        """The store's communication log, newest first."""
        query = (
            select(_log.c.at, _log.c.operation, _log.c.code, _log.c.message)
            .where(_log.c.store_id == store_id)
            .order_by(_log.c.id.desc())
            .limit(limit)
        )
        with self._db.session() as session:
            return [CommunicationEntry(*row) for row in session.execute(query)]

    def _home_read(self, since: int | None = None) -> dict[int, HomeHealth]:
        query = select(*(_health.c[name] for name in _HOME_COLUMNS))
        if since is not None:
            query = query.where(_health.c.revision > since)
        with self._db.session() as session:
            rows = session.execute(query).all()
        return {
            store_id: HomeHealth(
                checked_at=checked_at,
                sales_30d_text=sales,
                currency=sys.intern(currency) if currency else None,
                is_participating=participating,
                has_suspended_listings=suspended,
                listings_with_errors=errors,
                problem=problem,
                daily_sales_text=daily,
            )
            for store_id, checked_at, daily, sales, currency, participating, suspended, errors, problem in rows
        }


def _row_values(health: StoreHealth) -> dict[str, Any]:
    """The row for this health; ValueError for values the columns cannot hold exactly."""
    sales = health.sales_30d
    sales_text = amount_text(sales.amount) if sales is not None else None
    if sales is not None and (len(sales.currency) != 3 or len(sales_text or "") > 40):
        raise ValueError(f"cannot store {sales!r}: a 3-letter currency and at most 40 characters")
    return {
        "checked_at": health.checked_at,
        "orders_30d": health.orders_30d,
        "units_30d": health.units_30d,
        "sales_30d": sales_text,
        "currency": sales.currency if sales is not None else None,
        "is_participating": health.is_participating,
        "has_suspended_listings": health.has_suspended_listings,
        "listings_with_errors": health.listings_with_errors,
        "problem_code": health.problem_code[:_CODE_MAX] if health.problem_code else health.problem_code,
        "problem": health.problem,
        "daily": encode_daily(health.daily),
        "daily_sales": encode_daily_sales(health.daily),
    }


def _money(amount: str | None, currency: str | None) -> Money | None:
    return Money(Decimal(amount), currency) if amount is not None and currency else None
