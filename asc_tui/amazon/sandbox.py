"""A built-in emulator of Seller Central's consent pages, Login with Amazon and the SP-API Sellers API.

A real HTTP server on loopback (Starlette served by uvicorn in a daemon thread), so a newcomer can go
through the whole connect flow offline (`asc-tui --sandbox`) and tests exercise real HTTP. It behaves
like Amazon as described in `reference/spapi.md`, errors included:

- `GET {seller_central_url(country)}/apps/authorize/consent?application_id=…&state=…[&version=beta]
  [&redirect_uri=…]` → sign in → two-step verification → "I understand…" + Next → "You are almost done"
  + Continue → 302 to `{redirect_uri}?state=…&selling_partner_id=…&spapi_oauth_code=…`
  (or `error=access_denied` when the seller cancels). Errors MD1000 / MD5101 / MD5110 as pages.
- `POST {base_url}/auth/o2/token`: grant_type authorization_code (code valid `code_ttl_seconds`, single
  use) and refresh_token, LWA's error bodies.
- `GET {sp_api_endpoint(region)}/sellers/v1/marketplaceParticipations` with `x-amz-access-token`.

Knobs for tests (thread-safe): `revoke`, `throttle_next`, `fail_next`; `issued_secrets` lists every
code and token handed out. Everything lives in memory and dies with the emulator.

Test support: when the environment variable ASC_TUI_SANDBOX_LEDGER names a file, every code and token
is also appended to it (`kind<TAB>secret` lines, by any process that runs an emulator), so the test run
can look for each of them in everything it wrote (tests/leak_scan.py). Unset, nothing is written.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from asc_tui.amazon import sandbox_pages as pages
from asc_tui.domain import MARKETPLACE_BY_ID, MARKETPLACES, parse_country
from asc_tui.i18n import N_, _
from asc_tui.private_files import make_private_folder, open_private

__all__ = [
    "DEMO_SELLERS",
    "SANDBOX_APPLICATION_ID",
    "SANDBOX_APPLICATION_NAME",
    "SANDBOX_CLIENT_ID",
    "SANDBOX_CLIENT_SECRET",
    "SandboxEmulator",
    "SandboxSeller",
]

SANDBOX_APPLICATION_ID = "amzn1.sp.solution.sandbox-0000-0000-0000-000000000000"
SANDBOX_CLIENT_ID = "amzn1.application-oa2-client.sandbox"
SANDBOX_CLIENT_SECRET = "sandbox-client-secret"  # a demo credential, printed on purpose
SANDBOX_APPLICATION_NAME = "Amazon Sales Channel (asc-tui)"

REGIONS = ("NA", "EU", "FE")
REGION_NAMES = {"NA": N_("North America"), "EU": N_("Europe"), "FE": N_("Far East")}  # shown through _()
SELLERS_RATE_LIMIT = "0.016"  # getMarketplaceParticipations usage plan, requests per second

# The Sellers API's defaultLanguageCode: not part of the product's vocabulary, so it lives here.
_LANGUAGES = {"US": "en_US", "CA": "en_CA", "MX": "es_MX", "UK": "en_GB"}
# The Sellers API writes ISO 3166 codes: GB where the product (and Amazon's docs) write UK.
_ISO_COUNTRY = {"UK": "GB"}
# "Non-Amazon" marketplaces used for Multi-Channel Fulfilment show up in real payloads (docs#1260).
_NON_AMAZON: dict[str, dict[str, str]] = {
    "A2ZV50J4W1RKNI": {
        "id": "A2ZV50J4W1RKNI",
        "name": "Non-Amazon",
        "countryCode": "US",
        "defaultCurrencyCode": "USD",
        "defaultLanguageCode": "en_US",
        "domainName": "sim1.stores.amazon.com",
    },
}
_NON_AMAZON_REGION = {"A2ZV50J4W1RKNI": "NA"}

_LWA_CODE_ERROR = "The request has an invalid grant parameter : code"
_LWA_REFRESH_ERROR = (
    "The request has an invalid grant parameter : refresh_token. "
    "User may have revoked or didn't grant the permission."
)
_DENIED = "Access to requested resource is denied."
LEDGER_ENV = "ASC_TUI_SANDBOX_LEDGER"  # test support: see the module's docstring


def _append_to_ledger(secret: str) -> None:
    path = os.environ.get(LEDGER_ENV)
    if not path:
        return
    if secret.startswith("Atzr|"):
        kind = "refresh token"
    elif secret.startswith("Atza|"):
        kind = "access token"
    else:
        kind = "authorization code"
    try:
        # One write of one short line with O_APPEND: lines from several processes never interleave.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, f"{kind}\t{secret}\n".encode())
        finally:
            os.close(fd)
    except OSError:
        pass  # a test-only record: the emulator works without it


@dataclass(frozen=True)
class SandboxSeller:
    """A demo Seller Central account."""

    email: str
    phone: str
    password: str
    otp: str  # the two-step verification code
    selling_partner_id: str
    marketplaces: tuple[str, ...]  # marketplace IDs it participates in
    store_name: str = "Sandbox Store"


DEMO_SELLERS: tuple[SandboxSeller, ...] = (
    SandboxSeller(
        email="seller-na@sandbox.example",
        phone="+1 206 555 0100",
        password="sandbox",
        otp="123456",
        selling_partner_id="A1SANDBOXNA001",
        marketplaces=(
            MARKETPLACES["US"].marketplace_id,
            MARKETPLACES["CA"].marketplace_id,
            MARKETPLACES["MX"].marketplace_id,
            "A2ZV50J4W1RKNI",
        ),
        store_name="Sandbox Outfitters NA",
    ),
    SandboxSeller(
        email="seller-uk@sandbox.example",
        phone="+44 20 7946 0100",
        password="sandbox",
        otp="123456",
        selling_partner_id="A1SANDBOXUK001",
        marketplaces=(MARKETPLACES["UK"].marketplace_id,),
        store_name="Sandbox Outfitters UK",
    ),
    SandboxSeller(
        email="seller-us-only@sandbox.example",
        phone="+1 206 555 0101",
        password="sandbox",
        otp="123456",
        selling_partner_id="A1SANDBOXUS001",
        marketplaces=(MARKETPLACES["US"].marketplace_id,),
        store_name="Sandbox US-Only Goods",
    ),
)


def marketplace_region(marketplace_id: str) -> str | None:
    known = MARKETPLACE_BY_ID.get(marketplace_id)
    return known.region if known else _NON_AMAZON_REGION.get(marketplace_id)


def _marketplace_json(marketplace_id: str) -> dict[str, str] | None:
    if marketplace_id in _NON_AMAZON:
        return dict(_NON_AMAZON[marketplace_id])
    m = MARKETPLACE_BY_ID.get(marketplace_id)
    if m is None:
        return None
    return {
        "id": m.marketplace_id,
        "name": "Amazon." + m.domain.removeprefix("www.amazon."),
        "countryCode": _ISO_COUNTRY.get(m.code, m.code),
        "defaultCurrencyCode": m.currency,
        "defaultLanguageCode": _LANGUAGES.get(m.code, "en_US"),
        "domainName": m.domain,
    }


def _marketplaces_label(seller: SandboxSeller) -> str:
    codes = [MARKETPLACE_BY_ID[m].code for m in seller.marketplaces if m in MARKETPLACE_BY_ID]
    label = ", ".join(codes) or _("nothing")
    if any(m in _NON_AMAZON for m in seller.marketplaces):
        label += " + MCF"
    return label


def _mask_phone(phone: str) -> str:
    """ "+1 206 555 0100" → "+1 ••• ••• ••00": the country code and the last two digits."""
    prefix, rest = ("", phone)
    if phone.startswith("+") and " " in phone:
        prefix, rest = phone.split(" ", 1)
        prefix += " "
    total = sum(c.isdigit() for c in rest)
    seen = 0
    out = []
    for c in rest:
        if c.isdigit():
            seen += 1
            out.append(c if seen > total - 2 else "•")
        else:
            out.append(c)
    return prefix + "".join(out)


def _phone_key(text: str) -> str:
    return re.sub(r"[^\d]", "", text)


# --- in-memory state ------------------------------------------------------------------------------


@dataclass
class _Flow:
    id: str
    country: str
    region: str
    redirect_uri: str
    state: str | None
    details: pages.RequestDetails
    consent_url: str
    step: str = "consent"  # consent | almost_done | done


@dataclass
class _Session:
    id: str
    csrf: str
    seller: SandboxSeller | None = None
    verified: bool = False
    flows: dict[str, _Flow] = field(default_factory=dict)


@dataclass
class _Code:
    seller: SandboxSeller
    region: str
    redirect_uri: str
    issued_at: float
    used: bool = False


@dataclass
class _Grant:
    seller: SandboxSeller
    region: str
    revoked: bool = False


@dataclass
class _AccessToken:
    refresh_token: str
    expires_at: float


@dataclass
class _Rule:
    prefix: str
    count: int
    status: int
    retry_after: float | None


def _normalize_prefix(prefix: str) -> str:
    if "://" in prefix:
        prefix = urlsplit(prefix).path
    return prefix if prefix.startswith("/") else "/" + prefix


def _format_seconds(seconds: float) -> str:
    return f"{seconds:g}"


def _valid_redirect(uri: str) -> bool:
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in uri)


def _add_query(uri: str, params: Sequence[tuple[str, str]]) -> str:
    return uri + ("&" if urlsplit(uri).query else "?") + urlencode(list(params))


def _request_id() -> str:
    return str(uuid.uuid4())


def _sp_error(status: int, code: str, message: str, details: str | None = "", **headers: str) -> JSONResponse:
    error: dict[str, str] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return JSONResponse(
        {"errors": [error]}, status_code=status, headers={"x-amzn-RequestId": _request_id(), **headers}
    )


def _lwa_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse(
        {"error_description": description, "error": error},
        status_code=status,
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'"


def _html(body: str, status: int = 200, nonce: str = "") -> HTMLResponse:
    csp = _CSP + (f"; script-src 'nonce-{nonce}'" if nonce else "")
    return HTMLResponse(
        body,
        status_code=status,
        headers={
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Content-Security-Policy": csp,
        },
    )


class _Knobs:
    """ASGI wrapper answering 429 / 5xx to the requests the tests asked to throttle or fail."""

    def __init__(self, app: ASGIApp, emulator: SandboxEmulator) -> None:
        self._app = app
        self._emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            response = self._emulator._knob_response(scope["path"])
            if response is not None:
                await response(scope, receive, send)
                return
        await self._app(scope, receive, send)


# --- the emulator ---------------------------------------------------------------------------------


class SandboxEmulator:
    """Seller Central consent pages, LWA and the Sellers API, served on loopback."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        sellers: Sequence[SandboxSeller] = DEMO_SELLERS,
        client_id: str = SANDBOX_CLIENT_ID,
        client_secret: str = SANDBOX_CLIENT_SECRET,
        application_id: str = SANDBOX_APPLICATION_ID,
        redirect_uris: tuple[str, ...] = (),
        code_ttl_seconds: float = 300,
        access_token_ttl: int = 3600,
        draft_app: bool = True,
        application_name: str = SANDBOX_APPLICATION_NAME,
        clock: Callable[[], float] = time.monotonic,
        grants_file: Path | None = None,
    ) -> None:
        self._host = host
        self._requested_port = port
        self._sellers = tuple(sellers)
        self._client_id = client_id
        self._client_secret = client_secret
        self._application_id = application_id
        self._redirect_uris = tuple(redirect_uris)
        self._code_ttl = code_ttl_seconds
        self._access_ttl = access_token_ttl
        self._draft_app = draft_app
        self._application_name = application_name
        self._clock = clock

        self._lock = threading.Lock()  # guards all the state below (touched by the server and tests)
        self._sessions: dict[str, _Session] = {}
        self._codes: dict[str, _Code] = {}
        self._grants: dict[str, _Grant] = {}
        # `--sandbox` keeps its grants between runs (demo tokens, in the sandbox's data folder), so a store
        # connected yesterday still refreshes today, as it would against Amazon.
        self._grants_file = grants_file
        self._load_grants()
        self._access: dict[str, _AccessToken] = {}
        self._rules: list[_Rule] = []
        self._issued: list[str] = []

        self._lifecycle = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._base_url: str | None = None
        self._port = 0
        self._app = _Knobs(self._build_app(), self)

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """Serve in a daemon thread with its own event loop; return once listening."""
        with self._lifecycle:
            if self._thread is not None:
                raise RuntimeError("The sandbox emulator is already running.")
            family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
            # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only then (else Nagle adds 40 ms a request).
            sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((self._host, self._requested_port))
                sock.listen(128)
            except OSError:
                sock.close()
                raise
            port = int(sock.getsockname()[1])
            config = uvicorn.Config(
                self._app,
                host=self._host,
                port=port,
                interface="asgi3",
                loop="asyncio",
                http="h11",
                ws="none",
                lifespan="off",
                log_config=None,
                log_level="warning",
                access_log=False,  # URLs carry states and codes: keep them out of any log
                server_header=False,
                timeout_graceful_shutdown=1,
                timeout_keep_alive=5,
            )
            server = uvicorn.Server(config)
            thread = threading.Thread(
                target=server.run, kwargs={"sockets": [sock]}, name=f"asc-sandbox-{port}", daemon=True
            )
            thread.start()
            deadline = time.monotonic() + 10
            while not server.started:
                if not thread.is_alive() or time.monotonic() > deadline:
                    server.should_exit = True
                    thread.join(timeout=1)
                    sock.close()
                    raise RuntimeError("The sandbox emulator could not start.")
                time.sleep(0.002)
            host = f"[{self._host}]" if ":" in self._host else self._host
            self._server, self._thread, self._socket = server, thread, sock
            self._port = port
            self._base_url = f"http://{host}:{port}"

    def stop(self) -> None:
        """Shut down (within about a second) and release the port. Safe to call twice."""
        with self._lifecycle:
            server, thread, sock = self._server, self._thread, self._socket
            self._server = self._thread = self._socket = None
            if server is None or thread is None:
                return
            server.should_exit = True
            thread.join(timeout=1.5)
            if thread.is_alive():
                server.force_exit = True
                thread.join(timeout=2)
            if sock is not None:
                sock.close()

    def __enter__(self) -> SandboxEmulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- addresses ------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("The sandbox emulator has not been started.")
        return self._base_url

    @property
    def running(self) -> bool:
        return self._thread is not None

    def seller_central_url(self, country: str) -> str:
        code = parse_country(country)
        if code is None:
            raise ValueError(f"Unknown marketplace country {country!r}.")
        return f"{self.base_url}/sc/{code}"

    @property
    def lwa_token_url(self) -> str:
        return f"{self.base_url}/auth/o2/token"

    def sp_api_endpoint(self, region: str) -> str:
        if region.upper() not in REGIONS:
            raise ValueError(f"Unknown SP-API region {region!r}.")
        return f"{self.base_url}/spapi/{region.lower()}"

    @property
    def sellers(self) -> tuple[SandboxSeller, ...]:
        return self._sellers

    # --- knobs ----------------------------------------------------------------------------------

    @property
    def issued_secrets(self) -> list[str]:
        """Every authorization code, refresh token and access token issued so far (a copy)."""
        with self._lock:
            return list(self._issued)

    def revoke(self, refresh_token: str) -> None:
        """The seller revokes the authorization: refreshes answer invalid_grant, its access tokens die."""
        with self._lock:
            grant = self._grants.get(refresh_token)
            if grant is not None:
                grant.revoked = True
                self._save_grants()

    def throttle_next(self, path_prefix: str, count: int = 1, retry_after: float | None = 1) -> None:
        with self._lock:
            self._rules.append(_Rule(_normalize_prefix(path_prefix), count, 429, retry_after))

    def fail_next(self, path_prefix: str, status: int = 503, count: int = 1) -> None:
        with self._lock:
            self._rules.append(_Rule(_normalize_prefix(path_prefix), count, status, None))

    def authorize_directly(self, seller: SandboxSeller, region: str = "NA") -> str:
        """Self-authorization: a refresh token, as Seller Central's "Authorize app" button gives."""
        region = region.upper()
        if region not in REGIONS:
            raise ValueError(f"Unknown SP-API region {region!r}.")
        with self._lock:
            return self._new_grant(seller, region)

    # --- state helpers (call with the lock held) -------------------------------------------------

    def _issue(self, secret: str) -> str:
        self._issued.append(secret)
        _append_to_ledger(secret)
        return secret

    def _new_grant(self, seller: SandboxSeller, region: str) -> str:
        token = self._issue("Atzr|" + secrets.token_urlsafe(48))
        self._grants[token] = _Grant(seller, region)
        self._save_grants()
        return token

    def _load_grants(self) -> None:
        if self._grants_file is None:
            return
        try:
            saved = json.loads(self._grants_file.read_text("utf-8"))
        except (OSError, ValueError, RecursionError):
            return  # none yet, or unreadable: start with no grants, as a fresh emulator does
        by_id = {seller.selling_partner_id: seller for seller in self._sellers}
        for item in saved if isinstance(saved, list) else []:
            seller = by_id.get(str(item.get("seller")))
            if seller is not None and item.get("region") in REGIONS:
                self._grants[str(item["token"])] = _Grant(seller, item["region"], bool(item.get("revoked")))

    def _save_grants(self) -> None:
        # Called with the lock held.
        if self._grants_file is None:
            return
        items = [
            {"token": t, "seller": g.seller.selling_partner_id, "region": g.region, "revoked": g.revoked}
            for t, g in self._grants.items()
        ]
        try:
            make_private_folder(self._grants_file.parent)
            with open_private(self._grants_file, "w") as handle:  # owner-only from the start
                handle.write(json.dumps(items))
        except OSError:
            pass  # the sandbox still works for this run

    def _new_access_token(self, refresh_token: str) -> str:
        token = self._issue("Atza|" + secrets.token_urlsafe(48))
        self._access[token] = _AccessToken(refresh_token, self._clock() + self._access_ttl)
        return token

    def _knob_response(self, path: str) -> Response | None:
        with self._lock:
            rule = next((r for r in self._rules if path.startswith(r.prefix)), None)
            if rule is None:
                return None
            rule.count -= 1
            if rule.count <= 0:
                self._rules.remove(rule)
        if rule.status == 429:
            headers = {} if rule.retry_after is None else {"Retry-After": _format_seconds(rule.retry_after)}
            return _sp_error(
                429, "QuotaExceeded", "You exceeded your quota for the requested resource.", "", **headers
            )
        if path.startswith("/auth/"):
            if rule.status == 503:
                return _lwa_error(503, "temporarily_unavailable", "The service is temporarily unavailable.")
            return _lwa_error(rule.status, "server_error", "The server encountered an internal error.")
        if path.startswith("/sc/"):
            return _html(
                pages.error_page(
                    title=_("Service unavailable"),
                    message=_("Seller Central is temporarily unavailable. Please try again later."),
                    code=str(rule.status),
                ),
                rule.status,
            )
        if rule.status == 503:
            return _sp_error(503, "ServiceUnavailable", "Service temporarily unavailable.")
        return _sp_error(
            rule.status, "InternalFailure", "We encountered an internal error. Please try again."
        )

    # --- the ASGI app ---------------------------------------------------------------------------

    def _build_app(self) -> Starlette:
        sc = "/sc/{country}"
        routes = [
            Route(f"{sc}/apps/authorize/consent", self._consent, methods=["GET"]),
            Route(f"{sc}/ap/signin", self._signin, methods=["GET", "POST"]),
            Route(f"{sc}/ap/mfa", self._mfa, methods=["GET", "POST"]),
            Route(f"{sc}/apps/authorize/confirm", self._confirm, methods=["GET", "POST"]),
            Route(f"{sc}/apps/authorize/almost-done", self._almost_done, methods=["GET", "POST"]),
            Route("/auth/o2/token", self._token, methods=["POST"]),
            Route(
                "/spapi/{region}/sellers/v1/marketplaceParticipations", self._participations, methods=["GET"]
            ),
        ]
        return Starlette(
            routes=routes,
            exception_handlers={HTTPException: self._http_error},
            max_body_size=64 * 1024,
        )

    async def _http_error(self, request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        code = {404: "NotFound", 405: "MethodNotAllowed", 413: "RequestEntityTooLarge"}.get(
            status, "InvalidInput"
        )
        message = {404: "Resource not found.", 405: "Method not allowed."}.get(
            status, "The request is invalid."
        )
        return _sp_error(status, code, message)

    # --- Seller Central pages -------------------------------------------------------------------

    def _cookie_name(self) -> str:
        return f"asc_sandbox_session_{self._port}"  # cookies ignore ports: one name per emulator

    def _set_cookie(self, response: Response, session: _Session) -> None:
        response.set_cookie(self._cookie_name(), session.id, httponly=True, samesite="lax", path="/sc/")

    def _error_page(
        self,
        title: str,
        message: str,
        *,
        code: str = "",
        status: int = 400,
        details: pages.RequestDetails | None = None,
        restart_url: str = "",
    ) -> HTMLResponse:
        body = pages.error_page(
            title=title, message=message, code=code, details=details, restart_url=restart_url
        )
        return _html(body, status)

    def _authorize_error(self, code: str, message: str, details: pages.RequestDetails) -> HTMLResponse:
        return self._error_page(
            _("We're sorry!"),
            _("An error occurred when we tried to authorize the application. {message}").format(
                message=message
            ),
            code=code,
            details=details,
        )

    async def _consent(self, request: Request) -> Response:
        country = parse_country(request.path_params["country"])
        if country is None:
            return self._error_page(
                _("Page not found"), _("There is no Seller Central for this country."), status=404
            )
        query = request.query_params
        application_id = query.get("application_id", "")
        state = query.get("state")
        redirect_param = query.get("redirect_uri")
        version = query.get("version", "")
        details = pages.RequestDetails(application_id, redirect_param or "", state or "", version)

        if application_id != self._application_id:
            return self._authorize_error(
                "MD1000",
                _("The application ID in the authorization URL is not valid: check application_id."),
                details,
            )
        if self._draft_app and version != "beta":
            return self._authorize_error(
                "MD1000",
                _(
                    "This application is in draft status: a draft application must be authorized with "
                    "version=beta in the authorization URL."
                ),
                details,
            )
        if redirect_param is not None:
            if "#" in redirect_param:
                return self._authorize_error(
                    "MD5110", _("The redirect_uri contains a fragment (#), which is not allowed."), details
                )
            if (self._redirect_uris and redirect_param not in self._redirect_uris) or not _valid_redirect(
                redirect_param
            ):
                return self._authorize_error(
                    "MD5101",
                    _(
                        "The redirect_uri does not match any OAuth Redirect URI registered for the application."
                    ),
                    details,
                )
            redirect_uri = redirect_param
        elif self._redirect_uris:
            redirect_uri = self._redirect_uris[0]
        else:
            return self._authorize_error(
                "MD5101",
                _(
                    "The application has no OAuth Redirect URI registered and the request has no redirect_uri."
                ),
                details,
            )

        region = MARKETPLACES[country].region
        flow = _Flow(
            id=secrets.token_urlsafe(16),
            country=country,
            region=region,
            redirect_uri=redirect_uri,
            state=state,
            details=details,
            consent_url=str(request.url),
        )
        with self._lock:
            session = self._sessions.get(request.cookies.get(self._cookie_name(), ""))
            new_session = session is None
            if session is None:
                session = _Session(secrets.token_urlsafe(24), secrets.token_urlsafe(24))
                self._sessions[session.id] = session
            session.flows[flow.id] = flow
            target = self._page_url(session, flow)
        response = RedirectResponse(target, status_code=303, headers={"Referrer-Policy": "no-referrer"})
        if new_session:
            self._set_cookie(response, session)
        return response

    @staticmethod
    def _current_page(session: _Session, flow: _Flow) -> str:
        if flow.step == "done":
            return "done"
        if session.seller is None:
            return "signin"
        if not session.verified:
            return "mfa"
        return flow.step

    def _page_url(self, session: _Session, flow: _Flow, page: str | None = None) -> str:
        page = page or self._current_page(session, flow)
        path = {
            "signin": "ap/signin",
            "mfa": "ap/mfa",
            "consent": "apps/authorize/confirm",
            "almost_done": "apps/authorize/almost-done",
        }.get(page, "apps/authorize/confirm")
        return f"/sc/{flow.country}/{path}?" + urlencode({"flow": flow.id})

    async def _step(self, request: Request, page: str) -> tuple[_Session, _Flow, dict[str, str]] | Response:
        """The session and flow of a step page, its form on POST, or the response that replaces it."""
        with self._lock:
            session = self._sessions.get(request.cookies.get(self._cookie_name(), ""))
            flow = session.flows.get(request.query_params.get("flow", "")) if session else None
            if session is None or flow is None:
                return self._error_page(
                    _("This page has expired"),
                    _(
                        "This sign-in request is no longer valid (or cookies are blocked). Go back to the "
                        "application and start connecting again."
                    ),
                )
            current = self._current_page(session, flow)
            csrf = session.csrf
        if current == "done":
            return self._error_page(
                _("Already completed"),
                _(
                    "This authorization request has already been completed. Start a new one from the application."
                ),
                restart_url=flow.consent_url,
            )
        if current != page:
            return RedirectResponse(self._page_url(session, flow), status_code=303)
        form: dict[str, str] = {}
        if request.method == "POST":
            body = (await request.body()).decode("utf-8", "replace")
            form = dict(parse_qsl(body, keep_blank_values=True))
            if not secrets.compare_digest(form.get("csrf", "").encode(), csrf.encode()):
                return self._error_page(
                    _("This page has expired"),
                    _("The form was submitted from an outdated page. Please try again."),
                    status=403,
                    restart_url=flow.consent_url,
                )
        return session, flow, form

    def _find_seller(self, identifier: str) -> SandboxSeller | None:
        ident = identifier.strip()
        if not ident:
            return None
        for seller in self._sellers:
            if "@" in ident and seller.email.casefold() == ident.casefold():
                return seller
            if "@" not in ident and _phone_key(ident) and _phone_key(seller.phone) == _phone_key(ident):
                return seller
        return None

    def _demo_accounts(self) -> list[pages.DemoAccount]:
        return [
            pages.DemoAccount(s.email, s.phone, s.password, s.otp, _marketplaces_label(s))
            for s in self._sellers
        ]

    def _marketplace_label(self, country: str) -> str:
        return f"{_(MARKETPLACES[country].country)} ({country})"

    async def _signin(self, request: Request) -> Response:
        step = await self._step(request, "signin")
        if isinstance(step, Response):
            return step
        session, flow, form = step
        action = self._page_url(session, flow, "signin")
        email, error = "", None
        if request.method == "POST":
            email = form.get("email", "").strip()
            seller = self._find_seller(email)
            if not email:
                error = _("Enter your email or mobile phone number.")
            elif seller is None:
                error = _("We cannot find an account with that email address or mobile phone number.")
            elif not secrets.compare_digest(form.get("password", "").encode(), seller.password.encode()):
                error = _("Your password is incorrect.")
            else:
                with self._lock:  # a new session id on sign-in (no session fixation)
                    self._sessions.pop(session.id, None)
                    session.id = secrets.token_urlsafe(24)
                    session.csrf = secrets.token_urlsafe(24)
                    session.seller, session.verified = seller, False
                    self._sessions[session.id] = session
                response = RedirectResponse(self._page_url(session, flow), status_code=303)
                self._set_cookie(response, session)
                return response
        body = pages.signin_page(
            action=action,
            csrf=session.csrf,
            email=email,
            error=error,
            accounts=self._demo_accounts(),
            marketplace=self._marketplace_label(flow.country),
        )
        return _html(body)

    async def _mfa(self, request: Request) -> Response:
        step = await self._step(request, "mfa")
        if isinstance(step, Response):
            return step
        session, flow, form = step
        seller = session.seller
        assert seller is not None  # the mfa page comes after a sign-in
        error = None
        if request.method == "POST":
            otp = re.sub(r"\s", "", form.get("otp", ""))
            if not otp:
                error = _("Enter the code.")
            elif not secrets.compare_digest(otp.encode(), seller.otp.encode()):
                error = _("The code you entered is not valid. Please check the code and try again.")
            else:
                with self._lock:
                    session.verified = True
                return RedirectResponse(self._page_url(session, flow), status_code=303)
        body = pages.otp_page(
            action=self._page_url(session, flow, "mfa"),
            csrf=session.csrf,
            masked_phone=_mask_phone(seller.phone),
            sandbox_code=seller.otp,
            error=error,
        )
        return _html(body)

    async def _confirm(self, request: Request) -> Response:
        step = await self._step(request, "consent")
        if isinstance(step, Response):
            return step
        session, flow, form = step
        seller = session.seller
        assert seller is not None
        error = None
        if request.method == "POST":
            action = form.get("action", "next")
            if action == "decline":
                with self._lock:
                    flow.step = "done"
                params = [("state", flow.state)] if flow.state is not None else []
                params += [
                    ("error", "access_denied"),
                    ("error_description", "The seller declined to authorize the application."),
                ]
                return RedirectResponse(_add_query(flow.redirect_uri, params), status_code=302)
            if action == "switch":
                with self._lock:
                    session.seller, session.verified = None, False
                return RedirectResponse(self._page_url(session, flow), status_code=303)
            if form.get("understand"):
                with self._lock:
                    flow.step = "almost_done"
                return RedirectResponse(self._page_url(session, flow), status_code=303)
            error = _("Select the “I understand…” box to authorize the application, or choose Cancel.")
        nonce = secrets.token_urlsafe(16)
        body = pages.consent_page(
            action=self._page_url(session, flow, "consent"),
            csrf=session.csrf,
            nonce=nonce,
            app_name=self._application_name,
            seller_label=f"{seller.store_name}, {seller.email}",
            region_name=_(REGION_NAMES[flow.region]),
            marketplace=self._marketplace_label(flow.country),
            draft=self._draft_app,
            error=error,
            details=flow.details,
        )
        return _html(body, nonce=nonce)

    async def _almost_done(self, request: Request) -> Response:
        step = await self._step(request, "almost_done")
        if isinstance(step, Response):
            return step
        session, flow, _form = step
        seller = session.seller
        assert seller is not None
        if request.method == "POST":
            with self._lock:
                flow.step = "done"
                code = self._issue(secrets.token_urlsafe(24))
                self._codes[code] = _Code(seller, flow.region, flow.redirect_uri, self._clock())
            params = [("state", flow.state)] if flow.state is not None else []
            params += [("selling_partner_id", seller.selling_partner_id), ("spapi_oauth_code", code)]
            return RedirectResponse(_add_query(flow.redirect_uri, params), status_code=302)
        body = pages.almost_done_page(
            action=self._page_url(session, flow, "almost_done"),
            csrf=session.csrf,
            app_name=self._application_name,
        )
        return _html(body)

    # --- Login with Amazon ----------------------------------------------------------------------

    async def _token(self, request: Request) -> Response:
        raw = await request.body()
        params: dict[str, str] = {}
        if request.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json":
            try:
                data: Any = json.loads(raw or b"{}")
            except (ValueError, RecursionError):  # a body nested deeper than the parser goes
                data = None
            if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
                return _lwa_error(400, "invalid_request", "The request has an invalid parameter : body")
            params = {str(k): v for k, v in data.items()}
        else:
            params = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))

        grant_type = params.get("grant_type", "")
        if not grant_type:
            return _lwa_error(
                400, "invalid_request", "The request is missing a required parameter : grant_type"
            )
        if grant_type not in ("authorization_code", "refresh_token"):
            return _lwa_error(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server",
            )
        grant_param = "code" if grant_type == "authorization_code" else "refresh_token"
        for name in (grant_param, "client_id", "client_secret"):
            if not params.get(name):
                return _lwa_error(
                    400, "invalid_request", f"The request is missing a required parameter : {name}"
                )
        if not (
            secrets.compare_digest(params["client_id"].encode(), self._client_id.encode())
            and secrets.compare_digest(params["client_secret"].encode(), self._client_secret.encode())
        ):
            return _lwa_error(401, "invalid_client", "Client authentication failed")

        with self._lock:
            if grant_type == "authorization_code":
                code = self._codes.get(params["code"])
                if code is None or code.used or self._clock() - code.issued_at >= self._code_ttl:
                    return _lwa_error(400, "invalid_grant", _LWA_CODE_ERROR)
                code.used = True
                redirect_uri = params.get("redirect_uri")
                if redirect_uri is not None and redirect_uri != code.redirect_uri:
                    return _lwa_error(
                        400, "invalid_grant", "The request has an invalid grant parameter : redirect_uri"
                    )
                refresh_token = self._new_grant(code.seller, code.region)
            else:
                refresh_token = params["refresh_token"]
                grant = self._grants.get(refresh_token)
                if grant is None or grant.revoked:
                    return _lwa_error(400, "invalid_grant", _LWA_REFRESH_ERROR)
            access_token = self._new_access_token(refresh_token)
        return JSONResponse(
            {
                "access_token": access_token,
                "token_type": "bearer",
                "expires_in": self._access_ttl,
                "refresh_token": refresh_token,
            },
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    # --- SP-API ---------------------------------------------------------------------------------

    async def _participations(self, request: Request) -> Response:
        region = request.path_params["region"].upper()
        if region not in REGIONS:
            return _sp_error(404, "NotFound", "Resource not found.")
        token = request.headers.get("x-amz-access-token", "")
        if not token:
            return _sp_error(403, "Unauthorized", _DENIED, "Access token is missing in the request header.")
        with self._lock:
            access = self._access.get(token)
            grant = self._grants.get(access.refresh_token) if access else None
            if access is None or grant is None or grant.revoked:
                return _sp_error(
                    403,
                    "Unauthorized",
                    _DENIED,
                    "The access token you provided is revoked, malformed or invalid.",
                )
            if self._clock() >= access.expires_at:
                return _sp_error(403, "Unauthorized", _DENIED, "The access token you provided has expired.")
            if grant.region != region:
                return _sp_error(403, "Unauthorized", _DENIED, "")
            seller = grant.seller
        payload = []
        for marketplace_id in seller.marketplaces:
            marketplace = _marketplace_json(marketplace_id)
            if marketplace is None or marketplace_region(marketplace_id) != region:
                continue
            payload.append(
                {
                    "marketplace": marketplace,
                    "storeName": seller.store_name,
                    "participation": {"isParticipating": True, "hasSuspendedListings": False},
                }
            )
        return JSONResponse(
            {"payload": payload},
            headers={"x-amzn-RateLimit-Limit": SELLERS_RATE_LIMIT, "x-amzn-RequestId": _request_id()},
        )
