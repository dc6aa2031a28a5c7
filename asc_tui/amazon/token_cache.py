"""One Login with Amazon access token per store, shared by everything in the process.

An access token lives an hour and serves any number of SP-API calls (reference/spapi.md §2.3), so a health
refresh of many stores, from the TUI and the CLI alike, should exchange each store's refresh token about
once an hour, not once a call. `LwaClient` already caches per refresh token until 60 s before expiry, behind
a lock per token; this module keeps one `LwaClient` per app (token URL, client ID, client secret) for the
whole process, so that cache is the one everybody reads.

A rotated client secret is a different key: the old client (and its tokens, which Amazon no longer
honours once the secret is gone) is dropped on the first call with the new secret.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from asc_tui.amazon.http import RetryPolicy
from asc_tui.amazon.lwa import LwaClient


@dataclass(frozen=True)
class LwaApp:
    """The app's Login with Amazon credentials: the same for every store."""

    token_url: str
    client_id: str
    client_secret: str = field(repr=False)


def _app_key(app: LwaApp) -> tuple[str, str]:
    return app.token_url, app.client_id


def _secret_hash(app: LwaApp) -> str:
    # A rotation must not reuse the client (and tokens) of the old secret; only a hash is kept, so the
    # cache holds no second copy of the secret beside the client's own.
    return hashlib.sha256(app.client_secret.encode("utf-8")).hexdigest()


class AccessTokenCache:
    """Access tokens per (app, refresh token), exchanged once and reused until 60 s before they expire.

    Thread-safe: two threads asking for the same store's token at once make one exchange (the second waits
    on `LwaClient`'s lock for that refresh token and then reads the cache)."""

    def __init__(
        self,
        *,
        http: httpx.Client | None = None,
        retry_policy: RetryPolicy | None = None,
        timeout: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._policy = retry_policy
        self._timeout = timeout
        self._clock = clock
        self._clients: dict[tuple[str, str], tuple[str, LwaClient]] = {}
        # Clients of a rotated secret: another thread may still be inside one, so they close with the cache.
        self._retired: list[LwaClient] = []
        self._guard = threading.Lock()

    def __repr__(self) -> str:
        return f"AccessTokenCache(apps={len(self._clients)})"

    def access_token(self, app: LwaApp, refresh_token: str) -> str:
        """A usable access token for the store behind `refresh_token`; raises the `LwaClient`'s errors
        (`RefreshTokenRevoked`, `InvalidClient`, `LwaError`, `AmazonUnavailable`, …)."""
        return self._client(app).access_token(refresh_token)

    def invalidate(self, app: LwaApp, refresh_token: str) -> None:
        """Forget a store's token, e.g. after the SP-API said it expired before its time."""
        self._client(app).invalidate(refresh_token)

    def close(self) -> None:
        with self._guard:
            clients = [client for _secret, client in self._clients.values()] + self._retired
            self._clients, self._retired = {}, []
        for client in clients:
            client.close()

    def _client(self, app: LwaApp) -> LwaClient:
        key, secret = _app_key(app), _secret_hash(app)
        with self._guard:
            held = self._clients.get(key)
            if held is not None and held[0] == secret:
                return held[1]
            if held is not None:
                self._retired.append(held[1])
            client = LwaClient(
                app.token_url,
                app.client_id,
                app.client_secret,
                timeout=self._timeout,
                http=self._http,
                retry_policy=self._policy,
                clock=self._clock,
            )
            self._clients[key] = (secret, client)
        return client


# The process's one cache: the TUI's and the CLI's health refreshes share it.
SHARED_ACCESS_TOKENS = AccessTokenCache()
