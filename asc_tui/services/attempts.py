"""Cleaning up after connect attempts that died, without loading the connect machinery.

Run at every start: an attempt whose time ran out, or whose process on this machine is gone, is removed
with any refresh token it wrote and no store uses; tokens a keyring would not delete earlier are retried.
Kept apart from `connect.py` so that starting the app does not import the HTTP clients and servers.
"""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select

from asc_tui.domain import iso_utc, utcnow
from asc_tui.errors import ConnectInProgress
from asc_tui.i18n import _
from asc_tui.services.authorizations import token_in_use
from asc_tui.settings.secret_store import (
    ORPHAN_NOTE_PREFIX,
    SecretStore,
    SecretsUnavailable,
    refresh_token_key,
)
from asc_tui.storage.database import Database
from asc_tui.storage.models import ConnectAttempt, Preference, Store
from asc_tui.system.faults import crash_point


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def forget_token(database: Database, secrets: SecretStore, token_ref: str) -> None:
    """Remove a refresh token unless a store or an authorization still uses it; when the keyring refuses, note it for `cleanup_stale`.

    A note made before (deleting a store notes its token in the same transaction) goes once it is removed.
    """
    key = ORPHAN_NOTE_PREFIX + token_ref
    with database.session() as session:
        if token_in_use(session, token_ref):
            # Another store on the same authorization still uses it: it stays, and so does no note.
            note = session.get(Preference, key)
            if note is not None:
                session.delete(note)
                session.commit()
            return
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
            if attempt.secret_ref and not token_in_use(session, attempt.secret_ref):
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
            if not token_in_use(session, ref):
                try:
                    secrets.delete(refresh_token_key(ref))
                except SecretsUnavailable:
                    continue
            session.delete(orphan)
        session.commit()
    return removed


def live_attempt_elsewhere(database: Database, host: str, this_attempt: int) -> str | None:
    """The name of a store this machine is connecting right now in another attempt than this one."""
    with database.session() as session:
        rows = session.exec(
            select(ConnectAttempt, Store.name)
            .join(Store, col(Store.id) == ConnectAttempt.store_id)
            .where(ConnectAttempt.host == host, col(ConnectAttempt.id) != this_attempt)
        ).all()
    return next((name for attempt, name in rows if is_alive(attempt.pid)), None)


def claim(database: Database, store: Store, *, host: str, user: str, minutes: int) -> tuple[int, str]:
    """Mark `store` as being connected from here; ConnectInProgress when someone else holds it."""
    now = utcnow()
    with database.session() as session:
        held = session.exec(select(ConnectAttempt).where(ConnectAttempt.store_id == store.id)).first()
        if held is not None:
            raise ConnectInProgress(
                _(
                    "Store {name!r} is being connected by {user}@{host} since {started}; wait until that "
                    "attempt ends (by {ends}) or ask them to cancel it."
                ).format(
                    name=store.name,
                    user=held.user,
                    host=held.host,
                    started=iso_utc(held.started_at),
                    ends=iso_utc(held.expires_at),
                )
            )
        attempt = ConnectAttempt(
            nonce=uuid.uuid4().hex,
            store_id=store.id or 0,
            host=host[:255],
            user=user[:255],
            pid=os.getpid(),
            started_at=now,
            expires_at=now + timedelta(minutes=minutes, seconds=30),
        )
        session.add(attempt)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            raise ConnectInProgress(
                _(
                    "Store {name!r} is being connected from another window right now; wait until that "
                    "attempt ends."
                ).format(name=store.name)
            ) from None
        crash_point("connect.after-claim")
        return attempt.id or 0, attempt.nonce


def release(database: Database, attempt_id: int, nonce: str) -> None:
    with database.session() as session:
        session.exec(
            delete(ConnectAttempt).where(
                col(ConnectAttempt.id) == attempt_id, col(ConnectAttempt.nonce) == nonce
            )
        )
        session.commit()
