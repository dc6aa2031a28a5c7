"""Starting a connect attempt: claim the store (a colleague trying at the same time is told who holds it),
bind the callback worker before the consent link is shown, and build that link; nothing else changes."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlsplit

from asc_tui.amazon.callback import CallbackListener
from asc_tui.amazon.consent import consent_url, new_state
from asc_tui.domain import MARKETPLACES, StoreStatus, utcnow
from asc_tui.errors import ConnectInProgress, ConnectNotReady, StoreNotFound
from asc_tui.i18n import _
from asc_tui.services.attempts import claim, cleanup_stale, live_attempt_elsewhere, release
from asc_tui.services.connect_context import ConnectContext
from asc_tui.services.connect_session import ConnectSession
from asc_tui.storage.models import Store

SANDBOX_REDIRECT_PATH = "/amazon/callback"
# Where the sandbox sends the browser when no callback worker listens: nothing answers there, but the
# address bar then holds the whole answer for the paste box.
SANDBOX_UNLISTENED_REDIRECT = "http://127.0.0.1" + SANDBOX_REDIRECT_PATH


class AttemptStart:
    """Starts attempts; the claim is released again when anything before the consent link fails."""

    def __init__(self, context: ConnectContext) -> None:
        self._context = context

    def start(self, store_id: int, *, listen: bool = True) -> ConnectSession:
        """Claim the store, bind the callback worker and build the consent link; nothing else changes."""
        context = self._context
        amazon = context.amazon
        context.require_ready()
        cleanup_stale(context.database, context.secrets, context.host)
        with context.database.session() as session:
            store = session.get(Store, store_id)
            if store is None:
                raise StoreNotFound(f"#{store_id}")
        marketplace = MARKETPLACES[store.country]
        seller_central = amazon.seller_central.get(store.country, marketplace.seller_central)
        listener: CallbackListener | None = None
        redirect_uri = amazon.redirect_uri.strip()
        attempt_id, nonce = claim(
            context.database,
            store,
            host=context.host,
            user=context.user,
            minutes=amazon.connect_timeout_minutes,
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
                amazon.application_id,
                state,
                draft_app=amazon.draft_app,
                # The sandbox's address has a port chosen at bind time, so it is sent along; a real app's
                # redirect URI is sent too, so Amazon uses the one this config names.
                redirect_uri=redirect_uri or None,
            )
        except BaseException:
            if listener is not None:
                listener.close()
            release(context.database, attempt_id, nonce)
            raise
        minutes = amazon.connect_timeout_minutes
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

        context = self._context
        amazon = context.amazon
        path = urlsplit(redirect_uri).path if redirect_uri else SANDBOX_REDIRECT_PATH
        listener = CallbackListener(
            path or "/",
            redirect_uri=redirect_uri,
            current_state=current_state,
            draft_app=amazon.draft_app,
            tls_cert=amazon.callback_tls_cert or None,
            tls_key=amazon.callback_tls_key or None,
            behind_tls_proxy=amazon.callback_behind_tls_proxy,
        )
        try:
            try:
                listener.bind(amazon.callback_listen)
            except CallbackBindError as exc:
                if (
                    redirect_uri
                    or not exc.in_use
                    or live_attempt_elsewhere(context.database, context.host, attempt_id) is not None
                ):
                    raise
                # The sandbox's fixed port is taken by another program: any free port rather than none.
                listener.bind("127.0.0.1:0")
        except CallbackBindError as exc:
            if not exc.in_use:
                raise ConnectNotReady(exc.message) from None
            holder = live_attempt_elsewhere(context.database, context.host, attempt_id)
            if holder is not None:
                raise ConnectInProgress(
                    _(
                        "The callback address {address} is in use by the attempt connecting store {name!r}; "
                        "finish or cancel that one first (one attempt at a time per address)."
                    ).format(address=amazon.callback_listen, name=holder)
                ) from None
            if not redirect_uri:
                raise ConnectNotReady(exc.message) from None
            raise _PortTaken(
                _(
                    "the callback address {address} is in use by another program, so Amazon's redirect "
                    "cannot reach asc-tui here."
                ).format(address=amazon.callback_listen)
            ) from None
        if not redirect_uri:
            redirect_uri = f"http://{listener.bound_address}{path}"
            listener.redirect_uri = redirect_uri
        return listener, redirect_uri


class _PortTaken(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
