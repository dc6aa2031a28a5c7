"""The Commerce catalog read from a real Magento 2.4 over its REST API.

Endpoints, with the ACL resource each needs (Magento_Store and Magento_Catalog `etc/webapi.xml`):

- `GET /rest/V1/store/websites`    `Magento_Backend::store`: `[{id, code, name, default_group_id}]`
- `GET /rest/V1/store/storeGroups` `Magento_Backend::store`: `[{id, website_id, default_store_id, …}]`
- `GET /rest/V1/store/storeViews`  `Magento_Backend::store`: `[{id, code, name, website_id, store_group_id,
  is_active}]`
- `GET /rest/V1/products/attributes?searchCriteria[pageSize]=N&searchCriteria[currentPage]=P`
  `Magento_Catalog::attributes_attributes`: `{items, search_criteria, total_count}`, trimmed with
  `fields=items[attribute_code,default_frontend_label],total_count` (select attributes carry every option).

Each website's default store view (the store view Amazon orders are imported into) is
`website.default_group_id` → `group.default_store_id` → store view. The admin website and store (id 0,
code "admin") are skipped.

Authentication, as Magento ships it since 2.4.4: OAuth 1.0a with the integration's four credentials,
HMAC-SHA256, in the Authorization header, signed by oauthlib over the exact URL httpx sends (brackets
percent-encoded first: oauthlib refuses raw `[` `]`); or a plain bearer token, for shops that turned on
*Allow OAuth Access Tokens to be used as standalone Bearer tokens*.

What Magento really answers (its ErrorProcessor and OAuth code): a refused OAuth credential is HTTP 401
with the reason ("The signature is invalid. Verify and try again.", "Specified token does not exist", …);
a missing ACL resource is also HTTP 401, "The consumer isn't authorized to access %resources." — and so
is a bearer token that Magento does not take (setting off, or a wrong token), indistinguishable from a
missing resource. A 403 comes from elsewhere (a firewall, a proxy, an extension) and is read the same way.

Retries follow the shared policy (`asc_tui.amazon.http`): 429, 5xx and a broken connection are retried
with backoff; a refused connection, an unknown host, a TLS failure or a timeout are not (each would only
make the admin wait longer for the same answer). No secret ever reaches a message, a log line or a repr.
"""

from __future__ import annotations

import ipaddress
import json
import math
import os
import re
import socket
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import httpx
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256  # type: ignore[import-untyped]
from oauthlib.oauth1 import Client as OAuth1Client

from asc_tui import __version__
from asc_tui.amazon.errors import AmazonThrottled, AmazonUnavailable
from asc_tui.amazon.http import RetryPolicy, send_with_retries
from asc_tui.commerce.address import normalize_base_url
from asc_tui.commerce.catalog import Attribute, Catalog, StoreView, Website
from asc_tui.commerce.errors import (
    MagentoAccessDenied,
    MagentoAuthFailed,
    MagentoError,
    MagentoNotConfigured,
    MagentoProtocolError,
    MagentoTimeout,
    MagentoTlsError,
    MagentoUnavailable,
    MagentoUnreachable,
    NotMagentoEndpoint,
    quote_magento,
)
from asc_tui.domain import utcnow
from asc_tui.i18n import N_, _, ngettext

__all__ = [
    "ATTRIBUTES_RESOURCE",
    "AUTH_BEARER",
    "AUTH_MODES",
    "AUTH_OAUTH1",
    "CREDENTIAL_FIELDS",
    "ENV_ACCESS_TOKEN",
    "ENV_ACCESS_TOKEN_SECRET",
    "ENV_BEARER_TOKEN",
    "ENV_CONSUMER_KEY",
    "ENV_CONSUMER_SECRET",
    "KEY_ACCESS_TOKEN",
    "KEY_ACCESS_TOKEN_SECRET",
    "KEY_BEARER_TOKEN",
    "KEY_CONSUMER_KEY",
    "KEY_CONSUMER_SECRET",
    "PROGRESS_ATTRIBUTES",
    "PROGRESS_STORE_GROUPS",
    "PROGRESS_STORE_VIEWS",
    "PROGRESS_WEBSITES",
    "STORE_RESOURCE",
    "CredentialField",
    "MagentoCatalogSource",
    "MagentoCredentials",
    "credential_fields",
    "credentials_from",
    "missing_credentials",
    "normalize_base_url",
]

