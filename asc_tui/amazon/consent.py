"""The Seller Central consent link and the one-time `state` that ties Amazon's answer to one attempt.

Marketplaces and their default Seller Central hosts live in `asc_tui.domain.MARKETPLACES` (overridable
in the config); this module only builds the link (reference/spapi.md §1.1).
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import quote, urlencode

CONSENT_PATH = "/apps/authorize/consent"
STATE_BYTES = 32  # 256 bits


def new_state() -> str:
    """A fresh 256-bit random state, URL-safe (43 characters of base64url, no padding)."""
    return secrets.token_urlsafe(STATE_BYTES)


def state_matches(expected: str, got: str) -> bool:
    """Whether `got` is the expected state, compared in constant time; an empty state never matches."""
    if not expected or not got:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), got.encode("utf-8"))


def consent_url(
    seller_central: str,
    application_id: str,
    state: str,
    *,
    draft_app: bool,
    redirect_uri: str | None = None,
) -> str:
    """`{seller_central}/apps/authorize/consent?application_id=…&state=…[&version=beta][&redirect_uri=…]`.

    `version=beta` authorizes an app still in Draft (without it Amazon answers MD1000); `redirect_uri`,
    when given, must be one of the app's registered redirect URIs (else the first registered one is used).
    """
    if not application_id.strip():
        raise ValueError("The SP-API application ID is empty; set application_id in the [amazon] config.")
    if not state:
        raise ValueError("The consent link needs a state.")
    params: list[tuple[str, str]] = [("application_id", application_id.strip()), ("state", state)]
    if draft_app:
        params.append(("version", "beta"))
    if redirect_uri:
        params.append(("redirect_uri", redirect_uri))
    return f"{seller_central.rstrip('/')}{CONSENT_PATH}?{urlencode(params, quote_via=quote)}"
