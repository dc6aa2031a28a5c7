"""What a database failure means, in one sentence with the fix: SQLite's file and disk problems, PostgreSQL's
refusals and lost connections."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    InterfaceError,
    OperationalError,
)

from asc_tui.i18n import N_, _

BUSY_TIMEOUT_MS = 5000


# SQLite's errors that mean the file or its disk cannot be used now (not a statement that was refused),
# whatever class the driver gives them (a damaged file is a DatabaseError, not an OperationalError).
SQLITE_STORAGE_FAULTS = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_FULL",
    "SQLITE_IOERR",
    "SQLITE_READONLY",
    "SQLITE_CANTOPEN",
    "SQLITE_CORRUPT",
    "SQLITE_NOTADB",
    "SQLITE_PERM",
)
# Below this much free space, a write that failed failed because the disk is full.
NEARLY_FULL_BYTES = 1024 * 1024


def is_connection_problem(exc: DBAPIError) -> bool:
    """Whether the database could not be reached or used (as opposed to a refused statement)."""
    if isinstance(exc, (OperationalError, InterfaceError)) or exc.connection_invalidated:
        return True
    if isinstance(exc.orig, sqlite3.Error):
        return str(getattr(exc.orig, "sqlite_errorname", "")).startswith(SQLITE_STORAGE_FAULTS)
    # A PostgreSQL standby (or a database set read-only) refuses every write the same way.
    return "read-only transaction" in str(exc.orig)


def describe_operational_error(exc: DBAPIError, url: str, path: Path | None = None) -> str:
    detail = str(exc.orig) if exc.orig is not None else str(exc)
    lowered = detail.lower()
    if exc.orig is not None and type(exc.orig).__module__.startswith("psycopg"):
        return _describe_postgres_error(lowered, detail, url)
    if path is not None and isinstance(exc.orig, sqlite3.Error):
        return describe_sqlite_error(exc.orig, path)
    if "locked" in lowered or "busy" in lowered:
        return _(
            "The database {url} is busy (another program is writing to it); try again in a moment."
        ).format(url=url)
    if "readonly" in lowered or "read-only" in lowered:
        return _("The database {url} is read-only; make it writable or choose another --db.").format(url=url)
    if "disk" in lowered and "full" in lowered:
        return _("The disk holding {url} is full; free some space and try again.").format(url=url)
    reason = detail.splitlines()[0]
    return _("The database {url} cannot be used: {reason}.").format(url=url, reason=reason)


def describe_sqlite_error(error: sqlite3.Error, path: Path) -> str:
    """One sentence for an SQLite file that cannot be used: what happened, where, and what to do."""
    name = str(getattr(error, "sqlite_errorname", ""))
    detail = str(error).strip().splitlines()[0] if str(error).strip() else name
    lowered = detail.lower()
    folder = path.parent
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in lowered:
        return _(
            "The database {path} is locked by another program that has been writing to it for over {seconds} "
            "seconds, so nothing was changed; try again when it is done."
        ).format(path=path, seconds=BUSY_TIMEOUT_MS // 1000)
    if name == "SQLITE_FULL" or ("disk" in lowered and "full" in lowered):
        return _disk_full(folder)
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return _(
            "The database {path} is damaged ({detail}); restore it from a backup, or move it aside to start "
            "an empty one."
        ).format(path=path, detail=detail)
    problem = write_problem(path)
    if problem is not None:
        return problem
    if name.startswith("SQLITE_READONLY"):
        return _("The database {path} is read-only here; make it writable or choose another --db.").format(
            path=path
        )
    return _(
        "The database {path} could not be read or written ({detail}); check that the disk holding {folder} "
        "works and has free space, then try again."
    ).format(path=path, detail=detail, folder=folder)


def write_problem(path: Path, *, space: bool = True) -> str | None:
    """Why the SQLite file (or the journal files SQLite keeps beside it) cannot be written, if it is
    the disk or the folder: mounted read-only, not writable by this user, or (with `space`) full."""
    folder = path.parent
    try:
        stats = os.statvfs(folder)
    except OSError:
        return None
    if stats.f_flag & os.ST_RDONLY:
        return _(
            "The folder {folder} is on a read-only file system, so no store can be saved there; remount it "
            "read-write or choose another --db (listing the stores still works)."
        ).format(folder=folder)
    if space and stats.f_bavail * stats.f_frsize < NEARLY_FULL_BYTES:
        return _disk_full(folder)
    if path.exists() and not os.access(path, os.W_OK):
        return _(
            "The database file {path} is not writable by you ({user}); fix its permissions or choose another "
            "--db (listing the stores still works)."
        ).format(path=path, user=user_name())
    journals = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    if not os.access(folder, os.W_OK | os.X_OK) and not all(
        j.exists() and os.access(j, os.R_OK | os.W_OK) for j in journals
    ):
        return _(
            "The folder {folder} is not writable by you ({user}), and SQLite keeps its journal files beside "
            "the database; make the folder writable or choose another --db."
        ).format(folder=folder, user=user_name())
    return None


def _disk_full(folder: Path) -> str:
    return _(
        "The disk holding {folder} is full, so nothing was saved; free some space there and try again."
    ).format(folder=folder)


def user_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


# What psycopg says, and the sentence for it: the first entry with a group of words all in the message
# wins ("lock timeout" comes before "timeout").
_POSTGRES_PROBLEMS: tuple[tuple[tuple[tuple[str, ...], ...], str], ...] = (
    (
        (("password authentication failed",),),
        N_(
            "The PostgreSQL server at {server} refused user {user!r}: wrong password; correct it in --db or "
            "ASC_TUI_DATABASE (postgresql+psycopg://USER:PASSWORD@HOST/DATABASE)."
        ),
    ),
    (
        (("no password supplied",),),
        N_(
            "The PostgreSQL server at {server} wants a password for user {user!r}; put it in --db or "
            "ASC_TUI_DATABASE (postgresql+psycopg://USER:PASSWORD@HOST/DATABASE) or in ~/.pgpass."
        ),
    ),
    (
        (("database", "does not exist"),),
        N_(
            "There is no database {database!r} on the PostgreSQL server at {server}; create it (createdb "
            "{database}) or name another one in --db."
        ),
    ),
    (
        (("role", "does not exist"),),
        N_("The PostgreSQL server at {server} has no user {user!r}; create it or name another one in --db."),
    ),
    (
        (("pg_hba.conf",),),
        N_(
            "The PostgreSQL server at {server} does not let user {user!r} in from here (pg_hba.conf); ask "
            "its administrator to allow this host."
        ),
    ),
    (
        (("could not translate host name",), ("name or service not known",)),
        N_("The PostgreSQL host in {shown} is unknown (no such name); check the host in --db."),
    ),
    (
        (("connection refused",),),
        N_(
            "The PostgreSQL server at {server} refused the connection; check that it is running and that "
            "--db names the right host and port."
        ),
    ),
    (
        (("lock timeout",),),
        N_(
            "The database {database} at {server} is locked by another session that has been writing to it "
            "for over {seconds} seconds, so nothing was changed; try again when it is done."
        ),
    ),
    (
        (("timeout",), ("timed out",)),
        N_(
            "The PostgreSQL server at {server} did not answer in time; check the network and that the server "
            "is running."
        ),
    ),
    (
        (("no space left on device",), ("disk full",)),
        N_(
            "The PostgreSQL server at {server} is out of disk space, so nothing was saved; ask its "
            "administrator to free some, then try again."
        ),
    ),
    (
        (("read-only transaction",),),
        N_(
            "The PostgreSQL database {database} at {server} accepts no changes (a read-only standby or "
            "setting); point --db at the primary server."
        ),
    ),
    (
        (("deadlock",), ("could not serialize",)),
        N_("The database {shown} was busy with another admin's change; try again."),
    ),
    (
        (
            ("shutting down",),
            ("starting up",),
            ("terminating connection",),
            ("server closed the connection",),
            ("connection is closed",),
            ("consuming input failed",),
            ("connection to server",),
            ("ssl",),
            ("eof",),
        ),
        N_("The PostgreSQL server at {server} cannot be reached (it stopped or the network is down)."),
    ),
)


def _describe_postgres_error(lowered: str, detail: str, shown: str) -> str:
    """One sentence for what psycopg says when a PostgreSQL server cannot be used."""
    try:
        url = make_url(shown)
        server = f"{url.host or 'localhost'}:{url.port or 5432}"
        user, database = url.username or _("(default user)"), url.database or _("(default database)")
    except ArgumentError:
        server, user, database = shown, _("(default user)"), _("(default database)")
    values = {
        "server": server,
        "user": user,
        "database": database,
        "shown": shown,
        "seconds": BUSY_TIMEOUT_MS // 1000,
    }
    for alternatives, message in _POSTGRES_PROBLEMS:
        if any(all(word in lowered for word in words) for words in alternatives):
            return _(message).format(**values)
    reason = detail.strip().splitlines()[0] if detail.strip() else _("unknown error")
    return _("The database {shown} cannot be used: {reason}.").format(shown=shown, reason=reason)
