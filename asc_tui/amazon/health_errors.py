"""What a failed health call means, as a few typed errors the UI can act on and a log can keep.

A health refresh meets the failures of `errors.py` (Login with Amazon's, the SP-API's, throttling, outages)
and turns each into one of the kinds below, by what the admin has to do: reconnect one store, fix the app's
secret (every store at once: `app_wide`, so the UI shows one banner, not one per store), grant a role, or
just wait. Each keeps Amazon's own code and message for the communication log (`log_entry`); its `message`
is the one sentence shown, in the admin's language.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from asc_tui.amazon.errors import (
    AmazonError,
    AmazonProtocolError,
    AmazonThrottled,
    AmazonUnavailable,
    InvalidClient,
    InvalidGrant,
    LwaError,
    RefreshTokenRevoked,
    SpApiError,
    SpApiUnauthorized,
)
from asc_tui.amazon.usage_plans import (
    GET_MARKETPLACE_PARTICIPATIONS,
    GET_ORDER_METRICS,
    SEARCH_LISTINGS_ITEMS,
    PlanExhausted,
)
from asc_tui.domain.health import CommunicationEntry
from asc_tui.i18n import N_, _

# What each call fetches, in words, with the operation's name for whoever looks it up in Amazon's docs.
_OPERATION_WORDS = {
    GET_ORDER_METRICS: N_("the store's sales (getOrderMetrics)"),
    GET_MARKETPLACE_PARTICIPATIONS: N_(
        "the store's standing in its marketplace (getMarketplaceParticipations)"
    ),
    SEARCH_LISTINGS_ITEMS: N_("the store's listings with errors (searchListingsItems)"),
}


class HealthCallError(AmazonError):
    """A health call that failed; `message` says what to do, `log_entry` what Amazon answered."""

    app_wide: ClassVar[bool] = False  # True: every store fails alike until the app's settings are fixed
    _SENTENCE: ClassVar[str] = ""

    def __init__(
        self,
        operation: str,
        *,
        amazon_code: str | None = None,
        amazon_message: str = "",
        status: int | None = None,
        at: datetime | None = None,
        reason: str = "",
    ) -> None:
        what = _(_OPERATION_WORDS[operation]) if operation in _OPERATION_WORDS else operation
        super().__init__(_(self._SENTENCE).format(what=what, reason=reason), status=status, code=amazon_code)
        self.operation = operation
        self.amazon_message = amazon_message
        self.at = at or datetime.now(UTC)

    @property
    def log_entry(self) -> CommunicationEntry:
        """The line the communication log keeps: Amazon's words, or where it said none (no answer, our own
        usage plan), the sentence shown."""
        return CommunicationEntry(
            self.at, self.operation, self.code or "", self.amazon_message or self.message
        )


class AuthorizationRevoked(HealthCallError):
    """Login with Amazon answered invalid_grant: the store's refresh token is dead."""

    _SENTENCE = N_(
        "Amazon no longer accepts this store's authorization (the seller revoked it in Seller Central, or it "
        "lapsed after 365 days), so {what} could not be fetched; reconnect the store."
    )


class AppCredentialsRejected(HealthCallError):
    """Login with Amazon answered invalid_client: the app's client secret is wrong or was rotated."""

    app_wide = True
    _SENTENCE = N_(
        "Login with Amazon rejected the app's client secret, so no store's health can be fetched (it is "
        "wrong, or it was rotated, as Amazon requires every 180 days); set the current secret in the keyring "
        "or ASC_TUI_LWA_CLIENT_SECRET."
    )


class AccessDenied(HealthCallError):
    """HTTP 403 Unauthorized from the SP-API: the app lacks the role, or the seller or region is wrong."""

    _SENTENCE = N_(
        "Amazon refused {what} (the app lacks the role this call needs, or the store belongs to another seller "
        "or region); check the app's roles in Seller Central and the store's region."
    )


