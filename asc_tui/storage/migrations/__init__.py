"""Alembic migrations. Every schema change is a new revision that keeps data.

REVISIONS lists every revision, oldest first, so opening an up-to-date database needs no Alembic import;
a test checks it against the scripts.
"""

REVISIONS: tuple[str, ...] = ("0001_initial", "0002_connect")
HEAD = REVISIONS[-1]
