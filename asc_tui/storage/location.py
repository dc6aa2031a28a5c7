"""Which database --db / ASC_TUI_DATABASE name, without importing SQLAlchemy (the fast home read uses it)."""

from __future__ import annotations

import os
from pathlib import Path

from asc_tui.system import paths


def named_database(db: str | None, sandbox: bool) -> str:
    """What the admin named (--db, else ASC_TUI_DATABASE), or "" for the default file.

    The sandbox never takes the database from the environment: an admin with the team's registry in
    ASC_TUI_DATABASE must not write demo stores into it. An explicit --db still counts.
    """
    return (db or ("" if sandbox else os.environ.get("ASC_TUI_DATABASE", ""))).strip()


def resolve_url(db: str | None, sandbox: bool = False) -> str:
    """A SQLAlchemy URL from --db / ASC_TUI_DATABASE (a path or a URL), or the default file."""
    value = named_database(db, sandbox)
    if not value:
        return f"sqlite:///{paths.default_database_file(sandbox)}"
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    # The driver the app ships with: plain postgresql:// (and libpq's postgres://) mean psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix) :]
    return value


def sqlite_file(db: str | None, sandbox: bool) -> Path | None:
    """The SQLite file the admin's choice comes to, or None for any other database."""
    url = resolve_url(db, sandbox)
    return Path(url[len("sqlite:///") :]) if url.startswith("sqlite:///") else None
