"""Migrations 0004 (store health) and 0005 (the days' sales alone) on SQLite and PostgreSQL: a registry at
0003 keeps its stores, gains empty health, and goes back to 0003 without losing them; health checked at
0004 shows on the home's cards after 0005."""

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine

from asc_tui.storage.database import open_database
from asc_tui.storage.migrations import HEAD
from tests.support.pg import PostgresServer

HEALTH_TABLES = {"store_health", "communication_log", "health_revision"}


def _old_registry(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> tuple[str, Engine]:
    """An empty database and an engine on it that enforces foreign keys as the app's does."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    else:
        server: PostgresServer = request.getfixturevalue("pg_server")
        url = server.new_database(migrated=False)
        request.addfinalizer(lambda: server.drop_database(url))
    engine = create_engine(url)
    if backend == "sqlite":

        @event.listens_for(engine, "connect")
        def foreign_keys_on(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_connection.execute("PRAGMA foreign_keys=ON")

    return url, engine


def _migrate(engine: Engine, target: str, *, down: bool = False) -> None:
    from alembic import command
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", "asc_tui/storage/migrations")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, target)


def _tables(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def test_a_registry_at_0003_keeps_its_stores_gains_empty_health_and_goes_back(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url, engine = _old_registry(backend, tmp_path, request)
    _migrate(engine, "0003_revision")
    with engine.begin() as conn:
        for name in ("Old", "Older"):
            conn.execute(
                text(
                    "INSERT INTO store (name, name_key, email, country, website, status, auth_revoked, "
                    "version, created_at, updated_at) VALUES (:n, :k, 'a@b.co', 'US', 'base', "
                    "'not_connected', false, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                ),
                {"n": name, "k": name.lower()},
            )
        before = conn.execute(text("SELECT revision FROM registry_revision WHERE id = 1")).scalar_one()
    engine.dispose()

    db = open_database(url)  # the app's own upgrade, as an admin meets it
    assert db.schema_version() == HEAD
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM store ORDER BY id")).scalars().all() == ["Old", "Older"]
        assert conn.execute(text("SELECT count(*) FROM store_health")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM communication_log")).scalar() == 0
        assert conn.execute(text("SELECT revision FROM health_revision WHERE id = 1")).scalar() == 0
        # Only new tables: the registry's counter did not move, and its triggers still fire.
        assert conn.execute(text("SELECT revision FROM registry_revision WHERE id = 1")).scalar() == before
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE store SET email = 'new@b.co' WHERE name = 'Old'"))
        assert (
            conn.execute(text("SELECT revision FROM registry_revision WHERE id = 1")).scalar() == before + 1
        )
        # Health written before the downgrade goes with the tables, not into the way of the stores.
        conn.execute(text("INSERT INTO store_health (store_id, revision, daily) VALUES (1, 1, '[]')"))
    db.close()

    _migrate(engine, "0003_revision", down=True)
    assert not HEALTH_TABLES & _tables(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM store")).scalar() == 2
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0003_revision"
    engine.dispose()

    db = open_database(url)  # and up again, from the downgraded registry
    assert db.schema_version() == HEAD and _tables(db.engine) >= HEALTH_TABLES
    db.close()


def test_health_checked_before_0005_draws_the_same_days_on_the_home(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url, engine = _old_registry(backend, tmp_path, request)
    _migrate(engine, "0004_health")
    daily = '[["2026-11-01",2,3,"19.99"],["2026-11-02",0,0,"0"],["2026-11-03",1,1,"-5.50"]]'
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO store (name, name_key, email, country, website, status, auth_revoked, "
                "version, created_at, updated_at) VALUES ('Old', 'old', 'a@b.co', 'US', 'base', "
                "'active', false, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
        store_id = conn.execute(text("SELECT id FROM store")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO store_health (store_id, revision, sales_30d, currency, daily) "
                "VALUES (:id, 1, '14.49', 'USD', :daily)"
            ),
            {"id": store_id, "daily": daily},
        )
    engine.dispose()

    db = open_database(url)
    try:
        from asc_tui.services.health import HealthService

        health = HealthService(db)
        home = health.health_for_home()[store_id]
        assert home.daily_sales == (Decimal("19.99"), Decimal("0"), Decimal("-5.50"))
        # The store view still reads every day whole.
        whole = health.health_of(store_id)
        assert whole is not None and [day.orders for day in whole.daily] == [2, 0, 1]
    finally:
        db.close()
