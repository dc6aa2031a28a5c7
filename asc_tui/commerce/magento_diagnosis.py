"""What Magento's answers and failures mean, each as one sentence with the fix.

A refused OAuth credential is HTTP 401 with Magento's reason; a missing ACL resource is also HTTP 401 (and so
is a bearer token Magento does not take); a 403 comes from a firewall, a proxy or an extension. Transport
failures are told apart: refused, unknown host, TLS, timeout. No secret reaches a message.
"""

from __future__ import annotations

import json
import re
import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

import httpx

from asc_tui.commerce.address import display_url
from asc_tui.commerce.credentials import (
    AUTH_BEARER,
    AUTH_OAUTH1,
    ENV_ACCESS_TOKEN,
    ENV_ACCESS_TOKEN_SECRET,
    ENV_BEARER_TOKEN,
    ENV_CONSUMER_KEY,
    ENV_CONSUMER_SECRET,
)
from asc_tui.commerce.errors import (
    MagentoAccessDenied,
    MagentoAuthFailed,
    MagentoError,
    MagentoTimeout,
    MagentoTlsError,
    MagentoUnavailable,
    MagentoUnreachable,
    NotMagentoEndpoint,
    quote_magento,
)
from asc_tui.commerce.magento_endpoints import RESOURCE_TREE, Endpoint
from asc_tui.i18n import N_, _

PAGE_SIZE_LIMIT = re.compile(r"Maximum SearchCriteria pageSize is (\d+)")
SETTINGS_HINT = N_("the settings screen")  # shown through _()
_BEARER_SETTING = (
    "Stores › Configuration › Services › OAuth › Consumer Settings › "
    "Allow OAuth Access Tokens to be used as standalone Bearer tokens"
)


class NoRetry(Exception):
    """A transport failure that another attempt would only repeat (refused, unknown host, TLS, timeout)."""

    def __init__(self, error: httpx.TransportError) -> None:
        super().__init__(type(error).__name__)
        self.error = error


class PageSizeTooLarge(Exception):
    def __init__(self, maximum: int) -> None:
        super().__init__(f"maximum page size {maximum}")
        self.maximum = maximum


