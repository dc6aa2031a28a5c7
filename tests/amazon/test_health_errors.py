"""What each Amazon failure means for a health call: the kind, the one sentence (in the admin's language)
and Amazon's own words kept for the communication log."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from asc_tui import i18n
from asc_tui.amazon.errors import (
    AmazonProtocolError,
    AmazonThrottled,
    AmazonUnavailable,
    InvalidClient,
    LwaError,
    RefreshTokenRevoked,
    SpApiError,
    SpApiUnauthorized,
)
from asc_tui.amazon.health_errors import (
    AccessDenied,
    AmazonFailing,
    AppCredentialsRejected,
    AuthorizationRevoked,
    HealthCallError,
    NetworkFailed,
    QuotaExhausted,
    UnexpectedAnswer,
    health_error,
)
from asc_tui.amazon.usage_plans import GET_ORDER_METRICS, PlanExhausted
from asc_tui.domain.health import CommunicationEntry

AT = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)
SERVICE = "The Selling Partner API"
REVOKED = "The request has an invalid grant parameter : refresh_token"


@pytest.mark.parametrize(
    ("error", "last", "kind", "code", "message", "status"),
    [
        (RefreshTokenRevoked(REVOKED), None, AuthorizationRevoked, "invalid_grant", REVOKED, 400),
        (
            InvalidClient("Client authentication failed"),
            None,
            AppCredentialsRejected,
            "invalid_client",
            "Client authentication failed",
            401,
        ),
        (
            SpApiUnauthorized("Unauthorized", "Access to requested resource is denied.", ""),
            None,
            AccessDenied,
            "Unauthorized",
            "Access to requested resource is denied.",
            403,
        ),
        (
            AmazonThrottled(SERVICE, 5),
            ("QuotaExceeded", "You exceeded your quota."),
            QuotaExhausted,
            "QuotaExceeded",
            "You exceeded your quota.",
            429,
        ),
        (PlanExhausted(GET_ORDER_METRICS, 62.5), None, QuotaExhausted, "", "", None),
        (
            AmazonUnavailable(SERVICE, "HTTP 500", status=500),
            ("InternalFailure", "We encountered an error."),
            AmazonFailing,
            "InternalFailure",
            "We encountered an error.",
            500,
        ),
        (AmazonUnavailable(SERVICE, "connection refused"), None, NetworkFailed, "", "", None),
        (
            SpApiError(400, "InvalidInput", "Invalid interval.", ""),
            None,
            UnexpectedAnswer,
            "InvalidInput",
            "Invalid interval.",
            400,
        ),
        (
            LwaError("invalid_request", "missing client_id", status=400),
            None,
            UnexpectedAnswer,
            "invalid_request",
            "missing client_id",
            400,
        ),
        (
            AmazonProtocolError(SERVICE, "the answer is not valid JSON", status=200),
            None,
            UnexpectedAnswer,
            "",
            "",
            200,
        ),
    ],
)
def test_each_failure_has_its_kind_and_amazons_words(
    error: Exception,
    last: tuple[str | None, str] | None,
    kind: type[HealthCallError],
    code: str,
    message: str,
    status: int | None,
) -> None:
    mapped = health_error(error, GET_ORDER_METRICS, last_error_body=last, at=AT)
    assert type(mapped) is kind
    # Where Amazon said nothing (no answer, our own usage plan), the log keeps the sentence shown instead.
    assert mapped.log_entry == CommunicationEntry(AT, GET_ORDER_METRICS, code, message or mapped.message)
    assert mapped.status == status
    assert mapped.app_wide is (kind is AppCredentialsRejected)  # the one failure every store shares
    assert mapped.message.count(". ") == 0 and mapped.message.endswith(".")  # one sentence


def test_the_sentence_is_translated_and_amazons_words_are_not() -> None:
    i18n.set_language("zh-Hant")
    try:
        mapped = health_error(RefreshTokenRevoked(REVOKED), GET_ORDER_METRICS, at=AT)
    finally:
        i18n.set_language("en")
    assert "重新連接" in mapped.message and "getOrderMetrics" in mapped.message
    assert mapped.log_entry.message == REVOKED  # the log quotes Amazon as it answered


def test_only_amazon_failures_are_mapped() -> None:
    with pytest.raises(TypeError):
        health_error(KeyError("x"), GET_ORDER_METRICS)
