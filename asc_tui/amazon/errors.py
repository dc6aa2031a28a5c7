"""Typed errors from Login with Amazon and the SP-API, each with one sentence that says what to do.

Messages are shown to the admin as they are, so they never carry a secret: no client secret, no token,
no authorization code. Text that comes from Amazon (descriptions, details) passes through `redact()`.
"""

from __future__ import annotations

import math
import re

from asc_tui.i18n import N_, _, ngettext

# LWA tokens: access tokens start with "Atza|", refresh tokens with "Atzr|" (reference/spapi.md §2).
_TOKEN_PATTERN = re.compile(r"Atz[a-z]\|[^\s\"',;&]*")
_MAX_AMAZON_TEXT = 300


def redact(text: str, *secrets: str) -> str:
    """`text` with every LWA token and every given secret replaced by "[redacted]", shortened for display."""
    cleaned = _TOKEN_PATTERN.sub("[redacted]", text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            cleaned = cleaned.replace(secret, "[redacted]")
    cleaned = "".join(ch if ch.isprintable() else " " for ch in cleaned).strip()
    if len(cleaned) > _MAX_AMAZON_TEXT:
        cleaned = cleaned[: _MAX_AMAZON_TEXT - 1] + "…"
    return cleaned


class AmazonError(Exception):
    """Base of every Amazon failure; `message` is the one sentence shown to the admin."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status  # HTTP status, when there was an answer
        self.code = code  # Amazon's error code (LWA `error` or SP-API `errors[].code`), when given

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class InvalidGrant(AmazonError):
    """The authorization code was refused: older than 5 minutes, already used, or issued to another app."""

    def __init__(self, description: str | None = None, *, status: int | None = 400) -> None:
        super().__init__(
            _(
                "Amazon did not accept the authorization code (it expires 5 minutes after you approve and "
                "works only once); start connecting again."
            ),
            status=status,
            code="invalid_grant",
        )
        self.description = description


class RefreshTokenRevoked(AmazonError):
    """The refresh token was refused: the seller revoked the app or the yearly authorization lapsed."""

    def __init__(self, description: str | None = None, *, status: int | None = 400) -> None:
        super().__init__(
            _(
                "Amazon no longer accepts this store's authorization (the seller revoked it in Seller Central "
                "or the yearly authorization lapsed); renew the connection."
            ),
            status=status,
            code="invalid_grant",
        )
        self.description = description


class InvalidClient(AmazonError):
    """Wrong LWA client ID or client secret."""

    def __init__(self, description: str | None = None, *, status: int | None = 401) -> None:
        super().__init__(
            _(
                "Login with Amazon rejected the app's credentials; check client_id in the [amazon] section of "
                "the config and the LWA client secret in the keyring (or ASC_TUI_LWA_CLIENT_SECRET)."
            ),
            status=status,
            code="invalid_client",
        )
        self.description = description


class AmazonUnavailable(AmazonError):
    """No usable answer: 5xx, timeout, refused connection, TLS failure."""

    def __init__(self, service: str, reason: str, *, status: int | None = None) -> None:
        if status is not None:
            # It was reached: the network and the address are fine, Amazon's side is failing.
            message = _(
                "{service} could not be reached ({reason}): it answered with a server error on every try, "
                "so the trouble is on Amazon's side; wait a few minutes and try again."
            )
        else:
            message = _(
                "{service} could not be reached ({reason}); check the network connection and the address in "
                "the config, then try again in a few minutes."
            )
        super().__init__(message.format(service=_(service), reason=reason), status=status)
        self.service = service
        self.reason = reason


class AmazonThrottled(AmazonError):
    """Still HTTP 429 after every retry."""

    def __init__(self, service: str, attempts: int, *, retry_after: float | None = None) -> None:
        if retry_after is not None and math.isfinite(retry_after) and retry_after >= 60:
            # Amazon said how long: longer than it is worth waiting here, so say it instead of retrying.
            minutes = math.ceil(retry_after / 60)
            message = ngettext(
                "{service} is limiting requests (HTTP 429) and asks to wait {minutes} minute; try again "
                "after that.",
                "{service} is limiting requests (HTTP 429) and asks to wait {minutes} minutes; try again "
                "after that.",
                minutes,
            ).format(service=_(service), minutes=minutes)
        else:
            message = ngettext(
                "{service} is limiting requests (HTTP 429) and still refused after {attempts} attempt; "
                "wait a minute and try again.",
                "{service} is limiting requests (HTTP 429) and still refused after {attempts} attempts; "
                "wait a minute and try again.",
                attempts,
            ).format(service=_(service), attempts=attempts)
        super().__init__(message, status=429)
        self.service = service
        self.attempts = attempts
        self.retry_after = retry_after


class AmazonProtocolError(AmazonError):
    """An answer that does not follow Amazon's documented shape (malformed JSON, missing fields)."""

    def __init__(self, service: str, problem: str, *, status: int | None = None) -> None:
        super().__init__(
            _(
                "{service} sent an unexpected answer ({problem}); check that the address in the config points "
                "to Amazon, and try again."
            ).format(service=_(service), problem=problem),
            status=status,
        )
        self.service = service
        self.problem = problem


class LwaError(AmazonError):
    """Any other Login with Amazon error code (invalid_request, unauthorized_client, access_denied, …)."""

    _ADVICE = {
        "access_denied": N_("the seller did not grant access; start connecting again and approve the app"),
        "unauthorized_client": N_(
            "this app is not allowed to use this kind of authorization; check the app's settings in Seller "
            "Central and the client_id in the config"
        ),
        "invalid_request": N_(
            "the request was incomplete; check client_id, redirect_uri and lwa_token_url in the config"
        ),
        "unsupported_grant_type": N_(
            "the token address does not accept this grant; check lwa_token_url in the config"
        ),
        "invalid_scope": N_("the requested scope is not allowed for this app; check the app's roles"),
    }

    def __init__(self, code: str | None, description: str | None, *, status: int | None = None) -> None:
        shown = (
            f"{code}: {description}" if code and description else (code or description or f"HTTP {status}")
        )
        advice = self._ADVICE.get(code or "", N_("check the [amazon] settings in the config and try again"))
        super().__init__(
            _("Login with Amazon refused the request ({shown}); {advice}.").format(
                shown=shown, advice=_(advice)
            ),
            status=status,
            code=code,
        )
        self.description = description


class SpApiError(AmazonError):
    """The Selling Partner API refused a request; Amazon's own words are shown literally."""

    def __init__(
        self,
        status: int,
        code: str | None,
        amazon_message: str,
        details: str,
        *,
        request_id: str | None = None,
        advice: str = N_("check the store's marketplace and region, then try again"),
    ) -> None:
        said = " ".join(part for part in (amazon_message, details) if part) or _("no details")
        label = f"HTTP {status}" + (f" {code}" if code else "")
        super().__init__(
            _("The Selling Partner API refused the request ({label}: {said}); {advice}.").format(
                label=label, said=said, advice=_(advice)
            ),
            status=status,
            code=code,
        )
        self.amazon_message = amazon_message
        self.details = details
        self.request_id = request_id


class SpApiUnauthorized(SpApiError):
    """HTTP 403: wrong region, missing role, or an expired/invalid access token."""

    def __init__(
        self, code: str | None, amazon_message: str, details: str, *, request_id: str | None = None
    ) -> None:
        super().__init__(
            403,
            code,
            amazon_message,
            details,
            request_id=request_id,
            advice=N_(
                "check that the store's region matches the SP-API endpoint in the config and that the app "
                "has the Sellers role"
            ),
        )

    @property
    def blames_access_token(self) -> bool:
        """Amazon says the access token itself is bad ("… has expired", "… is revoked, malformed or
        invalid"), not that the app lacks a role (whose 403 names no token): exchange it again, once."""
        return "access token" in f"{self.amazon_message} {self.details}".lower()
