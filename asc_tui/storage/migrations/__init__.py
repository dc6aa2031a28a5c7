"""Alembic migrations. Every schema change is a new revision that keeps data.

REVISIONS lists every revision, oldest first, so opening an up-to-date database needs no Alembic import;
a test checks it against the scripts. Every migration runs on SQLite and PostgreSQL (tests run both).
0003's triggers keep the registry's revision counter: a migration that recreates `store` or `activity` on
SQLite (batch mode) must create them again (see 0003_revision.create_triggers).
"""

REVISIONS: tuple[str, ...] = (
    "0001_initial",
    "0002_connect",
    "0003_revision",
    "0004_health",
    "0005_daily_sales",
    "0006_authorizations",
)
HEAD = REVISIONS[-1]
