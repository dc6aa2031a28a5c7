"""The callback worker: a small HTTP server that receives Amazon's redirect while a connect attempt waits.

It is bound before the consent link is shown (so a fast redirect never meets a closed port), answers only
the configured redirect path (plus the optional Login URI and its own result page) and hands every parsed
answer to the attempt. It never checks the state itself: a wrong state is the attempt's business, and the
attempt keeps waiting. After Amazon's redirect the browser is sent (303) to a clean result page, so the
code leaves the address bar. Nothing is logged with a query string.

Served by uvicorn (h11) with a Starlette app, on loopback unless configured otherwise, optionally with TLS.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import html
import logging
import re
import secrets
import socket
import ssl
import sys
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Generator, Iterable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from asc_tui.amazon.redirect import AmbiguousRedirect, RedirectError, RedirectQuery, parse_redirect
from asc_tui.i18n import _, current_language
from asc_tui.settings import hosts
from asc_tui.settings.hosts import is_loopback

logger = logging.getLogger(__name__)
# Libraries add a NullHandler: without one, uvicorn's warnings would go to stderr, over the TUI.
logging.getLogger("uvicorn").addHandler(logging.NullHandler())

MAX_REQUEST_HEAD = 16 * 1024  # request line + headers; Amazon's answers are well under 2 KiB
MAX_REQUEST_TARGET = 8 * 1024  # path + query: longer is answered 414
CONCURRENCY_LIMIT = 64
KEEP_ALIVE_SECONDS = 2
# A request head must be complete this long after the connection (or its previous answer) began waiting
# for it: a client that connects and never sends, or sends a byte a second, is dropped (408) after that.
HEAD_TIMEOUT_SECONDS = 5.0
REFUSED_DRAIN_SECONDS = 1.0  # how long a refused client may still send before its connection is closed
LINGER_SECONDS = 0.6  # after close(), how long an unviewed result page may still be fetched
# After close(), the worker stops by then whatever keeps arriving: requests never hold the port longer.
MAX_LINGER_SECONDS = 0.8
MAX_RESULTS = 32
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Frame-Options": "DENY",
}


@dataclass(frozen=True)
class CallbackOutcome:
    """What the attempt made of one redirect; shown on the browser's result page."""

    ok: bool
    title: str
    message: str


OnRedirect = Callable[[RedirectQuery], Awaitable[CallbackOutcome]]


