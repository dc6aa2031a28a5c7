"""authorizations: one per seller and SP-API region, shared by that seller's stores in the region

Revision ID: 0006_authorizations
Revises: 0005_daily_sales

Amazon's consent covers every marketplace of a region, so a seller's US, Canada and Mexico stores need one
refresh token, not three. Each connected store's token becomes an authorization of its seller and region;
two stores of the same seller and region keep the newer token (the later authorized_at) and share it. The
older token is noted as an orphan (the `orphan-secret/` preference the app's start-up cleanup reads), so
the app removes it from the keyring once no store points at it: a migration never touches the keyring.

`store` gains a column (an ALTER on both databases, no table rebuilt), so 0003's triggers stay.
"""

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006_authorizations"
down_revision = "0005_daily_sales"
branch_labels = None
depends_on = None

# Each marketplace's SP-API region, spelled out: a migration must not change when the app's table does.
REGIONS = {
    **dict.fromkeys(("US", "CA", "MX", "BR"), "NA"),
    **dict.fromkeys(
        ("UK", "IE", "DE", "FR", "IT", "ES", "NL", "SE", "PL", "BE", "TR", "AE", "SA", "EG", "IN", "ZA"), "EU"
    ),
    **dict.fromkeys(("JP", "AU", "SG"), "FE"),
}
ORPHAN_NOTE_PREFIX = "orphan-secret/"


def upgrade() -> None:
    authorization = op.create_table(
        "seller_authorization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column("token_ref", sa.String(length=64), nullable=True),
        sa.Column("authorized_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ux_seller_authorization_seller_region", "seller_authorization", ["seller_id", "region"], unique=True
    )
    if op.get_bind().dialect.name == "sqlite":
        # SQLite's ALTER takes a reference inline only; Alembic would rebuild the table (and drop 0003's
        # triggers) to add it as a constraint. No ON DELETE: an authorization is deleted only once no store
        # points at it (services.authorizations), and SQLite's reflection would not see the clause.
        op.execute(
            "ALTER TABLE store ADD COLUMN authorization_id INTEGER REFERENCES seller_authorization (id)"
        )
    else:
        op.add_column("store", sa.Column("authorization_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "store_authorization_id_fkey", "store", "seller_authorization", ["authorization_id"], ["id"]
        )
    op.create_index("ix_store_authorization_id", "store", ["authorization_id"], unique=False)
    _share_tokens(authorization)


def _share_tokens(authorization: sa.Table) -> None:
    store = sa.table(
        "store",
        sa.column("id", sa.Integer),
        sa.column("country", sa.String),
        sa.column("seller_id", sa.String),
        sa.column("token_ref", sa.String),
        sa.column("authorized_at", sa.DateTime),
        sa.column("auth_revoked", sa.Boolean),
        sa.column("updated_at", sa.DateTime),
        sa.column("authorization_id", sa.Integer),
    )
    preference = sa.table("preference", sa.column("key", sa.String), sa.column("value", sa.Text))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(store.c.id, store.c.country, store.c.seller_id, store.c.token_ref, store.c.authorized_at,
                  store.c.auth_revoked, store.c.updated_at)
        .where(store.c.seller_id.is_not(None))
        .order_by(store.c.id)
    ).all()  # fmt: skip
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in rows:
        region = REGIONS.get(row.country)
        if region is not None:
            groups[(row.seller_id, region)].append(row)
    noted: set[str] = set()
    for (seller_id, region), stores in groups.items():
        # The newer consent wins; between two of the same moment, the store added later.
        newest = max(stores, key=lambda r: (r.authorized_at is not None, r.authorized_at or 0, r.id))
        authorization_id = connection.execute(
            authorization.insert()
            .values(
                seller_id=seller_id,
                region=region,
                token_ref=newest.token_ref,
                authorized_at=newest.authorized_at,
                revoked=bool(newest.auth_revoked),
                updated_at=newest.updated_at,
            )
            .returning(authorization.c.id)
        ).scalar_one()
        for row in stores:
            connection.execute(
                store.update()
                .where(store.c.id == row.id)
                .values(
                    authorization_id=authorization_id,
                    token_ref=newest.token_ref,
                    authorized_at=newest.authorized_at,
                    auth_revoked=bool(newest.auth_revoked),
                )
            )
            old = row.token_ref
            if old and old != newest.token_ref and old not in noted:
                noted.add(old)
                key = ORPHAN_NOTE_PREFIX + old
                exists = connection.execute(
                    sa.select(preference.c.key).where(preference.c.key == key)
                ).first()
                if exists is None:
                    connection.execute(preference.insert().values(key=key, value=""))


def downgrade() -> None:
    # Each store keeps its copy of the shared token: every store still has a token it can use.
    op.drop_index("ix_store_authorization_id", table_name="store")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite drops a referencing column only by rebuilding the table, which drops its triggers too.
        with op.batch_alter_table("store", recreate="always") as batch:
            batch.drop_column("authorization_id")
        for event in ("insert", "update", "delete"):
            op.execute(
                f"CREATE TRIGGER store_{event}_bumps_revision AFTER {event.upper()} ON store "
                "BEGIN UPDATE registry_revision SET revision = revision + 1 WHERE id = 1; END"
            )
    else:
        op.drop_constraint("store_authorization_id_fkey", "store", type_="foreignkey")
        op.drop_column("store", "authorization_id")
    op.drop_index("ux_seller_authorization_seller_region", table_name="seller_authorization")
    op.drop_table("seller_authorization")
