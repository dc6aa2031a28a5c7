"""health: each store's health as last checked, its communication log, and a counter of health writes

Revision ID: 0004_health
Revises: 0003_revision

Only new tables: `store` and `activity` are not recreated, so 0003's triggers stay as they are. Health
writes bump their own counter (`health_revision`), not the registry's: see models.HealthRevision.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_health"
down_revision = "0003_revision"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_health",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("orders_30d", sa.Integer(), nullable=True),
        sa.Column("units_30d", sa.Integer(), nullable=True),
        sa.Column("sales_30d", sa.String(length=40), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("is_participating", sa.Boolean(), nullable=True),
        sa.Column("has_suspended_listings", sa.Boolean(), nullable=True),
        sa.Column("listings_with_errors", sa.Integer(), nullable=True),
        sa.Column("problem_code", sa.String(length=64), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("daily", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("store_id"),
    )
    op.create_index("ix_store_health_revision", "store_health", ["revision"], unique=False)
    op.create_table(
        "communication_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operation", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_communication_log_store_id_id", "communication_log", ["store_id", "id"], unique=False)
    op.create_table(
        "health_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO health_revision (id, revision) VALUES (1, 0)")


def downgrade() -> None:
    op.drop_table("health_revision")
    op.drop_index("ix_communication_log_store_id_id", table_name="communication_log")
    op.drop_table("communication_log")
    op.drop_index("ix_store_health_revision", table_name="store_health")
    op.drop_table("store_health")
