"""Cleaning up after connect attempts that died, without loading the connect machinery.

Run at every start: an attempt whose time ran out, or whose process on this machine is gone, is removed
with any refresh token it wrote and no store uses; tokens a keyring would not delete earlier are retried.
Kept apart from `connect.py` so that starting the app does not import the HTTP clients and servers.
"""

from __future__ import annotations

import os

from sqlmodel import col, select

from asc_tui.domain import utcnow
from asc_tui.settings.secret_store import (
    ORPHAN_NOTE_PREFIX,
    SecretStore,
    SecretsUnavailable,
    refresh_token_key,
)
from asc_tui.storage.database import Database
from asc_tui.storage.models import ConnectAttempt, Preference, Store


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def forget_token(database: Database, secrets: SecretStore, token_ref: str) -> None:
    """Remove a refresh token no store uses; when the keyring refuses, note it for `cleanup_stale`.

    A note made before (deleting a store notes its token in the same transaction) goes once it is removed.
    """
    key = ORPHAN_NOTE_PREFIX + token_ref
    try:
        secrets.delete(refresh_token_key(token_ref))
    except SecretsUnavailable:
        with database.session() as session:
            session.merge(Preference(key=key, value=""))
            session.commit()
        return
    with database.session() as session:
        note = session.get(Preference, key)
        if note is not None:
            session.delete(note)
            session.commit()


def cleanup_stale(database: Database, secrets: SecretStore, host: str) -> int:
    """Remove dead attempts and the secrets they left; the number of attempts removed."""
    now = utcnow()
    removed = 0
    with database.session() as session:
        attempts = session.exec(select(ConnectAttempt)).all()
        stale = [a for a in attempts if a.expires_at <= now or (a.host == host and not is_alive(a.pid))]
        for attempt in stale:
            if attempt.secret_ref:
                used = session.exec(select(Store.id).where(Store.token_ref == attempt.secret_ref)).first()
                if used is None:
                    try:
                        secrets.delete(refresh_token_key(attempt.secret_ref))
                    except SecretsUnavailable:
                        continue  # keep the trail so a later start can remove the secret
            session.delete(attempt)
            removed += 1
        session.commit()
        orphans = session.exec(
            select(Preference).where(col(Preference.key).startswith(ORPHAN_NOTE_PREFIX))
        ).all()
        for orphan in orphans:
            ref = orphan.key[len(ORPHAN_NOTE_PREFIX) :]
            if session.exec(select(Store.id).where(Store.token_ref == ref)).first() is None:
                try:
                    secrets.delete(refresh_token_key(ref))
                except SecretsUnavailable:
                    continue
            session.delete(orphan)
        session.commit()
    return removed
