"""connect: where each store's refresh token is filed, and connect attempts in progress

Revision ID: 0002_connect
Revises: 0001_initial

"""

import sqlalchemy as sa
from alembic import op

revision = "0002_connect"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    # Recreated on SQLite with AUTOINCREMENT, so a deleted store's id is never given to a new one.
    with op.batch_alter_table(
        "store", recreate="always" if is_sqlite else "auto", table_kwargs={"sqlite_autoincrement": True}
    ) as batch:
        batch.add_column(sa.Column("token_ref", sa.String(length=64), nullable=True))
        batch.create_index("ux_store_seller_marketplace", ["seller_id", "marketplace_id"], unique=True)
    op.create_table(
        "connect_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("user", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("secret_ref", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("store_id"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("connect_attempt")
    with op.batch_alter_table("store") as batch:
        batch.drop_index("ux_store_seller_marketplace")
        batch.drop_column("token_ref")
