"""The callback worker's HTTP server: uvicorn (h11) hardened against idle, slow and oversized clients.

uvicorn has no public hook for these defences: `GuardedH11` is the adapter on its h11 protocol's internals
(cycle, connections, transport, on_response_complete), checked by tests/project/test_dependency_internals.py
and capped in pyproject.toml.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Awaitable, Callable, Generator

import uvicorn
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from asc_tui.amazon.callback_pages import SECURITY_HEADERS
from asc_tui.i18n import _

MAX_REQUEST_HEAD = 16 * 1024  # request line + headers; Amazon's answers are well under 2 KiB
MAX_REQUEST_TARGET = 8 * 1024  # path + query: longer is answered 414
CONCURRENCY_LIMIT = 64
KEEP_ALIVE_SECONDS = 2
# A request head must be complete this long after the connection (or its previous answer) began waiting
# for it: a client that connects and never sends, or sends a byte a second, is dropped (408) after that.
HEAD_TIMEOUT_SECONDS = 5.0
REFUSED_DRAIN_SECONDS = 1.0  # how long a refused client may still send before its connection is closed


class GuardedServer(uvicorn.Server):
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


class GuardedH11(H11Protocol):
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
                and isinstance(c, GuardedH11)
                and (c._refused or c._waiting_since is not None)
            ),
            key=lambda c: (not c._refused, c._waiting_since or 0.0),
        )
        # uvicorn answers 503 once the open connections (this one included) reach the limit.
        for oldest in idle[: max(0, len(open_) - limit + 1)]:
            oldest._drop()


_HEAD_END = re.compile(rb"\n\r?\n")


class Endpoint:
    """An ASGI endpoint around `handle(request) -> response`, for every HTTP method."""

    def __init__(self, handle: Callable[[Request], Awaitable[Response]]) -> None:
        self._handle = handle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self._handle(Request(scope, receive))
        await response(scope, receive, send)
