"""What the sandbox emulator remembers: the demo app, sessions, codes, grants and access tokens.

One `SandboxState` is shared by every part of the emulator (consent pages, Login with Amazon, the SP-API
fakes) and by the tests' knobs, all under one lock. Everything lives in memory and dies with the emulator,
except the grants of `--sandbox`, which are kept in a file so a store connected yesterday still refreshes.

Test support: when the environment variable ASC_TUI_SANDBOX_LEDGER names a file, every code and token
is also appended to it (`kind<TAB>secret` lines, by any process that runs an emulator), so the test run
can look for each of them in everything it wrote (tests/support/leak_scan.py). Unset, nothing is written.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from asc_tui.sandbox import pages
from asc_tui.sandbox.demo import SandboxSeller
from asc_tui.sandbox.responses import sp_error
from asc_tui.system.private_files import make_private_folder, open_private

REGIONS = ("NA", "EU", "FE")
LEDGER_ENV = "ASC_TUI_SANDBOX_LEDGER"  # test support: see the module's docstring
DENIED = "Access to requested resource is denied."


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
class DemoApp:
    """The SP-API application the emulator knows, as registered in Seller Central."""

    client_id: str
    client_secret: str
    application_id: str
    application_name: str
    redirect_uris: tuple[str, ...]
    draft: bool
    code_ttl_seconds: float
    access_token_ttl: int


@dataclass
class Flow:
    id: str
    country: str
    region: str
    redirect_uri: str
    state: str | None
    details: pages.RequestDetails
    consent_url: str
    step: str = "consent"  # consent | almost_done | done


@dataclass
class Session:
    id: str
    csrf: str
    seller: SandboxSeller | None = None
    verified: bool = False
    flows: dict[str, Flow] = field(default_factory=dict)


@dataclass
class Code:
    seller: SandboxSeller
    region: str
    redirect_uri: str
    issued_at: float
    used: bool = False


@dataclass
class Grant:
    seller: SandboxSeller
    region: str
    revoked: bool = False


@dataclass
class AccessToken:
    refresh_token: str
    expires_at: float


class SandboxState:
    """The emulator's memory. Hold `lock` while reading or changing any of it."""

    def __init__(
        self,
        app: DemoApp,
        sellers: tuple[SandboxSeller, ...],
        clock: Callable[[], float],
        grants_file: Path | None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.app = app
        self.sellers = sellers
        self.clock = clock  # monotonic: token and code lifetimes
        self.now = now  # the calendar: which sales already happened, how far back Amazon answers
        self.lock = threading.Lock()  # touched by the server thread and by the tests' knobs
        self.sessions: dict[str, Session] = {}
        self.codes: dict[str, Code] = {}
        self.grants: dict[str, Grant] = {}
        self.access: dict[str, AccessToken] = {}
        self.issued: list[str] = []
        self.sales_throttled: set[str] = set()  # sellers whose one throttled Sales call was given
        # How many consents were approved and authorization codes exchanged (what tests count).
        self.consents_approved = 0
        self.code_exchanges = 0
        self._grants_file = grants_file
        self._load_grants()

    # --- with the lock held ---------------------------------------------------------------------

    def issue(self, secret: str) -> str:
        self.issued.append(secret)
        _append_to_ledger(secret)
        return secret

    def new_grant(self, seller: SandboxSeller, region: str) -> str:
        token = self.issue("Atzr|" + secrets.token_urlsafe(48))
        self.grants[token] = Grant(seller, region)
        self.save_grants()
        return token

    def new_access_token(self, refresh_token: str) -> str:
        token = self.issue("Atza|" + secrets.token_urlsafe(48))
        self.access[token] = AccessToken(refresh_token, self.clock() + self.app.access_token_ttl)
        return token

    def save_grants(self) -> None:
        if self._grants_file is None:
            return
        items = [
            {"token": t, "seller": g.seller.selling_partner_id, "region": g.region, "revoked": g.revoked}
            for t, g in self.grants.items()
        ]
        try:
            make_private_folder(self._grants_file.parent)
            with open_private(self._grants_file, "w") as handle:  # owner-only from the start
                handle.write(json.dumps(items))
        except OSError:
            pass  # the sandbox still works for this run

    # --- without it -----------------------------------------------------------------------------

    def _load_grants(self) -> None:
        if self._grants_file is None:
            return
        try:
            saved = json.loads(self._grants_file.read_text("utf-8"))
        except (OSError, ValueError, RecursionError):
            return  # none yet, or unreadable: start with no grants, as a fresh emulator does
        by_id = {seller.selling_partner_id: seller for seller in self.sellers}
        for item in saved if isinstance(saved, list) else []:
            seller = by_id.get(str(item.get("seller")))
            if seller is not None and item.get("region") in REGIONS:
                self.grants[str(item["token"])] = Grant(seller, item["region"], bool(item.get("revoked")))

    def sp_api_caller(self, request: Request) -> tuple[str, Grant] | Response:
        """The region and grant behind an SP-API request's `x-amz-access-token`, or Amazon's refusal."""
        region = str(request.path_params["region"]).upper()
        if region not in REGIONS:
            return sp_error(404, "NotFound", "Resource not found.")
        token = request.headers.get("x-amz-access-token", "")
        if not token:
            return sp_error(403, "Unauthorized", DENIED, "Access token is missing in the request header.")
        with self.lock:
            access = self.access.get(token)
            grant = self.grants.get(access.refresh_token) if access else None
            if access is None or grant is None or grant.revoked:
                return sp_error(
                    403,
                    "Unauthorized",
                    DENIED,
                    "The access token you provided is revoked, malformed or invalid.",
                )
            if self.clock() >= access.expires_at:
                return sp_error(403, "Unauthorized", DENIED, "The access token you provided has expired.")
            if grant.region != region:
                return sp_error(403, "Unauthorized", DENIED, "")
            return region, grant
