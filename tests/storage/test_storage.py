"""Opening, migrating and refusing databases. Tests that take `backend` run on SQLite and PostgreSQL;
the others are about the SQLite file itself (its place, mode, WAL, permissions) or about no database."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text

from asc_tui.errors import DatabaseProblem
from asc_tui.storage.database import open_database, resolve_url
from asc_tui.storage.migrations import HEAD, REVISIONS
from tests.support.pg import PASSWORD, PASSWORD_ROLE, PostgresServer


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


def test_a_database_from_a_newer_app_is_refused_and_left_alone(backend: str) -> None:
    db = open_database()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    db.close()
    with pytest.raises(DatabaseProblem, match="newer asc-tui"):
        open_database()
    db = open_database(migrate=False)
    assert db.schema_version() == "9999_future"
    db.close()


def test_revisions_constant_matches_the_migration_scripts() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parents[2] / "asc_tui/storage/migrations"))
    scripts = ScriptDirectory.from_config(config)
    ordered = [rev.revision for rev in reversed(list(scripts.walk_revisions()))]
    assert tuple(ordered) == REVISIONS


def test_reopening_a_database_keeps_its_data(backend: str) -> None:
    """The second open finds the schema current and leaves the rows alone."""
    db = open_database()
    assert db.backend == backend and db.schema_version() == HEAD
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO preference (key, value) VALUES ('presetup.cron', 'done')"))
    db.close()
    db = open_database()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM preference WHERE key='presetup.cron'")).scalar() == "done"
    db.close()


def test_migrations_build_exactly_the_models(backend: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    db = open_database()
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
    db.close()


def _empty_database(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'old.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("pg_server")
    url = server.new_database(migrated=False)
    request.addfinalizer(lambda: server.drop_database(url))
    return url


def test_upgrading_from_the_first_schema_keeps_every_row(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """0002 recreates `store` on SQLite (batch mode; plain ALTERs on PostgreSQL); its activity log
    (ON DELETE CASCADE) must survive that, and 0003's revision counter starts counting."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    url = _empty_database(backend, tmp_path, request)
    engine = create_engine(url)
    if backend == "sqlite":

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
                "created_at, updated_at) VALUES ('Old', 'old', 'a@b.co', 'US', 'base', 'not_connected', false, "
                "1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO activity (store_id, at, action, detail) VALUES (1, '2026-01-01', 'created', '')"
            )
        )
    engine.dispose()

    db = open_database(url)
    assert db.schema_version() == HEAD
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM activity")).scalar() == 1
        assert conn.execute(text("SELECT name FROM store")).scalar() == "Old"
        if backend == "sqlite":
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    revision = conn_revision(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE store SET email = 'new@b.co'"))
        conn.execute(text("DELETE FROM store"))
        assert conn.execute(text("SELECT count(*) FROM activity")).scalar() == 0  # cascaded
    assert conn_revision(db) > revision + 1
    db.close()


def conn_revision(db) -> int:  # type: ignore[no-untyped-def]
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT revision FROM registry_revision")).scalar_one())


def test_a_failed_sqlite_upgrade_is_undone_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The upgrade runs in one write transaction: a failure half-way leaves the old schema, not half."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    path = tmp_path / "half.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    config = AlembicConfig()
    config.set_main_option("script_location", "asc_tui/storage/migrations")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0002_connect")
    engine.dispose()

    import alembic.command

    real_upgrade = alembic.command.upgrade

    def upgrade_then_fail(config, revision) -> None:  # type: ignore[no-untyped-def]
        real_upgrade(config, revision)
        raise DatabaseProblem("the disk broke half-way")

    monkeypatch.setattr(alembic.command, "upgrade", upgrade_then_fail)
    with pytest.raises(DatabaseProblem, match="half-way"):
        open_database(str(path))
    monkeypatch.setattr(alembic.command, "upgrade", real_upgrade)
    db = open_database(str(path), migrate=False)
    assert db.schema_version() == "0002_connect"
    with db.engine.connect() as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM sqlite_master WHERE name='registry_revision'")).scalar()
            == 0
        )
    db.close()
    db = open_database(str(path))
    assert db.schema_version() == HEAD
    db.close()


def test_two_copies_opening_a_new_database_at_once_both_work(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Two admins start the app on a new, empty registry at the same moment: one migrates, the other waits."""
    url = _empty_database(backend, tmp_path, request)
    script = (
        "import sys; from asc_tui.storage.database import open_database; "
        "db = open_database(sys.argv[1]); print(db.schema_version()); db.close()"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert [out.strip() for out, _err in results] == [HEAD, HEAD]


# --- PostgreSQL: what an admin meets when the URL or the server is wrong, in one sentence ----------------


@pytest.mark.postgres
def test_postgresql_problems_are_one_sentence_each(
    pg_server: PostgresServer, pg_url: str, refused_port: int
) -> None:
    database = pg_url.rsplit("/", 1)[1]
    cases = [
        (pg_server.url(database, PASSWORD_ROLE, "wrong"), "refused user 'asc_with_password': wrong password"),
        (pg_server.url(database, PASSWORD_ROLE), "wants a password for user 'asc_with_password'"),
        (
            pg_server.url("no_such_db"),
            "There is no database 'no_such_db' on the PostgreSQL server at 127.0.0.1",
        ),
        (pg_server.url(database, "nobody"), "has no user 'nobody'"),
    ]
    closed_port = refused_port
    cases.append(
        (
            f"postgresql+psycopg://postgres@127.0.0.1:{closed_port}/x",
            f"127.0.0.1:{closed_port} refused the connection",
        )
    )
    for url, message in cases:
        with pytest.raises(DatabaseProblem) as caught:
            open_database(url)
        said = str(caught.value)
        assert message in said, said
        assert "\n" not in said and said.endswith(".") and "wrong@" not in said and ":wrong" not in said
    # The right password works, and the message for a URL never shows it.
    open_database(pg_server.url(database, PASSWORD_ROLE, PASSWORD)).close()


def test_plain_postgresql_urls_mean_the_bundled_driver() -> None:
    assert resolve_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_url("postgresql://u@h:5433/db") == "postgresql+psycopg://u@h:5433/db"
    assert resolve_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


def test_the_sandbox_never_takes_the_team_database_from_the_environment(
    isolated_home,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    from asc_tui.storage.database import resolve_url
    from asc_tui.system import paths

    monkeypatch.setenv("ASC_TUI_DATABASE", "postgresql+psycopg://team@db.example.com/stores")
    assert resolve_url(None, sandbox=True) == f"sqlite:///{paths.default_database_file(True)}"
    assert resolve_url(None, sandbox=False).startswith("postgresql+psycopg://team@")
