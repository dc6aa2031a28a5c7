"""Saving what a connect attempt won: the refresh token under a fresh keyring reference first, then the store
pointed at it in one transaction, so a crash at any moment leaves either the old connection or the new one."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from asc_tui.domain import (
    StoreStatus,
    renew_by,
    utcnow,
)
from asc_tui.errors import (
    AscError,
    ConnectFailed,
    DatabaseProblem,
)
from asc_tui.i18n import _, format_day
from asc_tui.services.attempts import forget_token
from asc_tui.services.authorizations import attach
from asc_tui.services.connect_session import ConnectSession, Outcome
from asc_tui.settings.secret_store import (
    SecretStore,
    new_token_ref,
    refresh_token_key,
)
from asc_tui.storage.database import Database
from asc_tui.storage.models import Activity, ConnectAttempt, Store
from asc_tui.system.faults import crash_point

logger = logging.getLogger(__name__)


def attempt_record(session: Any, attempt: ConnectSession) -> ConnectAttempt | None:
    """This attempt's own row: the id, the store and the nonce must all match."""
    row = session.get(ConnectAttempt, attempt.attempt_id)
    if row is None or row.nonce != attempt.nonce or row.store_id != attempt.store_id:
        return None
    return row  # type: ignore[no-any-return]


# --- cleanup ----------------------------------------------------------------------------------