class CallbackBindError(Exception):
    """The listener could not take its address; str() is one sentence for the admin."""

    def __init__(self, message: str, address: str, *, in_use: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.address = address
        self.in_use = in_use  # another program (or another attempt) holds the address

    def __str__(self) -> str:
        return self.message


def parse_listen(listen: str) -> tuple[str, int]:
    """`host:port` or `[v6]:port` → (host, port); raises CallbackBindError when it is neither."""
    parsed = hosts.parse_listen(listen)
    if parsed is None:
        raise CallbackBindError(hosts.listen_problem(listen), listen)
    return parsed


def amazon_callback_allowed(uri: str, seller_central: Iterable[str] = ()) -> bool:
    """Whether the login bounce may send the browser to `uri`: only to a configured Seller Central host
    (`https://sellercentral.amazon.com`, or the sandbox's loopback one), with its scheme and port."""
    try:
        parts = urlsplit(uri)
        hostname = (parts.hostname or "").lower()
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return False
    if not hostname or "@" in parts.netloc or parts.scheme not in ("http", "https"):
        return False
    if parts.scheme == "http" and not is_loopback(hostname):
        return False
    for origin in seller_central:
        try:
            allowed = urlsplit(origin.strip())
            allowed_port = allowed.port or (443 if allowed.scheme == "https" else 80)
        except ValueError:
            continue
        if (allowed.scheme, (allowed.hostname or "").lower(), allowed_port) == (parts.scheme, hostname, port):
            return True
    return False


def _bind_error(exc: OSError, address: str) -> CallbackBindError:
    hint = _("set callback_listen in the config to an address such as 127.0.0.1:8976")
    if isinstance(exc, socket.gaierror):
        message = _("The host in the callback address {address} could not be resolved; {hint}.").format(
            address=address, hint=hint
        )
    elif exc.errno == errno.EADDRINUSE:
        message = _(
            "The callback address {address} is already in use by another program; stop that program or "
            "set callback_listen in the config to a free address (127.0.0.1:0 picks any free port)."
        ).format(address=address)
    elif exc.errno in (errno.EACCES, errno.EPERM):
        message = _(
            "This user is not allowed to listen on {address} (ports below 1024 need extra rights); {hint}."
        ).format(address=address, hint=hint)
    elif exc.errno == errno.EADDRNOTAVAIL:
        message = _("The callback address {address} is not an address of this computer; {hint}.").format(
            address=address, hint=hint
        )
    else:
        message = _("asc-tui could not listen on {address} ({reason}); {hint}.").format(
            address=address, reason=exc.strerror or exc, hint=hint
        )
    return CallbackBindError(message, address, in_use=exc.errno == errno.EADDRINUSE)


class _Server(uvicorn.Server):
    """uvicorn without signal capture (the app owns SIGINT/SIGTERM) and with a stop condition."""

    def __init__(self, config: uvicorn.Config, should_stop: Callable[[], bool]) -> None:
        super().__init__(config)
        self._should_stop = should_stop

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield

    async def on_tick(self, counter: int) -> bool:
        if not self.should_exit and self._should_stop():
            self.should_exit = True
            self.force_exit = True  # do not wait for busy connections: they are closed right now
            abort_connections(self)
        return await super().on_tick(counter)


def abort_connections(server: uvicorn.Server) -> None:
    """Close every connection and cancel every request still running, so shutdown never waits."""
    state = server.server_state
    for connection in list(state.connections):
        transport = getattr(connection, "transport", None)
        if transport is not None:
            transport.close()
    for task in list(state.tasks):
        task.cancel()


# uvicorn has no public hook for these defences: this subclass is the adapter on its internals (cycle, connections,
# transport, on_response_complete), checked by tests/unit/test_dependency_internals.py and capped in pyproject.toml.
class _GuardedH11(H11Protocol):
    """uvicorn's h11 protocol, with what it lacks against idle, slow and oversized clients.

    uvicorn times a connection out only between requests, and answers 503 to everyone once
    CONCURRENCY_LIMIT connections are open: a few dozen clients that connect and never send (or send a
    byte a second) would keep Amazon's redirect out for as long as they like. Here a request head must be
    complete within HEAD_TIMEOUT_SECONDS (else 408), a new connection that would reach the limit first
    drops the connection that has waited longest for a head (no request of it is being answered), and a
    head past MAX_REQUEST_HEAD is answered 414/431 however it arrives (h11 alone lets one that arrives in
    a single read through, and answers one in pieces with a bare 400).

    Refusals close gently: the worker stops answering but drains what the client still sends for a
    moment, so the client reads the status instead of a connection reset.
    """

    _waiting_since: float | None = None  # since when a request head is awaited; None while answering
    _head_timer: asyncio.TimerHandle | None = None
    _line_bytes = 0  # of the request line so far
    _line_done = False
    _head_bytes = 0
    _tail = b""  # the last bytes of the head so far, to find its end across reads
    _refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()
        self._make_room()

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # drained until the connection closes
        if self._waiting_since is not None and self._head_too_big(data):
            return
        cycle = self.cycle
        super().data_received(data)
        if self.cycle is not cycle:  # a request head was complete: it is being answered now
            self._stop_waiting()

    def on_response_complete(self) -> None:
        cycle = self.cycle
        super().on_response_complete()
        if self.cycle is cycle and not self.transport.is_closing():
            self._await_head()  # the next request (keep-alive) gets the same time as the first

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def _head_too_big(self, data: bytes) -> bool:
        window = self._tail + data
        end = _HEAD_END.search(window)
        head = data if end is None else data[: max(0, end.end() - len(self._tail))]
        if not self._line_done:
            newline = head.find(b"\n")
            self._line_done = newline >= 0
            self._line_bytes += len(head) if newline < 0 else newline
        self._head_bytes += len(head)
        self._tail = window[-3:]
        if self._line_bytes > MAX_REQUEST_TARGET + 32:  # the method and the HTTP version around it
            self._refuse(414, "URI Too Long", _("This address is far too long."))
        elif self._head_bytes > MAX_REQUEST_HEAD:
            self._refuse(431, "Request Header Fields Too Large", _("The request headers are far too large."))
        return self._refused

    def _await_head(self) -> None:
        self._stop_waiting()
        self._waiting_since = time.monotonic()
        self._line_bytes = self._head_bytes = 0
        self._line_done = False
        self._tail = b""
        self._head_timer = self.loop.call_later(HEAD_TIMEOUT_SECONDS, self._head_timed_out)

    def _stop_waiting(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        self._waiting_since = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._head_bytes:
            self._refuse(408, "Request Timeout", _("The request took too long to arrive."))
        else:
            self._drop()  # connected and sent nothing: as an idle keep-alive connection

    def _refuse(self, status: int, reason: str, text: str) -> None:
        """Answer `status` with `text` (in the admin's language, as _dispatch's refusals) and close; the
        reason phrase stays HTTP's own English."""
        self._stop_waiting()
        self._refused = True
        if self.transport.is_closing():
            return
        body = (text + "\n").encode("utf-8")  # content-length counts these bytes, not characters
        head = [f"HTTP/1.1 {status} {reason}", "content-type: text/plain; charset=utf-8"]
        head += [f"{name.lower()}: {value}" for name, value in SECURITY_HEADERS.items()]
        head += ["connection: close", f"content-length: {len(body)}", "", ""]
        self.transport.write("\r\n".join(head).encode() + body)
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(REFUSED_DRAIN_SECONDS, self._drop)

    def _drop(self) -> None:
        self._stop_waiting()
        if not self.transport.is_closing():
            self.transport.close()

    def _make_room(self) -> None:
        limit = self.config.limit_concurrency
        if limit is None:  # pragma: no cover - always set by the listener
            return
        open_ = [c for c in self.connections if c.transport is not None and not c.transport.is_closing()]
        idle = sorted(
            (
                c
                for c in open_
                if c is not self
                and isinstance(c, _GuardedH11)
                and (c._refused or c._waiting_since is not None)
            ),
            key=lambda c: (not c._refused, c._waiting_since or 0.0),
        )
        # uvicorn answers 503 once the open connections (this one included) reach the limit.
        for oldest in idle[: max(0, len(open_) - limit + 1)]:
            oldest._drop()


_HEAD_END = re.compile(rb"\n\r?\n")


class _Endpoint:
    """An ASGI endpoint around `handle(request) -> response`, for every HTTP method."""

    def __init__(self, handle: Callable[[Request], Awaitable[Response]]) -> None:
        self._handle = handle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self._handle(Request(scope, receive))
        await response(scope, receive, send)


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
        self._server: _Server | None = None
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
            routes=[Route("/{path:path}", _Endpoint(self._dispatch))],
            exception_handlers={404: _not_found},
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
            raise _bind_error(exc, listen) from None
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
            raise _bind_error(exc, listen) from None
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
            http=_GuardedH11,
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
        server = _Server(config, self._should_stop)
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
            return _plain(403, _("Only this computer may use this address.") + "\n", {"Connection": "close"})
        # uvicorn (h11) bounds a head that arrives in pieces; one that arrives at once is bounded here.
        scope = request.scope
        if len(scope["raw_path"]) + len(scope["query_string"]) + 1 > MAX_REQUEST_TARGET:
            return _plain(414, _("This address is far too long.") + "\n", {"Connection": "close"})
        if sum(len(name) + len(value) + 4 for name, value in scope["headers"]) > MAX_REQUEST_HEAD:
            return _plain(431, _("The request headers are far too large.") + "\n", {"Connection": "close"})
        if request.method != "GET":
            return _plain(405, _("Method not allowed.") + "\n", {"Allow": "GET"})
        path: str = request.scope["path"]
        if path == self.result_path:
            return self._result_page(request.query_params.get("r", ""))
        if path in (self.redirect_path, self.login_path):
            return await self._amazon_answer(request, is_login=path == self.login_path)
        return _plain(404, _("Not found.") + "\n")

    async def _amazon_answer(self, request: Request, *, is_login: bool) -> Response:
        raw_query = request.scope.get("query_string", b"").decode("latin-1")
        try:
            query = parse_redirect("?" + raw_query)
        except AmbiguousRedirect:
            return _page(
                400,
                False,
                _("Amazon's answer could not be read"),
                _(
                    "This address gives a parameter more than once, so asc-tui cannot tell which one Amazon "
                    "sent. Return to asc-tui in your terminal and start connecting again."
                ),
            )
        except RedirectError:
            return _page(
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
            return _page(
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
            return _page(
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
            return _plain(503, _("Not ready.") + "\n")
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
            return _page(
                409,
                False,
                _("No connection is waiting"),
                _(
                    "asc-tui is not waiting for Amazon right now. Start connecting (or renewing) the store in "
                    "asc-tui first, then approve the app on Amazon again."
                ),
            )
        if not amazon_callback_allowed(callback_uri, self.seller_central):
            return _page(
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

    def _result_page(self, result_id: str) -> Response:
        outcome = self._results.get(result_id)
        if outcome is None:
            return _page(
                404,
                False,
                _("This page has expired"),
                _(
                    "The result of this connection attempt is no longer available. Return to asc-tui in your "
                    "terminal to see how it went."
                ),
            )
        response = _page(200, outcome.ok, outcome.title, outcome.message)
        response.background = BackgroundTask(self._viewed, result_id)
        return response

    async def _viewed(self, result_id: str) -> None:
        self._unviewed.discard(result_id)


# --- pages -----------------------------------------------------------------------------------------

_STYLE = """
:root { color-scheme: light dark; }
body { margin: 0; min-height: 100vh; display: flex; align-items: center; justify-content: center;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f4f5f7; color: #1d232b; }
main { max-width: 34rem; margin: 1.5rem; padding: 2rem 2.25rem; background: #fff; border-radius: 12px;
  box-shadow: 0 2px 12px rgba(0, 0, 0, .08); border-top: 6px solid #2e7d32; }
main.error { border-top-color: #c62828; }
h1 { font-size: 1.35rem; margin: 0 0 .75rem; }
p { margin: .5rem 0; overflow-wrap: anywhere; }
.next { color: #55606e; }
.brand { font-size: .8rem; letter-spacing: .08em; text-transform: uppercase; color: #8a94a3; margin: 0 0 .5rem; }
@media (prefers-color-scheme: dark) {
  body { background: #15191e; color: #e6e9ee; } main { background: #1f252c; box-shadow: none; }
  .next { color: #a9b2be; }
}
"""


def render_page(ok: bool, title: str, message: str) -> str:
    """A self-contained result page (inline CSS, no external resource); every text is HTML-escaped.

    In the language asc-tui speaks now (`<html lang>` says which): the attempt words the outcome when
    Amazon's answer arrives, in the same language.
    """
    next_step = (
        _("You can close this tab and return to asc-tui in your terminal.")
        if ok
        else _("Return to asc-tui in your terminal to try again.")
    )
    mark = "✓ " if ok else ""
    brand = _("asc-tui · Amazon Sales Channel")
    return (
        "<!doctype html>\n"
        f'<html lang="{html.escape(current_language())}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{html.escape(title)} · asc-tui</title><style>{_STYLE}</style></head>\n"
        f'<body><main class="{"ok" if ok else "error"}"><p class="brand">{html.escape(brand)}</p>'
        f"<h1>{mark}{html.escape(title)}</h1><p>{html.escape(message)}</p>"
        f'<p class="next">{html.escape(next_step)}</p></main></body></html>\n'
    )


def _page(status: int, ok: bool, title: str, message: str) -> HTMLResponse:
    return HTMLResponse(render_page(ok, title, message), status_code=status, headers=dict(SECURITY_HEADERS))


async def _not_found(request: Request, exc: Exception) -> Response:
    return _plain(404, _("Not found.") + "\n")


def _plain(status: int, text: str, extra: dict[str, str] | None = None) -> PlainTextResponse:
    return PlainTextResponse(text, status_code=status, headers={**SECURITY_HEADERS, **(extra or {})})
