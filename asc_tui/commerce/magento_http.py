"""One catalog fetch's requests to Magento: OAuth 1.0a signing (or a bearer token) and retries.

Signed by oauthlib over the exact URL httpx sends (brackets percent-encoded first: oauthlib refuses raw `[`
`]`), HMAC-SHA256, in the Authorization header. Retries follow the shared policy (`asc_tui.amazon.http`): 429,
5xx and a broken connection are retried with backoff; a refused connection, an unknown host, a TLS failure or a
timeout are not (each would only make the admin wait longer for the same answer).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256  # type: ignore[import-untyped]
from oauthlib.oauth1 import Client as OAuth1Client

from asc_tui import __version__
from asc_tui.amazon.errors import AmazonThrottled, AmazonUnavailable
from asc_tui.amazon.http import RetryPolicy, send_with_retries
from asc_tui.commerce.credentials import AUTH_OAUTH1, MagentoCredentials
from asc_tui.commerce.errors import MagentoNotConfigured, MagentoUnavailable, MagentoUnreachable
from asc_tui.commerce.magento_diagnosis import Diagnosis, NoRetry, is_final
from asc_tui.commerce.magento_endpoints import Endpoint
from asc_tui.i18n import _

SERVICE = "Magento"


class MagentoCaller:
    """One fetch's requests: signing, retries, and the mapping of every failure to a sentence."""

    def __init__(
        self,
        http: httpx.Client,
        base_url: str,
        mode: str,
        *,
        name: str,
        credentials: MagentoCredentials,
        secrets: tuple[str, ...],
        timeout: float,
        policy: RetryPolicy,
    ) -> None:
        self.http = http
        self.base_url = base_url
        self.mode = mode
        self.name = name
        self.secrets = secrets
        self.timeout = timeout
        self.policy = policy
        self.diagnosis = Diagnosis(name, mode, secrets, base_url, timeout)
        self._oauth: Any = None
        if mode == AUTH_OAUTH1:
            self._oauth = OAuth1Client(
                credentials.consumer_key,
                client_secret=credentials.consumer_secret,
                resource_owner_key=credentials.access_token,
                resource_owner_secret=credentials.access_token_secret,
                signature_method=SIGNATURE_HMAC_SHA256,
            )
        self._bearer = credentials.bearer_token
        self._headers = {"accept": "application/json", "user-agent": f"asc-tui/{__version__}"}

    def url(self, endpoint: Endpoint, params: Mapping[str, str] | None) -> str:
        url = f"{self.base_url}/rest{endpoint.path}"
        if params:
            # Every reserved character percent-encoded: httpx sends it as written, and oauthlib signs it.
            url += "?" + urlencode(list(params.items()), quote_via=quote, safe="")
        return url

    def get(self, endpoint: Endpoint, params: Mapping[str, str] | None = None, *, page_size: int = 0) -> Any:
        url = self.url(endpoint, params)
        last: list[httpx.Response] = []

        def send(timeout: float) -> httpx.Response:
            request = self.http.build_request("GET", url, headers=self._headers, timeout=timeout)
            request.headers["authorization"] = self._authorization(str(request.url))
            try:
                response = self.http.send(request, follow_redirects=False)  # a redirect breaks the signature
            except httpx.TransportError as error:
                if is_final(error):
                    raise NoRetry(error) from error
                raise
            last[:] = [response]
            return response

        try:
            response = send_with_retries(send, service=SERVICE, timeout=self.timeout, policy=self.policy)
        except NoRetry as failure:
            raise self.diagnosis.transport_error(failure.error) from None
        except AmazonThrottled as throttled:
            raise MagentoUnavailable(
                _(
                    "Magento at {shop} kept answering HTTP 429 (too many requests) for {what} after {attempts} "
                    "attempts; wait a minute and refresh the catalog again."
                ).format(shop=self.name, what=endpoint.what, attempts=throttled.attempts),
                status=429,
            ) from None
        except AmazonUnavailable as unavailable:
            if unavailable.status is not None and last:
                raise self.diagnosis.server_error(endpoint, last[-1], self.policy.max_attempts) from None
            cause = unavailable.__cause__
            if isinstance(cause, httpx.TransportError):
                raise self.diagnosis.transport_error(cause) from None
            raise MagentoUnreachable(
                _(
                    "Could not reach Magento at {shop} ({reason}); check commerce.base_url and the network "
                    "connection."
                ).format(shop=self.name, reason=unavailable.reason)
            ) from None
        return self.diagnosis.answer(endpoint, response, page_size)

    def _authorization(self, url: str) -> str:
        if self._oauth is None:
            return f"Bearer {self._bearer}"
        try:
            _uri, headers, _body = self._oauth.sign(url, http_method="GET")
        except ValueError:
            # oauthlib's text may quote the URL; nothing from it is needed to fix this.
            raise MagentoNotConfigured(
                _(
                    "The request to {shop} could not be signed; check that commerce.base_url holds only the "
                    "shop's address and that the credentials contain no unusual characters."
                ).format(shop=self.name)
            ) from None
        return str(headers["Authorization"])