class QuotaExhausted(HealthCallError):
    """HTTP 429 QuotaExceeded on every retry, or our own copy of the usage plan is empty for too long."""

    _SENTENCE = N_(
        "Amazon's usage plan for {what} is used up for now (too many calls in a short time); refresh again in "
        "a minute."
    )


class AmazonFailing(HealthCallError):
    """HTTP 5xx (InternalFailure, ServiceUnavailable) on every retry."""

    _SENTENCE = N_(
        "Amazon answered {what} with a server error on every try, so the trouble is on Amazon's side; refresh "
        "again in a few minutes."
    )


class NetworkFailed(HealthCallError):
    """No answer at all: refused, timed out, TLS or name resolution failed."""

    _SENTENCE = N_(
        "Amazon could not be reached for {what} ({reason}); check the network connection, then refresh again."
    )


class UnexpectedAnswer(HealthCallError):
    """Any other refusal or a malformed answer: shown with Amazon's words, for a report."""

    _SENTENCE = N_(
        "Amazon answered {what} in a way this app does not expect ({reason}); refresh again, and report it if "
        "it persists."
    )


def _said(code: str | None, message: str) -> str:
    return ": ".join(part for part in (code or "", message) if part) or _("no details")


def health_error(
    error: Exception,
    operation: str,
    *,
    last_error_body: tuple[str | None, str] | None = None,
    at: datetime | None = None,
) -> HealthCallError:
    """The kind of `error` (from the token exchange, the call, or the usage plan), keeping Amazon's words.

    `last_error_body` is the code and message of the SP-API's last answer, when the retries ended on one
    (`AmazonThrottled` and `AmazonUnavailable` carry no body of their own)."""
    code, message = last_error_body or (None, "")
    common: dict[str, Any] = {"at": at}
    if isinstance(error, HealthCallError):
        return error
    if isinstance(error, RefreshTokenRevoked | InvalidGrant):
        return AuthorizationRevoked(
            operation,
            amazon_code=error.code,
            amazon_message=error.description or "",
            status=error.status,
            **common,
        )
    if isinstance(error, InvalidClient):
        return AppCredentialsRejected(
            operation,
            amazon_code=error.code,
            amazon_message=error.description or "",
            status=error.status,
            **common,
        )
    if isinstance(error, SpApiUnauthorized):
        said = " ".join(part for part in (error.amazon_message, error.details) if part)
        return AccessDenied(operation, amazon_code=error.code, amazon_message=said, status=403, **common)
    if isinstance(error, PlanExhausted):
        return QuotaExhausted(operation, **common)
    if isinstance(error, AmazonThrottled):
        return QuotaExhausted(
            operation, amazon_code=code or "QuotaExceeded", amazon_message=message, status=429, **common
        )
    if isinstance(error, AmazonUnavailable):
        if error.status is not None:
            return AmazonFailing(
                operation, amazon_code=code, amazon_message=message, status=error.status, **common
            )
        return NetworkFailed(operation, reason=error.reason, **common)
    if isinstance(error, SpApiError):
        said = " ".join(part for part in (error.amazon_message, error.details) if part)
        return UnexpectedAnswer(
            operation,
            amazon_code=error.code,
            amazon_message=said,
            status=error.status,
            reason=_said(error.code, said),
            **common,
        )
    if isinstance(error, LwaError):
        description = error.description or ""
        return UnexpectedAnswer(
            operation,
            amazon_code=error.code,
            amazon_message=description,
            status=error.status,
            reason=_said(error.code, description),
            **common,
        )
    if isinstance(error, AmazonProtocolError):
        return UnexpectedAnswer(operation, status=error.status, reason=error.problem, **common)
    if isinstance(error, AmazonError):
        return UnexpectedAnswer(
            operation, amazon_code=error.code, status=error.status, reason=error.message, **common
        )
    raise TypeError(f"not an Amazon failure: {type(error).__name__}")
