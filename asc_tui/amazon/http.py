"""One retry policy for every call to Amazon: 5xx, 429 and transport errors are retried with exponential
backoff and jitter, `Retry-After` is honoured (capped), other 4xx answers are returned at once, and an
optional deadline is never exceeded (an authorization code lives 5 minutes).

The caller turns the final answer into a result or a typed error; this module only raises
`AmazonUnavailable` / `AmazonThrottled` once the retries are spent.
"""

from __future__ import annotations

import email.utils
import json
import math
import random
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
from tenacity import (
    RetryCallState,
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_before_delay,
)
from tenacity.stop import stop_base

from asc_tui.amazon.errors import AmazonThrottled, AmazonUnavailable
from asc_tui.i18n import _

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    initial_wait: float = 0.5  # first backoff, doubled each time, plus up to `jitter` seconds
    max_wait: float = 8.0
    jitter: float = 0.5
    max_retry_after: float = 30.0  # a longer Retry-After is shortened to this
    deadline_seconds: float | None = None  # from the first attempt; no attempt starts after it


class _RetryableAnswer(Exception):
    """An answer worth another try (429 or 5xx); carries the response to the wait and the final mapping."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP date; None when absent/invalid.

    Only a finite, non-negative number of seconds counts: `inf`, `1e400` (which float() makes inf), `nan`
    and `-3` are no delta-seconds, and inf would later overflow where the wait is turned into minutes. A
    date already past means now (0)."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def describe_transport_error(exc: httpx.TransportError, timeout: float) -> str:
    """A few words about a failed connection, without anything from the request."""
    if isinstance(exc, httpx.TimeoutException):
        return _("no answer within {timeout:g} s").format(timeout=timeout)
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return _("the secure (TLS) connection failed")
        if isinstance(cause, ConnectionRefusedError):
            return _("connection refused")
        cause = cause.__cause__ or cause.__context__
    text = str(exc).lower()
    if "refused" in text:
        return _("connection refused")
    if "ssl" in text or "certificate" in text or "tls" in text:
        return _("the secure (TLS) connection failed")
    if "name or service not known" in text or "nodename" in text or "getaddrinfo" in text:
        return _("the host name could not be resolved")
    if isinstance(exc, httpx.ConnectError):
        return _("the connection failed")
    return _("the connection broke off")


class _StopWhen(stop_base):
    """A tenacity stop condition from a plain predicate (combinable with | like tenacity's own)."""

    def __init__(self, predicate: Callable[[RetryCallState], bool]) -> None:
        self.predicate = predicate

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.predicate(retry_state)


def _retry_after_of(state: RetryCallState) -> float | None:
    outcome = state.outcome
    error = outcome.exception() if outcome is not None else None
    if isinstance(error, _RetryableAnswer):
        return parse_retry_after(error.response.headers.get("retry-after"))
    return None


_NOT_JSON = object()


def _decoded(content: bytes) -> Any:
    # parse_float=Decimal: an amount (getOrderMetrics' totalSales) never passes through float.
    try:
        return json.loads(content, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested [[[…]]] deep
        return _NOT_JSON


def json_object(response: httpx.Response) -> dict[str, Any] | None:
    """The answer's JSON object, numbers with a fraction as Decimal; None when it is not one (an error body
    that is not JSON reads as no body; a success that is not one is `describe_not_json`'s)."""
    body = _decoded(response.content)
    return body if isinstance(body, dict) else None


def describe_not_json(response: httpx.Response) -> str:
    """Why an answer that should be a JSON object is not one, in a few words (nothing quoted from it)."""
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml") or response.content.lstrip()[:1] == b"<":
        return _("an HTML page instead of JSON, as a proxy or a sign-in page sends")
    if _decoded(response.content) is _NOT_JSON:
        return _("the answer is not valid JSON")
    return _("the answer is not a JSON object")


def send_with_retries(
    send: Callable[[float], httpx.Response],
    *,
    service: str,
    timeout: float,
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
) -> httpx.Response:
    """Call `send(timeout_for_this_attempt)` until it gives a final answer.

    Returns the first answer that is not 429/5xx (including 4xx errors, for the caller to map). Raises
    `AmazonThrottled` when 429 persists and `AmazonUnavailable` for 5xx or transport errors that persist.
    """
    started = time.monotonic()
    deadline = policy.deadline_seconds

    def wait(state: RetryCallState) -> float:
        # Exponential backoff with jitter (tenacity's `wait_exponential_jitter`, whose argument names
        # changed between releases): initial · 2^(n-1) + U(0, jitter), at most max_wait.
        exponent = min(state.attempt_number - 1, 30)
        pause = min(policy.max_wait, policy.initial_wait * 2.0**exponent + random.uniform(0, policy.jitter))
        outcome = state.outcome
        error = outcome.exception() if outcome is not None else None
        if isinstance(error, _RetryableAnswer):
            retry_after = parse_retry_after(error.response.headers.get("retry-after"))
            if retry_after is not None:
                pause = min(retry_after, policy.max_retry_after)
        return pause

    def told_to_wait_too_long(state: RetryCallState) -> bool:
        # Amazon asked for a longer pause than the deadline leaves: a capped, earlier try would only be
        # refused again, so stop now (the error says how long Amazon asked for). With no deadline the
        # pause is capped at max_retry_after and tried again.
        retry_after = _retry_after_of(state)
        if retry_after is None or deadline is None:
            return False
        return time.monotonic() - started + retry_after >= deadline

    stop: stop_base = stop_after_attempt(max(1, policy.max_attempts)) | _StopWhen(told_to_wait_too_long)
    if deadline is not None:
        stop = stop | stop_before_delay(deadline)

    retrying = Retrying(
        stop=stop,
        wait=wait,
        retry=retry_if_exception_type((_RetryableAnswer, httpx.TransportError)),
        sleep=sleep,
        reraise=False,
    )

    waited = [timeout]  # the last try's timeout, which is what a timeout message must name

    def attempt() -> httpx.Response:
        this_timeout = timeout
        if deadline is not None:
            this_timeout = max(0.05, min(timeout, deadline - (time.monotonic() - started)))
        waited[0] = this_timeout
        try:
            response = send(this_timeout)
        except (httpx.UnsupportedProtocol, httpx.InvalidURL):
            # A configuration mistake, not a network one: no point in trying again.
            raise AmazonUnavailable(
                service, _("the address in the config is not a valid http(s) URL")
            ) from None
        if response.status_code in RETRYABLE_STATUSES:
            response.read()
            raise _RetryableAnswer(response)
        return response

    try:
        return retrying(attempt)
    except RetryError as exhausted:
        last = exhausted.last_attempt
        error = last.exception()
        attempts = last.attempt_number
        if isinstance(error, _RetryableAnswer):
            status = error.response.status_code
            if status == 429:
                retry_after = parse_retry_after(error.response.headers.get("retry-after"))
                raise AmazonThrottled(service, attempts, retry_after=retry_after) from None
            raise AmazonUnavailable(service, f"HTTP {status}", status=status) from None
        if isinstance(error, httpx.TransportError):
            raise AmazonUnavailable(
                service, describe_transport_error(error, max(0.1, round(waited[0], 1)))
            ) from error
        raise  # pragma: no cover - only the two retryable types reach here