AUTH_OAUTH1 = "oauth1"
AUTH_BEARER = "bearer"
AUTH_MODES = (AUTH_OAUTH1, AUTH_BEARER)

# Keyring keys (the caller's `get_secret` reads them) and the environment variables that win over them.
KEY_CONSUMER_KEY = "magento-consumer-key"
KEY_CONSUMER_SECRET = "magento-consumer-secret"
KEY_ACCESS_TOKEN = "magento-access-token"
KEY_ACCESS_TOKEN_SECRET = "magento-access-token-secret"
KEY_BEARER_TOKEN = "magento-bearer-token"
ENV_CONSUMER_KEY = "ASC_TUI_MAGENTO_CONSUMER_KEY"
ENV_CONSUMER_SECRET = "ASC_TUI_MAGENTO_CONSUMER_SECRET"
ENV_ACCESS_TOKEN = "ASC_TUI_MAGENTO_ACCESS_TOKEN"
ENV_ACCESS_TOKEN_SECRET = "ASC_TUI_MAGENTO_ACCESS_TOKEN_SECRET"
ENV_BEARER_TOKEN = "ASC_TUI_MAGENTO_BEARER_TOKEN"

STORE_RESOURCE = "Magento_Backend::store"
ATTRIBUTES_RESOURCE = "Magento_Catalog::attributes_attributes"
# Where each resource sits in the integration's API tree (System › Extensions › Integrations › API).
_RESOURCE_TREE = {
    STORE_RESOURCE: "Stores › Settings › All Stores",
    ATTRIBUTES_RESOURCE: "Stores › Attributes › Product",
}

# `what` values of the progress callback, in the order they are read.
PROGRESS_WEBSITES = "websites"
PROGRESS_STORE_GROUPS = "store groups"
PROGRESS_STORE_VIEWS = "store views"
PROGRESS_ATTRIBUTES = "attributes"

Progress = Callable[[str, int, int], None]

DEFAULT_TIMEOUT = 20.0
DEFAULT_PAGE_SIZE = 500
DEFAULT_RETRY_POLICY = RetryPolicy(max_attempts=3)
_SERVICE = "Magento"
_ATTRIBUTE_FIELDS = "items[attribute_code,default_frontend_label],total_count"
_PAGE_SIZE_LIMIT = re.compile(r"Maximum SearchCriteria pageSize is (\d+)")
_SETTINGS_HINT = N_("the settings screen")  # shown through _()
_BEARER_SETTING = (
    "Stores › Configuration › Services › OAuth › Consumer Settings › "
    "Allow OAuth Access Tokens to be used as standalone Bearer tokens"
)


# --- credentials ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CredentialField:
    attribute: str  # on MagentoCredentials
    key: str  # keyring key
    env: str  # environment variable that wins over the keyring
    label: str  # as Magento's integration page names it; marked for translation, shown through _()


CREDENTIAL_FIELDS = (
    CredentialField("consumer_key", KEY_CONSUMER_KEY, ENV_CONSUMER_KEY, N_("Consumer Key")),
    CredentialField("consumer_secret", KEY_CONSUMER_SECRET, ENV_CONSUMER_SECRET, N_("Consumer Secret")),
    CredentialField("access_token", KEY_ACCESS_TOKEN, ENV_ACCESS_TOKEN, N_("Access Token")),
    CredentialField(
        "access_token_secret", KEY_ACCESS_TOKEN_SECRET, ENV_ACCESS_TOKEN_SECRET, N_("Access Token Secret")
    ),
    CredentialField("bearer_token", KEY_BEARER_TOKEN, ENV_BEARER_TOKEN, N_("Bearer token")),
)


