"""Opening the registry: SQLite file by default, any SQLAlchemy URL for a team; migrations on open."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlmodel import Session

from asc_tui import paths
from asc_tui.errors import DatabaseProblem
from asc_tui.storage.migrations import HEAD, REVISIONS

BUSY_TIMEOUT_MS = 5000
SUPPORTED_BACKENDS = ("sqlite", "postgresql")


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
        """One unit of work; objects stay readable after commit (they are handed to other threads)."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
            except OperationalError as exc:
                session.rollback()
                raise DatabaseProblem(describe_operational_error(exc, self.url)) from None

    def schema_version(self) -> str | None:
        with self.engine.connect() as conn:
            return _current_revision(conn)

    def close(self) -> None:
        self.engine.dispose()


def describe_operational_error(exc: OperationalError, url: str) -> str:
    detail = str(exc.orig) if exc.orig is not None else str(exc)
    lowered = detail.lower()
    if "locked" in lowered or "busy" in lowered:
        return f"The database {url} is busy (another program is writing to it); try again in a moment."
    if "readonly" in lowered or "read-only" in lowered:
        return f"The database {url} is read-only; make it writable or choose another --db."
    if "disk" in lowered and "full" in lowered:
        return f"The disk holding {url} is full; free some space and try again."
    return f"The database {url} cannot be used: {detail.splitlines()[0]}."


def resolve_url(db: str | None, sandbox: bool = False) -> str:
    """A SQLAlchemy URL from --db / ASC_TUI_DATABASE (a path or a URL), or the default file."""
    value = (db or os.environ.get("ASC_TUI_DATABASE", "")).strip()
    if not value:
        return f"sqlite:///{paths.default_database_file(sandbox)}"
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    return value


def open_database(db: str | None = None, *, sandbox: bool = False, migrate: bool = True) -> Database:
    url_text = resolve_url(db, sandbox)
    try:
        url = make_url(url_text)
    except ArgumentError:
        raise DatabaseProblem(
            f"{url_text!r} is not a database URL; give a file path or a URL such as sqlite:///PATH "
            "or postgresql+psycopg://user@host/dbname."
        ) from None
    shown = url.render_as_string(hide_password=True)
    backend = url.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise DatabaseProblem(
            f"Unknown database URL scheme {url.drivername!r}; use a file path, sqlite:///PATH "
            "or postgresql+psycopg://user@host/dbname."
        )
    path: Path | None = None
    connect_args: dict[str, Any] = {}
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise DatabaseProblem("An in-memory database would lose every store on exit; give a file path.")
        path = Path(url.database)
        _prepare_sqlite_file(path, default=not (db or os.environ.get("ASC_TUI_DATABASE", "").strip()))
        connect_args = {"timeout": BUSY_TIMEOUT_MS / 1000}
    try:
        engine = create_engine(url, connect_args=connect_args, pool_pre_ping=backend != "sqlite")
    except (NoSuchModuleError, ArgumentError, ImportError) as exc:
        raise DatabaseProblem(
            f"The database driver for {url.drivername!r} is not available ({exc})."
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
    except DatabaseError as exc:
        engine.dispose()
        if (
            path is not None
            and isinstance(exc.orig, sqlite3.DatabaseError)
            and "not a database" in str(exc.orig)
        ):
            raise DatabaseProblem(
                f"{path} is not an asc-tui database (the file is corrupt or of another kind); "
                "move it aside or choose another --db."
            ) from None
        if isinstance(exc, OperationalError):
            raise DatabaseProblem(describe_operational_error(exc, shown)) from None
        raise DatabaseProblem(
            f"The database {shown} cannot be opened: {str(exc.orig).splitlines()[0]}."
        ) from None
    except SQLAlchemyError as exc:
        engine.dispose()
        raise DatabaseProblem(f"The database {shown} cannot be opened: {exc}.") from None
    return database


def _prepare_sqlite_file(path: Path, *, default: bool) -> None:
    folder = path.parent
    if default:
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise DatabaseProblem(f"The data folder {folder} cannot be created ({exc.strerror}).") from None
    if not folder.is_dir():
        raise DatabaseProblem(f"The folder {folder} does not exist; create it or choose another --db path.")
    if path.is_dir():
        raise DatabaseProblem(f"{path} is a folder; give the path of a database file.")
    if path.exists():
        if not os.access(path, os.R_OK | os.W_OK):
            raise DatabaseProblem(
                f"The database file {path} is not readable and writable by you; fix its permissions."
            )
        return
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseProblem(f"The folder {folder} is read-only; choose a writable place for the database.")
    try:
        # Created here, owner-only, so SQLite never makes it world-readable (its -wal/-shm copy this mode).
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        raise DatabaseProblem(f"The database file {path} cannot be created ({exc.strerror}).") from None


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
            f"The database {database.url} was written by a newer asc-tui (schema {current}); "
            "upgrade asc-tui before using it."
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
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                raise DatabaseProblem(
                    "Upgrading the database left rows that point at nothing; the upgrade was undone. "
                    "Restore a backup or report this."
                )
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()
