"""The Sellers API: which marketplaces the authorized seller account takes part in.

`GET {endpoint}/sellers/v1/marketplaceParticipations` with an LWA access token (no SigV4 since 2023;
reference/spapi.md §5). The answer is returned whole; `amazon_marketplaces()` keeps the marketplaces the
product knows, since Amazon also lists undocumented "Non-Amazon" IDs.
"""

from __future__ import annotations

import platform
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from asc_tui import __version__
from asc_tui.amazon.errors import (
    AmazonProtocolError,
    SpApiError,
    SpApiUnauthorized,
    redact,
)
from asc_tui.amazon.http import RetryPolicy, describe_not_json, json_object, send_with_retries
from asc_tui.domain import MARKETPLACE_BY_ID
from asc_tui.i18n import N_, _

SERVICE = N_("The Selling Partner API")  # translated where a message names it
PARTICIPATIONS_PATH = "/sellers/v1/marketplaceParticipations"
USER_AGENT_MAX = 500


def default_user_agent() -> str:
    """`AppId/Version (Language=…; Platform=…)`, the form Amazon asks for (at most 500 characters)."""
    agent = (
        f"asc-tui/{__version__} (Language=Python/{platform.python_version()}; "
        f"Platform={platform.system() or 'unknown'}/{platform.release() or 'unknown'})"
    )
    return agent[:USER_AGENT_MAX]


def amz_date(moment: datetime | None = None) -> str:
    """The `x-amz-date` value: UTC as YYYYMMDDTHHMMSSZ."""
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class Participation:
    marketplace_id: str
    country_code: str
    name: str
    store_name: str
    is_participating: bool
    has_suspended_listings: bool


def amazon_marketplaces(parts: Iterable[Participation]) -> list[Participation]:
    """Only the marketplaces the product supports (`domain.MARKETPLACE_BY_ID`), in Amazon's order."""
    return [part for part in parts if part.marketplace_id in MARKETPLACE_BY_ID]


class SellersClient:
    """A synchronous Sellers API client for one regional endpoint."""

    def __init__(
        self,
        endpoint: str,
        *,
        timeout: float = 15.0,
        http: httpx.Client | None = None,
        user_agent: str | None = None,
        max_attempts: int = 4,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.timeout = timeout
        self.user_agent = (user_agent or default_user_agent())[:USER_AGENT_MAX]
        self._owns_http = http is None
        self._http = http if http is not None else httpx.Client(follow_redirects=False)
        self.policy = retry_policy or RetryPolicy(max_attempts=max_attempts)

    def __repr__(self) -> str:
        return f"SellersClient(endpoint={self.endpoint!r})"

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> SellersClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def marketplace_participations(self, access_token: str) -> list[Participation]:
        """Every marketplace participation Amazon lists for the seller behind `access_token`."""
        url = self.endpoint + PARTICIPATIONS_PATH

        def send(timeout: float) -> httpx.Response:
            headers = {
                "x-amz-access-token": access_token,
                "x-amz-date": amz_date(),
                "user-agent": self.user_agent,
                "accept": "application/json",
            }
            return self._http.get(url, headers=headers, timeout=timeout)

        response = send_with_retries(send, service=SERVICE, timeout=self.timeout, policy=self.policy)
        body = json_object(response)
        if response.status_code == 200:
            if body is None:
                raise AmazonProtocolError(SERVICE, describe_not_json(response), status=200)
            return parse_participations(body)
        code, message, details = first_error(body, hide=(access_token,))
        request_id = response.headers.get("x-amzn-requestid")
        if response.status_code == 403:
            raise SpApiUnauthorized(code, message, details, request_id=request_id)
        raise SpApiError(response.status_code, code, message, details, request_id=request_id)


def first_error(body: Any, *, hide: tuple[str, ...]) -> tuple[str | None, str, str]:
    """The first of an SP-API error body's `errors`: (code, message, details), redacted; shared by the clients."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return None, "", ""
    first = errors[0]

    def text(key: str) -> str:
        value = first.get(key)
        return redact(value, *hide) if isinstance(value, str) else ""

    return text("code") or None, text("message"), text("details")


def parse_participations(body: Any) -> list[Participation]:
    """getMarketplaceParticipations' payload, checked; shared with the health calls."""
    if not isinstance(body, dict):
        raise AmazonProtocolError(SERVICE, _("the answer is not a JSON object"), status=200)
    payload = body.get("payload")
    if not isinstance(payload, list):
        raise AmazonProtocolError(SERVICE, _("the answer has no payload list"), status=200)
    result: list[Participation] = []
    for item in payload:
        marketplace = item.get("marketplace") if isinstance(item, dict) else None
        participation = item.get("participation") if isinstance(item, dict) else None
        if not isinstance(marketplace, dict) or not isinstance(participation, dict):
            raise AmazonProtocolError(
                SERVICE, _("a participation lacks marketplace or participation"), status=200
            )
        marketplace_id = marketplace.get("id")
        is_participating = participation.get("isParticipating")
        if (
            not isinstance(marketplace_id, str)
            or not marketplace_id
            or not isinstance(is_participating, bool)
        ):
            raise AmazonProtocolError(
                SERVICE, _("a participation lacks its marketplace id or status"), status=200
            )
        suspended = participation.get("hasSuspendedListings", False)
        result.append(
            Participation(
                marketplace_id=marketplace_id,
                country_code=_text(marketplace.get("countryCode")),
                name=_text(marketplace.get("name")),
                store_name=_text(item.get("storeName")),
                is_participating=is_participating,
                has_suspended_listings=suspended if isinstance(suspended, bool) else False,
            )
        )
    return result


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
