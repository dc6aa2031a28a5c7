"""Connecting a store to Amazon Seller Central: one attempt, every way back armed, the first valid one wins.

An attempt claims the store in the database (a colleague trying at the same time is told who holds it),
binds the callback worker before the consent link is shown, and ends in exactly one way: connected,
failed (the store unchanged), cancelled or timed out. The refresh token goes to the keyring under a fresh
reference first and the store points at it in one transaction after, so a crash at any moment leaves
either the old connection or the new one, and the cleanup at the next start removes what a dead attempt
wrote.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select

from asc_tui.amazon.callback import CallbackListener, CallbackOutcome
from asc_tui.amazon.consent import consent_url, new_state, state_matches
from asc_tui.amazon.errors import AmazonError, RefreshTokenRevoked, redact
from asc_tui.amazon.http import RetryPolicy
from asc_tui.amazon.lwa import LwaClient
from asc_tui.amazon.redirect import RedirectError, RedirectQuery, looks_like_refresh_token, parse_redirect
from asc_tui.amazon.sellers import SellersClient, amazon_marketplaces
from asc_tui.config import AmazonConfig
from asc_tui.domain import (
    MARKETPLACE_BY_ID,
    MARKETPLACES,
    AuthHealth,
    Marketplace,
    StoreStatus,
    auth_health,
    iso_utc,
    renew_by,
    utcnow,
)
from asc_tui.errors import (
    AscError,
    ConnectFailed,
    ConnectInProgress,
    ConnectNotReady,
    ConnectRejected,
    DatabaseProblem,
    SellerIdNeeded,
    StoreNotFound,
)
from asc_tui.faults import crash_point
from asc_tui.i18n import N_, _, format_day, ngettext
from asc_tui.secret_store import (
    SecretStore,
    SecretsUnavailable,
    new_token_ref,
    refresh_token_key,
)
from asc_tui.services.attempts import cleanup_stale, forget_token, is_alive
from asc_tui.storage.database import Database
from asc_tui.storage.models import Activity, ConnectAttempt, Store

logger = logging.getLogger(__name__)

SANDBOX_REDIRECT_PATH = "/amazon/callback"
# Where the sandbox sends the browser when no callback worker listens: nothing answers there, but the
# address bar then holds the whole answer for the paste box.
SANDBOX_UNLISTENED_REDIRECT = "http://127.0.0.1" + SANDBOX_REDIRECT_PATH
# The code Amazon sends lives 5 minutes; the token exchange and the Sellers call must fit well inside.
NETWORK_DEADLINE_SECONDS = 60.0
# A seller ID (Merchant Token) is capital letters and digits, such as A1B2C3D4E5F6G7.
SELLER_ID = re.compile(r"[A-Z0-9]{8,20}")
REGION_NAMES = {"NA": N_("North America"), "EU": N_("Europe"), "FE": N_("Far East")}  # shown through _()


@dataclass(frozen=True)
class Outcome:
    """How an attempt ended. `message` is one sentence for the admin; `store` is set when connected."""

    connected: bool
    message: str
    store: Store | None = None
    cancelled: bool = False


@dataclass
class ConnectSession:
    """One attempt in progress, as the screen and the CLI see it."""

    store_id: int
    store_name: str
    marketplace: Marketplace
    renewal_of: str | None  # the seller ID a renewal must keep, None for a first connection
    attempt_id: int
    nonce: str = field(repr=False)
    state: str = field(repr=False)
    consent_url: str
    redirect_uri: str
    listener: CallbackListener | None
    listen_problem: str | None
    expires_at: datetime
    _deadline: float = field(repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _ended: threading.Event = field(default_factory=threading.Event, repr=False)
    # Set by a cancel that came while Amazon's answer was being checked: nothing is saved after it.
    _cancel_requested: bool = field(default=False, repr=False)
    outcome: Outcome | None = None

    @property
    def renewal(self) -> bool:
        return self.renewal_of is not None

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    def seconds_left(self) -> float:
        return max(0.0, self._deadline - time.monotonic())

    def wait(self, timeout: float | None = None) -> Outcome | None:
        self._ended.wait(timeout)
        return self.outcome

    def current_state(self) -> str | None:
        """The state the callback worker may put into a Login URI bounce, while the attempt lives."""
        return None if self.ended else self.state


class ConnectService:
    def __init__(
        self,
        database: Database,
        amazon: AmazonConfig,
        secrets: SecretStore,
        *,
        client_secret: Callable[[], str | None] | None = None,
        sandbox: bool = False,
        host: str | None = None,
        user: str | None = None,
        config_path: Path | None = None,
    ) -> None:
        self._db = database
        self.amazon = amazon
        self.config_path = config_path  # named with the line of a setting connecting refuses
        self.secrets = secrets
        self._client_secret = client_secret or secrets.client_secret
        self.sandbox = sandbox
        self.host = host or socket.gethostname()
        self.user = user or _user_name()
        self._lwa: LwaClient | None = None
        self._lwa_lock = threading.Lock()

    def close(self) -> None:
        if self._lwa is not None:
            self._lwa.close()

    # --- readiness --------------------------------------------------------------------------------

    def missing_settings(self) -> list[str]:
        """What connecting needs and the config lacks, each as the setting's name."""
        missing = []
        if not self.amazon.application_id.strip():
            missing.append("amazon.application_id")  # i18n: not shown (setting names stay as they are)
        if not self.amazon.client_id.strip():
            missing.append("amazon.client_id")  # i18n: not shown (setting names stay as they are)
        if not self.sandbox and not self.amazon.redirect_uri.strip():
            missing.append("amazon.redirect_uri")  # i18n: not shown (setting names stay as they are)
        return missing

    def _require_ready(self) -> str:
        missing = self.missing_settings()
        if missing:
            raise ConnectNotReady(
                ngettext(
                    "Connecting needs {settings}: set it to your SP-API app's value in Settings (s on the "
                    "home) or the config file. To try the whole flow offline first, run `asc-tui --sandbox`.",
                    "Connecting needs {settings}: set them to your SP-API app's values in Settings (s on the "
                    "home) or the config file. To try the whole flow offline first, run `asc-tui --sandbox`.",
                    len(missing),
                ).format(settings=", ".join(missing))
            )
        self._check_redirect_uri()
        secret = self._client_secret()
        if not secret:
            raise ConnectNotReady(
                _(
                    "The LWA client secret is not set; store it in the keyring (Settings) or set "
                    "ASC_TUI_LWA_CLIENT_SECRET."
                )
            )
        return secret

    def _check_redirect_uri(self) -> None:
        """A redirect URI Amazon would refuse (plain http off loopback, a #fragment…) stops us here, in one
        sentence naming the file and the line, instead of in the seller's browser (MD5101)."""
        if self.sandbox:
            return
        from asc_tui.config_writer import check_redirect_uri  # the settings screen's own check

        wrong = check_redirect_uri(self.amazon.redirect_uri)
        if wrong is None:
            return
        from asc_tui.config import setting_line

        if self.config_path is None:
            where = _("the config file")
        else:
            where = f"{self.config_path}{setting_line(self.config_path, 'amazon.redirect_uri')}"
        raise ConnectNotReady(
            _(
                "{problem} It is set in {where}; correct it there (or in Settings), then connect again."
            ).format(problem=wrong, where=where)
        )

    # --- start ------------------------------------------------------------------------------------

    def start(self, store_id: int, *, listen: bool = True) -> ConnectSession:
        """Claim the store, bind the callback worker and build the consent link; nothing else changes."""
        self._require_ready()
        self.cleanup_stale()
        with self._db.session() as session:
            store = session.get(Store, store_id)
            if store is None:
                raise StoreNotFound(f"#{store_id}")
        marketplace = MARKETPLACES[store.country]
        seller_central = self.amazon.seller_central.get(store.country, marketplace.seller_central)
        listener: CallbackListener | None = None
        redirect_uri = self.amazon.redirect_uri.strip()
        attempt_id, nonce = self._claim(store)
        # The worker may need the state (Login URI bounce) once the session exists; until then it has none.
        cell: list[ConnectSession] = []
        listen_problem: str | None = None
        try:
            if listen:
                try:
                    listener, redirect_uri = self._bind_listener(
                        redirect_uri, lambda: cell[0].current_state() if cell else None, attempt_id
                    )
                except _PortTaken as exc:
                    # The paste box still works: say why the worker is not listening, and go on.
                    listen_problem = exc.message
            if not redirect_uri:
                redirect_uri = SANDBOX_UNLISTENED_REDIRECT
            state = new_state()
            url = consent_url(
                seller_central,
                self.amazon.application_id,
                state,
                draft_app=self.amazon.draft_app,
                # The sandbox's address has a port chosen at bind time, so it is sent along; a real app's
                # redirect URI is sent too, so Amazon uses the one this config names.
                redirect_uri=redirect_uri or None,
            )
        except BaseException:
            if listener is not None:
                listener.close()
            self._release(attempt_id, nonce)
            raise
        minutes = self.amazon.connect_timeout_minutes
        connect_session = ConnectSession(
            store_id=store_id,
            store_name=store.name,
            marketplace=marketplace,
            renewal_of=store.seller_id if store.status != StoreStatus.NOT_CONNECTED.value else None,
            attempt_id=attempt_id,
            nonce=nonce,
            state=state,
            consent_url=url,
            redirect_uri=redirect_uri,
            listener=listener,
            listen_problem=listen_problem,
            expires_at=utcnow() + timedelta(minutes=minutes),
            _deadline=time.monotonic() + minutes * 60,
        )
        cell.append(connect_session)
        return connect_session

    def _bind_listener(
        self, redirect_uri: str, current_state: Callable[[], str | None], attempt_id: int
    ) -> tuple[CallbackListener, str]:
        from asc_tui.amazon.callback import CallbackBindError

        path = urlsplit(redirect_uri).path if redirect_uri else SANDBOX_REDIRECT_PATH
        listener = CallbackListener(
            path or "/",
            redirect_uri=redirect_uri,
            current_state=current_state,
            draft_app=self.amazon.draft_app,
            tls_cert=self.amazon.callback_tls_cert or None,
            tls_key=self.amazon.callback_tls_key or None,
        )
        try:
            try:
                listener.bind(self.amazon.callback_listen)
            except CallbackBindError as exc:
                if redirect_uri or not exc.in_use or self._live_attempt_elsewhere(attempt_id) is not None:
                    raise
                # The sandbox's fixed port is taken by another program: any free port rather than none.
                listener.bind("127.0.0.1:0")
        except CallbackBindError as exc:
            if not exc.in_use:
                raise ConnectNotReady(exc.message) from None
            holder = self._live_attempt_elsewhere(attempt_id)
            if holder is not None:
                raise ConnectInProgress(
                    _(
                        "The callback address {address} is in use by the attempt connecting store {name!r}; "
                        "finish or cancel that one first (one attempt at a time per address)."
                    ).format(address=self.amazon.callback_listen, name=holder)
                ) from None
            if not redirect_uri:
                raise ConnectNotReady(exc.message) from None
            raise _PortTaken(
                _(
                    "the callback address {address} is in use by another program, so Amazon's redirect "
                    "cannot reach asc-tui here."
                ).format(address=self.amazon.callback_listen)
            ) from None
        if not redirect_uri:
            redirect_uri = f"http://{listener.bound_address}{path}"
            listener.redirect_uri = redirect_uri
        return listener, redirect_uri

    def _live_attempt_elsewhere(self, this_attempt: int) -> str | None:
        """The name of a store this machine is connecting right now in another attempt than this one."""
        with self._db.session() as session:
            rows = session.exec(
                select(ConnectAttempt, Store.name)
                .join(Store, col(Store.id) == ConnectAttempt.store_id)
                .where(ConnectAttempt.host == self.host, col(ConnectAttempt.id) != this_attempt)
            ).all()
        return next((name for attempt, name in rows if is_alive(attempt.pid)), None)

    def _claim(self, store: Store) -> tuple[int, str]:
        now = utcnow()
        minutes = self.amazon.connect_timeout_minutes
        with self._db.session() as session:
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
                host=self.host[:255],
                user=self.user[:255],
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

    def _release(self, attempt_id: int, nonce: str) -> None:
        with self._db.session() as session:
            session.exec(
                delete(ConnectAttempt).where(
                    col(ConnectAttempt.id) == attempt_id, col(ConnectAttempt.nonce) == nonce
                )
            )
            session.commit()

    @staticmethod
    def _record(session: Any, attempt: ConnectSession) -> ConnectAttempt | None:
        """This attempt's own row: the id, the store and the nonce must all match."""
        row = session.get(ConnectAttempt, attempt.attempt_id)
        if row is None or row.nonce != attempt.nonce or row.store_id != attempt.store_id:
            return None
        return row  # type: ignore[no-any-return]

    # --- cleanup ----------------------------------------------------------------------------------

    def cleanup_stale(self) -> int:
        """End attempts whose time ran out or whose process on this machine is gone; remove their secrets."""
        return cleanup_stale(self._db, self.secrets, self.host)

    # --- ways back --------------------------------------------------------------------------------

    def complete_from_paste(
        self, attempt: ConnectSession, text: str, seller_id: str | None = None
    ) -> Outcome:
        """The paste box: the address Amazon redirected to, its query, or a self-authorization token."""
        if looks_like_refresh_token(text):
            return self.complete_self_authorized(attempt, text.strip(), seller_id)
        try:
            query = parse_redirect(text)
        except RedirectError as exc:
            raise ConnectRejected(str(exc)) from None
        if query.is_login_bounce:
            raise ConnectRejected(
                _(
                    "That is the address of the app's Login URI step, not Amazon's final answer; finish the "
                    "steps in the browser and paste the address it ends on."
                )
            )
        return self.complete(attempt, query)

    def complete(self, attempt: ConnectSession, query: RedirectQuery) -> Outcome:
        """Amazon's redirect: a wrong state is refused and the attempt keeps waiting; a right one ends it."""
        self._check_open(attempt)
        if not state_matches(attempt.state, query.state or ""):
            raise ConnectRejected(
                _(
                    "That answer is not for this attempt (its state does not match); use the link shown for "
                    "store {name!r} now, or paste the address it led to."
                ).format(name=attempt.store_name)
            )
        with attempt._lock:
            self._check_open(attempt)
            name = attempt.store_name
            if query.is_error:
                code = query.error or "error"
                said = f"{query.error_description} ({code})" if query.error_description else code
                return self._end(
                    attempt,
                    Outcome(
                        False,
                        _("Amazon ended the authorization: {said}; store {name!r} is unchanged.").format(
                            said=said, name=name
                        ),
                    ),
                )
            seller_id = (query.selling_partner_id or "").strip()
            if not seller_id:
                return self._end(
                    attempt,
                    Outcome(
                        False,
                        _(
                            "Amazon's answer has no selling_partner_id, so the account cannot be identified; "
                            "store {name!r} is unchanged."
                        ).format(name=name),
                    ),
                )

            def exchange_and_save() -> Outcome:
                # Within what is left of the attempt (like the Sellers call): never past its timeout.
                tokens = self._lwa_client().exchange_code(
                    query.spapi_oauth_code or "",
                    attempt.redirect_uri or None,
                    deadline_seconds=max(1.0, min(NETWORK_DEADLINE_SECONDS, attempt.seconds_left())),
                )
                return self._verify_and_save(attempt, seller_id, tokens.refresh_token, tokens.access_token)

            # The code is spent from here on: whatever happens, this attempt ends.
            return self._end(attempt, self._settle(attempt, exchange_and_save))

    def complete_self_authorized(
        self, attempt: ConnectSession, refresh_token: str, seller_id: str | None = None
    ) -> Outcome:
        """A private app's refresh token from Seller Central's "Authorize app"; a bad token keeps waiting."""
        seller = (seller_id or attempt.renewal_of or "").strip()
        if not seller:
            raise SellerIdNeeded(
                _(
                    "A self-authorization token does not say which seller it belongs to; also give the "
                    "seller ID (Seller Central › Settings › Account Info › Merchant Token)."
                )
            )
        if not SELLER_ID.fullmatch(seller):
            raise SellerIdNeeded(
                _(
                    "That is not a seller ID: a Merchant Token is 8 to 20 capital letters and digits, such "
                    "as A1B2C3D4E5F6G7 (Seller Central › Settings › Account Info)."
                )
            )
        with attempt._lock:
            self._check_open(attempt)
            try:
                access = self._lwa_client().access_token(refresh_token)
            except RefreshTokenRevoked:
                raise ConnectRejected(
                    _(
                        "Login with Amazon does not accept that refresh token; copy it again from Seller "
                        "Central (Develop Apps › Authorize app) for this app."
                    )
                ) from None
            except AmazonError as exc:
                raise ConnectRejected(exc.message) from None
            except AscError as exc:
                raise ConnectRejected(exc.message) from None
            return self._end(
                attempt,
                self._settle(attempt, lambda: self._verify_and_save(attempt, seller, refresh_token, access)),
            )

    def _settle(self, attempt: ConnectSession, work: Callable[[], Outcome]) -> Outcome:
        """Run the checks and the save; every failure becomes the attempt's outcome, in one sentence."""
        try:
            return work()
        except AmazonError as exc:
            return Outcome(
                False,
                _("{message} Store {name!r} is unchanged.").format(
                    message=exc.message, name=attempt.store_name
                ),
            )
        except _Cancelled:
            return Outcome(
                False,
                _("Connecting store {name!r} was cancelled; it is unchanged.").format(
                    name=attempt.store_name
                ),
                cancelled=True,
            )
        except SecretsUnavailable as exc:  # the keyring fails before the store is touched
            return Outcome(
                False,
                _("{message} Store {name!r} is unchanged.").format(
                    message=exc.message, name=attempt.store_name
                ),
            )
        except AscError as exc:  # database, refusals
            return Outcome(False, exc.message)
        except Exception as exc:
            # A driver's or a library's own error (not one of ours): still one sentence, and the attempt ends.
            logger.exception("Connecting store #%s failed unexpectedly", attempt.store_id)
            return Outcome(
                False,
                _(
                    "Connecting store {name!r} failed with an unexpected error ({kind}, written to the log "
                    "file); it was not connected, try again."
                ).format(name=attempt.store_name, kind=type(exc).__name__),
            )

    def cancel(self, attempt: ConnectSession, *, timed_out: bool = False) -> Outcome | None:
        """End the attempt unchanged; None while Amazon's answer is being saved (it ends by itself)."""
        if not attempt._lock.acquire(blocking=False):
            # Never wait here (the caller may be the UI thread): Amazon's answer is being checked; nothing
            # is saved after this flag, unless the save had already begun.
            attempt._cancel_requested = True
            return None
        try:
            if attempt.outcome is not None:
                return attempt.outcome
            if timed_out:
                minutes = self.amazon.connect_timeout_minutes
                outcome = Outcome(
                    False,
                    ngettext(
                        "Connecting store {name!r} timed out after {minutes} minute; it is unchanged. Start "
                        "again when you are ready.",
                        "Connecting store {name!r} timed out after {minutes} minutes; it is unchanged. "
                        "Start again when you are ready.",
                        minutes,
                    ).format(name=attempt.store_name, minutes=minutes),
                )
            else:
                outcome = Outcome(
                    False,
                    _("Connecting store {name!r} was cancelled; it is unchanged.").format(
                        name=attempt.store_name
                    ),
                    cancelled=True,
                )
            return self._end(attempt, outcome)
        finally:
            attempt._lock.release()

    def expire_if_due(self, attempt: ConnectSession) -> Outcome | None:
        if not attempt.ended and attempt.seconds_left() <= 0:
            return self.cancel(attempt, timed_out=True)
        return attempt.outcome

    async def serve_callbacks(self, attempt: ConnectSession) -> None:
        """Run the callback worker until the attempt ends; each redirect completes it or is refused."""
        listener = attempt.listener
        if listener is None:
            return

        async def on_redirect(query: RedirectQuery) -> CallbackOutcome:
            try:
                outcome = await asyncio.to_thread(self.complete, attempt, query)
            except ConnectRejected as exc:
                return CallbackOutcome(False, _("This answer does not fit"), exc.message)
            except ConnectFailed as exc:
                return CallbackOutcome(False, _("Not connected"), exc.message)
            if outcome.connected:
                return CallbackOutcome(True, _("Connected"), outcome.message)
            return CallbackOutcome(False, _("Not connected"), outcome.message)

        await listener.serve(on_redirect)

    # --- the steps after Amazon answered ----------------------------------------------------------

    def _check_open(self, attempt: ConnectSession) -> None:
        if attempt.outcome is not None:
            raise ConnectFailed(
                _("This attempt to connect store {name!r} has already ended: {outcome}").format(
                    name=attempt.store_name, outcome=attempt.outcome.message
                )
            )
        if attempt.seconds_left() <= 0:
            self._end_locked_free(attempt)
            raise ConnectFailed(
                _("This attempt to connect store {name!r} timed out; start again.").format(
                    name=attempt.store_name
                )
            )

    def _end_locked_free(self, attempt: ConnectSession) -> None:
        # Called from inside `complete` with the lock possibly held: set the outcome directly.
        if attempt.outcome is None:
            self._finish(
                attempt,
                Outcome(
                    False,
                    _("Connecting store {name!r} timed out; it is unchanged.").format(
                        name=attempt.store_name
                    ),
                ),
            )

    def _end(self, attempt: ConnectSession, outcome: Outcome) -> Outcome:
        self._finish(attempt, outcome)
        return outcome

    def _finish(self, attempt: ConnectSession, outcome: Outcome) -> None:
        attempt.outcome = outcome
        if attempt.listener is not None:
            attempt.listener.close()
        try:
            self._release(attempt.attempt_id, attempt.nonce)
        except Exception:  # the trail expires by itself; the outcome must still reach the admin
            logger.exception("Could not remove the connect attempt's record")
        attempt._ended.set()

    def _lwa_client(self) -> LwaClient:
        with self._lwa_lock:
            if self._lwa is None:
                self._lwa = LwaClient(
                    self.amazon.lwa_token_url,
                    self.amazon.client_id,
                    self._require_ready(),
                    deadline_seconds=NETWORK_DEADLINE_SECONDS,
                )
            return self._lwa

    def _verify_and_save(
        self, attempt: ConnectSession, seller_id: str, refresh_token: str, access_token: str
    ) -> Outcome:
        marketplace = attempt.marketplace
        name = attempt.store_name
        if attempt.renewal_of is not None and attempt.renewal_of != seller_id:
            raise ConnectFailed(
                _(
                    "You signed in as seller {seller}, but store {name!r} is connected to seller "
                    "{connected}; renew with that account, or delete and re-add the store to switch "
                    "accounts. The store is unchanged."
                ).format(seller=seller_id, name=name, connected=attempt.renewal_of)
            )
        endpoint = self.amazon.endpoints.get(marketplace.region, "")
        # Within what is left of the attempt (and of the code's 5 minutes): never past the timeout.
        policy = RetryPolicy(deadline_seconds=max(1.0, min(NETWORK_DEADLINE_SECONDS, attempt.seconds_left())))
        with SellersClient(endpoint, retry_policy=policy) as sellers:
            participations = amazon_marketplaces(sellers.marketplace_participations(access_token))
        selling = [p for p in participations if p.is_participating]
        if not any(p.marketplace_id == marketplace.marketplace_id for p in selling):
            region = (
                _(REGION_NAMES[marketplace.region])
                if marketplace.region in REGION_NAMES
                else marketplace.region
            )
            if not selling:
                raise ConnectFailed(
                    _(
                        "Seller {seller} sells in no Amazon marketplace of the {region} region, where Amazon "
                        "{code} is; sign in with the account that sells in {code}. Store {name!r} is "
                        "unchanged."
                    ).format(seller=seller_id, region=region, code=marketplace.code, name=name)
                )
            where = ", ".join(MARKETPLACE_BY_ID[p.marketplace_id].code for p in selling)
            raise ConnectFailed(
                _(
                    "Seller {seller} does not sell in the Amazon {code} marketplace (it sells in: {where}); "
                    "sign in with the account for {code}, or add a store for one of those. Store {name!r} is "
                    "unchanged."
                ).format(seller=seller_id, code=marketplace.code, where=where, name=name)
            )
        if attempt._cancel_requested:
            raise _Cancelled()
        return self._save(attempt, seller_id, refresh_token)

    def _save(self, attempt: ConnectSession, seller_id: str, refresh_token: str) -> Outcome:
        marketplace_id = attempt.marketplace.marketplace_id
        with self._db.session() as session:
            other = session.exec(
                select(Store).where(
                    Store.seller_id == seller_id,
                    Store.marketplace_id == marketplace_id,
                    Store.id != attempt.store_id,
                )
            ).first()
            if other is not None:
                raise ConnectFailed(_taken_message(seller_id, attempt, other.name))
            record = self._record(session, attempt)
            if record is None:
                raise ConnectFailed(self._gone_message(session, attempt))
            new_ref = new_token_ref()
            # The trail first: a crash between here and the store's update leaves a secret the cleanup finds.
            record.secret_ref = new_ref
            session.add(record)
            session.commit()
        crash_point("connect.after-trail")

        try:
            self.secrets.set(refresh_token_key(new_ref), refresh_token)
            crash_point("connect.after-keyring")
            store, old_ref = self._point_store_at(attempt, seller_id, new_ref)
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
                self._forget(new_ref)
                raise
            if not isinstance(failure, Exception):
                raise
            logger.warning(
                "The database failed after the store was saved (%s); it is connected.", type(failure)
            )
            store, old_ref = saved
        if old_ref and old_ref != new_ref:
            self._forget(old_ref)
        crash_point("connect.after-forget-old")
        day = format_day(renew_by(store.authorized_at or utcnow()).date())
        said = (
            _("Store {name!r} is renewed: seller {seller}, Amazon {code}; renew by {day}.")
            if attempt.renewal
            else _("Store {name!r} is connected: seller {seller}, Amazon {code}; renew by {day}.")
        ).format(name=store.name, seller=seller_id, code=attempt.marketplace.code, day=day)
        if store.status != StoreStatus.ACTIVE.value:
            said = _("{sentence} It stays inactive, as it was.").format(sentence=said)
        return Outcome(True, said, store=store)

    def _saved_despite(self, attempt: ConnectSession, new_ref: str) -> tuple[Store, str | None] | None:
        """After a save that raised: the store and the token it replaced when the store points at `new_ref`
        all the same (the commit went through before the error), else None; raises when it cannot tell."""
        with self._db.session() as session:
            store = session.get(Store, attempt.store_id)
            if store is None or store.token_ref != new_ref:
                return None
            record = self._record(session, attempt)
            old_ref = record.secret_ref if record is not None and record.secret_ref != new_ref else None
            return store, old_ref

    def _gone_message(self, session: Any, attempt: ConnectSession) -> str:
        if session.get(Store, attempt.store_id) is None:
            return _("Store {name!r} was deleted while connecting; nothing was saved.").format(
                name=attempt.store_name
            )
        return _(
            "The attempt to connect store {name!r} was ended elsewhere (it timed out or was cleaned up); "
            "nothing was saved. Start again."
        ).format(name=attempt.store_name)

    def _point_store_at(
        self, attempt: ConnectSession, seller_id: str, new_ref: str
    ) -> tuple[Store, str | None]:
        now = utcnow()
        with self._db.session() as session:
            record = self._record(session, attempt)
            store = session.get(Store, attempt.store_id)
            if record is None or store is None:
                raise ConnectFailed(self._gone_message(session, attempt))
            old_ref = store.token_ref
            renewing = store.status != StoreStatus.NOT_CONNECTED.value
            store.seller_id = seller_id
            store.marketplace_id = attempt.marketplace.marketplace_id
            store.authorized_at = now
            store.auth_revoked = False
            store.token_ref = new_ref
            if not renewing:
                store.status = StoreStatus.ACTIVE.value
            store.version += 1
            store.updated_at = now
            session.add(store)
            try:
                # The store's row first, then its activity row: one lock order for every writer. Its flush
                # meets the unique seller + marketplace index when another store took them just now.
                session.flush()
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
                holder = session.exec(
                    select(Store.name).where(
                        Store.seller_id == seller_id,
                        Store.marketplace_id == attempt.marketplace.marketplace_id,
                        Store.id != attempt.store_id,
                    )
                ).first()
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
            return store, old_ref

    def _forget(self, token_ref: str) -> None:
        try:
            forget_token(self._db, self.secrets, token_ref)
        except AscError:
            logger.warning("Could not note a refresh token to remove; doctor lists unused tokens.")

    # --- after connecting -------------------------------------------------------------------------

    def verify_online(self, store: Store) -> tuple[AuthHealth, str]:
        """Ask Login with Amazon whether the store's authorization still works; record a revocation."""
        health, note, _answered = self.check_online(store)
        return health, note

    def check_online(self, store: Store) -> tuple[AuthHealth, str, bool]:
        """`verify_online`, and whether Amazon answered (False: a fault on the way, nothing was learned).

        Only Amazon's invalid_grant changes the store (Revoked); a fault leaves it exactly as it was.
        """
        health, _days = auth_health(store.authorized_at, store.auth_revoked)
        if store.status == StoreStatus.NOT_CONNECTED.value:
            return health, _("not connected"), True
        token = self.secrets.get(refresh_token_key(store.token_ref)) if store.token_ref else None
        if token is None:
            return health, _("no refresh token on this machine; reconnect here to manage it"), True
        try:
            self._lwa_client().access_token(token)
        except RefreshTokenRevoked:
            self._mark_revoked(store)
            return AuthHealth.REVOKED, _("Amazon answered invalid_grant: renew the connection"), True
        except AmazonError as exc:
            return health, redact(exc.message, token), False
        return health, _("Amazon accepted the authorization"), True

    def _mark_revoked(self, store: Store) -> None:
        with self._db.session() as session:
            current = session.get(Store, store.id)
            if current is None or current.auth_revoked:
                return
            now = utcnow()
            current.auth_revoked = True
            current.version += 1
            current.updated_at = now
            session.add(current)
            session.flush()  # the store's row first, then its activity row (see StoreService._change)
            session.add(
                Activity(
                    store_id=current.id or 0, at=now, action="revoked", detail="Amazon answered invalid_grant"
                )
            )
            session.commit()


class _Cancelled(Exception):
    """The admin cancelled while Amazon's answer was being checked: stop before saving."""


class _PortTaken(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _taken_message(seller_id: str, attempt: ConnectSession, other_name: str) -> str:
    return _(
        "Seller {seller}'s Amazon {code} marketplace is already connected to store {other!r}; one "
        "marketplace of one account feeds one store. Store {name!r} is unchanged."
    ).format(seller=seller_id, code=attempt.marketplace.code, other=other_name, name=attempt.store_name)


def _user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
