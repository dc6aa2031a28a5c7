"""One read-only SP-API call for a store, the way every health call makes it.

In order: an access token from the process's cache (one exchange per store an hour), a token from the
operation's usage-plan bucket (waiting at most what the deadline leaves), the GET, and the shared retry
policy of `http.py` (tenacity: 429 and 5xx retried with backoff and jitter, `Retry-After` honoured,
a deadline over all attempts). Each answer's `x-amzn-RateLimit-Limit` retunes the bucket; a 429 empties it.
An access token Amazon calls expired, revoked or invalid is exchanged again, once.

Every failure leaves as a `HealthCallError` that keeps Amazon's code and message (`health_errors.py`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx

from asc_tui.amazon.errors import AmazonError, AmazonProtocolError, SpApiError, SpApiUnauthorized
from asc_tui.amazon.health_errors import health_error
from asc_tui.amazon.http import RetryPolicy, describe_not_json, json_object, send_with_retries
from asc_tui.amazon.sellers import SERVICE, amz_date, default_user_agent, first_error
from asc_tui.amazon.token_cache import SHARED_ACCESS_TOKENS, AccessTokenCache, LwaApp
from asc_tui.amazon.usage_plans import SHARED_USAGE_PLANS, PlanExhausted, TokenBucket, UsagePlans

T = TypeVar("T")

# A health refresh runs in the background and must end: five tries over at most a minute. The first
# retry comes after about a second (Amazon refills getOrderMetrics every 2 s), the later ones double.
HEALTH_RETRY = RetryPolicy(
    max_attempts=5, initial_wait=1.0, max_wait=16.0, jitter=0.5, max_retry_after=30.0, deadline_seconds=60.0
)


@dataclass(frozen=True)
class StoreAccess:
    """What reaching one store takes: the app, the store's refresh token and its region's endpoint."""

    app: LwaApp
    refresh_token: str = field(repr=False)
    endpoint: str  # the region's SP-API endpoint, e.g. https://sellingpartnerapi-na.amazon.com
    # Whose usage plans the calls draw on. Amazon meters per selling partner and app, so stores of one
    # seller account (US, CA, MX under one NA authorization) may share a key to share its buckets.
    store_key: str


class SpApiCaller:
    """GETs for one store; safe to share between threads (the cache and the buckets are)."""

    def __init__(
        self,
        access: StoreAccess,
        *,
        # The caller's, which it closes: a health refresh shares one client among its stores.
        http: httpx.Client,
        tokens: AccessTokenCache = SHARED_ACCESS_TOKENS,
        plans: UsagePlans = SHARED_USAGE_PLANS,
        retry_policy: RetryPolicy = HEALTH_RETRY,
        timeout: float = 15.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.access = access
        self.endpoint = access.endpoint.rstrip("/")
        self.policy = retry_policy
        self.timeout = timeout
        self._tokens = tokens
        self._plans = plans
        self._http = http
        self._sleep = sleep
        self._clock = clock
        self._now = now
        self._user_agent = default_user_agent()

    def __repr__(self) -> str:
        return f"SpApiCaller(endpoint={self.endpoint!r}, store_key={self.access.store_key!r})"

    def get_json(self, operation: str, path: str, params: dict[str, str], parse: Callable[[Any], T]) -> T:
        """`parse(body)` of the 200 answer to `GET {endpoint}{path}?{params}`; raises `HealthCallError`."""
        last: list[httpx.Response] = []  # the latest answer: its error body names what Amazon said
        try:
            response = self._get(operation, path, params, last)
            body = json_object(response)
            if body is None:
                raise AmazonProtocolError(SERVICE, describe_not_json(response), status=200)
            return parse(body)
        except (AmazonError, PlanExhausted) as error:
            said = self._error_body(last[-1]) if last else None
            raise health_error(error, operation, last_error_body=said, at=self._now()) from error

    # --- internals ---------------------------------------------------------------------------------

    def _get(
        self, operation: str, path: str, params: dict[str, str], last: list[httpx.Response]
    ) -> httpx.Response:
        bucket = self._plans.bucket(operation, self.access.store_key)
        started = self._clock()
        response = self._send(bucket, path, params, last, started)
        if response.status_code == 403 and self._refused(response).blames_access_token:
            # The cached token died early (expired, or revoked with its grant): a new exchange either
            # works or says why the store's authorization is gone (invalid_grant), which a 403 cannot.
            self._tokens.invalidate(self.access.app, self.access.refresh_token)
            last.clear()  # a failing exchange now must not be read as this answer's words
            response = self._send(bucket, path, params, last, started)
        if response.status_code == 200:
            return response
        if response.status_code == 403:
            raise self._refused(response)
        code, message, details = first_error(json_object(response), hide=self._secrets())
        request_id = response.headers.get("x-amzn-requestid")
        raise SpApiError(response.status_code, code, message, details, request_id=request_id)

    def _send(
        self,
        bucket: TokenBucket,
        path: str,
        params: dict[str, str],
        last: list[httpx.Response],
        started: float,
    ) -> httpx.Response:
        token = self._tokens.access_token(self.access.app, self.access.refresh_token)
        url = self.endpoint + path
        deadline = self.policy.deadline_seconds

        def send(timeout: float) -> httpx.Response:
            # The bucket's wait comes out of the same deadline as the retries': a refresh never hangs.
            left = self.policy.max_retry_after if deadline is None else deadline - (self._clock() - started)
            bucket.acquire(max_wait=max(0.0, left))
            headers = {
                "x-amz-access-token": token,
                "x-amz-date": amz_date(),
                "user-agent": self._user_agent,
                "accept": "application/json",
            }
            response = self._http.get(url, params=params, headers=headers, timeout=timeout)
            last[:] = [response]
            bucket.adapt(response.headers.get("x-amzn-ratelimit-limit"))
            if response.status_code == 429:
                bucket.drain()
            return response

        return send_with_retries(
            send, service=SERVICE, timeout=self.timeout, policy=self.policy, sleep=self._sleep
        )

    def _secrets(self) -> tuple[str, ...]:
        return (self.access.refresh_token, self.access.app.client_secret)

    def _refused(self, response: httpx.Response) -> SpApiUnauthorized:
        code, message, details = first_error(json_object(response), hide=self._secrets())
        return SpApiUnauthorized(code, message, details, request_id=response.headers.get("x-amzn-requestid"))

    def _error_body(self, response: httpx.Response) -> tuple[str | None, str] | None:
        code, message, details = first_error(json_object(response), hide=self._secrets())
        said = " ".join(part for part in (message, details) if part)
        return (code, said) if code or said else None