def credential_fields(auth: str | None = None) -> tuple[CredentialField, ...]:
    """The credentials an auth mode needs (all five for None), in the order the settings screen shows them."""
    if auth is None:
        return CREDENTIAL_FIELDS
    mode = _auth_mode(auth)
    if mode == AUTH_BEARER:
        return tuple(f for f in CREDENTIAL_FIELDS if f.attribute == "bearer_token")
    return tuple(f for f in CREDENTIAL_FIELDS if f.attribute != "bearer_token")


@dataclass(frozen=True)
class MagentoCredentials:
    """An integration's OAuth 1.0a credentials, or a bearer token. Never printed: repr says only what is set."""

    consumer_key: str | None = field(default=None, repr=False)
    consumer_secret: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    access_token_secret: str | None = field(default=None, repr=False)
    bearer_token: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{f.attribute}={'[set]' if getattr(self, f.attribute) else None}" for f in CREDENTIAL_FIELDS
        )
        return f"MagentoCredentials({shown})"

    __str__ = __repr__

    def secrets(self) -> tuple[str, ...]:
        """Every value that is set, for redaction."""
        values = (getattr(self, f.attribute) for f in CREDENTIAL_FIELDS)
        return tuple(v for v in values if v)


def credentials_from(
    get_secret: Callable[[str], str | None],
    environ: Mapping[str, str] | None = None,
    *,
    auth: str | None = None,
) -> MagentoCredentials:
    """The Magento credentials: each `ASC_TUI_MAGENTO_*` variable wins over its keyring key.

    `get_secret(key)` reads the keyring (the caller's, with its timeouts and errors); it is asked only for
    what the environment does not give, and with `auth` only for what that mode needs. Blank values count
    as missing; surrounding whitespace (a pasted newline) is dropped.
    """
    env = os.environ if environ is None else environ
    values: dict[str, str | None] = {}
    for f in credential_fields(auth):
        value = (env.get(f.env) or "").strip()
        if not value:
            value = (get_secret(f.key) or "").strip()
        values[f.attribute] = value or None
    return MagentoCredentials(**values)


def missing_credentials(credentials: MagentoCredentials, auth: str) -> tuple[str, ...]:
    """Keyring keys of the credentials `auth` needs that are not set (empty when nothing is missing)."""
    return tuple(f.key for f in credential_fields(auth) if not getattr(credentials, f.attribute))


def _auth_mode(auth: str) -> str:
    mode = (auth or "").strip().lower()
    if mode not in AUTH_MODES:
        raise MagentoNotConfigured(
            _(
                'commerce.auth is {auth!r}; set it to "oauth1" (the integration\'s four credentials) or "bearer".'
            ).format(auth=auth)
        )
    return mode


# --- addresses -----------------------------------------------------------------------------------

# normalize_base_url lives in asc_tui.commerce.address (no httpx), re-exported here.


