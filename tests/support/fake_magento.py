"""A fake Magento 2.4 REST API for tests: a real HTTP(S) server on loopback (Starlette served by uvicorn
in a daemon thread), answering with Magento's shapes and Magento's errors.

- `GET /rest[/default|/all]/V1/store/websites | storeGroups | storeViews` and `/V1/products/attributes`
  (searchCriteria paging, `fields` trimming; a page past the end is clamped to the last page, as
  Magento's Data\\Collection is understood to do — not checked in its source; the client copes either way).
- Every request is authenticated the way Magento's `Oauth::validateAccessTokenRequest` does it, with an
  OAuth 1.0a verifier written here from RFC 5849 §3.4 (base string, parameter normalisation, HMAC-SHA256
  or HMAC-SHA1), independent of oauthlib; or as a bearer token when `bearer_allowed` (the shop's *Allow
  OAuth Access Tokens to be used as standalone Bearer tokens*).
- Errors as Magento sends them: `{"message": "…%1…", "parameters": …}`; a refused credential is 401 with
  the OAuth reason; a missing ACL resource (or no accepted credential at all) is 401 "The consumer isn't
  authorized to access %resources.".

Knobs (thread-safe): `fail_next`, `delay`, `granted`, `bearer_allowed`, `max_page_size`, `broken_paging`,
`html_everywhere`, `revoked`. Records: `requests`, `attribute_pages`.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import hmac
import secrets
import string
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote, unquote, unquote_plus

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from asc_tui.sandbox.server import LoopbackServer

STORE_RESOURCE = "Magento_Backend::store"
ATTRIBUTES_RESOURCE = "Magento_Catalog::attributes_attributes"
NOT_AUTHORIZED = "The consumer isn't authorized to access %resources."
SIGNATURE_INVALID = "The signature is invalid. Verify and try again."
_ALPHABET = string.ascii_lowercase + string.digits


def magento_secret() -> str:
    """A credential as Magento generates them: 32 lowercase letters and digits."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(32))


@dataclass
class Integration:
    """System › Extensions › Integrations: one activated integration and the resources it was given."""

    consumer_key: str = field(default_factory=magento_secret)
    consumer_secret: str = field(default_factory=magento_secret)
    access_token: str = field(default_factory=magento_secret)
    access_token_secret: str = field(default_factory=magento_secret)
    consumer_id: int = 1

    def secrets(self) -> tuple[str, ...]:
        return (self.consumer_key, self.consumer_secret, self.access_token, self.access_token_secret)


# --- data in Magento's shapes -----------------------------------------------------------------------