class OutcomeWriter:
    """Writes a successful attempt to the registry and the keyring (and undoes the keyring on failure)."""

    def __init__(self, database: Database, secrets: SecretStore) -> None:
        self._db = database
        self.secrets = secrets

    def save(self, attempt: ConnectSession, seller_id: str, refresh_token: str) -> Outcome:
        marketplace_id = attempt.marketplace.marketplace_id
        with self._db.session() as session:
            other = marketplace_holder(session, seller_id, marketplace_id, attempt.store_id)
            if other is not None:
                raise ConnectFailed(_taken_message(seller_id, attempt, other))
            record = attempt_record(session, attempt)
            if record is None:
                raise ConnectFailed(self.gone_message(session, attempt))
            new_ref = new_token_ref()
            # The trail first: a crash between here and the store's update leaves a secret the cleanup finds.
            record.secret_ref = new_ref
            session.add(record)
            session.commit()
        crash_point("connect.after-trail")

        try:
            self.secrets.set(refresh_token_key(new_ref), refresh_token)
            crash_point("connect.after-keyring")
            store, released, renewed = self.point_store_at(attempt, seller_id, new_ref)
        except BaseException as failure:
            # Never remove a token the store may point at: the commit can go through and the error come after
            # (a connection lost on the way back); an Active store without its secret cannot be used.
            try:
                saved = self._saved_despite(attempt, new_ref)
            except Exception:
                logger.warning(
                    "A save failed and the database cannot say whether the new token is in use; kept."
                )
                raise failure from None
            if saved is None:
                self.forget(new_ref)
                raise
            if not isinstance(failure, Exception):
                raise
            logger.warning(
                "The database failed after the store was saved (%s); it is connected.", type(failure)
            )
            store, released, renewed = saved
        for ref in sorted(released - {new_ref}):
            self.forget(ref)
        crash_point("connect.after-forget-old")
        day = format_day(renew_by(store.authorized_at or utcnow()).date())
        said = (
            _("Store {name!r} is renewed: seller {seller}, Amazon {code}; renew by {day}.")
            if attempt.renewal
            else _("Store {name!r} is connected: seller {seller}, Amazon {code}; renew by {day}.")
        ).format(name=store.name, seller=seller_id, code=attempt.marketplace.code, day=day)
        if store.status != StoreStatus.ACTIVE.value:
            said = _("{sentence} It stays inactive, as it was.").format(sentence=said)
        if renewed:
            # Amazon's consent covers the seller's whole region: the stores sharing it were renewed too.
            said = _("{sentence} The same authorization renewed {stores}.").format(
                sentence=said, stores=", ".join(repr(name) for name in renewed)
            )
        return Outcome(True, said, store=store)

    def _saved_despite(
        self, attempt: ConnectSession, new_ref: str
    ) -> tuple[Store, set[str], list[str]] | None:
        """After a save that raised: the store and the token it replaced when the store points at `new_ref`
        all the same (the commit went through before the error), else None; raises when it cannot tell."""
        with self._db.session() as session:
            store = session.get(Store, attempt.store_id)
            if store is None or store.token_ref != new_ref:
                return None
            record = attempt_record(session, attempt)
            old_ref = record.secret_ref if record is not None and record.secret_ref != new_ref else None
            # Tokens the authorization held before were noted as orphans in that commit: the next start
            # removes them.
            return store, {old_ref} if old_ref else set(), []

    def gone_message(self, session: Any, attempt: ConnectSession) -> str:
        if session.get(Store, attempt.store_id) is None:
            return _("Store {name!r} was deleted while connecting; nothing was saved.").format(
                name=attempt.store_name
            )
        return _(
            "The attempt to connect store {name!r} was ended elsewhere (it timed out or was cleaned up); "
            "nothing was saved. Start again."
        ).format(name=attempt.store_name)

    def point_store_at(
        self, attempt: ConnectSession, seller_id: str, new_ref: str
    ) -> tuple[Store, set[str], list[str]]:
        """The store connected (or renewed) with the new token; the tokens no longer used; the other stores
        the same authorization renewed."""
        now = utcnow()
        with self._db.session() as session:
            record = attempt_record(session, attempt)
            store = session.get(Store, attempt.store_id)
            if record is None or store is None:
                raise ConnectFailed(self.gone_message(session, attempt))
            old_ref = store.token_ref
            renewing = store.status != StoreStatus.NOT_CONNECTED.value
            store.seller_id = seller_id
            store.marketplace_id = attempt.marketplace.marketplace_id
            if not renewing:
                store.status = StoreStatus.ACTIVE.value
            store.version += 1
            store.updated_at = now
            session.add(store)
            try:
                # The authorization's row, the stores' rows, then activity rows: one lock order for every
                # writer (services.authorizations). The store's flush meets the unique seller + marketplace
                # index when another store took them just now.
                attached = attach(session, store, seller_id, new_ref, now)
                crash_point("connect.after-store-update")
                session.add(
                    Activity(
                        store_id=attempt.store_id,
                        at=now,
                        action="renewed" if renewing else "connected",
                        detail=f"seller {seller_id}, marketplace {attempt.marketplace.code} "
                        f"({attempt.marketplace.marketplace_id}), renew by {renew_by(now).date().isoformat()}",
                    )
                )
                # The old token is removed after the commit; until then the trail names it for the cleanup.
                record.secret_ref = old_ref
                session.add(record)
                session.flush()
                crash_point("connect.before-commit")
                session.commit()
            except IntegrityError:
                session.rollback()
                # The unique seller + marketplace index, when another store took them just now; anything else
                # (a trigger, a check constraint) is the database refusing, not a taken marketplace.
                holder = marketplace_holder(
                    session, seller_id, attempt.marketplace.marketplace_id, attempt.store_id
                )
                if holder is None:
                    raise DatabaseProblem(
                        _(
                            "The database refused to save store {name!r} (one of its rules or constraints "
                            "stopped the change); ask whoever runs the database, then connect again. Nothing "
                            "was saved."
                        ).format(name=attempt.store_name)
                    ) from None
                raise ConnectFailed(_taken_message(seller_id, attempt, holder)) from None
            crash_point("connect.after-commit")
            session.refresh(store)
            return store, attached.released_refs | ({old_ref} if old_ref else set()), attached.renewed

    def forget(self, token_ref: str) -> None:
        try:
            forget_token(self._db, self.secrets, token_ref)
        except AscError:
            logger.warning("Could not note a refresh token to remove; doctor lists unused tokens.")


def _taken_message(seller_id: str, attempt: ConnectSession, other_name: str) -> str:
    return taken_message(seller_id, attempt.marketplace.code, other_name, attempt.store_name)


def marketplace_holder(session: Any, seller_id: str, marketplace_id: str, store_id: int) -> str | None:
    """The name of the store other than `store_id` that this seller's marketplace already feeds, if any."""
    query = select(Store.name).where(
        Store.seller_id == seller_id, Store.marketplace_id == marketplace_id, Store.id != store_id
    )
    name: str | None = session.exec(query).first()
    return name


def taken_message(seller_id: str, code: str, other_name: str, store_name: str) -> str:
    """The seller + marketplace rule, said when another store has them already."""
    return _(
        "Seller {seller}'s Amazon {code} marketplace is already connected to store {other!r}; one "
        "marketplace of one account feeds one store. Store {name!r} is unchanged."
    ).format(seller=seller_id, code=code, other=other_name, name=store_name)
