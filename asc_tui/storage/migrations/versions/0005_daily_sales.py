"""daily_sales: the 30 days' sales alone, as short text, for the home's sparklines

Revision ID: 0005_daily_sales
Revises: 0004_health

The home reads every store's health at once, and only each day's sales of its points: `daily` (date,
orders, units and sales a day, about 840 characters) made 10,000 stores' health 12 MB of the home's
memory, the amounts alone (about 200 characters) make it 6 MB. The column is filled from `daily` here
and written beside it on every refresh (services.health); `daily` stays the store view's and scripts'.
Only a column is added, so 0003's triggers on `store` stay as they are.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0005_daily_sales"
down_revision = "0004_health"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("store_health") as batch:
        batch.add_column(sa.Column("daily_sales", sa.Text(), nullable=False, server_default=""))
    table = sa.table("store_health", sa.column("store_id", sa.Integer), sa.column("daily", sa.Text),
                     sa.column("daily_sales", sa.Text))  # fmt: skip
    connection = op.get_bind()
    rows = connection.execute(sa.select(table.c.store_id, table.c.daily)).all()
    for store_id, daily in rows:
        # The same text as asc_tui.domain.health.encode_daily_sales, spelled out: a migration must not
        # change when the app's code does.
        sales = " ".join(str(point[3]) for point in json.loads(daily or "[]"))
        connection.execute(table.update().where(table.c.store_id == store_id).values(daily_sales=sales))


def downgrade() -> None:
    with op.batch_alter_table("store_health") as batch:
        batch.drop_column("daily_sales")
