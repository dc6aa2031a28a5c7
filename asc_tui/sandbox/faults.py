"""The tests' knobs: answer the next requests under a path with 429 or a server error, as Amazon can."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from asc_tui.i18n import _
from asc_tui.sandbox import pages
from asc_tui.sandbox.responses import html, lwa_error, sp_error


@dataclass
class _Rule:
    prefix: str
    count: int
    status: int
    retry_after: float | None


def _normalize_prefix(prefix: str) -> str:
    if "://" in prefix:
        prefix = urlsplit(prefix).path
    return prefix if prefix.startswith("/") else "/" + prefix


class Faults:
    """Requests to fail, by path prefix; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []

    def throttle_next(self, path_prefix: str, count: int = 1, retry_after: float | None = 1) -> None:
        with self._lock:
            self._rules.append(_Rule(_normalize_prefix(path_prefix), count, 429, retry_after))

    def fail_next(self, path_prefix: str, status: int = 503, count: int = 1) -> None:
        with self._lock:
            self._rules.append(_Rule(_normalize_prefix(path_prefix), count, status, None))

    @property
    def pending(self) -> int:
        """How many fault answers are still to be given."""
        with self._lock:
            return sum(rule.count for rule in self._rules)

    def response(self, path: str) -> Response | None:
        """The failure this request gets, in the shape of the part of Amazon it went to, or None."""
        with self._lock:
            rule = next((r for r in self._rules if path.startswith(r.prefix)), None)
            if rule is None:
                return None
            rule.count -= 1
            if rule.count <= 0:
                self._rules.remove(rule)
        if rule.status == 429:
            headers = {} if rule.retry_after is None else {"Retry-After": f"{rule.retry_after:g}"}
            return sp_error(
                429, "QuotaExceeded", "You exceeded your quota for the requested resource.", "", **headers
            )
        if path.startswith("/auth/"):
            if rule.status == 503:
                return lwa_error(503, "temporarily_unavailable", "The service is temporarily unavailable.")
            return lwa_error(rule.status, "server_error", "The server encountered an internal error.")
        if path.startswith("/sc/"):
            return html(
                pages.error_page(
                    title=_("Service unavailable"),
                    message=_("Seller Central is temporarily unavailable. Please try again later."),
                    code=str(rule.status),
                ),
                rule.status,
            )
        if rule.status == 503:
            return sp_error(503, "ServiceUnavailable", "Service temporarily unavailable.")
        return sp_error(rule.status, "InternalFailure", "We encountered an internal error. Please try again.")


class WithFaults:
    """ASGI wrapper answering the requests the tests asked to throttle or fail."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self._app = app
        self._faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            response = self._faults.response(scope["path"])
            if response is not None:
                await response(scope, receive, send)
                return
        await self._app(scope, receive, send)
