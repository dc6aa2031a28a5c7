"""The sandbox's Seller Central: the consent pages a seller goes through to authorize the app.

`GET /sc/{country}/apps/authorize/consent?application_id=…&state=…[&version=beta][&redirect_uri=…]` → sign in
→ two-step verification → "I understand…" + Next → "You are almost done" + Continue → 302 to
`{redirect_uri}?state=…&selling_partner_id=…&spapi_oauth_code=…` (or `error=access_denied` when the seller
cancels). Errors MD1000 / MD5101 / MD5110 as pages, as Amazon shows them.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from asc_tui.domain import MARKETPLACES, parse_country, region_name
from asc_tui.i18n import _
from asc_tui.sandbox import pages
from asc_tui.sandbox.demo import SandboxSeller, marketplaces_label, mask_phone, phone_key
from asc_tui.sandbox.responses import html
from asc_tui.sandbox.state import Code, Flow, SandboxState, Session


def _valid_redirect(uri: str) -> bool:
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in uri)


def _add_query(uri: str, params: Sequence[tuple[str, str]]) -> str:
    return uri + ("&" if urlsplit(uri).query else "?") + urlencode(list(params))


class ConsentPages:
    """Seller Central's sign-in, two-step verification and consent pages, for every marketplace country."""

    def __init__(self, state: SandboxState, port: Callable[[], int]) -> None:
        self._state = state
        self._port = port

    def routes(self) -> list[Route]:
        sc = "/sc/{country}"
        return [
            Route(f"{sc}/apps/authorize/consent", self._consent, methods=["GET"]),
            Route(f"{sc}/ap/signin", self._signin, methods=["GET", "POST"]),
            Route(f"{sc}/ap/mfa", self._mfa, methods=["GET", "POST"]),
            Route(f"{sc}/apps/authorize/confirm", self._confirm, methods=["GET", "POST"]),
            Route(f"{sc}/apps/authorize/almost-done", self._almost_done, methods=["GET", "POST"]),
        ]

    def _cookie_name(self) -> str:
        return f"asc_sandbox_session_{self._port()}"  # cookies ignore ports: one name per emulator

    def _set_cookie(self, response: Response, session: Session) -> None:
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
        return html(body, status)

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

        if application_id != self._state.app.application_id:
            return self._authorize_error(
                "MD1000",
                _("The application ID in the authorization URL is not valid: check application_id."),
                details,
            )
        if self._state.app.draft and version != "beta":
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
            if (
                self._state.app.redirect_uris and redirect_param not in self._state.app.redirect_uris
            ) or not _valid_redirect(redirect_param):
                return self._authorize_error(
                    "MD5101",
                    _(
                        "The redirect_uri does not match any OAuth Redirect URI registered for the application."
                    ),
                    details,
                )
            redirect_uri = redirect_param
        elif self._state.app.redirect_uris:
            redirect_uri = self._state.app.redirect_uris[0]
        else:
            return self._authorize_error(
                "MD5101",
                _(
                    "The application has no OAuth Redirect URI registered and the request has no redirect_uri."
                ),
                details,
            )

        region = MARKETPLACES[country].region
        flow = Flow(
            id=secrets.token_urlsafe(16),
            country=country,
            region=region,
            redirect_uri=redirect_uri,
            state=state,
            details=details,
            consent_url=str(request.url),
        )
        with self._state.lock:
            session = self._state.sessions.get(request.cookies.get(self._cookie_name(), ""))
            new_session = session is None
            if session is None:
                session = Session(secrets.token_urlsafe(24), secrets.token_urlsafe(24))
                self._state.sessions[session.id] = session
            session.flows[flow.id] = flow
            target = self._page_url(session, flow)
        response = RedirectResponse(target, status_code=303, headers={"Referrer-Policy": "no-referrer"})
        if new_session:
            self._set_cookie(response, session)
        return response

    @staticmethod
    def _current_page(session: Session, flow: Flow) -> str:
        if flow.step == "done":
            return "done"
        if session.seller is None:
            return "signin"
        if not session.verified:
            return "mfa"
        return flow.step

    def _page_url(self, session: Session, flow: Flow, page: str | None = None) -> str:
        page = page or self._current_page(session, flow)
        path = {
            "signin": "ap/signin",
            "mfa": "ap/mfa",
            "consent": "apps/authorize/confirm",
            "almost_done": "apps/authorize/almost-done",
        }.get(page, "apps/authorize/confirm")
        return f"/sc/{flow.country}/{path}?" + urlencode({"flow": flow.id})

    async def _step(self, request: Request, page: str) -> tuple[Session, Flow, dict[str, str]] | Response:
        """The session and flow of a step page, its form on POST, or the response that replaces it."""
        with self._state.lock:
            session = self._state.sessions.get(request.cookies.get(self._cookie_name(), ""))
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
        for seller in self._state.sellers:
            if "@" in ident and seller.email.casefold() == ident.casefold():
                return seller
            if "@" not in ident and phone_key(ident) and phone_key(seller.phone) == phone_key(ident):
                return seller
        return None

    def _demo_accounts(self) -> list[pages.DemoAccount]:
        return [
            pages.DemoAccount(s.email, s.phone, s.password, s.otp, marketplaces_label(s))
            for s in self._state.sellers
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
                with self._state.lock:  # a new session id on sign-in (no session fixation)
                    self._state.sessions.pop(session.id, None)
                    session.id = secrets.token_urlsafe(24)
                    session.csrf = secrets.token_urlsafe(24)
                    session.seller, session.verified = seller, False
                    self._state.sessions[session.id] = session
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
        return html(body)

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
                with self._state.lock:
                    session.verified = True
                return RedirectResponse(self._page_url(session, flow), status_code=303)
        body = pages.otp_page(
            action=self._page_url(session, flow, "mfa"),
            csrf=session.csrf,
            masked_phone=mask_phone(seller.phone),
            sandbox_code=seller.otp,
            error=error,
        )
        return html(body)

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
                with self._state.lock:
                    flow.step = "done"
                params = [("state", flow.state)] if flow.state is not None else []
                params += [
                    ("error", "access_denied"),
                    ("error_description", "The seller declined to authorize the application."),
                ]
                return RedirectResponse(_add_query(flow.redirect_uri, params), status_code=302)
            if action == "switch":
                with self._state.lock:
                    session.seller, session.verified = None, False
                return RedirectResponse(self._page_url(session, flow), status_code=303)
            if form.get("understand"):
                with self._state.lock:
                    flow.step = "almost_done"
                    self._state.consents_approved += 1
                return RedirectResponse(self._page_url(session, flow), status_code=303)
            error = _("Select the “I understand…” box to authorize the application, or choose Cancel.")
        nonce = secrets.token_urlsafe(16)
        body = pages.consent_page(
            action=self._page_url(session, flow, "consent"),
            csrf=session.csrf,
            nonce=nonce,
            app_name=self._state.app.application_name,
            seller_label=f"{seller.store_name}, {seller.email}",
            region_name=region_name(flow.region),
            marketplace=self._marketplace_label(flow.country),
            draft=self._state.app.draft,
            error=error,
            details=flow.details,
        )
        return html(body, nonce=nonce)

    async def _almost_done(self, request: Request) -> Response:
        step = await self._step(request, "almost_done")
        if isinstance(step, Response):
            return step
        session, flow, _form = step
        seller = session.seller
        assert seller is not None
        if request.method == "POST":
            with self._state.lock:
                flow.step = "done"
                code = self._state.issue(secrets.token_urlsafe(24))
                self._state.codes[code] = Code(seller, flow.region, flow.redirect_uri, self._state.clock())
            params = [("state", flow.state)] if flow.state is not None else []
            params += [("selling_partner_id", seller.selling_partner_id), ("spapi_oauth_code", code)]
            return RedirectResponse(_add_query(flow.redirect_uri, params), status_code=302)
        body = pages.almost_done_page(
            action=self._page_url(session, flow, "almost_done"),
            csrf=session.csrf,
            app_name=self._state.app.application_name,
        )
        return html(body)
