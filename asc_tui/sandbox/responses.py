"""The shapes of the sandbox's answers: SP-API and Login with Amazon errors, and its HTML pages' headers."""

from __future__ import annotations

import uuid

from starlette.responses import HTMLResponse, JSONResponse


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
