import os
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from asc_tui.errors import DatabaseProblem
from asc_tui.storage.database import open_database
from asc_tui.storage.migrations import HEAD, REVISIONS


def test_default_database_is_created_owner_only_in_wal_mode(isolated_home: Path) -> None:
    db = open_database()
    try:
        assert db.path is not None and db.path.parent == isolated_home / "data"
        assert stat.S_IMODE(db.path.stat().st_mode) == 0o600
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert db.schema_version() == HEAD
    finally:
        db.close()


def test_path_and_url_and_env_all_name_the_same_kind_of_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for value in (str(tmp_path / "a.db"), f"sqlite:///{tmp_path / 'b.db'}"):
        open_database(value).close()
    monkeypatch.setenv("ASC_TUI_DATABASE", str(tmp_path / "c.db"))
    open_database().close()
    assert {p.name for p in tmp_path.glob("*.db")} == {"a.db", "b.db", "c.db"}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("/no/such/folder/x.db", "does not exist"),
        ("mysql://user@host/db", "Unknown database URL scheme"),
        ("foo://x", "Unknown database URL scheme"),
        ("sqlite://", "in-memory"),
    ],
)
def test_bad_database_locations_get_one_sentence(value: str, message: str) -> None:
    with pytest.raises(DatabaseProblem, match=message):
        open_database(value)


def test_read_only_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    if os.geteuid() == 0:
        # root ignores permission bits, so make the folder read-only the way a read-only mount looks to it
        real_access = os.access
        monkeypatch.setattr(
            os, "access", lambda p, m, **k: False if Path(p) == folder else real_access(p, m, **k)
        )
    with pytest.raises(DatabaseProblem, match="read-only"):
        open_database(str(folder / "x.db"))
    assert not (folder / "x.db").exists()


def test_corrupt_file_is_named_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "stores.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(DatabaseProblem, match="not an asc-tui database"):
        open_database(str(path))
    assert path.read_bytes().startswith(b"this is not sqlite")


def test_a_database_from_a_newer_app_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    open_database(str(path)).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(DatabaseProblem, match="newer asc-tui"):
        open_database(str(path))


def test_revisions_constant_matches_the_migration_scripts() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parents[2] / "asc_tui/storage/migrations"))
    scripts = ScriptDirectory.from_config(config)
    ordered = [rev.revision for rev in reversed(list(scripts.walk_revisions()))]
    assert tuple(ordered) == REVISIONS


def test_reopening_a_database_keeps_its_data(tmp_path: Path) -> None:
    """The second open finds the schema current and leaves the rows alone."""
    path = tmp_path / "keep.db"
    db = open_database(str(path))
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO preference (key, value) VALUES ('presetup.cron', 'done')"))
    db.close()
    db = open_database(str(path))
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM preference WHERE key='presetup.cron'")).scalar() == "done"
    db.close()


def test_migrations_build_exactly_the_models(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    db = open_database(str(tmp_path / "drift.sqlite3"))
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
    db.close()


def test_upgrading_from_the_first_schema_keeps_every_row(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """0002 recreates `store` on SQLite; its activity log (ON DELETE CASCADE) must survive that."""
    from alembic import command
    from alembic.config import Config as AlembicConfig
    from sqlalchemy import create_engine, event, text

    path = tmp_path / "old.sqlite3"
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def foreign_keys_on(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    config = AlembicConfig()
    config.set_main_option("script_location", "asc_tui/storage/migrations")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001_initial")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO store (name, name_key, email, country, website, status, auth_revoked, version, "
                "created_at, updated_at) VALUES ('Old', 'old', 'a@b.co', 'US', 'base', 'not_connected', 0, 1, "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO activity (store_id, at, action, detail) VALUES (1, '2026-01-01', 'created', '')"
            )
        )
    engine.dispose()

    db = open_database(str(path))
    assert db.schema_version() == HEAD
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM activity")).scalar() == 1
        assert conn.execute(text("SELECT name FROM store")).scalar() == "Old"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.close()
