"""The home's first screenful, read straight from the SQLite file with the standard library.

Importing SQLModel and SQLAlchemy costs about half a second on a small server, more than painting the
whole app. Before the registry has opened, the app reads the stores and the cached catalog here (only
from an existing SQLite file whose schema is current; anything else waits for the registry), shows them,
and replaces them with the registry's own rows a moment later. Nothing is ever written here.
"""

from __future__ import annotations

import sqlite3
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from asc_tui.commerce.model import Catalog
from asc_tui.domain.health import HomeHealth
from asc_tui.storage.location import sqlite_file
from asc_tui.storage.migrations import HEAD

ROW_FIELDS = (
    "id", "name", "email", "country", "website", "product_id_type", "attribute", "status", "seller_id",
    "marketplace_id", "authorized_at", "auth_revoked", "token_ref", "version", "created_at", "updated_at",
)  # fmt: skip
_COLUMNS = ", ".join(ROW_FIELDS)


@dataclass(frozen=True, slots=True)
class StoreRow:
    """A store as the cards show it (the same attributes as the storage model's, read-only)."""

    id: int
    name: str
    email: str
    country: str
    website: str
    product_id_type: str | None
    attribute: str | None
    status: str
    seller_id: str | None
    marketplace_id: str | None
    authorized_at: datetime | None
    auth_revoked: bool
    token_ref: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class HomeRead(NamedTuple):
    stores: list[StoreRow]
    catalog: Catalog | None
    # The registry's revision counter, read before the rows: if the registry still says this number once
    # it is open, nothing changed since, and these rows are its rows too.
    revision: int
    # What the cards show of these stores' health, by store id: read here too, so that the first cards are
    # not drawn once without it and again with it (over SSH, every card twice).
    health: dict[int, HomeHealth] = {}  # a NamedTuple default, never changed
    health_revision: int = 0  # as `revision`, for the health: read before its rows


def read_home(db: str | None, sandbox: bool, *, limit: int | None = None) -> HomeRead | None:
    """The stores (oldest first; the first `limit` only, when given), the cached catalog and the revision,
    or None when this fast path does not apply."""
    path = sqlite_file(db, sandbox)
    if path is None or not path.is_file():
        return None
    connection = _connect(path)
    if connection is None:
        return None
    try:
        version = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        if version is None or version[0] != HEAD:
            return None  # a migration is due: the registry runs it
        revision = connection.execute("SELECT revision FROM registry_revision WHERE id = 1").fetchone()
        query = f"SELECT {_COLUMNS} FROM store ORDER BY created_at, id"
        rows = connection.execute(query + (f" LIMIT {int(limit)}" if limit else "")).fetchall()
        snapshot = connection.execute(
            "SELECT source, fetched_at, websites_json, store_views_json, attributes_json "
            "FROM catalog_snapshot ORDER BY id DESC LIMIT 1"
        ).fetchone()
        health_revision = connection.execute("SELECT revision FROM health_revision WHERE id = 1").fetchone()
        health_query = f"SELECT {_HEALTH_COLUMNS} FROM store_health"
        if limit:
            health_query += f" WHERE store_id IN ({','.join(str(int(row[0])) for row in rows) or 'NULL'})"
        # Row by row, not fetchall: 10,000 rows' tuples never sit beside the health they become.
        health = {int(row[0]): _health(row) for row in connection.execute(health_query)}
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    stores = [_store(row) for row in rows]
    catalog = None
    if snapshot is not None:
        try:
            catalog = Catalog.decode(snapshot[0], _time(snapshot[1]) or datetime.now(UTC), *snapshot[2:])
        except (ValueError, TypeError, KeyError):
            catalog = None
    return HomeRead(
        stores,
        catalog,
        int(revision[0]) if revision is not None else 0,
        health,
        int(health_revision[0]) if health_revision is not None else 0,
    )


_HEALTH_COLUMNS = (
    "store_id, checked_at, sales_30d, currency, is_participating, has_suspended_listings, "
    "listings_with_errors, problem, daily_sales"
)


def _health(row: tuple[object, ...]) -> HomeHealth:
    _id, checked, sales, currency, participating, suspended, errors, problem, daily = row
    return HomeHealth(
        checked_at=_time(checked),
        sales_30d_text=sales if isinstance(sales, str) else None,
        # One string per currency instead of one per store (10,000 stores, a handful of currencies).
        currency=sys.intern(currency) if isinstance(currency, str) else None,
        is_participating=None if participating is None else bool(participating),
        has_suspended_listings=None if suspended is None else bool(suspended),
        listings_with_errors=errors if isinstance(errors, int) else None,
        problem=problem if isinstance(problem, str) else None,
        daily_sales_text=daily if isinstance(daily, str) else "",
    )


def _connect(path: Path) -> sqlite3.Connection | None:
    """A read-only connection to the file, or None when it cannot be read here."""
    uri = path.resolve().as_uri()
    try:
        connection = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return None
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return connection
    except sqlite3.Error:
        connection.close()
    # A folder this user cannot write (a read-only mount, another user's folder) or a full disk: SQLite
    # cannot make its WAL index beside the file. With no change waiting in a -wal (nobody has the file
    # open), the file itself holds every committed store: read it as it is.
    wal = path.with_name(path.name + "-wal")
    try:
        if wal.exists() and wal.stat().st_size > 0:
            return None
    except OSError:
        return None
    try:
        return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=1)
    except sqlite3.Error:
        return None


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # stored in UTC without an offset


def _store(row: tuple[object, ...]) -> StoreRow:
    (id_, name, email, country, website, pid_type, attribute, status, seller, marketplace, authorized,
     revoked, token_ref, version, created, updated) = row  # fmt: skip
    # The columns a handful of values repeat across the registry (countries, websites, statuses, sellers)
    # are interned: one string each instead of one per store, 2 MB of 10,000 stores' rows.
    return StoreRow(
        id=int(id_),  # type: ignore[call-overload]
        name=str(name),
        email=str(email),
        country=sys.intern(str(country)),
        website=sys.intern(str(website)),
        product_id_type=sys.intern(pid_type) if isinstance(pid_type, str) else None,
        attribute=sys.intern(attribute) if isinstance(attribute, str) else None,
        status=sys.intern(str(status)),
        seller_id=sys.intern(seller) if isinstance(seller, str) else None,
        marketplace_id=sys.intern(marketplace) if isinstance(marketplace, str) else None,
        authorized_at=_time(authorized),
        auth_revoked=bool(revoked),
        token_ref=token_ref if isinstance(token_ref, str) else None,
        version=int(version),  # type: ignore[call-overload]
        created_at=_time(created) or datetime.now(UTC),
        updated_at=_time(updated) or datetime.now(UTC),
    )
