"""The shapes of the sandbox's answers: SP-API and Login with Amazon errors, and its HTML pages' headers;
and what every SP-API operation checks alike before its own work: the caller's token and region, and the
one marketplace it asks about."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from asc_tui.domain import MARKETPLACE_BY_ID, Marketplace
from asc_tui.sandbox.demo import SandboxSeller

if TYPE_CHECKING:  # the state builds its refusals with sp_error
    from asc_tui.sandbox.state import SandboxState

# An SP-API operation once its caller is known: (request, the endpoint's region, the token's seller).
SpOperation = Callable[[Request, str, SandboxSeller], Awaitable[Response]]


def request_id() -> str:
    return str(uuid.uuid4())


def sp_error(status: int, code: str, message: str, details: str | None = "", **headers: str) -> JSONResponse:
    error: dict[str, str] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return JSONResponse(
        {"errors": [error]}, status_code=status, headers={"x-amzn-RequestId": request_id(), **headers}
    )


def sp_json(body: object, rate_limit: str) -> JSONResponse:
    """An SP-API success, with the usage plan's rate in `x-amzn-RateLimit-Limit` as Amazon sends it."""
    return JSONResponse(
        body, headers={"x-amzn-RateLimit-Limit": rate_limit, "x-amzn-RequestId": request_id()}
    )


def sp_api_route(state: SandboxState, path: str, operation: SpOperation) -> Route:
    """`GET /spapi/{region}{path}`: Amazon's refusal for an unknown region or a missing, expired, revoked or
    other region's access token, else the operation's answer."""

    async def endpoint(request: Request) -> Response:
        caller = state.sp_api_caller(request)
        if isinstance(caller, Response):
            return caller
        region, grant = caller
        return await operation(request, region, grant.seller)

    return Route("/spapi/{region}" + path, endpoint, methods=["GET"])


def listed(params: QueryParams, name: str) -> list[str]:
    """An array parameter (collectionFormat csv), also accepted repeated."""
    return [v.strip() for value in params.getlist(name) for v in value.split(",") if v.strip()]


def one_marketplace(params: QueryParams, region: str) -> Marketplace | str:
    """The one marketplace of this endpoint that `marketplaceIds` names, or the message of Amazon's 400."""
    marketplaces = listed(params, "marketplaceIds")
    if len(marketplaces) != 1:
        return "marketplaceIds must name exactly one marketplace."
    marketplace = MARKETPLACE_BY_ID.get(marketplaces[0])
    if marketplace is None or marketplace.region != region:
        return f"Invalid marketplaceIds: {marketplaces[0]} is not a marketplace of this endpoint."
    return marketplace


def lwa_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse(
        {"error_description": description, "error": error},
        status_code=status,
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'"


def html(body: str, status: int = 200, nonce: str = "") -> HTMLResponse:
    csp = CSP + (f"; script-src 'nonce-{nonce}'" if nonce else "")
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