class Diagnosis:
    """Maps one shop's answers to a body or to a `MagentoError` that says what to do."""

    def __init__(self, name: str, mode: str, secrets: tuple[str, ...], base_url: str, timeout: float) -> None:
        self.name = name
        self.mode = mode
        self.secrets = secrets
        self.base_url = base_url
        self.timeout = timeout

    def answer(self, endpoint: Endpoint, response: httpx.Response, page_size: int) -> Any:
        status = response.status_code
        if 200 <= status < 300:
            body = read_json(response)
            if body is NOT_JSON:
                raise NotMagentoEndpoint(
                    _(
                        "{shop} is not a Magento REST endpoint ({path} answered with {kind}, not JSON); check "
                        "commerce.base_url."
                    ).format(shop=self.name, path=self._path(endpoint), kind=body_kind(response)),
                    status=status,
                )
            return body
        if 300 <= status < 400:
            location = display_url(response.headers.get("location", "").split("?", 1)[0]) or _(
                "another address"
            )
            raise NotMagentoEndpoint(
                _(
                    "{shop} redirects {path} to {location} (HTTP {status}); set commerce.base_url to the shop's "
                    "final address (often https://…)."
                ).format(shop=self.name, path=self._path(endpoint), location=location, status=status),
                status=status,
            )
        message, parameters = magento_error(response)
        quoted = quote_magento(message, parameters, self.secrets) if message else ""
        if status == 400 and message and page_size:
            limit = PAGE_SIZE_LIMIT.search(quoted)
            if limit:
                raise PageSizeTooLarge(int(limit.group(1)))
        if status == 401 or (status == 400 and self.mode == AUTH_OAUTH1 and about_oauth(quoted)):
            # Magento answers a malformed credential (a token of the wrong length) with 400.
            raise self.unauthorized(endpoint, message, parameters, quoted)
        if status == 403:
            resource = resource_from(parameters) or endpoint.resource
            said = f"HTTP 403: {quoted}" if quoted else "HTTP 403"
            blocker = "" if message else _(" (or a firewall in front of the shop blocks the request)")
            raise self.access_denied(endpoint, resource, said, status, blocker)
        if status == 404:
            said = _("answered 404: {quoted}").format(quoted=quoted) if quoted else _("answered HTTP 404")
            raise NotMagentoEndpoint(
                _(
                    "{shop} is not a Magento REST endpoint ({path} {said}); check commerce.base_url (the shop's "
                    "address, without /rest or /admin)."
                ).format(shop=self.name, path=self._path(endpoint), said=said),
                status=status,
            )
        if message:
            raise MagentoError(
                _(
                    "Magento at {shop} refused the request for {what} (HTTP {status}: {quoted}); check "
                    "commerce.base_url and the shop's Web API settings."
                ).format(shop=self.name, what=endpoint.what, status=status, quoted=quoted),
                status=status,
            )
        raise NotMagentoEndpoint(
            _(
                "{shop} is not a Magento REST endpoint ({path} answered HTTP {status} with {kind}); check "
                "commerce.base_url."
            ).format(shop=self.name, path=self._path(endpoint), status=status, kind=body_kind(response)),
            status=status,
        )

    def unauthorized(
        self, endpoint: Endpoint, message: str | None, parameters: object, quoted: str
    ) -> MagentoError:
        template = (message or "").lower()
        # Magento's own words, in parentheses right after what it refused.
        said = _(" ({quoted})").format(quoted=quoted) if quoted else ""
        settings = _(SETTINGS_HINT)
        if "authorized to access" in template:
            resource = resource_from(parameters) or endpoint.resource
            if self.mode == AUTH_BEARER:
                return MagentoAuthFailed(
                    _(
                        "Magento did not accept the bearer token for {what}{said}; since Magento 2.4.4 an "
                        "integration's access token works as a bearer token only with {setting} set to Yes (or "
                        'use commerce.auth = "oauth1"), so check that setting, the token in {settings} (or '
                        "{env}), and that the integration has {resource}."
                    ).format(
                        what=endpoint.what,
                        said=said,
                        setting=_BEARER_SETTING,
                        settings=settings,
                        env=ENV_BEARER_TOKEN,
                        resource=resource,
                    ),
                    credential="bearer token",
                )
            return self.access_denied(endpoint, resource, quoted or "HTTP 401", 401, "")
        if self.mode == AUTH_BEARER:
            return MagentoAuthFailed(
                _(
                    "Magento did not accept the bearer token{said}; check the token in {settings} (or {env}) and "
                    "that {setting} is set to Yes."
                ).format(said=said, settings=settings, env=ENV_BEARER_TOKEN, setting=_BEARER_SETTING),
                credential="bearer token",
            )
        if any(k in template for k in ("consumer key", "consumer having", "consumer with")):
            return MagentoAuthFailed(
                _(
                    "Magento did not accept the consumer key{said}; copy the integration's Consumer Key from "
                    "System › Extensions › Integrations into {settings} (or {env})."
                ).format(said=said, settings=settings, env=ENV_CONSUMER_KEY),
                credential="consumer key",
            )
        if "revoked" in template:
            return MagentoAuthFailed(
                _(
                    "Magento says the integration's access token was revoked{said}; reauthorize the integration "
                    "in System › Extensions › Integrations and enter its new access token and secret in "
                    "{settings}."
                ).format(said=said, settings=settings),
                credential="access token",
            )
        if "token" in template and "signature" not in template:
            return MagentoAuthFailed(
                _(
                    "Magento did not accept the access token{said}; copy the integration's Access Token from "
                    "System › Extensions › Integrations into {settings} (or {env})."
                ).format(said=said, settings=settings, env=ENV_ACCESS_TOKEN),
                credential="access token",
            )
        if "timestamp" in template:
            return MagentoAuthFailed(
                _(
                    "Magento refused the time of the signed request{said}; set this computer's clock right "
                    "(NTP) and refresh the catalog again."
                ).format(said=said),
                credential="clock",
            )
        if "signature" in template:
            return MagentoAuthFailed(
                _(
                    "Magento rejected the request signature{said}; check the integration's Consumer Secret and "
                    "Access Token Secret in {settings} (or {env_secret} and {env_token_secret}), and that "
                    "commerce.base_url is the exact address the shop answers on (scheme, host and port)."
                ).format(
                    said=said,
                    settings=settings,
                    env_secret=ENV_CONSUMER_SECRET,
                    env_token_secret=ENV_ACCESS_TOKEN_SECRET,
                ),
                credential="consumer secret or access token secret",
            )
        return MagentoAuthFailed(
            _(
                "Magento did not accept the integration's credentials ({answer}); check the consumer key/secret "
                "and access token/secret in {settings} (or the ASC_TUI_MAGENTO_* variables)."
            ).format(answer=f"HTTP 401: {quoted}" if quoted else "HTTP 401", settings=settings),
            credential="consumer key/secret or access token/secret",
        )

    def access_denied(
        self, endpoint: Endpoint, resource: str, said: str, status: int, extra: str
    ) -> MagentoAccessDenied:
        place = RESOURCE_TREE.get(resource)
        where = f"{resource} ({place})" if place else resource
        return MagentoAccessDenied(
            _(
                "The Magento integration may not read {what} ({said}){extra}; give it the {where} resource under "
                "System › Extensions › Integrations › API, save, and reauthorize it."
            ).format(what=endpoint.what, said=said, extra=extra, where=where),
            resource=resource,
            endpoint=endpoint.path,
            status=status,
        )

    def server_error(self, endpoint: Endpoint, response: httpx.Response, attempts: int) -> MagentoError:
        message, parameters = magento_error(response)
        quoted = f": {quote_magento(message, parameters, self.secrets)}" if message else ""
        return MagentoUnavailable(
            _(
                "Magento at {shop} failed to list {what} (HTTP {status}{quoted}) on all {attempts} attempts; try "
                "again in a few minutes, and if it persists check the shop's logs (var/log/exception.log)."
            ).format(
                shop=self.name,
                what=endpoint.what,
                status=response.status_code,
                quoted=quoted,
                attempts=attempts,
            ),
            status=response.status_code,
        )

    def transport_error(self, error: httpx.TransportError) -> MagentoError:
        host = urlsplit(self.base_url).hostname or self.name
        if isinstance(error, httpx.TimeoutException):
            return MagentoTimeout(
                _(
                    "Magento at {shop} did not answer within {seconds:g} s; check that the shop is up and "
                    "commerce.base_url is right, then refresh the catalog again."
                ).format(shop=self.name, seconds=self.timeout)
            )
        tls = _ssl_cause(error)
        if isinstance(tls, ssl.SSLCertVerificationError):
            reason = _clean_reason(tls.verify_message or tls.reason or _("not trusted"))
            return MagentoTlsError(
                _(
                    "The TLS certificate of {host} was not accepted ({reason}); give the shop a certificate from "
                    "a trusted authority, or point SSL_CERT_FILE at the CA certificate that signed it."
                ).format(host=host, reason=reason)
            )
        if tls is not None:
            reason = _clean_reason(tls.reason or type(tls).__name__)
            if "WRONG_VERSION_NUMBER" in reason.upper():
                reason = _("the server does not speak TLS on that port")
            return MagentoTlsError(
                _(
                    "The secure (TLS) connection to {host} failed ({reason}); check that commerce.base_url has "
                    "the right scheme (https or http) and port."
                ).format(host=host, reason=reason)
            )
        if _refused(error):
            return MagentoUnreachable(
                _(
                    "Nothing answers at {shop} (connection refused); check commerce.base_url and that the shop "
                    "is running."
                ).format(shop=self.name)
            )
        if _unknown_host(error):
            return MagentoUnreachable(
                _(
                    "The host name {host} could not be resolved; check commerce.base_url and the network "
                    "connection."
                ).format(host=host)
            )
        if isinstance(error, httpx.RemoteProtocolError):
            reason = _("the server closed the connection without an answer")
        elif isinstance(error, httpx.ConnectError):
            reason = _("the connection could not be made")
        else:
            reason = _("the connection broke off")
        return MagentoUnreachable(
            _(
                "The connection to Magento at {shop} failed ({reason}); check commerce.base_url and the network "
                "connection, then refresh the catalog again."
            ).format(shop=self.name, reason=reason)
        )

    def _path(self, endpoint: Endpoint) -> str:
        return f"/rest{endpoint.path}"


