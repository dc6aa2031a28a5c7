"""The sandbox's Login with Amazon: `POST /auth/o2/token`, with LWA's own error bodies.

grant_type `authorization_code` (a code is valid for the app's code TTL, and once) gives a refresh token and an
access token; `refresh_token` gives a new access token, or `invalid_grant` once the seller revoked the grant.
"""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from asc_tui.sandbox.responses import lwa_error
from asc_tui.sandbox.state import SandboxState

LWA_CODE_ERROR = "The request has an invalid grant parameter : code"
LWA_REFRESH_ERROR = (
    "The request has an invalid grant parameter : refresh_token. "
    "User may have revoked or didn't grant the permission."
)


class LoginWithAmazon:
    def __init__(self, state: SandboxState) -> None:
        self._state = state

    def routes(self) -> list[Route]:
        return [Route("/auth/o2/token", self._token, methods=["POST"])]

    async def _token(self, request: Request) -> Response:
        raw = await request.body()
        params: dict[str, str] = {}
        if request.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json":
            try:
                data: Any = json.loads(raw or b"{}")
            except (ValueError, RecursionError):  # a body nested deeper than the parser goes
                data = None
            if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
                return lwa_error(400, "invalid_request", "The request has an invalid parameter : body")
            params = {str(k): v for k, v in data.items()}
        else:
            params = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))

        grant_type = params.get("grant_type", "")
        if not grant_type:
            return lwa_error(
                400, "invalid_request", "The request is missing a required parameter : grant_type"
            )
        if grant_type not in ("authorization_code", "refresh_token"):
            return lwa_error(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server",
            )
        grant_param = "code" if grant_type == "authorization_code" else "refresh_token"
        for name in (grant_param, "client_id", "client_secret"):
            if not params.get(name):
                return lwa_error(
                    400, "invalid_request", f"The request is missing a required parameter : {name}"
                )
        if not (
            secrets.compare_digest(params["client_id"].encode(), self._state.app.client_id.encode())
            and secrets.compare_digest(
                params["client_secret"].encode(), self._state.app.client_secret.encode()
            )
        ):
            return lwa_error(401, "invalid_client", "Client authentication failed")

        with self._state.lock:
            if grant_type == "authorization_code":
                code = self._state.codes.get(params["code"])
                if (
                    code is None
                    or code.used
                    or self._state.clock() - code.issued_at >= self._state.app.code_ttl_seconds
                ):
                    return lwa_error(400, "invalid_grant", LWA_CODE_ERROR)
                code.used = True
                redirect_uri = params.get("redirect_uri")
                if redirect_uri is not None and redirect_uri != code.redirect_uri:
                    return lwa_error(
                        400, "invalid_grant", "The request has an invalid grant parameter : redirect_uri"
                    )
                refresh_token = self._state.new_grant(code.seller, code.region)
                self._state.code_exchanges += 1
            else:
                refresh_token = params["refresh_token"]
                grant = self._state.grants.get(refresh_token)
                if grant is None or grant.revoked:
                    return lwa_error(400, "invalid_grant", LWA_REFRESH_ERROR)
            access_token = self._state.new_access_token(refresh_token)
        return JSONResponse(
            {
                "access_token": access_token,
                "token_type": "bearer",
                "expires_in": self._state.app.access_token_ttl,
                "refresh_token": refresh_token,
            },
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )
