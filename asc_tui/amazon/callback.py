"""The callback worker: a small HTTP server that receives Amazon's redirect while a connect attempt waits.

It is bound before the consent link is shown (so a fast redirect never meets a closed port), answers only
the configured redirect path (plus the optional Login URI and its own result page) and hands every parsed
answer to the attempt. It never checks the state itself: a wrong state is the attempt's business, and the
attempt keeps waiting. After Amazon's redirect the browser is sent (303) to a clean result page, so the
code leaves the address bar. Nothing is logged with a query string.

Served by uvicorn (h11) with a Starlette app, on loopback unless configured otherwise, optionally with TLS.
"""

from __future__ import annotations

import logging
import secrets
import socket
import ssl
import sys
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from asc_tui.amazon.callback_address import (
    CallbackBindError,
    amazon_callback_allowed,
    bind_error,
    parse_listen,
)
from asc_tui.amazon.callback_pages import SECURITY_HEADERS, not_found, page, plain
from asc_tui.amazon.callback_server import (
    CONCURRENCY_LIMIT,
    KEEP_ALIVE_SECONDS,
    MAX_REQUEST_HEAD,
    MAX_REQUEST_TARGET,
    Endpoint,
    GuardedH11,
    GuardedServer,
    abort_connections,
)
from asc_tui.amazon.redirect import AmbiguousRedirect, RedirectError, RedirectQuery, parse_redirect
from asc_tui.i18n import _
from asc_tui.settings.hosts import is_loopback

logger = logging.getLogger(__name__)
# Libraries add a NullHandler: without one, uvicorn's warnings would go to stderr, over the TUI.
logging.getLogger("uvicorn").addHandler(logging.NullHandler())

LINGER_SECONDS = 0.6  # after close(), how long an unviewed result page may still be fetched
# After close(), the worker stops by then whatever keeps arriving: requests never hold the port longer.
MAX_LINGER_SECONDS = 0.8
MAX_RESULTS = 32


@dataclass(frozen=True)
class CallbackOutcome:
    """What the attempt made of one redirect; shown on the browser's result page."""

    ok: bool
    title: str
    message: str


OnRedirect = Callable[[RedirectQuery], Awaitable[CallbackOutcome]]


class CallbackListener:
    """Bind with `bind()`, then `await serve(on_redirect)` until `close()` or cancellation."""

    def __init__(
        self,
        redirect_path: str,
        *,
        redirect_uri: str,
        current_state: Callable[[], str | None] | None = None,
        login_path: str | None = None,
        draft_app: bool = False,
        tls_cert: str | None = None,
        tls_key: str | None = None,
        seller_central: Iterable[str] = (),
        behind_tls_proxy: bool = False,
    ) -> None:
        if not redirect_path.startswith("/"):
            raise ValueError("redirect_path must start with '/'")
        if login_path is not None and not login_path.startswith("/"):
            raise ValueError("login_path must start with '/'")
        self.redirect_path = redirect_path
        self.login_path = login_path or None
        self.result_path = redirect_path.rstrip("/") + "/done"
        # Relative to the redirect path, so a proxy that maps the path prefix still reaches the result.
        base = redirect_path[: redirect_path.rfind("/") + 1]
        self._result_location = self.result_path[len(base) :]
        self.redirect_uri = redirect_uri
        self.draft_app = draft_app
        self.tls_cert = tls_cert or None
        self.tls_key = tls_key or None
        # Plain http off loopback only when the admin says a TLS proxy in front is the only way in.
        self.behind_tls_proxy = behind_tls_proxy
        # Where the Login URI bounce may send the browser back to: the configured Seller Central hosts.
        self.seller_central = tuple(seller_central)
        self._current_state = current_state
        self._on_redirect: OnRedirect | None = None
        self._sock: socket.socket | None = None
        self._config: uvicorn.Config | None = None
        self._server: GuardedServer | None = None
        self._address: str | None = None
        self._loopback_only = True
        self._close_requested_at: float | None = None
        self._results: OrderedDict[str, CallbackOutcome] = OrderedDict()
        self._unviewed: set[str] = set()
        self._last_result_at = 0.0  # when the last result page was handed out (monotonic)
        self._answering = 0  # Amazon answers being handled right now
        # One catch-all route with an ASGI endpoint (so every method reaches `_dispatch`): the paths come
        # from the config and are compared literally, never read as route patterns.
        # A request target that is no path at all (`*`, `host:port`, an absolute URL) gets the same 404.
        self.app = Starlette(
            routes=[Route("/{path:path}", Endpoint(self._dispatch))],
            exception_handlers={404: not_found},
        )

    # --- lifecycle ---------------------------------------------------------------------------------

    @property
    def bound_address(self) -> str | None:
        """`host:port` actually bound (the real port when 0 was asked), or None before `bind()`."""
        return self._address

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None and self.tls_key is not None

    def bind(self, listen: str) -> None:
        """Take the address now, before the consent link is shown; raises CallbackBindError."""
        if self._sock is not None:
            raise RuntimeError("The callback listener is already bound.")
        if (self.tls_cert is None) != (self.tls_key is None):
            raise CallbackBindError(
                _(
                    "Serving the callback over TLS needs both a certificate and a key; set both "
                    "callback_tls_cert and callback_tls_key in the config, or neither."
                ),
                listen,
            )
        host, port = parse_listen(listen)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        except OSError as exc:
            raise bind_error(exc, listen) from None
        family, kind, proto, _canonname, sockaddr = infos[0]
        sock = socket.socket(family, kind, proto)
        try:
            if sys.platform == "win32":  # pragma: no cover - Windows only
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
            else:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(sockaddr)
            sock.listen(CONCURRENCY_LIMIT)
            sock.setblocking(False)
        except OSError as exc:
            sock.close()
            raise bind_error(exc, listen) from None
        bound_host, bound_port = sock.getsockname()[:2]
        self._address = f"[{bound_host}]:{bound_port}" if ":" in bound_host else f"{bound_host}:{bound_port}"
        self._loopback_only = is_loopback(bound_host)
        if not self._loopback_only and not self.tls and not self.behind_tls_proxy:
            sock.close()
            self._address = None
            raise CallbackBindError(
                _(
                    "The callback address {address} lets other computers reach the callback worker over plain "
                    "http; keep callback_listen on 127.0.0.1, set callback_tls_cert and callback_tls_key, or "
                    "set callback_behind_tls_proxy = true if only your TLS proxy can reach it."
                ).format(address=listen),
                listen,
            )
        try:
            self._config = self._make_config()
        except (OSError, ssl.SSLError) as exc:
            sock.close()
            self._address = None
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise CallbackBindError(
                _(
                    "The TLS certificate or key for the callback listener could not be loaded ({reason}); "
                    "check callback_tls_cert and callback_tls_key in the config."
                ).format(reason=reason),
                listen,
            ) from None
        self._sock = sock
        self._close_requested_at = None

    def _make_config(self) -> uvicorn.Config:
        config = uvicorn.Config(
            self.app,
            http=GuardedH11,
            ws="none",
            lifespan="off",
            log_config=None,
            access_log=False,  # the access log would carry the query string, hence the code
            proxy_headers=False,  # the peer check must see the real TCP peer
            server_header=False,
            limit_concurrency=CONCURRENCY_LIMIT,
            backlog=CONCURRENCY_LIMIT,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
            timeout_graceful_shutdown=1,
            h11_max_incomplete_event_size=MAX_REQUEST_HEAD,
            ssl_certfile=self.tls_cert,
            ssl_keyfile=self.tls_key,
        )
        config.load()
        return config

    async def serve(self, on_redirect: OnRedirect) -> None:
        """Serve until `close()` (within a second) or cancellation (at once); the port is released after."""
        sock, config = self._sock, self._config
        if sock is None or config is None:
            if self._close_requested_at is not None:
                return  # closed before it started serving: nothing to do
            raise RuntimeError("Call bind() before serve().")
        if self._server is not None:
            raise RuntimeError("The callback listener is already serving.")
        self._on_redirect = on_redirect
        server = GuardedServer(config, self._should_stop)
        self._server = server
        try:
            if self._close_requested_at is None:
                await server.serve(sockets=[sock])
        finally:
            for listening in getattr(server, "servers", []):
                listening.close()
            abort_connections(server)
            sock.close()
            self._sock = None
            self._config = None
            self._server = None
            self._on_redirect = None

    def close(self) -> None:
        """Stop serving: at once when idle, else after an unviewed result page was fetched (≤ 0.6 s)."""
        if self._close_requested_at is None:
            self._close_requested_at = time.monotonic()
        if self._server is None and self._sock is not None:
            self._sock.close()
            self._sock = None
            self._config = None

    def _should_stop(self) -> bool:
        asked = self._close_requested_at
        if asked is None:
            return False
        # Counted from the later of close() and the last 303: the attempt usually closes the listener while
        # its own redirect is still being answered, and the browser needs a moment to follow it.
        # An answer being handled counts as unviewed: the attempt closes the listener from inside it, a
        # moment before its result page exists, and stopping then would drop the browser's connection.
        # Never longer than MAX_LINGER_SECONDS after close(): requests that keep coming (each answer resets
        # the linger) must not keep the worker up once the attempt has ended.
        now = time.monotonic()
        since = max(asked, self._last_result_at)
        idle = not self._unviewed and not self._answering
        return idle or now - since >= LINGER_SECONDS or now - asked >= MAX_LINGER_SECONDS

    # --- HTTP ------------------------------------------------------------------------------------

    async def _dispatch(self, request: Request) -> Response:
        client = request.client
        if self._loopback_only and (client is None or not is_loopback(client.host)):
            return plain(403, _("Only this computer may use this address.") + "\n", {"Connection": "close"})
        # uvicorn (h11) bounds a head that arrives in pieces; one that arrives at once is bounded here.
        scope = request.scope
        if len(scope["raw_path"]) + len(scope["query_string"]) + 1 > MAX_REQUEST_TARGET:
            return plain(414, _("This address is far too long.") + "\n", {"Connection": "close"})
        if sum(len(name) + len(value) + 4 for name, value in scope["headers"]) > MAX_REQUEST_HEAD:
            return plain(431, _("The request headers are far too large.") + "\n", {"Connection": "close"})
        if request.method != "GET":
            return plain(405, _("Method not allowed.") + "\n", {"Allow": "GET"})
        path: str = request.scope["path"]
        if path == self.result_path:
            return self._resultpage(request.query_params.get("r", ""))
        if path in (self.redirect_path, self.login_path):
            return await self._amazon_answer(request, is_login=path == self.login_path)
        return plain(404, _("Not found.") + "\n")

    async def _amazon_answer(self, request: Request, *, is_login: bool) -> Response:
        raw_query = request.scope.get("query_string", b"").decode("latin-1")
        try:
            query = parse_redirect("?" + raw_query)
        except AmbiguousRedirect:
            return page(
                400,
                False,
                _("Amazon's answer could not be read"),
                _(
                    "This address gives a parameter more than once, so asc-tui cannot tell which one Amazon "
                    "sent. Return to asc-tui in your terminal and start connecting again."
                ),
            )
        except RedirectError:
            return page(
                400,
                False,
                _("This is not an answer from Amazon"),
                _(
                    "This address does not carry an authorization from Amazon (there is no spapi_oauth_code). "
                    "Start connecting from asc-tui and approve the app on Amazon; Amazon then sends your "
                    "browser here."
                ),
            )
        if query.is_login_bounce and is_login:
            return self._login_bounce(query)
        if query.is_login_bounce:
            # Only a configured Login URI bounces: elsewhere the answer would hand the live state to anyone.
            return page(
                400,
                False,
                _("This is not an answer from Amazon"),
                _(
                    "This address carries amazon_callback_uri, which Amazon sends only to an app's Login URI, "
                    "and asc-tui serves no Login URI; remove the Login URI from your app in Seller Central's "
                    "Develop Apps and start connecting again."
                ),
            )
        if is_login:
            return page(
                400,
                False,
                _("This is not an answer from Amazon"),
                _(
                    "The Login URI was opened without amazon_callback_uri and amazon_state. Start connecting "
                    "from asc-tui and approve the app on Amazon."
                ),
            )
        on_redirect = self._on_redirect
        if on_redirect is None:  # pragma: no cover - requests only arrive while serving
            return plain(503, _("Not ready.") + "\n")
        self._answering += 1
        try:
            try:
                outcome = await on_redirect(query)
            except Exception:
                logger.exception("The connect attempt failed while handling Amazon's redirect")
                outcome = CallbackOutcome(
                    False,
                    _("asc-tui could not finish connecting"),
                    _(
                        "Something went wrong in asc-tui while handling Amazon's answer; the terminal says more."
                    ),
                )
            result_id = secrets.token_urlsafe(16)
            self._results[result_id] = outcome
            self._unviewed.add(result_id)
            self._last_result_at = time.monotonic()
        finally:
            self._answering -= 1
        while len(self._results) > MAX_RESULTS:
            old, _outcome = self._results.popitem(last=False)
            self._unviewed.discard(old)
        return RedirectResponse(
            f"{self._result_location}?r={result_id}", status_code=303, headers=dict(SECURITY_HEADERS)
        )

    def _login_bounce(self, query: RedirectQuery) -> Response:
        callback_uri = query.amazon_callback_uri or ""
        state = self._current_state() if self._current_state is not None else None
        if not state:
            return page(
                409,
                False,
                _("No connection is waiting"),
                _(
                    "asc-tui is not waiting for Amazon right now. Start connecting (or renewing) the store in "
                    "asc-tui first, then approve the app on Amazon again."
                ),
            )
        if not amazon_callback_allowed(callback_uri, self.seller_central):
            return page(
                400,
                False,
                _("This sign-in link does not lead back to Amazon"),
                _(
                    "The address Amazon should continue at is not an Amazon address, so asc-tui will not "
                    "follow it. Start connecting again from asc-tui."
                ),
            )
        params = [
            ("redirect_uri", self.redirect_uri),
            ("amazon_state", query.amazon_state or ""),
            ("state", state),
        ]
        if self.draft_app:
            params.append(("version", "beta"))
        base = callback_uri.partition("#")[0]
        separator = "&" if "?" in base else "?"
        return RedirectResponse(
            base + separator + urlencode(params), status_code=302, headers=dict(SECURITY_HEADERS)
        )

    def _resultpage(self, result_id: str) -> Response:
        outcome = self._results.get(result_id)
        if outcome is None:
            return page(
                404,
                False,
                _("This page has expired"),
                _(
                    "The result of this connection attempt is no longer available. Return to asc-tui in your "
                    "terminal to see how it went."
                ),
            )
        response = page(200, outcome.ok, outcome.title, outcome.message)
        response.background = BackgroundTask(self._viewed, result_id)
        return response

    async def _viewed(self, result_id: str) -> None:
        self._unviewed.discard(result_id)
