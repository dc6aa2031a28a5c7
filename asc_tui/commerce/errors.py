"""Why the catalog could not be read from Magento, each as one sentence that says what to do.

Every message is shown as it is (TUI, CLI, logs), so none carries a secret: no consumer key or secret,
no access token or token secret, no bearer token, no password from the base URL. Text that comes from
Magento passes through `quote_magento()`, which fills in its placeholders and removes any secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from asc_tui.errors import EnvironmentProblem

_MAX_QUOTED = 240
_PLACEHOLDER = re.compile(r"%(\w+)")


def substitute(message: str, parameters: object) -> str:
    """Magento's `{"message": "…%1…", "parameters": [...]}` (or `%name` with a dict), filled in.

    Unknown placeholders stay as they are; values that are lists are joined with ", ".
    """

    def value_of(raw: object) -> str:
        if isinstance(raw, list | tuple):
            return ", ".join(value_of(v) for v in raw)
        return "" if raw is None else str(raw)

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if isinstance(parameters, dict):
            if key in parameters:
                return value_of(parameters[key])
        elif isinstance(parameters, list | tuple) and key.isdigit():
            index = int(key) - 1
            if 0 <= index < len(parameters):
                return value_of(parameters[index])
        return match.group(0)

    if not parameters:
        return message
    return _PLACEHOLDER.sub(replace, message)


def clean(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every given secret replaced by "[redacted]", control characters removed, shortened."""
    cleaned = text
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        cleaned = cleaned.replace(secret, "[redacted]")
    cleaned = " ".join("".join(ch if ch.isprintable() else " " for ch in cleaned).split())
    if len(cleaned) > _MAX_QUOTED:
        cleaned = cleaned[: _MAX_QUOTED - 1] + "…"
    return cleaned


def quote_magento(message: str, parameters: object, secrets: Iterable[str] = ()) -> str:
    """Magento's own words, ready to put inside one of our sentences (no trailing full stop)."""
    return clean(substitute(message, parameters), secrets).rstrip(". ")


class MagentoError(EnvironmentProblem):
    """The catalog could not be read from Magento; `message` is the one sentence to show."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # HTTP status, when Magento (or whatever answered) gave one

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class MagentoNotConfigured(MagentoError):
    """A setting or credential that reading the catalog needs is missing or malformed (nothing was sent)."""


class MagentoUnreachable(MagentoError):
    """No answer at all: connection refused, unknown host, network down."""


class MagentoTlsError(MagentoUnreachable):
    """The secure connection failed (certificate not trusted, expired, wrong host, or not TLS at all)."""


class MagentoTimeout(MagentoUnreachable):
    """The shop did not answer within the timeout."""


class NotMagentoEndpoint(MagentoError):
    """Something answered, but not Magento's REST API (404, HTML, a redirect, JSON of another shape)."""


class MagentoAuthFailed(MagentoError):
    """HTTP 401: Magento did not accept the credentials. `credential` names the likely culprit."""

    def __init__(self, message: str, *, credential: str, status: int | None = 401) -> None:
        super().__init__(message, status=status)
        self.credential = credential


class MagentoAccessDenied(MagentoError):
    """The credentials were accepted but the integration lacks the ACL resource an endpoint needs."""

    def __init__(self, message: str, *, resource: str, endpoint: str, status: int | None) -> None:
        super().__init__(message, status=status)
        self.resource = resource
        self.endpoint = endpoint


class MagentoUnavailable(MagentoError):
    """5xx or 429 that persisted through the retries, or another refusal that is the shop's to fix."""


class MagentoProtocolError(NotMagentoEndpoint):
    """JSON that does not follow Magento 2.4's shapes, or paging that never ends."""