# --- reading answers -----------------------------------------------------------------------------

NOT_JSON: Any = object()


def read_json(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested [[[…]]] deep
        return NOT_JSON


def body_kind(response: httpx.Response) -> str:
    content_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if "html" in content_type or response.content.lstrip()[:1] == b"<":
        return _("an HTML page")
    if not response.content:
        return _("an empty body")
    return _("{content_type} content").format(content_type=content_type or "unknown")


def magento_error(response: httpx.Response) -> tuple[str | None, object]:
    """(message template, parameters) of Magento's error body, or (None, None) when it is not one."""
    body = read_json(response)
    if not isinstance(body, dict):
        return None, None
    message = body.get("message")
    if isinstance(message, str) and message.strip():
        return message, body.get("parameters")
    # The older renderer: {"messages": {"error": [{"code": 500, "message": "…"}]}}
    messages = body.get("messages")
    if isinstance(messages, dict):
        errors = messages.get("error")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0].get("message")
            if isinstance(first, str) and first.strip():
                return first, None
    return None, None


def about_oauth(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in ("oauth", "token", "consumer", "signature", "nonce", "timestamp"))


def resource_from(parameters: object) -> str | None:
    if isinstance(parameters, dict):
        value = parameters.get("resources")
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, list) and value:
            return ", ".join(str(v) for v in value)
    return None


def _clean_reason(text: str) -> str:
    return " ".join(str(text).split())[:120]


def _causes(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _ssl_cause(error: BaseException) -> ssl.SSLError | None:
    return next((c for c in _causes(error) if isinstance(c, ssl.SSLError)), None)


def _refused(error: BaseException) -> bool:
    return (
        any(isinstance(c, ConnectionRefusedError) for c in _causes(error)) or "refused" in str(error).lower()
    )


def _unknown_host(error: BaseException) -> bool:
    if any(isinstance(c, socket.gaierror) for c in _causes(error)):
        return True
    text = str(error).lower()
    return any(k in text for k in ("name or service not known", "nodename nor servname", "getaddrinfo"))


def is_final(error: httpx.TransportError) -> bool:
    """True for failures another attempt would only repeat."""
    if isinstance(error, httpx.TimeoutException):
        return True
    if isinstance(error, httpx.ConnectError):
        return _ssl_cause(error) is not None or _refused(error) or _unknown_host(error)
    return _ssl_cause(error) is not None
