"""Opening the registry: SQLite file by default, any SQLAlchemy URL for a team; migrations on open."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    NoSuchModuleError,
    SQLAlchemyError,
)
from sqlmodel import Session

from asc_tui.errors import DatabaseProblem
from asc_tui.i18n import _
from asc_tui.storage.location import named_database, resolve_url
from asc_tui.storage.migrations import HEAD, REVISIONS
from asc_tui.storage.problems import BUSY_TIMEOUT_MS as BUSY_TIMEOUT_MS  # also the PostgreSQL lock timeout
from asc_tui.storage.problems import (
    describe_operational_error,
    is_connection_problem,
    user_name,
    write_problem,
)

SUPPORTED_BACKENDS = ("sqlite", "postgresql")
# PostgreSQL: give up connecting after this long, and notice a cut network within seconds, not the
# kernel's default quarter of an hour (each only where the URL does not set it itself).
PG_CONNECT_DEFAULTS: dict[str, Any] = {
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 3,
    "keepalives_count": 3,
    "tcp_user_timeout": 15000,
    "application_name": "asc-tui",
    # What SQLite's busy timeout is: a row or table another session holds longer than this ends the
    # statement with one sentence instead of waiting for ever.
    "options": f"-c lock_timeout={BUSY_TIMEOUT_MS}",
}
# Two copies of the app opening a new PostgreSQL registry at once migrate it one after the other.
PG_MIGRATION_LOCK = 0x41534354  # "ASCT"


@dataclass
class Database:
    engine: Engine
    url: str  # with any password hidden, for messages
    path: Path | None  # the SQLite file, when it is one

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work; objects stay readable after commit (they are handed to other threads).

        A database that is busy, gone or unreachable becomes one DatabaseProblem sentence.
        """
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
            except DBAPIError as exc:
                if not is_connection_problem(exc):
                    raise
                with suppress(SQLAlchemyError):
                    session.rollback()
                raise DatabaseProblem(describe_operational_error(exc, self.url, self.path)) from None

    def schema_version(self) -> str | None:
        with self.engine.connect() as conn:
            return _current_revision(conn)

    def close(self) -> None:
        self.engine.dispose()


def open_database(db: str | None = None, *, sandbox: bool = False, migrate: bool = True) -> Database:
    url_text = resolve_url(db, sandbox)
    try:
        url = make_url(url_text)
    except ArgumentError:
        raise DatabaseProblem(
            _(
                "{url_text!r} is not a database URL; give a file path or a URL such as sqlite:///PATH or "
                "postgresql+psycopg://user@host/dbname."
            ).format(url_text=url_text)
        ) from None
    shown = url.render_as_string(hide_password=True)
    backend = url.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise DatabaseProblem(
            _(
                "Unknown database URL scheme {drivername!r}; use a file path, sqlite:///PATH or "
                "postgresql+psycopg://user@host/dbname."
            ).format(drivername=url.drivername)
        )
    path: Path | None = None
    connect_args: dict[str, Any] = {}
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise DatabaseProblem(
                _("An in-memory database would lose every store on exit; give a file path.")
            )
        path = Path(url.database)
        _prepare_sqlite_file(path, default=not named_database(db, sandbox))
        connect_args = {"timeout": BUSY_TIMEOUT_MS / 1000}
    else:
        connect_args = {k: v for k, v in PG_CONNECT_DEFAULTS.items() if k not in url.query}
    try:
        engine = create_engine(url, connect_args=connect_args, pool_pre_ping=backend != "sqlite")
    except (NoSuchModuleError, ArgumentError, ImportError) as exc:
        raise DatabaseProblem(
            _("The database driver for {drivername!r} is not available ({reason}).").format(
                drivername=url.drivername, reason=exc
            )
        ) from None
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    database = Database(engine=engine, url=shown, path=path)
    try:
        if migrate:
            migrate_database(database)
        else:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
    except DBAPIError as exc:
        engine.dispose()
        if (
            path is not None
            and isinstance(exc.orig, sqlite3.DatabaseError)
            and "not a database" in str(exc.orig)
        ):
            raise DatabaseProblem(
                _(
                    "{path} is not an asc-tui database (the file is corrupt or of another kind); move it "
                    "aside or choose another --db."
                ).format(path=path)
            ) from None
        if is_connection_problem(exc):
            raise DatabaseProblem(describe_operational_error(exc, shown, path)) from None
        raise DatabaseProblem(
            _("The database {shown} cannot be opened: {reason}.").format(
                shown=shown, reason=str(exc.orig).strip().splitlines()[0]
            )
        ) from None
    except SQLAlchemyError as exc:
        engine.dispose()
        raise DatabaseProblem(
            _("The database {shown} cannot be opened: {reason}.").format(shown=shown, reason=exc)
        ) from None
    return database


def _prepare_sqlite_file(path: Path, *, default: bool) -> None:
    folder = path.parent
    if default:
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise DatabaseProblem(
                _("The data folder {folder} cannot be created ({strerror}).").format(
                    folder=folder, strerror=exc.strerror
                )
            ) from None
    if not folder.is_dir():
        raise DatabaseProblem(
            _("The folder {folder} does not exist; create it or choose another --db path.").format(
                folder=folder
            )
        )
    if path.is_dir():
        raise DatabaseProblem(_("{path} is a folder; give the path of a database file.").format(path=path))
    if path.exists():
        if not os.access(path, os.R_OK):
            raise DatabaseProblem(
                _(
                    "The database file {path} is not readable by you ({user}); fix its permissions or choose "
                    "another --db."
                ).format(path=path, user=user_name())
            )
        problem = write_problem(path, space=False)  # a nearly full disk may still take a change
        if problem is not None:
            raise DatabaseProblem(problem)
        return
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseProblem(
            _("The folder {folder} is read-only; choose a writable place for the database.").format(
                folder=folder
            )
        )
    try:
        # Created here, owner-only, so SQLite never makes it world-readable (its -wal/-shm copy this mode).
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        raise DatabaseProblem(
            _("The database file {path} cannot be created ({strerror}).").format(
                path=path, strerror=exc.strerror
            )
        ) from None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _current_revision(conn: Any) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    return str(row[0]) if row else None


def migrate_database(database: Database) -> None:
    with database.engine.connect() as conn:
        current = _current_revision(conn)
    if current == HEAD:
        return
    if current is not None and current not in REVISIONS:
        raise DatabaseProblem(
            _(
                "The database {url} was written by a newer asc-tui (schema {current}); upgrade asc-tui "
                "before using it."
            ).format(url=database.url, current=current)
        )
    _run_alembic_upgrade(database)


def _run_alembic_upgrade(database: Database) -> None:
    # Alembic is imported only when a migration is due: an up-to-date registry opens without it.
    from alembic import command
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with database.engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # SQLite migrations recreate tables; with foreign keys on, dropping the old `store` would
            # cascade-delete every activity row. The pragma only takes effect outside a transaction.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        with conn.begin():
            if sqlite:
                # The whole upgrade in one write transaction: all of it or none, one copy at a time.
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                # Held until the commit (PostgreSQL's DDL is transactional too): a second copy of the app
                # waits here (however long the first one takes), then finds the schema current.
                conn.execute(text("SET LOCAL lock_timeout = 0"))
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK})
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                raise DatabaseProblem(
                    _(
                        "Upgrading the database left rows that point at nothing; the upgrade was undone. "
                        "Restore a backup or report this."
                    )
                )
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()
