"""The sandbox emulator over real HTTP: consent pages, Login with Amazon, the Sellers API and the knobs."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from asc_tui.domain import MARKETPLACES
from asc_tui.sandbox import (
    DEMO_SELLERS,
    SANDBOX_APPLICATION_ID,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SandboxEmulator,
    SandboxSeller,
)
from tests.support.connect import lwa_post, lwa_refresh, seller_token
from tests.support.consent_forms import follow, submit

REDIRECT = "https://admin.example.com/amazon/callback"
OTHER_REDIRECT = "https://admin.example.com/amazon/other?x=1"
NA, UK, US_ONLY, EU, FE = DEMO_SELLERS
CODE_ERROR = {
    "error_description": "The request has an invalid grant parameter : code",
    "error": "invalid_grant",
}
REFRESH_ERROR = {
    "error_description": "The request has an invalid grant parameter : refresh_token. "
    "User may have revoked or didn't grant the permission.",
    "error": "invalid_grant",
}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# One emulator for the module keeps the tests fast; each test gets its own browser-like client
# (cookies) and makes its own tokens, and every knob a test sets is consumed by that test.
@pytest.fixture(scope="module")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def emu(clock: FakeClock) -> Iterator[SandboxEmulator]:
    with SandboxEmulator(redirect_uris=(REDIRECT, OTHER_REDIRECT), clock=clock) as emulator:
        yield emulator


@pytest.fixture
def client(emu: SandboxEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emu.base_url, follow_redirects=False, timeout=5) as c:
        yield c


def consent_url(emu: SandboxEmulator, country: str = "US", **params: str) -> str:
    query = {"application_id": SANDBOX_APPLICATION_ID, "state": "state-123", "version": "beta", **params}
    return f"{emu.seller_central_url(country)}/apps/authorize/consent?" + httpx.QueryParams(query).__str__()


def sign_in(
    client: httpx.Client, emu: SandboxEmulator, seller: SandboxSeller = NA, **params: str
) -> httpx.Response:
    """From the consent URL to the consent ("I understand…") page, signing in unless already signed in."""
    page = follow(client, client.get(consent_url(emu, **params)))
    if 'id="understand"' in page.text:
        return page
    assert 'id="signin"' in page.text
    page = follow(client, submit(client, page, email=seller.email, password=seller.password))
    assert "Two-Step Verification" in page.text
    page = follow(client, submit(client, page, otp=seller.otp))
    assert 'id="understand"' in page.text
    return page


def authorize(
    client: httpx.Client, emu: SandboxEmulator, seller: SandboxSeller = NA, **params: str
) -> dict[str, str]:
    """The whole consent flow; the query Amazon sends the browser back with."""
    page = sign_in(client, emu, seller, **params)
    page = follow(client, submit(client, page, action="next", understand="yes"))
    assert "You are almost done" in page.text
    final = submit(client, page, action="continue")
    assert final.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(final.headers["location"]).query).items()}


def exchange(client: httpx.Client, emu: SandboxEmulator, code: str, **extra: str) -> httpx.Response:
    return lwa_post(client, emu, grant_type="authorization_code", code=code, **extra)


def participations(
    client: httpx.Client, emu: SandboxEmulator, region: str, token: str | None
) -> httpx.Response:
    headers = {"x-amz-access-token": token} if token is not None else {}
    return client.get(f"{emu.sp_api_endpoint(region)}/sellers/v1/marketplaceParticipations", headers=headers)


# --- consent pages --------------------------------------------------------------------------------


def test_whole_flow_through_the_forms(client: httpx.Client, emu: SandboxEmulator) -> None:
    start = client.get(consent_url(emu, redirect_uri=REDIRECT))
    assert start.status_code == 303
    cookie = start.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie

    page = follow(client, start)
    for element in ('id="email"', 'id="password"', 'id="signin"', "SANDBOX — not Amazon"):
        assert element in page.text
    for seller in DEMO_SELLERS:  # the demo credentials are on screen
        assert seller.email in page.text
    assert "Content-Security-Policy" in page.headers and page.headers["Referrer-Policy"] == "no-referrer"

    wrong = submit(client, page, email="nobody@sandbox.example", password="sandbox")
    assert wrong.status_code == 200 and "cannot find an account" in wrong.text
    wrong = submit(client, wrong, email=NA.email, password="wrong")
    assert "Your password is incorrect" in wrong.text and f'value="{NA.email}"' in wrong.text

    page = follow(client, submit(client, wrong, email=NA.email, password=NA.password))
    assert 'id="otp"' in page.text and 'id="verify"' in page.text
    wrong = submit(client, page, otp="000000")
    assert "not valid" in wrong.text
    page = follow(client, submit(client, wrong, otp=NA.otp))

    assert re.search(r'<button[^>]*id="next"[^>]*disabled', page.text)  # gated until the box is ticked
    assert 'id="decline"' in page.text and "I direct Amazon to provide" in page.text
    refused = submit(client, page, action="next")
    assert refused.status_code == 200 and 'id="error"' in refused.text and 'id="understand"' in refused.text

    page = follow(client, submit(client, refused, action="next", understand="yes"))
    assert "You are almost done" in page.text and 'id="continue"' in page.text
    final = submit(client, page, action="continue")
    assert final.status_code == 302
    location = final.headers["location"]
    assert location.startswith(REDIRECT + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["state-123"]
    assert query["selling_partner_id"] == [NA.selling_partner_id]
    assert query["spapi_oauth_code"][0] in emu.issued_secrets

    # The finished flow cannot be replayed.
    again = client.get(final.request.url)
    assert again.status_code == 400 and "already been completed" in again.text


def test_code_exchange_then_reuse_and_sellers_api(client: httpx.Client, emu: SandboxEmulator) -> None:
    callback = authorize(client, emu)
    response = exchange(client, emu, callback["spapi_oauth_code"], redirect_uri=REDIRECT)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert body["access_token"].startswith("Atza|") and body["refresh_token"].startswith("Atzr|")
    assert {body["access_token"], body["refresh_token"]} <= set(emu.issued_secrets)

    reused = exchange(client, emu, callback["spapi_oauth_code"])
    assert reused.status_code == 400 and reused.json() == CODE_ERROR

    sellers = participations(client, emu, "NA", body["access_token"])
    assert sellers.status_code == 200
    assert sellers.headers["x-amzn-RateLimit-Limit"] == "0.016" and sellers.headers["x-amzn-RequestId"]
    payload = sellers.json()["payload"]
    ids = [p["marketplace"]["id"] for p in payload]
    assert ids == [MARKETPLACES[c].marketplace_id for c in ("US", "CA", "MX", "BR")] + ["A2ZV50J4W1RKNI"]
    us = payload[0]
    assert us["marketplace"] == {
        "id": "ATVPDKIKX0DER",
        "name": "Amazon.com",
        "countryCode": "US",
        "defaultCurrencyCode": "USD",
        "defaultLanguageCode": "en_US",
        "domainName": "www.amazon.com",
    }
    assert us["storeName"] == NA.store_name
    assert us["participation"] == {"isParticipating": True, "hasSuspendedListings": False}


def test_code_expires(client: httpx.Client, emu: SandboxEmulator, clock: FakeClock) -> None:
    fresh = authorize(client, emu)["spapi_oauth_code"]
    clock.now += 299
    assert exchange(client, emu, fresh).status_code == 200
    stale = authorize(client, emu)["spapi_oauth_code"]
    clock.now += 300
    expired = exchange(client, emu, stale)
    assert expired.status_code == 400 and expired.json() == CODE_ERROR


def test_tiny_code_ttl() -> None:
    with (
        SandboxEmulator(redirect_uris=(REDIRECT,), code_ttl_seconds=0) as emu,
        httpx.Client(base_url=emu.base_url, timeout=5) as client,
    ):
        code = authorize(client, emu)["spapi_oauth_code"]
        assert exchange(client, emu, code).json() == CODE_ERROR


def test_token_endpoint_errors(client: httpx.Client, emu: SandboxEmulator) -> None:
    code = authorize(client, emu)["spapi_oauth_code"]
    wrong_secret = exchange(client, emu, code, client_secret="nope")
    assert wrong_secret.status_code == 401
    assert wrong_secret.json() == {
        "error": "invalid_client",
        "error_description": "Client authentication failed",
    }
    assert exchange(client, emu, code, client_id="amzn1.application-oa2-client.other").status_code == 401

    unsupported = client.post(emu.lwa_token_url, data={"grant_type": "password"})
    assert unsupported.status_code == 400 and unsupported.json()["error"] == "unsupported_grant_type"
    missing = client.post(emu.lwa_token_url, data={"grant_type": "authorization_code", "client_id": "x"})
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    assert client.post(emu.lwa_token_url, data={}).json()["error"] == "invalid_request"

    wrong_redirect = exchange(client, emu, code, redirect_uri=OTHER_REDIRECT)
    assert wrong_redirect.status_code == 400 and wrong_redirect.json()["error"] == "invalid_grant"

    # LWA also takes JSON (Amazon's Java client posts JSON).
    code = authorize(client, emu)["spapi_oauth_code"]
    as_json = client.post(
        emu.lwa_token_url,
        json={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": SANDBOX_CLIENT_ID,
            "client_secret": SANDBOX_CLIENT_SECRET,
        },
    )
    assert as_json.status_code == 200 and as_json.json()["refresh_token"].startswith("Atzr|")


def test_refresh_then_revoke(client: httpx.Client, emu: SandboxEmulator) -> None:
    token = emu.authorize_directly(NA, "NA")
    first = lwa_refresh(client, emu, token)
    assert first.status_code == 200 and first.json()["refresh_token"] == token
    second = lwa_refresh(client, emu, token)
    assert second.json()["access_token"] != first.json()["access_token"]
    assert participations(client, emu, "NA", first.json()["access_token"]).status_code == 200

    emu.revoke(token)
    revoked = lwa_refresh(client, emu, token)
    assert revoked.status_code == 400 and revoked.json() == REFRESH_ERROR
    assert lwa_refresh(client, emu, "Atzr|never-issued").json() == REFRESH_ERROR
    dead = participations(client, emu, "NA", first.json()["access_token"])
    assert dead.status_code == 403 and "revoked, malformed or invalid" in dead.json()["errors"][0]["details"]

    # A new authorization does not bring the revoked one back; each is its own token.
    other = emu.authorize_directly(NA, "NA")
    assert other != token and lwa_refresh(client, emu, other).status_code == 200


def test_participations_per_region(client: httpx.Client, emu: SandboxEmulator) -> None:
    uk = participations(client, emu, "EU", seller_token(client, emu, UK, "EU")).json()["payload"]
    assert [p["marketplace"]["id"] for p in uk] == ["A1F83G8C2ARO7P"]
    assert (
        uk[0]["marketplace"]["countryCode"] == "GB" and uk[0]["marketplace"]["defaultCurrencyCode"] == "GBP"
    )

    us_only = participations(client, emu, "NA", seller_token(client, emu, US_ONLY, "NA")).json()["payload"]
    assert [p["marketplace"]["countryCode"] for p in us_only] == ["US"]

    # An NA seller authorized in EU sells nowhere there.
    assert participations(client, emu, "EU", seller_token(client, emu, NA, "EU")).json() == {"payload": []}

    wrong_region = participations(client, emu, "EU", seller_token(client, emu, NA, "NA"))
    assert wrong_region.status_code == 403
    assert wrong_region.json() == {
        "errors": [
            {"code": "Unauthorized", "message": "Access to requested resource is denied.", "details": ""}
        ]
    }


def test_sellers_api_403s(client: httpx.Client, emu: SandboxEmulator, clock: FakeClock) -> None:
    missing = participations(client, emu, "NA", None)
    assert missing.status_code == 403
    assert missing.json() == {
        "errors": [
            {
                "code": "Unauthorized",
                "message": "Access to requested resource is denied.",
                "details": "Access token is missing in the request header.",
            }
        ]
    }
    unknown = participations(client, emu, "NA", "Atza|made-up")
    assert unknown.status_code == 403
    assert (
        unknown.json()["errors"][0]["details"]
        == "The access token you provided is revoked, malformed or invalid."
    )

    token = seller_token(client, emu, NA, "NA")
    clock.now += 3600
    expired = participations(client, emu, "NA", token)
    assert expired.status_code == 403
    assert expired.json()["errors"][0]["details"] == "The access token you provided has expired."

    not_found = client.get(f"{emu.sp_api_endpoint('NA')}/sellers/v1/nothing")
    assert not_found.status_code == 404 and not_found.json()["errors"][0]["code"] == "NotFound"


def test_throttle_and_fail_knobs(client: httpx.Client, emu: SandboxEmulator) -> None:
    token = seller_token(client, emu, NA, "NA")
    path = "/spapi/na/sellers/v1/marketplaceParticipations"
    emu.throttle_next(path, count=2, retry_after=2)
    for _ in range(2):
        throttled = participations(client, emu, "NA", token)
        assert throttled.status_code == 429 and throttled.headers["retry-after"] == "2"
        assert throttled.json()["errors"][0]["code"] == "QuotaExceeded"
    assert participations(client, emu, "NA", token).status_code == 200

    emu.throttle_next(f"{emu.base_url}/spapi/", retry_after=None)  # a full URL works as a prefix too
    no_header = participations(client, emu, "NA", token)
    assert no_header.status_code == 429 and "retry-after" not in no_header.headers

    emu.fail_next("/spapi/na", status=503)
    unavailable = participations(client, emu, "NA", token)
    assert unavailable.status_code == 503 and unavailable.json()["errors"][0]["code"] == "ServiceUnavailable"
    emu.fail_next("/spapi/na", status=500)
    assert participations(client, emu, "NA", token).status_code == 500
    assert participations(client, emu, "NA", token).status_code == 200

    emu.fail_next("/auth/o2/token")
    lwa_down = lwa_refresh(client, emu, emu.authorize_directly(NA))
    assert lwa_down.status_code == 503 and lwa_down.json()["error"] == "temporarily_unavailable"


def test_decline(client: httpx.Client, emu: SandboxEmulator) -> None:
    page = sign_in(client, emu)
    declined = submit(client, page, action="decline")
    assert declined.status_code == 302
    query = parse_qs(urlsplit(declined.headers["location"]).query)
    assert query["state"] == ["state-123"] and query["error"] == ["access_denied"]
    assert query["error_description"] and "spapi_oauth_code" not in query


def test_signed_in_browser_goes_straight_to_consent_and_can_switch(
    client: httpx.Client, emu: SandboxEmulator
) -> None:
    authorize(client, emu)
    page = follow(client, client.get(consent_url(emu, "CA", state="second")))
    assert 'id="understand"' in page.text and "Canada" in page.text
    page = follow(client, submit(client, page, action="switch"))
    assert 'id="signin"' in page.text
    # Sign in by phone number this time.
    page = follow(client, submit(client, page, email=US_ONLY.phone.replace(" ", ""), password="sandbox"))
    page = follow(client, submit(client, page, otp=US_ONLY.otp))
    page = follow(client, submit(client, page, action="next", understand="yes"))
    final = submit(client, page, action="continue")
    query = parse_qs(urlsplit(final.headers["location"]).query)
    assert query["selling_partner_id"] == [US_ONLY.selling_partner_id] and query["state"] == ["second"]


def test_forms_need_the_csrf_token_and_the_session(client: httpx.Client, emu: SandboxEmulator) -> None:
    page = follow(client, client.get(consent_url(emu)))
    forged = client.post(str(page.url), data={"email": NA.email, "password": NA.password})
    assert forged.status_code == 403
    with httpx.Client(base_url=emu.base_url) as stranger:  # no session cookie
        assert stranger.get(str(page.url)).status_code == 400


def test_redirect_uri_choice(client: httpx.Client, emu: SandboxEmulator) -> None:
    default = authorize(client, emu)  # no redirect_uri: the first registered one
    assert default["state"] == "state-123"
    page = sign_in(client, emu, redirect_uri=OTHER_REDIRECT)
    page = follow(client, submit(client, page, action="next", understand="yes"))
    final = submit(client, page, action="continue")
    assert final.headers["location"].startswith(OTHER_REDIRECT + "&state=state-123&")


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"application_id": "amzn1.sp.solution.someone-else"}, "MD1000"),
        ({"version": ""}, "MD1000"),  # a draft app without version=beta
        ({"redirect_uri": "https://evil.example/cb"}, "MD5101"),
        ({"redirect_uri": REDIRECT + "#frag"}, "MD5110"),
    ],
)
def test_consent_errors(
    client: httpx.Client, emu: SandboxEmulator, params: dict[str, str], code: str
) -> None:
    page = client.get(consent_url(emu, **params))
    assert page.status_code == 400 and f"Error code: <b>{code}</b>" in page.text
    assert "set-cookie" not in page.headers


def test_no_redirect_uri_anywhere_and_published_app() -> None:
    with (
        SandboxEmulator(draft_app=False) as emu,
        httpx.Client(base_url=emu.base_url, timeout=5) as client,
    ):
        no_redirect = client.get(consent_url(emu, version=""))
        assert no_redirect.status_code == 400 and "MD5101" in no_redirect.text
        # With nothing registered any http(s) redirect_uri is taken, e.g. the app's loopback listener.
        assert (
            client.get(consent_url(emu, version="", redirect_uri="http://127.0.0.1:8976/cb")).status_code
            == 303
        )
        assert client.get(consent_url(emu, redirect_uri="javascript:alert(1)")).status_code == 400
        assert client.get(f"{emu.base_url}/sc/CH/apps/authorize/consent").status_code == 404


def test_hostile_values_are_escaped(client: httpx.Client, emu: SandboxEmulator) -> None:
    hostile = '"><script>alert(1)</script>'
    error = client.get(consent_url(emu, state=hostile, application_id=hostile))
    assert error.status_code == 400
    assert "<script>alert(1)" not in error.text and "&lt;script&gt;alert(1)" in error.text

    page = sign_in(client, emu, state=hostile)
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)" in page.text
    page = follow(client, submit(client, page, action="next", understand="yes"))
    final = submit(client, page, action="continue")
    assert parse_qs(urlsplit(final.headers["location"]).query)["state"] == [hostile]

    login = follow(client, client.get(consent_url(emu)))
    follow(client, submit(client, login, action="switch"))
    login = follow(client, client.get(consent_url(emu)))
    echoed = submit(client, login, email=hostile, password="x")
    assert "<script>alert(1)" not in echoed.text


def test_issued_secrets_cover_codes_and_tokens(client: httpx.Client, emu: SandboxEmulator) -> None:
    code = authorize(client, emu)["spapi_oauth_code"]
    tokens = exchange(client, emu, code).json()
    direct = emu.authorize_directly(UK, "EU")
    assert {code, tokens["access_token"], tokens["refresh_token"], direct} <= set(emu.issued_secrets)


def test_unknown_paths_and_bad_arguments(client: httpx.Client, emu: SandboxEmulator) -> None:
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "NotFound"
    with pytest.raises(ValueError):
        emu.seller_central_url("CH")
    with pytest.raises(ValueError):
        emu.sp_api_endpoint("XX")
    assert emu.seller_central_url("gb") == f"{emu.base_url}/sc/UK"
    assert emu.sp_api_endpoint("EU") == f"{emu.base_url}/spapi/eu"


# --- lifecycle ------------------------------------------------------------------------------------


def test_stop_releases_the_port() -> None:
    emu = SandboxEmulator()
    emu.start()
    port = int(urlsplit(emu.base_url).port or 0)
    with httpx.Client(timeout=5) as client:  # an open keep-alive connection must not hold stop()
        assert client.get(f"{emu.base_url}/nowhere").status_code == 404
        emu.stop()
        with pytest.raises(httpx.TransportError):
            client.get(f"{emu.base_url}/nowhere")
    emu.stop()  # twice is fine
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen()  # would fail with EADDRINUSE if anything still listened there


def test_fixed_port_restart() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    emu = SandboxEmulator(port=port)
    for _ in range(2):
        emu.start()
        assert emu.base_url == f"http://127.0.0.1:{port}"
        assert httpx.get(f"{emu.base_url}/nowhere").status_code == 404
        emu.stop()


def test_starts_inside_a_running_event_loop() -> None:
    async def main() -> int:
        with SandboxEmulator() as emu:  # start() must not need (or block) the caller's loop
            async with httpx.AsyncClient() as client:
                response = await client.get(f"{emu.base_url}/nowhere")
        return response.status_code

    assert asyncio.run(main()) == 404