def admin_rows() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The admin website, store group and store view that every Magento lists first (id 0)."""
    return (
        {"id": 0, "code": "admin", "name": "Admin", "default_group_id": 0},
        {
            "id": 0,
            "website_id": 0,
            "root_category_id": 0,
            "default_store_id": 0,
            "name": "Default",
            "code": "default",
        },
        {"id": 0, "code": "admin", "name": "Admin", "website_id": 0, "store_group_id": 0, "is_active": 1},
    )


def default_store_data() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """A multi-website shop: the base website plus a US and a UK website with their own store views.

    The UK website's default store view is *not* its first one (`uk_en` is id 5, `uk_cy` id 4), so a
    client that guesses instead of following default_group_id → default_store_id is caught.
    """
    admin_site, admin_group, admin_view = admin_rows()
    websites = [
        admin_site,
        {"id": 1, "code": "base", "name": "Main Website", "default_group_id": 1},
        {"id": 2, "code": "us_site", "name": "Amazon US Website", "default_group_id": 2},
        {"id": 3, "code": "uk_site", "name": "Amazon UK Website", "default_group_id": 3},
    ]
    groups = [
        admin_group,
        {
            "id": 1,
            "website_id": 1,
            "root_category_id": 2,
            "default_store_id": 1,
            "name": "Main Website Store",
            "code": "main_website_store",
        },
        {
            "id": 2,
            "website_id": 2,
            "root_category_id": 2,
            "default_store_id": 2,
            "name": "US Store",
            "code": "us_store",
        },
        {
            "id": 3,
            "website_id": 3,
            "root_category_id": 2,
            "default_store_id": 5,
            "name": "UK Store",
            "code": "uk_store",
        },
    ]
    views = [
        admin_view,
        {
            "id": 1,
            "code": "default",
            "name": "Default Store View",
            "website_id": 1,
            "store_group_id": 1,
            "is_active": 1,
        },
        {
            "id": 2,
            "code": "us_en",
            "name": "US English",
            "website_id": 2,
            "store_group_id": 2,
            "is_active": 1,
        },
        {
            "id": 3,
            "code": "us_es",
            "name": "US Español",
            "website_id": 2,
            "store_group_id": 2,
            "is_active": 1,
        },
        {
            "id": 4,
            "code": "uk_cy",
            "name": "UK Cymraeg",
            "website_id": 3,
            "store_group_id": 3,
            "is_active": 0,
        },
        {
            "id": 5,
            "code": "uk_en",
            "name": "UK English",
            "website_id": 3,
            "store_group_id": 3,
            "is_active": 1,
        },
    ]
    return websites, groups, views


_SYSTEM_ATTRIBUTES = (
    ("sku", "SKU", "text"),
    ("name", "Product Name", "text"),
    ("price", "Price", "price"),
    ("color", "Color", "select"),
    ("manufacturer", "Manufacturer", "select"),
    ("amazon_asin", "Amazon ASIN", "text"),
    ("amazon_condition", "Amazon Condition", "select"),
    ("quantity_and_stock_status", "Quantity", "select"),
    ("category_gear", None, "multiselect"),  # Magento really has attributes without a default label
)


def attribute(
    attribute_id: int, code: str, label: str | None, frontend_input: str = "text"
) -> dict[str, Any]:
    """One item of `GET /V1/products/attributes`, with the fields Magento 2.4 returns."""
    options = (
        [{"label": " ", "value": ""}] + [{"label": f"Option {n}", "value": str(n)} for n in range(1, 40)]
        if frontend_input in ("select", "multiselect")
        else []
    )
    return {
        "is_wysiwyg_enabled": False,
        "is_html_allowed_on_front": False,
        "used_for_sort_by": False,
        "is_filterable": frontend_input == "select",
        "is_filterable_in_search": False,
        "is_used_in_grid": True,
        "is_visible_in_grid": False,
        "is_filterable_in_grid": True,
        "position": 0,
        "apply_to": [],
        "is_searchable": "0",
        "is_visible_in_advanced_search": "0",
        "is_comparable": "0",
        "is_used_for_promo_rules": "0",
        "is_visible_on_front": "0",
        "used_in_product_listing": "0",
        "is_visible": True,
        "scope": "global",
        "attribute_id": attribute_id,
        "attribute_code": code,
        "frontend_input": frontend_input,
        "entity_type_id": "4",
        "is_required": code in ("sku", "name", "price"),
        "options": options,
        "is_user_defined": not code.startswith(("sku", "name", "price", "quantity")),
        "default_frontend_label": label,
        "frontend_labels": [],
        "backend_type": "varchar" if frontend_input != "price" else "decimal",
        "is_unique": "0",
        "validation_rules": [],
    }


def make_attributes(count: int) -> list[dict[str, Any]]:
    """`count` attributes: the system ones above first, then `custom_attr_NNNN` ("Custom attribute NNNN")."""
    items: list[dict[str, Any]] = []
    for n, (code, label, kind) in enumerate(_SYSTEM_ATTRIBUTES[:count], start=73):
        items.append(attribute(n, code, label, kind))
    for n in range(len(items), count):
        items.append(attribute(1000 + n, f"custom_attr_{n:04d}", f"Custom attribute {n:04d}"))
    return items


# --- RFC 5849, written here so that the client's oauthlib is checked by something else -----------------


def rfc3986(text: str) -> str:
    """RFC 5849 §3.6: UTF-8, then every byte but ALPHA / DIGIT / "-" / "." / "_" / "~" as %XX."""
    return quote(text.encode("utf-8"), safe="-._~")


def parse_oauth_header(value: str) -> dict[str, str] | None:
    """The parameters of `Authorization: OAuth k="v", …` (RFC 5849 §3.5.1), or None for another scheme."""
    if value[:6].lower() != "oauth ":
        return None
    params: dict[str, str] = {}
    for part in value[6:].split(","):
        name, sep, raw = part.strip().partition("=")
        if not sep:
            continue
        raw = raw.strip()
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            raw = raw[1:-1]
        params[unquote(name.strip())] = unquote(raw)
    return params


def base_string_uri(scheme: str, host_header: str, raw_path: str) -> str:
    """RFC 5849 §3.4.1.2: lower-case scheme and host, default port left out, path as sent, no query."""
    scheme = scheme.lower()
    host, port = host_header.lower(), ""
    if host.startswith("["):
        end = host.index("]")
        host, port = host[: end + 1], host[end + 2 :]
    elif ":" in host:
        host, port = host.rsplit(":", 1)
    if (scheme, port) in (("http", "80"), ("https", "443")):
        port = ""
    return f"{scheme}://{host}{':' + port if port else ''}{raw_path}"


def signature_base_string(
    method: str,
    uri: str,
    raw_query: str,
    oauth_params: dict[str, str],
    body_params: Iterable[tuple[str, str]] = (),
) -> str:
    """RFC 5849 §3.4.1: METHOD & uri & normalised parameters (query + body + oauth_*, not the signature)."""
    pairs: list[tuple[str, str]] = []
    for item in raw_query.split("&") if raw_query else []:
        name, _, value = item.partition("=")
        pairs.append((unquote_plus(name), unquote_plus(value)))
    pairs.extend(body_params)
    pairs.extend((k, v) for k, v in oauth_params.items() if k not in ("oauth_signature", "realm"))
    normalized = "&".join(f"{k}={v}" for k, v in sorted((rfc3986(k), rfc3986(v)) for k, v in pairs))
    return "&".join((rfc3986(method.upper()), rfc3986(uri), rfc3986(normalized)))


def hmac_signature(method: str, base_string: str, consumer_secret: str, token_secret: str) -> str:
    """RFC 5849 §3.4.2 (HMAC-SHA1) and its SHA-256 sibling: base64 of HMAC(key = secret&secret, base)."""
    digest = {"HMAC-SHA256": hashlib.sha256, "HMAC-SHA1": hashlib.sha1}[method]
    key = f"{rfc3986(consumer_secret)}&{rfc3986(token_secret)}".encode()
    return base64.b64encode(hmac.new(key, base_string.encode("utf-8"), digest).digest()).decode("ascii")


# --- the server ---------------------------------------------------------------------------------------


@dataclass
class SeenRequest:
    method: str
    path: str
    query: str
    auth: str  # "oauth" | "bearer" | "none" | other scheme
    status: int = 0


@dataclass
class _Failure:
    status: int
    body: Any  # dict → JSON; str → HTML
    times: int | None  # None: every time
    path: str | None  # only requests whose path contains this
    headers: dict[str, str] | None = None


class _Refused(Exception):
    def __init__(self, status: int, message: str, parameters: Any = None) -> None:
        super().__init__(message)
        self.status, self.message, self.parameters = status, message, parameters


class FakeMagento:
    """`with FakeMagento() as shop: shop.base_url` — see the module docstring for the knobs."""

    def __init__(
        self,
        *,
        integration: Integration | None = None,
        websites: list[dict[str, Any]] | None = None,
        groups: list[dict[str, Any]] | None = None,
        store_views: list[dict[str, Any]] | None = None,
        attributes: list[dict[str, Any]] | None = None,
        attribute_count: int = 25,
        granted: Iterable[str] = (STORE_RESOURCE, ATTRIBUTES_RESOURCE),
        bearer_allowed: bool = False,
        tls: tuple[Path, Path] | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.integration = integration or Integration()
        default_sites, default_groups, default_views = default_store_data()
        self.websites = websites if websites is not None else default_sites
        self.groups = groups if groups is not None else default_groups
        self.store_views = store_views if store_views is not None else default_views
        self.attributes = attributes if attributes is not None else make_attributes(attribute_count)
        self.granted = set(granted)
        self.bearer_allowed = bearer_allowed  # Magento 2.4.4+ default: off
        self.revoked = False
        self.max_page_size: int | None = None  # Web API input limits (Maximum Page Size)
        self.broken_paging = False  # ignore currentPage: always page 1 (a broken extension)
        self.html_everywhere = False  # not Magento at all: an HTML 404 for every path
        self.delay = 0.0  # seconds before answering
        self.requests: list[SeenRequest] = []
        self.attribute_pages: list[int] = []
        self._failures: list[_Failure] = []
        self._nonces: set[tuple[str, str, str]] = set()
        self._tls = tls
        self._host = host
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: LoopbackServer | None = None
        self.port = 0
        self._app = Starlette(
            routes=[Route("/{path:path}", self._handle, methods=["GET", "POST", "PUT", "DELETE"])]
        )

    # --- knobs ----------------------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        body: Any = None,
        *,
        times: int | None = 1,
        path: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next `times` requests (every one for None), or those whose path contains `path`.

        `body`: a dict is sent as JSON, a str as HTML; by default Magento's masked internal error.
        """
        if body is None:
            body = {
                "message": "Internal Error. Details are available in Magento log file. Report ID: %1",
                "parameters": ["webapi-6571f3a2c1d0e"],
            }
        with self._lock:
            self._failures.append(_Failure(status, body, times, path, headers))

    def secrets(self) -> tuple[str, ...]:
        return self.integration.secrets()

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> FakeMagento:
        self._server = LoopbackServer(
            self._app, host=self._host, name="fake-magento", tls=self._tls, log_level="critical"
        )
        self._server.start()
        self.port = self._server.port
        return self

    def stop(self) -> None:
        self._stopping.set()
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> FakeMagento:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"{'https' if self._tls else 'http'}://{self._host}:{self.port}"

    # --- requests -------------------------------------------------------------------------------

    async def _handle(self, request: Request) -> Response:
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        path = raw_path.decode("latin-1")
        query = request.scope.get("query_string", b"").decode("latin-1")
        authorization = request.headers.get("authorization", "")
        scheme = authorization.split(" ", 1)[0].lower() if authorization else "none"
        seen = SeenRequest(request.method, path, query, scheme)
        with self._lock:
            self.requests.append(seen)
        response = await self._answer(request, path, query, authorization)
        seen.status = response.status_code
        return response

    async def _answer(self, request: Request, path: str, query: str, authorization: str) -> Response:
        if self.delay:
            until = time.monotonic() + self.delay
            while time.monotonic() < until and not self._stopping.is_set():
                await asyncio.sleep(0.01)
        forced = self._take_failure(path)
        if forced is not None:
            if isinstance(forced.body, str):
                return HTMLResponse(forced.body, status_code=forced.status, headers=forced.headers)
            return JSONResponse(forced.body, status_code=forced.status, headers=forced.headers)
        if self.html_everywhere or not path.startswith("/rest/"):
            return HTMLResponse(_NOT_FOUND_PAGE, status_code=404)
        route = _route(path)
        if route is None or request.method != "GET":
            return _error(404, "Request does not match any route.")
        resource, handler = _ROUTES[route]
        try:
            self._authorize(request, path, query, authorization, resource)
            return JSONResponse(handler(self, _query_params(query)))
        except _Refused as refused:
            return _error(refused.status, refused.message, refused.parameters)

    def _take_failure(self, path: str) -> _Failure | None:
        with self._lock:
            for failure in self._failures:
                if failure.path is not None and failure.path not in path:
                    continue
                if failure.times is not None:
                    failure.times -= 1
                    if failure.times <= 0:
                        self._failures.remove(failure)
                return failure
        return None

    # --- authentication, as Magento's OauthUserContext / TokenUserContext + checkPermissions ------

    def _authorize(self, request: Request, path: str, query: str, authorization: str, resource: str) -> None:
        authenticated = False
        oauth = parse_oauth_header(authorization) if authorization else None
        if oauth is not None:
            self._verify_oauth(request, path, query, oauth)
            authenticated = True
        elif authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
            # An integration's access token as a bearer token: only with the 2.4.4+ setting turned on.
            authenticated = (
                self.bearer_allowed
                and not self.revoked
                and hmac.compare_digest(token.encode(), self.integration.access_token.encode())
            )
        if not authenticated or resource not in self.granted:
            raise _Refused(401, NOT_AUTHORIZED, {"resources": resource})

    def _verify_oauth(self, request: Request, path: str, query: str, params: dict[str, str]) -> None:
        required = (
            "oauth_consumer_key",
            "oauth_signature",
            "oauth_signature_method",
            "oauth_nonce",
            "oauth_timestamp",
            "oauth_token",
        )
        for name in required:
            if name not in params:
                raise _Refused(400, '"%fieldName" is required. Enter and try again.', {"fieldName": name})
        if params.get("oauth_version", "1.0") != "1.0":
            raise _Refused(400, 'The "%1" Oauth version isn\'t supported.', [params["oauth_version"]])
        if len(params["oauth_token"]) != 32:
            raise _Refused(400, "The token length is invalid. Check the length and try again.")
        method = params["oauth_signature_method"]
        if method not in ("HMAC-SHA1", "HMAC-SHA256"):
            raise _Refused(400, "Signature method %1 is not supported", [method])
        key, integration = params["oauth_consumer_key"], self.integration
        if len(key) != 32:
            raise _Refused(401, "Consumer key is not the correct length")
        if not hmac.compare_digest(key.encode(), integration.consumer_key.encode()):
            raise _Refused(401, "A consumer having the specified key does not exist")
        timestamp = params["oauth_timestamp"]
        if not timestamp.isdigit() or int(timestamp) <= 0 or int(timestamp) > time.time() + 600:
            raise _Refused(401, "The timestamp is invalid. Verify and try again.")
        nonce = (key, params["oauth_nonce"], timestamp)
        with self._lock:
            if nonce in self._nonces:
                raise _Refused(
                    401,
                    "The nonce is already being used by the consumer with ID %1. Verify the nonce and try again.",
                    [integration.consumer_id],
                )
            self._nonces.add(nonce)
        if not hmac.compare_digest(params["oauth_token"].encode(), integration.access_token.encode()):
            raise _Refused(401, "Specified token does not exist")
        if self.revoked:
            raise _Refused(401, "Access token has been revoked")
        host = request.headers.get("host", f"{self._host}:{self.port}")
        uri = base_string_uri("https" if self._tls else "http", host, path)
        base = signature_base_string(request.method, uri, query, params)
        expected = hmac_signature(method, base, integration.consumer_secret, integration.access_token_secret)
        if not hmac.compare_digest(expected.encode(), params["oauth_signature"].encode()):
            raise _Refused(401, SIGNATURE_INVALID)

    # --- endpoints ------------------------------------------------------------------------------

    def _websites(self, _query: dict[str, str]) -> Any:
        return self.websites

    def _groups(self, _query: dict[str, str]) -> Any:
        return self.groups

    def _views(self, _query: dict[str, str]) -> Any:
        return self.store_views

    def _attributes(self, query: dict[str, str]) -> Any:
        items = self.attributes
        total = len(items)
        size_text = query.get("searchCriteria[pageSize]")
        page_text = query.get("searchCriteria[currentPage]", "1")
        size = int(size_text) if size_text and size_text.isdigit() and int(size_text) > 0 else None
        if size is not None and self.max_page_size is not None and size > self.max_page_size:
            raise _Refused(400, "Maximum SearchCriteria pageSize is %max", {"max": self.max_page_size})
        page = int(page_text) if page_text.isdigit() and int(page_text) > 0 else 1
        if self.broken_paging:
            page = 1
        if size is not None:
            last = max(1, -(-total // size))
            page = min(page, last)  # Magento's collection clamps a page past the end to the last page
            items = items[(page - 1) * size : page * size]
        with self._lock:
            self.attribute_pages.append(page)
        body: dict[str, Any] = {
            "items": items,
            "search_criteria": {"filter_groups": [], "page_size": size, "current_page": page},
            "total_count": total,
        }
        if "fields" in query:
            body = _trim(body, _parse_fields(query["fields"]))
        return body


_NOT_FOUND_PAGE = "<!doctype html><html><head><title>404 Not Found</title></head><body><h1>Whoops, our bad...</h1></body></html>"

_ROUTES: dict[str, tuple[str, Any]] = {
    "/V1/store/websites": (STORE_RESOURCE, FakeMagento._websites),
    "/V1/store/storeGroups": (STORE_RESOURCE, FakeMagento._groups),
    "/V1/store/storeViews": (STORE_RESOURCE, FakeMagento._views),
    "/V1/products/attributes": (ATTRIBUTES_RESOURCE, FakeMagento._attributes),
}


def _route(path: str) -> str | None:
    rest = unquote(path)[len("/rest") :]
    for prefix in ("/default", "/all"):
        if rest.startswith(prefix + "/V1/"):
            rest = rest[len(prefix) :]
    return rest if rest in _ROUTES else None


def _query_params(query: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in query.split("&") if query else []:
        name, _, value = item.partition("=")
        params[unquote_plus(name)] = unquote_plus(value)
    return params


def _error(status: int, message: str, parameters: Any = None) -> JSONResponse:
    body: dict[str, Any] = {"message": message}
    if parameters is not None:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=status)


def _parse_fields(text: str) -> dict[str, Any]:
    """Magento's `fields` filter, e.g. `items[attribute_code,default_frontend_label],total_count`."""
    result: dict[str, Any] = {}
    stack = [result]
    name = ""
    for ch in text + ",":
        if ch == "[":
            child: dict[str, Any] = {}
            stack[-1][name.strip()] = child
            stack.append(child)
            name = ""
        elif ch in ",]":
            if name.strip():
                stack[-1][name.strip()] = None
            name = ""
            if ch == "]":
                stack.pop()
        else:
            name += ch
    return result


def _trim(value: Any, wanted: dict[str, Any] | None) -> Any:
    if wanted is None:
        return value
    if isinstance(value, list):
        return [_trim(item, wanted) for item in value]
    if isinstance(value, dict):
        return {k: _trim(value[k], sub) for k, sub in wanted.items() if k in value}
    return value


# --- TLS ---------------------------------------------------------------------------------------------


def self_signed_certificate(folder: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A throw-away self-signed certificate for `host` (cert.pem, key.pem), made with `cryptography`."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake-magento.test")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path
