"""revision: a counter every store and activity change bumps, for cheap change detection

Revision ID: 0003_revision
Revises: 0002_connect

Triggers bump the counter in the same transaction as the change, so it is exact whoever writes: this app,
another admin's copy, the CLI, a script. A later migration that recreates `store` or `activity` on SQLite
(batch mode, recreate) drops their triggers with the old table: it must create them again
(`create_triggers` below); tests/storage/test_storage.py checks that every change still bumps the counter.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_revision"
down_revision = "0002_connect"
branch_labels = None
depends_on = None

TABLES = ("store", "activity")
BUMP = "UPDATE registry_revision SET revision = revision + 1 WHERE id = 1"


def create_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(
                    f"CREATE TRIGGER {table}_{event}_bumps_revision AFTER {event.upper()} ON {table} "
                    f"BEGIN {BUMP}; END"
                )
        return
    op.execute(
        "CREATE FUNCTION asc_tui_bump_revision() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_bumps_revision AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION asc_tui_bump_revision()"
        )


def drop_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{event}_bumps_revision")
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_bumps_revision ON {table}")
    op.execute("DROP FUNCTION IF EXISTS asc_tui_bump_revision()")


def upgrade() -> None:
    op.create_table(
        "registry_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO registry_revision (id, revision) VALUES (1, 0)")
    create_triggers()


def downgrade() -> None:
    drop_triggers()
    op.drop_table("registry_revision")