def _display_url(url: str) -> str:
    """`url` without a user name or password."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[1], parts.path, parts.query, ""))


def _url_password(url: str) -> str | None:
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# --- the source ----------------------------------------------------------------------------------


class _NoRetry(Exception):
    """A transport failure that another attempt would only repeat (refused, unknown host, TLS, timeout)."""

    def __init__(self, error: httpx.TransportError) -> None:
        super().__init__(type(error).__name__)
        self.error = error


class _PageSizeTooLarge(Exception):
    def __init__(self, maximum: int) -> None:
        super().__init__(f"maximum page size {maximum}")
        self.maximum = maximum


@dataclass(frozen=True)
class _Endpoint:
    path: str  # below /rest
    what_text: str  # in the admin's words, marked for translation
    resource: str

    @property
    def what(self) -> str:
        return _(self.what_text)


_WEBSITES = _Endpoint("/V1/store/websites", N_("the websites"), STORE_RESOURCE)
_STORE_GROUPS = _Endpoint("/V1/store/storeGroups", N_("the stores (store groups)"), STORE_RESOURCE)
_STORE_VIEWS = _Endpoint("/V1/store/storeViews", N_("the store views"), STORE_RESOURCE)
_ATTRIBUTES = _Endpoint("/V1/products/attributes", N_("the product attributes"), ATTRIBUTES_RESOURCE)


class MagentoCatalogSource:
    """A `CatalogSource` reading websites, store views and product attributes from Magento's REST API.

    `fetch()` blocks (run it in a worker) and raises a `MagentoError` whose message is one sentence with
    the fix. `progress(what, done, total)` is called as each part is read (`PROGRESS_*` values for `what`;
    for attributes `done`/`total` count attributes).
    """

    offline = False

    def __init__(
        self,
        base_url: str,
        auth: str,
        credentials: MagentoCredentials,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        page_size: int = DEFAULT_PAGE_SIZE,
        http: httpx.Client | None = None,
        retry_policy: RetryPolicy | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self.name = _display_url(self.base_url) if self.base_url else (base_url or "").strip()
        self.auth = auth
        self._credentials = credentials
        self.timeout = float(timeout)
        self.page_size = max(1, int(page_size))
        self._http = http
        self.policy = retry_policy or DEFAULT_RETRY_POLICY
        self._progress = progress
        secrets = list(credentials.secrets())
        password = _url_password(base_url or "")
        if password:
            secrets.append(password)
        self._secrets = tuple(secrets)

    def __repr__(self) -> str:
        return f"MagentoCatalogSource(base_url={self.name!r}, auth={self.auth!r}, credentials={self._credentials!r})"

    # --- the catalog ---------------------------------------------------------------------------

    def fetch(self, progress: Progress | None = None) -> Catalog:
        report = progress or self._progress or (lambda _what, _done, _total: None)
        base_url, mode = self._check_ready()
        http = self._http or httpx.Client(follow_redirects=False, trust_env=True)
        try:
            call = _Caller(self, http, base_url, mode)
            report(PROGRESS_WEBSITES, 0, 1)
            websites = _list_of_objects(call.get(_WEBSITES), self.name, _WEBSITES)
            report(PROGRESS_WEBSITES, 1, 1)
            report(PROGRESS_STORE_GROUPS, 0, 1)
            groups = _list_of_objects(call.get(_STORE_GROUPS), self.name, _STORE_GROUPS)
            report(PROGRESS_STORE_GROUPS, 1, 1)
            report(PROGRESS_STORE_VIEWS, 0, 1)
            views = _list_of_objects(call.get(_STORE_VIEWS), self.name, _STORE_VIEWS)
            report(PROGRESS_STORE_VIEWS, 1, 1)
            site_list, view_list = _websites_and_views(websites, groups, views, self.name)
            attributes = self._attributes(call, report)
        finally:
            if self._http is None:
                http.close()
        return Catalog(
            source=self.name,
            fetched_at=utcnow(),
            websites=site_list,
            store_views=view_list,
            attributes=tuple(sorted(attributes, key=lambda a: a.code)),
        )

    def _check_ready(self) -> tuple[str, str]:
        if not self.base_url:
            raise MagentoNotConfigured(
                _(
                    "commerce.base_url {url!r} is not an http(s) address; set it to the shop's address, for "
                    "example https://shop.example.com."
                ).format(url=self.name)
            )
        mode = _auth_mode(self.auth)
        missing = [f for f in credential_fields(mode) if not getattr(self._credentials, f.attribute)]
        if missing:
            names = ", ".join(
                _("{label} (keyring {key} or {env})").format(label=_(f.label), key=f.key, env=f.env)
                for f in missing
            )
            raise MagentoNotConfigured(
                ngettext(
                    "Reading the catalog from Magento needs the integration's {names}; enter it in {settings}.",
                    "Reading the catalog from Magento needs the integration's {names}; enter them in {settings}.",
                    len(missing),
                ).format(names=names, settings=_(_SETTINGS_HINT))
            )
        if mode == AUTH_BEARER:
            parts = urlsplit(self.base_url)
            if parts.scheme == "http" and not _is_loopback(parts.hostname or ""):
                raise MagentoNotConfigured(
                    _(
                        "The bearer token would travel unencrypted to {host} over plain http; use an https:// "
                        'address in commerce.base_url, or commerce.auth = "oauth1", which never sends a secret '
                        "itself."
                    ).format(host=parts.hostname)
                )
        return self.base_url, mode

    def _attributes(self, call: _Caller, report: Progress) -> list[Attribute]:
        size = self.page_size
        while True:
            try:
                return self._attribute_pages(call, report, size)
            except _PageSizeTooLarge as limit:
                if not 0 < limit.maximum < size:
                    raise MagentoUnavailable(
                        _(
                            "Magento at {shop} refused every page size for the product attributes (its maximum "
                            "is {maximum}); raise Stores › Configuration › Services › Web API Limits › Maximum "
                            "Page Size."
                        ).format(shop=self.name, maximum=limit.maximum)
                    ) from None
                size = limit.maximum

    def _attribute_pages(self, call: _Caller, report: Progress, size: int) -> list[Attribute]:
        seen: dict[str, Attribute] = {}
        page = 1
        total: int | None = None
        last_page = 1
        while True:
            params = {
                "searchCriteria[pageSize]": str(size),
                "searchCriteria[currentPage]": str(page),
                "fields": _ATTRIBUTE_FIELDS,
            }
            body = call.get(_ATTRIBUTES, params, page_size=size)
            items, total_count = _search_results(body, self.name)
            if total is None:
                total = total_count
                last_page = max(1, math.ceil(total / size))
            new = 0
            for item in items:
                code = item.get("attribute_code")
                if not isinstance(code, str) or not code.strip() or code in seen:
                    continue
                label = item.get("default_frontend_label")
                text = label.strip() if isinstance(label, str) else ""
                seen[code] = Attribute(code, text or code)
                new += 1
            report(PROGRESS_ATTRIBUTES, min(len(seen), total), total)
            if len(seen) >= total:
                break
            if not items or new == 0:
                raise MagentoProtocolError(
                    _(
                        "Magento at {shop} sent no new product attributes on page {page} ({read} of the {total} "
                        "it announced), so the list cannot be read completely; try again, and if it persists "
                        "check the shop's extensions that change the attribute list."
                    ).format(shop=self.name, page=page, read=len(seen), total=total)
                )
            page += 1
            if page > last_page + 1:  # the last page plus one more in case total_count grew meanwhile
                raise MagentoProtocolError(
                    _(
                        "Magento at {shop} kept paging past the {total} product attributes it announced; try "
                        "again, and if it persists check the shop's extensions that change the attribute list."
                    ).format(shop=self.name, total=total)
                )
        return list(seen.values())


class _Caller:
    """One fetch's requests: signing, retries, and the mapping of every failure to a sentence."""

    def __init__(self, source: MagentoCatalogSource, http: httpx.Client, base_url: str, mode: str) -> None:
        self.source = source
        self.http = http
        self.base_url = base_url
        self.mode = mode
        self.name = source.name
        self.secrets = source._secrets
        credentials = source._credentials
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

    def url(self, endpoint: _Endpoint, params: Mapping[str, str] | None) -> str:
        url = f"{self.base_url}/rest{endpoint.path}"
        if params:
            # Every reserved character percent-encoded: httpx sends it as written, and oauthlib signs it.
            url += "?" + urlencode(list(params.items()), quote_via=quote, safe="")
        return url

    def get(self, endpoint: _Endpoint, params: Mapping[str, str] | None = None, *, page_size: int = 0) -> Any:
        url = self.url(endpoint, params)
        last: list[httpx.Response] = []

        def send(timeout: float) -> httpx.Response:
            request = self.http.build_request("GET", url, headers=self._headers, timeout=timeout)
            request.headers["authorization"] = self._authorization(str(request.url))
            try:
                response = self.http.send(request, follow_redirects=False)  # a redirect breaks the signature
            except httpx.TransportError as error:
                if _final(error):
                    raise _NoRetry(error) from error
                raise
            last[:] = [response]
            return response

        try:
            response = send_with_retries(
                send, service=_SERVICE, timeout=self.source.timeout, policy=self.source.policy
            )
        except _NoRetry as failure:
            raise self._transport_error(failure.error) from None
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
                raise self._server_error(endpoint, last[-1], self.source.policy.max_attempts) from None
            cause = unavailable.__cause__
            if isinstance(cause, httpx.TransportError):
                raise self._transport_error(cause) from None
            raise MagentoUnreachable(
                _(
                    "Could not reach Magento at {shop} ({reason}); check commerce.base_url and the network "
                    "connection."
                ).format(shop=self.name, reason=unavailable.reason)
            ) from None
        return self._answer(endpoint, response, page_size)

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

    # --- mapping answers -----------------------------------------------------------------------

    def _answer(self, endpoint: _Endpoint, response: httpx.Response, page_size: int) -> Any:
        status = response.status_code
        if 200 <= status < 300:
            body = _json(response)
            if body is _NOT_JSON:
                raise NotMagentoEndpoint(
                    _(
                        "{shop} is not a Magento REST endpoint ({path} answered with {kind}, not JSON); check "
                        "commerce.base_url."
                    ).format(shop=self.name, path=self._path(endpoint), kind=_kind(response)),
                    status=status,
                )
            return body
        if 300 <= status < 400:
            location = _display_url(response.headers.get("location", "").split("?", 1)[0]) or _(
                "another address"
            )
            raise NotMagentoEndpoint(
                _(
                    "{shop} redirects {path} to {location} (HTTP {status}); set commerce.base_url to the shop's "
                    "final address (often https://…)."
                ).format(shop=self.name, path=self._path(endpoint), location=location, status=status),
                status=status,
            )
        message, parameters = _magento_error(response)
        quoted = quote_magento(message, parameters, self.secrets) if message else ""
        if status == 400 and message and page_size:
            limit = _PAGE_SIZE_LIMIT.search(quoted)
            if limit:
                raise _PageSizeTooLarge(int(limit.group(1)))
        if status == 401 or (status == 400 and self.mode == AUTH_OAUTH1 and _about_oauth(quoted)):
            # Magento answers a malformed credential (a token of the wrong length) with 400.
            raise self._unauthorized(endpoint, message, parameters, quoted)
        if status == 403:
            resource = _resource_from(parameters) or endpoint.resource
            said = f"HTTP 403: {quoted}" if quoted else "HTTP 403"
            blocker = "" if message else _(" (or a firewall in front of the shop blocks the request)")
            raise self._access_denied(endpoint, resource, said, status, blocker)
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
            ).format(shop=self.name, path=self._path(endpoint), status=status, kind=_kind(response)),
            status=status,
        )

    def _unauthorized(
        self, endpoint: _Endpoint, message: str | None, parameters: object, quoted: str
    ) -> MagentoError:
        template = (message or "").lower()
        # Magento's own words, in parentheses right after what it refused.
        said = _(" ({quoted})").format(quoted=quoted) if quoted else ""
        settings = _(_SETTINGS_HINT)
        if "authorized to access" in template:
            resource = _resource_from(parameters) or endpoint.resource
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
            return self._access_denied(endpoint, resource, quoted or "HTTP 401", 401, "")
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

    def _access_denied(
        self, endpoint: _Endpoint, resource: str, said: str, status: int, extra: str
    ) -> MagentoAccessDenied:
        place = _RESOURCE_TREE.get(resource)
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

    def _server_error(self, endpoint: _Endpoint, response: httpx.Response, attempts: int) -> MagentoError:
        message, parameters = _magento_error(response)
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

    def _transport_error(self, error: httpx.TransportError) -> MagentoError:
        host = urlsplit(self.base_url).hostname or self.name
        if isinstance(error, httpx.TimeoutException):
            return MagentoTimeout(
                _(
                    "Magento at {shop} did not answer within {seconds:g} s; check that the shop is up and "
                    "commerce.base_url is right, then refresh the catalog again."
                ).format(shop=self.name, seconds=self.source.timeout)
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

    def _path(self, endpoint: _Endpoint) -> str:
        return f"/rest{endpoint.path}"


# --- reading answers -----------------------------------------------------------------------------

_NOT_JSON: Any = object()


def _json(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested [[[…]]] deep
        return _NOT_JSON


def _kind(response: httpx.Response) -> str:
    content_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if "html" in content_type or response.content.lstrip()[:1] == b"<":
        return _("an HTML page")
    if not response.content:
        return _("an empty body")
    return _("{content_type} content").format(content_type=content_type or "unknown")


def _magento_error(response: httpx.Response) -> tuple[str | None, object]:
    """(message template, parameters) of Magento's error body, or (None, None) when it is not one."""
    body = _json(response)
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


def _about_oauth(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in ("oauth", "token", "consumer", "signature", "nonce", "timestamp"))


def _resource_from(parameters: object) -> str | None:
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


def _final(error: httpx.TransportError) -> bool:
    """True for failures another attempt would only repeat."""
    if isinstance(error, httpx.TimeoutException):
        return True
    if isinstance(error, httpx.ConnectError):
        return _ssl_cause(error) is not None or _refused(error) or _unknown_host(error)
    return _ssl_cause(error) is not None


def _list_of_objects(body: Any, name: str, endpoint: _Endpoint) -> list[dict[str, Any]]:
    if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
        raise MagentoProtocolError(
            _(
                "{shop} answered {path} with JSON that is not Magento's list of {what}; check commerce.base_url."
            ).format(shop=name, path=f"/rest{endpoint.path}", what=endpoint.what)
        )
    return body


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _search_results(body: Any, name: str) -> tuple[list[dict[str, Any]], int]:
    items = body.get("items") if isinstance(body, dict) else None
    total = _int(body.get("total_count")) if isinstance(body, dict) else None
    if items is None and total == 0:
        items = []  # Magento leaves out an empty list when `fields` trims the answer
    if not isinstance(items, list) or total is None or total < 0:
        raise MagentoProtocolError(
            _(
                "{shop} answered /rest/V1/products/attributes with JSON that is not Magento's search result "
                "(items and total_count); check commerce.base_url."
            ).format(shop=name)
        )
    return [item for item in items if isinstance(item, dict)], total


def _websites_and_views(
    websites: list[dict[str, Any]],
    groups: list[dict[str, Any]],
    views: list[dict[str, Any]],
    name: str,
) -> tuple[tuple[Website, ...], tuple[StoreView, ...]]:
    def is_admin(item: dict[str, Any]) -> bool:
        return _int(item.get("id")) == 0 or item.get("code") == "admin"

    site_by_id: dict[int, dict[str, Any]] = {}
    for site in websites:
        site_id = _int(site.get("id"))
        code = site.get("code")
        if site_id is None or not isinstance(code, str) or not code:
            raise MagentoProtocolError(
                _("{shop} listed a website without an id or code; check commerce.base_url.").format(shop=name)
            )
        if not is_admin(site):
            site_by_id[site_id] = site
    group_by_id = {gid: g for g in groups if (gid := _int(g.get("id"))) is not None}
    view_rows: list[tuple[int, dict[str, Any]]] = []
    for view in views:
        view_id = _int(view.get("id"))
        if view_id is None or is_admin(view) or not isinstance(view.get("code"), str) or not view.get("code"):
            continue
        if _int(view.get("website_id")) in site_by_id:
            view_rows.append((view_id, view))
    view_by_id = dict(view_rows)

    store_views = tuple(
        StoreView(
            code=str(view["code"]),
            name=_text(view.get("name")) or str(view["code"]),
            website=str(site_by_id[_int(view.get("website_id")) or 0]["code"]),
        )
        for _view_id, view in view_rows
    )

    result: list[Website] = []
    for site_id, site in site_by_id.items():
        chosen: dict[str, Any] | None = None
        group = group_by_id.get(_int(site.get("default_group_id")) or -1)
        if group is not None:
            candidate = view_by_id.get(_int(group.get("default_store_id")) or -1)
            if candidate is not None and _int(candidate.get("website_id")) == site_id:
                chosen = candidate
        if chosen is None:  # no default group/store: the website's first active store view, else its first
            own = [
                v
                for _view_id, v in sorted(view_rows, key=lambda row: row[0])
                if _int(v.get("website_id")) == site_id
            ]
            active = [v for v in own if v.get("is_active") in (1, True, "1")]
            chosen = next(iter(active or own), None)
        result.append(
            Website(
                code=str(site["code"]),
                name=_text(site.get("name")) or str(site["code"]),
                default_store_view=str(chosen["code"]) if chosen else "",
            )
        )
    return tuple(result), store_views


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
