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
import re
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from asc_tui.amazon.callback import CallbackListener, CallbackOutcome
from asc_tui.amazon.consent import consent_url, new_state, state_matches
from asc_tui.amazon.errors import AmazonError, RefreshTokenRevoked
from asc_tui.amazon.http import RetryPolicy
from asc_tui.amazon.lwa import LwaClient
from asc_tui.amazon.redirect import RedirectError, RedirectQuery, looks_like_refresh_token, parse_redirect
from asc_tui.amazon.sellers import SellersClient, amazon_marketplaces
from asc_tui.domain import (
    MARKETPLACE_BY_ID,
    MARKETPLACES,
    AuthHealth,
    StoreStatus,
    utcnow,
)
from asc_tui.errors import (
    AscError,
    ConnectFailed,
    ConnectInProgress,
    ConnectNotReady,
    ConnectRejected,
    SellerIdNeeded,
    StoreNotFound,
)
from asc_tui.i18n import N_, _, ngettext
from asc_tui.services.attempts import claim, cleanup_stale, live_attempt_elsewhere, release
from asc_tui.services.connect_outcome import OutcomeWriter
from asc_tui.services.connect_session import ConnectSession, Outcome
from asc_tui.services.online_check import OnlineCheck
from asc_tui.settings.config import AmazonConfig
from asc_tui.settings.secret_store import (
    SecretStore,
    SecretsUnavailable,
)
from asc_tui.storage.database import Database
from asc_tui.storage.models import Store

# The attempt and its outcome are part of what ConnectService.start and complete hand back.
__all__ = ["SANDBOX_REDIRECT_PATH", "ConnectService", "ConnectSession", "Outcome"]

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
        self.writer = OutcomeWriter(database, secrets)
        self._online = OnlineCheck(database, secrets, self._lwa_client)
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
        from asc_tui.settings.checks import check_redirect_uri  # the settings screen's own check

        wrong = check_redirect_uri(self.amazon.redirect_uri)
        if wrong is None:
            return
        from asc_tui.settings.config_file import setting_line

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
        attempt_id, nonce = claim(
            self._db, store, host=self.host, user=self.user, minutes=self.amazon.connect_timeout_minutes
        )
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
            release(self._db, attempt_id, nonce)
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
        from asc_tui.amazon.callback_address import CallbackBindError

        path = urlsplit(redirect_uri).path if redirect_uri else SANDBOX_REDIRECT_PATH
        listener = CallbackListener(
            path or "/",
            redirect_uri=redirect_uri,
            current_state=current_state,
            draft_app=self.amazon.draft_app,
            tls_cert=self.amazon.callback_tls_cert or None,
            tls_key=self.amazon.callback_tls_key or None,
            behind_tls_proxy=self.amazon.callback_behind_tls_proxy,
        )
        try:
            try:
                listener.bind(self.amazon.callback_listen)
            except CallbackBindError as exc:
                if (
                    redirect_uri
                    or not exc.in_use
                    or live_attempt_elsewhere(self._db, self.host, attempt_id) is not None
                ):
                    raise
                # The sandbox's fixed port is taken by another program: any free port rather than none.
                listener.bind("127.0.0.1:0")
        except CallbackBindError as exc:
            if not exc.in_use:
                raise ConnectNotReady(exc.message) from None
            holder = live_attempt_elsewhere(self._db, self.host, attempt_id)
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
            release(self._db, attempt.attempt_id, attempt.nonce)
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
        return self.writer.save(attempt, seller_id, refresh_token)

    # --- after connecting -------------------------------------------------------------------------

    def verify_online(self, store: Store) -> tuple[AuthHealth, str]:
        """Ask Login with Amazon whether the store's authorization still works; record a revocation."""
        return self._online.verify_online(store)

    def check_online(self, store: Store) -> tuple[AuthHealth, str, bool]:
        """`verify_online`, and whether Amazon answered (False: a fault on the way, nothing was learned)."""
        return self._online.check_online(store)


class _Cancelled(Exception):
    """The admin cancelled while Amazon's answer was being checked: stop before saving."""


class _PortTaken(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
