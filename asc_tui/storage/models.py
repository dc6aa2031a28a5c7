"""The tables. Secrets never go here: refresh tokens and credentials live in the keyring."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Text
from sqlmodel import Field, SQLModel

from asc_tui.domain import utcnow


class SellerAuthorization(SQLModel, table=True):
    """One seller's consent in one SP-API region (NA, EU, FE): Amazon's refresh token covers every
    marketplace of the region, so the stores of one seller in one region share it and are renewed, revoked
    and checked together. The token is in the keyring; `token_ref` names it.

    Each store on it keeps a copy of `token_ref`, `authorized_at` and `revoked` (as store.auth_revoked), so
    that reading 10,000 stores for the home needs no join; services.authorizations writes the copies in the
    same transaction as the authorization, and nothing else writes them.
    """

    # "authorization" is a reserved word in SQL (PostgreSQL's AUTHORIZATION).
    __tablename__ = "seller_authorization"
    __table_args__ = (
        Index("ux_seller_authorization_seller_region", "seller_id", "region", unique=True),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    seller_id: str = Field(max_length=64)
    region: str = Field(max_length=2)
    # None when the consent was given on another machine: its keyring holds the token, this one's does not.
    token_ref: str | None = Field(default=None, max_length=64)
    authorized_at: datetime | None = None
    revoked: bool = False
    updated_at: datetime = Field(default_factory=utcnow)


class Store(SQLModel, table=True):
    __tablename__ = "store"
    __table_args__ = (
        Index("ix_store_status", "status"),
        Index("ix_store_created_at", "created_at"),
        # One Seller Central account's marketplace feeds one store, even when two admins connect at once.
        Index("ux_store_seller_marketplace", "seller_id", "marketplace_id", unique=True),
        # Never reuse a deleted store's id: a screen or an attempt still holding it must not hit a new store.
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    # The trimmed, case-folded name: a unique index makes name clashes impossible even under races.
    name_key: str = Field(max_length=80, unique=True)
    email: str = Field(max_length=254)
    country: str = Field(max_length=2, index=True)
    website: str = Field(max_length=255, index=True)
    product_id_type: str | None = Field(default=None, max_length=8)
    attribute: str | None = Field(default=None, max_length=255)
    status: str = Field(default="not_connected", max_length=16)
    seller_id: str | None = Field(default=None, max_length=64)
    marketplace_id: str | None = Field(default=None, max_length=32)
    authorized_at: datetime | None = None
    auth_revoked: bool = False
    # Where the refresh token is filed in the keyring (a random reference, not the token itself).
    token_ref: str | None = Field(default=None, max_length=64)
    # The seller's authorization in this store's region; the three fields above are its copies.
    # An authorization is deleted only once no store points at it (services.authorizations).
    authorization_id: int | None = Field(default=None, foreign_key="seller_authorization.id", index=True)
    # Bumped by every change: an edit based on an older version is refused instead of overwriting.
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Activity(SQLModel, table=True):
    """The store's activity log: one row per change, shown in the store view."""

    __tablename__ = "activity"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True, ondelete="CASCADE")
    at: datetime = Field(default_factory=utcnow)
    action: str = Field(max_length=32)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class CatalogSnapshot(SQLModel, table=True):
    """The Commerce catalog as last fetched: replaced whole, so a failed refresh keeps the old one."""

    __tablename__ = "catalog_snapshot"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=255)
    fetched_at: datetime = Field(default_factory=utcnow)
    websites_json: str = Field(sa_column=Column(Text, nullable=False))
    store_views_json: str = Field(sa_column=Column(Text, nullable=False))
    attributes_json: str = Field(sa_column=Column(Text, nullable=False))


