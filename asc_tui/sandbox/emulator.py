"""The sandbox emulator: Seller Central's consent pages, Login with Amazon and the SP-API, on loopback.

A real HTTP server (Starlette served by uvicorn in a daemon thread), so a newcomer can go through the whole
connect flow offline (`asc-tui --sandbox`) and tests exercise real HTTP. It behaves like Amazon as described
in `reference/spapi.md`, errors included; each part is a module of this package:

- `consent`: `{seller_central_url(country)}/apps/authorize/consent` and the pages after it;
- `lwa`: `POST {lwa_token_url}` for codes and refresh tokens;
- `sellers_api`: `GET {sp_api_endpoint(region)}/sellers/v1/marketplaceParticipations`;
- `sales_api`: `GET {sp_api_endpoint(region)}/sales/v1/orderMetrics` (sales made up by `order_metrics`);
- `listings_api`: `GET {sp_api_endpoint(region)}/listings/2021-08-01/items/{sellerId}` (`listings_demo`).

The demo sellers (`demo`) each show something: `HEALTH_DEMO_SELLERS` have suspended listings, listings with
errors, or a first Sales call that is throttled.

Knobs for tests (thread-safe): `revoke`, `throttle_next`, `fail_next`, `authorize_directly`;
`issued_secrets` lists every code and token handed out.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from asc_tui.domain import parse_country
from asc_tui.sandbox.consent import ConsentPages
from asc_tui.sandbox.demo import ALL_DEMO_SELLERS, SandboxSeller
from asc_tui.sandbox.faults import Faults, WithFaults
from asc_tui.sandbox.listings_api import ListingsApi
from asc_tui.sandbox.lwa import LoginWithAmazon
from asc_tui.sandbox.responses import sp_error
from asc_tui.sandbox.sales_api import SalesApi
from asc_tui.sandbox.sellers_api import SellersApi
from asc_tui.sandbox.server import LoopbackServer
from asc_tui.sandbox.state import REGIONS, DemoApp, SandboxState

SANDBOX_APPLICATION_ID = "amzn1.sp.solution.sandbox-0000-0000-0000-000000000000"
SANDBOX_CLIENT_ID = "amzn1.application-oa2-client.sandbox"
SANDBOX_CLIENT_SECRET = "sandbox-client-secret"  # a demo credential, printed on purpose
SANDBOX_APPLICATION_NAME = "Amazon Sales Channel (asc-tui)"


class SandboxEmulator:
    """Seller Central consent pages, LWA and the SP-API, served on loopback."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        sellers: Sequence[SandboxSeller] = ALL_DEMO_SELLERS,
        client_id: str = SANDBOX_CLIENT_ID,
        client_secret: str = SANDBOX_CLIENT_SECRET,
        application_id: str = SANDBOX_APPLICATION_ID,
        redirect_uris: tuple[str, ...] = (),
        code_ttl_seconds: float = 300,
        access_token_ttl: int = 3600,
        draft_app: bool = True,
        application_name: str = SANDBOX_APPLICATION_NAME,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        grants_file: Path | None = None,
    ) -> None:
        app = DemoApp(
            client_id=client_id,
            client_secret=client_secret,
            application_id=application_id,
            application_name=application_name,
            redirect_uris=tuple(redirect_uris),
            draft=draft_app,
            code_ttl_seconds=code_ttl_seconds,
            access_token_ttl=access_token_ttl,
        )
        # `--sandbox` keeps its grants between runs (demo tokens, in the sandbox's data folder), so a store
        # connected yesterday still refreshes today, as it would against Amazon.
        self._state = SandboxState(app, tuple(sellers), clock, grants_file, now)
        self._faults = Faults()
        routes = [
            *ConsentPages(self._state, lambda: self._server.port).routes(),
            *LoginWithAmazon(self._state).routes(),
            *SellersApi(self._state).routes(),
            *SalesApi(self._state).routes(),
            *ListingsApi(self._state).routes(),
        ]
        starlette = Starlette(
            routes=routes, exception_handlers={HTTPException: _http_error}, max_body_size=64 * 1024
        )
        self._server = LoopbackServer(
            WithFaults(starlette, self._faults), host=host, port=port, name="asc-sandbox"
        )

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """Serve in a daemon thread with its own event loop; return once listening (OSError when the port is
        taken)."""
        self._server.start()

    def stop(self) -> None:
        """Shut down (within about a second) and release the port. Safe to call twice."""
        self._server.stop()

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
        try:
            return self._server.base_url
        except RuntimeError:
            raise RuntimeError("The sandbox emulator has not been started.") from None

    @property
    def running(self) -> bool:
        return self._server.running

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
        return self._state.sellers

    # --- knobs ----------------------------------------------------------------------------------

    @property
    def issued_secrets(self) -> list[str]:
        """Every authorization code, refresh token and access token issued so far (a copy)."""
        with self._state.lock:
            return list(self._state.issued)

    @property
    def consents_approved(self) -> int:
        """How many times a seller approved the consent page."""
        with self._state.lock:
            return self._state.consents_approved

    @property
    def code_exchanges(self) -> int:
        """How many authorization codes Login with Amazon exchanged for a refresh token."""
        with self._state.lock:
            return self._state.code_exchanges

    def revoke(self, refresh_token: str) -> None:
        """The seller revokes the authorization: refreshes answer invalid_grant, its access tokens die."""
        with self._state.lock:
            grant = self._state.grants.get(refresh_token)
            if grant is not None:
                grant.revoked = True
                self._state.save_grants()

    def throttle_next(self, path_prefix: str, count: int = 1, retry_after: float | None = 1) -> None:
        self._faults.throttle_next(path_prefix, count, retry_after)

    def fail_next(self, path_prefix: str, status: int = 503, count: int = 1) -> None:
        self._faults.fail_next(path_prefix, status, count)

    @property
    def pending_faults(self) -> int:
        """How many throttled or failed answers asked for are still to be given."""
        return self._faults.pending

    def authorize_directly(self, seller: SandboxSeller, region: str = "NA") -> str:
        """Self-authorization: a refresh token, as Seller Central's "Authorize app" button gives."""
        region = region.upper()
        if region not in REGIONS:
            raise ValueError(f"Unknown SP-API region {region!r}.")
        with self._state.lock:
            return self._state.new_grant(seller, region)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    code = {404: "NotFound", 405: "MethodNotAllowed", 413: "RequestEntityTooLarge"}.get(
        status, "InvalidInput"
    )
    message = {404: "Resource not found.", 405: "Method not allowed."}.get(status, "The request is invalid.")
    return sp_error(status, code, message)
