"""Login with Amazon: exchange an authorization code for tokens, and a refresh token for access tokens.

Form-encoded POSTs to the token URL (reference/spapi.md §2), retried by the shared policy in
`asc_tui.amazon.http`, with LWA's `{"error", "error_description"}` answers mapped to typed errors.
Access tokens are cached in memory per refresh token until 60 s before they expire. No token, code or
secret ever reaches a log line, an exception message or a repr.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from asc_tui import __version__
from asc_tui.amazon.errors import (
    AmazonError,
    AmazonProtocolError,
    InvalidClient,
    InvalidGrant,
    LwaError,
    RefreshTokenRevoked,
    redact,
)
from asc_tui.amazon.http import RetryPolicy, describe_not_json, json_object, send_with_retries
from asc_tui.i18n import _

SERVICE = "Login with Amazon"
EXPIRY_MARGIN_SECONDS = 60.0
DEFAULT_EXPIRES_IN = 3600


@dataclass(frozen=True)
class TokenSet:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int
    token_type: str

    def __repr__(self) -> str:
        return (
            f"TokenSet(access_token='[redacted]', refresh_token='[redacted]', "
            f"expires_in={self.expires_in!r}, token_type={self.token_type!r})"
        )

    __str__ = __repr__


@dataclass
class _CachedToken:
    access_token: str
    usable_until: float  # monotonic clock


class LwaClient:
    """A synchronous Login with Amazon client; safe to share between threads."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: float = 15.0,
        http: httpx.Client | None = None,
        max_attempts: int = 4,
        deadline_seconds: float | None = None,
        retry_policy: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self.timeout = timeout
        self._owns_http = http is None
        self._http = http if http is not None else httpx.Client(follow_redirects=False)
        self.policy = retry_policy or RetryPolicy(
            max_attempts=max_attempts, deadline_seconds=deadline_seconds
        )
        self._clock = clock
        self._cache: dict[str, _CachedToken] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def __repr__(self) -> str:
        return f"LwaClient(token_url={self.token_url!r}, client_id={self.client_id!r}, client_secret='[redacted]')"

    # --- lifecycle ---------------------------------------------------------------------------------

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> LwaClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- grants ------------------------------------------------------------------------------------

    def exchange_code(
        self, code: str, redirect_uri: str | None, *, deadline_seconds: float | None = None
    ) -> TokenSet:
        """Exchange an `spapi_oauth_code` (valid 5 minutes, single use) for a refresh and access token.

        `deadline_seconds` shortens the retry deadline for this call (what is left of a connect attempt).
        """
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": self.client_id,
            "client_secret": self._client_secret,
        }
        if redirect_uri:
            form["redirect_uri"] = redirect_uri
        body = self._post(
            form, grant="authorization_code", secrets=(code,), deadline_seconds=deadline_seconds
        )
        tokens = self._token_set(body, refresh_token=None)
        self._remember(tokens.refresh_token, tokens.access_token, tokens.expires_in)
        return tokens

    def access_token(self, refresh_token: str) -> str:
        """An access token for `refresh_token`, from the cache while it has more than 60 s left."""
        key = _cache_key(refresh_token)
        with self._lock_for(key):
            cached = self._cache.get(key)
            if cached is not None and self._clock() < cached.usable_until:
                return cached.access_token
            form = {
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": self.client_id,
                "client_secret": self._client_secret,
            }
            body = self._post(form, grant="refresh_token", secrets=(refresh_token,))
            tokens = self._token_set(body, refresh_token=refresh_token)
            self._remember(refresh_token, tokens.access_token, tokens.expires_in)
            return tokens.access_token

    def invalidate(self, refresh_token: str) -> None:
        """Forget the cached access token (e.g. after the SP-API said it expired)."""
        key = _cache_key(refresh_token)
        with self._lock_for(key):
            self._cache.pop(key, None)

    # --- internals ---------------------------------------------------------------------------------

    def _lock_for(self, key: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())

    def _remember(self, refresh_token: str, access_token: str, expires_in: int) -> None:
        usable_until = self._clock() + expires_in - EXPIRY_MARGIN_SECONDS
        self._cache[_cache_key(refresh_token)] = _CachedToken(access_token, usable_until)

    def _post(
        self,
        form: dict[str, str],
        *,
        grant: str,
        secrets: tuple[str, ...],
        deadline_seconds: float | None = None,
    ) -> dict[str, Any]:
        headers = {
            "content-type": "application/x-www-form-urlencoded;charset=UTF-8",
            "accept": "application/json",
            "user-agent": f"asc-tui/{__version__}",
        }

        def send(timeout: float) -> httpx.Response:
            return self._http.post(self.token_url, data=form, headers=headers, timeout=timeout)

        policy = self.policy
        if deadline_seconds is not None:
            shorter = min(deadline_seconds, policy.deadline_seconds or deadline_seconds)
            policy = replace(policy, deadline_seconds=max(0.1, shorter))
        response = send_with_retries(send, service=SERVICE, timeout=self.timeout, policy=policy)
        hide = (*secrets, self._client_secret)
        if response.status_code == 200:
            body = json_object(response)
            if body is None:
                raise AmazonProtocolError(SERVICE, describe_not_json(response), status=200)
            return body
        raise _lwa_error(response, grant=grant, hide=hide)

    @staticmethod
    def _token_set(body: dict[str, Any], *, refresh_token: str | None) -> TokenSet:
        access = body.get("access_token")
        if not isinstance(access, str) or not access:
            raise AmazonProtocolError(SERVICE, _("the answer has no access_token"), status=200)
        refresh = body.get("refresh_token", refresh_token)
        if not isinstance(refresh, str) or not refresh:
            if refresh_token is None:
                raise AmazonProtocolError(SERVICE, _("the answer has no refresh_token"), status=200)
            refresh = refresh_token
        expires_raw = body.get("expires_in", DEFAULT_EXPIRES_IN)
        try:
            expires_in = int(expires_raw)
        except (TypeError, ValueError):
            raise AmazonProtocolError(SERVICE, _("expires_in is not a number"), status=200) from None
        token_type = body.get("token_type", "bearer")
        return TokenSet(
            access_token=access,
            refresh_token=refresh,
            expires_in=max(0, expires_in),
            token_type=str(token_type) if token_type is not None else "bearer",
        )


def _cache_key(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode("utf-8")).hexdigest()


def _lwa_error(response: httpx.Response, *, grant: str, hide: tuple[str, ...]) -> AmazonError:
    status = response.status_code
    body = json_object(response) or {}
    code_raw = body.get("error")
    code = redact(code_raw, *hide) if isinstance(code_raw, str) and code_raw else None
    desc_raw = body.get("error_description")
    description = redact(desc_raw, *hide) if isinstance(desc_raw, str) and desc_raw else None
    if code == "invalid_grant":
        if grant == "refresh_token":
            return RefreshTokenRevoked(description, status=status)
        return InvalidGrant(description, status=status)
    if code == "invalid_client" or (code is None and status == 401):
        return InvalidClient(description, status=status)
    if code is None and description is None:
        return LwaError(None, None, status=status)
    return LwaError(code, description, status=status)