class Preference(SQLModel, table=True):
    """Small per-registry settings, such as which pre-setup tasks are ticked."""

    __tablename__ = "preference"

    key: str = Field(primary_key=True, max_length=128)
    value: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class ConnectAttempt(SQLModel, table=True):
    """A connect attempt in progress: a lock on the store, and the trail a crashed attempt leaves.

    `secret_ref` names a keyring entry the attempt may have written and not yet handed to the store; the
    cleanup at start removes it unless a store uses it, so a crash never leaves an orphan secret.
    """

    __tablename__ = "connect_attempt"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: int | None = Field(default=None, primary_key=True)
    # Random per attempt: a row is only ever changed by the attempt that made it.
    nonce: str = Field(max_length=32)
    store_id: int = Field(foreign_key="store.id", unique=True, ondelete="CASCADE")
    host: str = Field(max_length=255)
    user: str = Field(max_length=255)
    pid: int
    started_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    secret_ref: str | None = Field(default=None, max_length=64)


class RegistryRevision(SQLModel, table=True):
    """One row whose counter goes up with every change to a store or its activity log.

    Database triggers (migration 0003) bump it in the same transaction as the change, whoever makes it, so
    a copy of the app learns that the home must be reloaded from one tiny query. Deletes count too.
    """

    __tablename__ = "registry_revision"

    id: int = Field(primary_key=True)
    revision: int = Field(sa_column=Column(BigInteger, nullable=False))


class StoreHealthRecord(SQLModel, table=True):
    """A store's health as last checked (asc_tui.domain.health.StoreHealth): one row a store, replaced whole.

    Amounts are decimal text, exact on both backends (SQLite would keep a Numeric as a float). Deleting the
    store deletes this row. The 30 daily points are one text column (asc_tui.domain.health.encode_daily), not a
    row a day: they are always written and read together and never searched, and the home reads them for
    every store at once: 10,000 stores' points took 1.3 to 2.3 times as long from 300,000 child rows as
    from 10,000 texts all decoded, and 3 to 4 times as long as the texts left for each card to decode
    when painted, which the home does (benchmarks/health_read.py, SQLite and PostgreSQL).
    """

    __tablename__ = "store_health"
    __table_args__ = (Index("ix_store_health_revision", "revision"),)

    store_id: int = Field(primary_key=True, foreign_key="store.id", ondelete="CASCADE")
    # The health counter (HealthRevision) as this row was written: the home reads only rows newer than
    # the ones it shows, instead of every store.
    revision: int = Field(sa_column=Column(BigInteger, nullable=False))
    checked_at: datetime | None = None
    orders_30d: int | None = None
    units_30d: int | None = None
    sales_30d: str | None = Field(default=None, max_length=40)
    currency: str | None = Field(default=None, max_length=3)
    is_participating: bool | None = None
    has_suspended_listings: bool | None = None
    listings_with_errors: int | None = None
    problem_code: str | None = Field(default=None, max_length=64)
    problem: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    daily: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    # The same days' sales alone (encode_daily_sales), all the home reads of the points: a quarter of
    # `daily`'s text, which for 10,000 stores is 6 MB of the home's memory (migration 0005).
    daily_sales: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class CommunicationLog(SQLModel, table=True):
    """Exchanges with Amazon that went wrong, per store: the last LOG_KEPT entries (pruned on write)."""

    __tablename__ = "communication_log"
    __table_args__ = (Index("ix_communication_log_store_id_id", "store_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", ondelete="CASCADE")
    at: datetime
    operation: str = Field(max_length=64)
    code: str = Field(max_length=64)
    message: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class HealthRevision(SQLModel, table=True):
    """One row whose counter goes up with every health write (services/health.py bumps it).

    Apart from RegistryRevision on purpose: a refresh writes health for one store after another, and the
    home must then reread those stores' health, not reload all 10,000 stores; and a long refresh must not
    queue behind admins' edits on one locked row (nor they behind it) on PostgreSQL.
    """

    __tablename__ = "health_revision"

    id: int = Field(primary_key=True)
    revision: int = Field(sa_column=Column(BigInteger, nullable=False))
