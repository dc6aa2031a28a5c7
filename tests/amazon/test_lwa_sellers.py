"""Login with Amazon and the Sellers API clients against a small real HTTP server (no mocks)."""

from __future__ import annotations

import asyncio
import math
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from asc_tui.amazon.errors import (
    AmazonError,
    AmazonProtocolError,
    AmazonThrottled,
    AmazonUnavailable,
    InvalidClient,
    InvalidGrant,
    LwaError,
    RefreshTokenRevoked,
    SpApiError,
    SpApiUnauthorized,
)
from asc_tui.amazon.http import RetryPolicy, parse_retry_after
from asc_tui.amazon.lwa import LwaClient, TokenSet
from asc_tui.amazon.sellers import Participation, SellersClient, amazon_marketplaces
from asc_tui.sandbox.server import LoopbackServer
from tests.support.threads import at_once

CLIENT_ID = "amzn1.application-oa2-client.test"
CLIENT_SECRET = "amzn1.oa2-cs.v1.SUPERSECRET0123456789"
CODE = "ANDGXVFKtDjNovRYtMpT"
REFRESH = "Atzr|IwEBIREFRESH-TOKEN-0123456789"
ACCESS = "Atza|IwEBIACCESS-TOKEN-0123456789"
SECRETS = (CLIENT_SECRET, CODE, REFRESH, ACCESS, "IwEBIREFRESH", "IwEBIACCESS")
FAST = RetryPolicy(max_attempts=3, initial_wait=0.01, max_wait=0.05, jitter=0.01)

# --- the test server --------------------------------------------------------------------------------


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]
    at: float


@dataclass
class Script:
    """Answers to give, in order; the last one repeats."""

    answers: list[Any] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)

    async def handle(self, request: Request) -> Response:
        form: dict[str, str] = {}
        if request.method == "POST":
            form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        self.seen.append(
            Seen(request.method, request.url.path, dict(request.headers), form, time.monotonic())
        )
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, tuple) and answer[0] == "sleep":
            await asyncio.sleep(answer[1])
            answer = answer[2]
        assert isinstance(answer, Response)
        return answer


def tokens(expires_in: int = 3600, *, refresh: bool = True) -> JSONResponse:
    body: dict[str, Any] = {"access_token": ACCESS, "token_type": "bearer", "expires_in": expires_in}
    if refresh:
        body["refresh_token"] = REFRESH
    return JSONResponse(body)


def lwa_error(code: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": code, "error_description": description}, status_code=status)


class FakeAmazon:
    def __init__(self) -> None:
        self.script = Script()
        app = Starlette(
            routes=[
                Route("/auth/o2/token", self._handle, methods=["POST"]),
                Route("/sellers/v1/marketplaceParticipations", self._handle, methods=["GET"]),
            ]
        )
        self.server = LoopbackServer(app, name="scripted-amazon")
        self.server.start()
        self.port = self.server.port

    async def _handle(self, request: Request) -> Response:
        return await self.script.handle(request)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer(self, *answers: Any) -> None:
        self.script.answers = list(answers)
        self.script.seen = []

    @property
    def seen(self) -> list[Seen]:
        return self.script.seen

    def stop(self) -> None:
        self.server.stop()


@pytest.fixture(scope="module")
def server() -> Iterator[FakeAmazon]:
    running = FakeAmazon()
    yield running
    running.stop()


def lwa(server: FakeAmazon, **kwargs: Any) -> LwaClient:
    kwargs.setdefault("retry_policy", FAST)
    return LwaClient(server.base + "/auth/o2/token", CLIENT_ID, CLIENT_SECRET, **kwargs)


def assert_no_secret(error: BaseException | object) -> None:
    texts = [str(error), repr(error)]
    if isinstance(error, BaseException):
        texts += [str(arg) for arg in error.args]
        if isinstance(error, AmazonError):
            texts.append(error.message)
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} leaked in {text!r}"


# --- Login with Amazon ---------------------------------------------------------------------------------


def test_exchange_code_success(server: FakeAmazon) -> None:
    server.answer(tokens())
    with lwa(server) as client:
        result = client.exchange_code(CODE, "https://admin.example.com/amazon/callback")
    assert result == TokenSet(ACCESS, REFRESH, 3600, "bearer")
    assert_no_secret(result)
    assert_no_secret(client)
    (request,) = server.seen
    assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert request.form == {
        "grant_type": "authorization_code",
        "code": CODE,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": "https://admin.example.com/amazon/callback",
    }


def test_exchange_code_without_redirect_uri(server: FakeAmazon) -> None:
    server.answer(tokens())
    with lwa(server) as client:
        client.exchange_code(CODE, None)
    assert "redirect_uri" not in server.seen[0].form


def test_exchange_caches_the_access_token_for_its_refresh_token(server: FakeAmazon) -> None:
    server.answer(tokens())
    with lwa(server) as client:
        client.exchange_code(CODE, None)
        assert client.access_token(REFRESH) == ACCESS
    assert len(server.seen) == 1


def test_invalid_grant_on_code(server: FakeAmazon) -> None:
    server.answer(lwa_error("invalid_grant", "The request has an invalid grant parameter : code"))
    with lwa(server) as client, pytest.raises(InvalidGrant) as caught:
        client.exchange_code(CODE, None)
    assert "start connecting again" in str(caught.value)
    assert caught.value.status == 400
    assert len(server.seen) == 1  # a 4xx is never retried
    assert_no_secret(caught.value)


def test_invalid_grant_on_refresh_means_revoked(server: FakeAmazon) -> None:
    server.answer(
        lwa_error(
            "invalid_grant",
            "The request has an invalid grant parameter : refresh_token. User may have revoked or didn't "
            "grant the permission.",
        )
    )
    with lwa(server) as client, pytest.raises(RefreshTokenRevoked) as caught:
        client.access_token(REFRESH)
    assert "renew" in str(caught.value)
    assert len(server.seen) == 1
    assert_no_secret(caught.value)


def test_invalid_client(server: FakeAmazon) -> None:
    server.answer(lwa_error("invalid_client", "Client authentication failed", 401))
    with lwa(server) as client, pytest.raises(InvalidClient) as caught:
        client.exchange_code(CODE, None)
    assert "client_id" in str(caught.value)
    assert len(server.seen) == 1
    assert_no_secret(caught.value)


def test_other_lwa_errors_are_generic_and_redacted(server: FakeAmazon) -> None:
    server.answer(lwa_error("invalid_request", f"Malformed token {REFRESH} and {CLIENT_SECRET}"))
    with lwa(server) as client, pytest.raises(LwaError) as caught:
        client.access_token(REFRESH)
    assert "invalid_request" in str(caught.value)
    assert "[redacted]" in str(caught.value)
    assert_no_secret(caught.value)


def test_503_then_success_is_retried(server: FakeAmazon) -> None:
    server.answer(Response("busy", status_code=503), tokens())
    with lwa(server) as client:
        assert client.exchange_code(CODE, None).refresh_token == REFRESH
    assert len(server.seen) == 2


def test_500_forever_is_unavailable(server: FakeAmazon) -> None:
    server.answer(lwa_error("server_error", "oops", 500))
    with lwa(server) as client, pytest.raises(AmazonUnavailable) as caught:
        client.access_token(REFRESH)
    assert "HTTP 500" in str(caught.value)
    assert len(server.seen) == FAST.max_attempts
    assert_no_secret(caught.value)


def test_429_retry_after_is_honoured(server: FakeAmazon) -> None:
    server.answer(Response("slow down", status_code=429, headers={"Retry-After": "0.3"}), tokens())
    with lwa(server) as client:
        assert client.access_token(REFRESH) == ACCESS
    first, second = server.seen
    assert second.at - first.at >= 0.3


def test_retry_after_is_capped(server: FakeAmazon) -> None:
    policy = RetryPolicy(max_attempts=2, initial_wait=0.01, max_wait=0.05, jitter=0.01, max_retry_after=0.1)
    server.answer(Response("", status_code=503, headers={"Retry-After": "3600"}), tokens())
    started = time.monotonic()
    with lwa(server, retry_policy=policy) as client:
        client.access_token(REFRESH)
    # Waited the cap, not the hour Amazon asked for (bounded at 30 s for a loaded machine).
    assert time.monotonic() - started < 30
    assert server.seen[1].at - server.seen[0].at >= 0.1


def test_429_forever_is_throttled(server: FakeAmazon) -> None:
    server.answer(Response("", status_code=429, headers={"Retry-After": "0"}))
    with lwa(server) as client, pytest.raises(AmazonThrottled) as caught:
        client.access_token(REFRESH)
    assert caught.value.attempts == FAST.max_attempts
    assert "429" in str(caught.value)
    assert len(server.seen) == FAST.max_attempts
    assert_no_secret(caught.value)


def test_deadline_is_never_exceeded(server: FakeAmazon) -> None:
    # Without the deadline: 40 attempts 0.2 s apart (8 s). With it, no attempt starts once the deadline is
    # near: at most 5 (at 0, 0.2, 0.4, 0.6 and 0.8 s).
    policy = RetryPolicy(max_attempts=40, initial_wait=0.01, max_wait=0.05, jitter=0.0, deadline_seconds=1.0)
    server.answer(Response("", status_code=503, headers={"Retry-After": "0.2"}))
    started = time.monotonic()
    with lwa(server, retry_policy=policy) as client, pytest.raises(AmazonUnavailable):
        client.exchange_code(CODE, None)
    elapsed = time.monotonic() - started
    assert 1 <= len(server.seen) <= 5
    assert elapsed < 5  # 5x the deadline, for a loaded machine; the 40 attempts would take 8 s


def test_deadline_seconds_argument(server: FakeAmazon) -> None:
    # Amazon asks for 20 s; a client given 1 s stops after the first answer instead of waiting (the default
    # policy, with no deadline of its own, would wait and try again, 4 times).
    server.answer(Response("", status_code=503, headers={"Retry-After": "20"}))
    client = LwaClient(server.base + "/auth/o2/token", CLIENT_ID, CLIENT_SECRET, deadline_seconds=1.0)
    started = time.monotonic()
    with client, pytest.raises(AmazonUnavailable):
        client.exchange_code(CODE, None)
    assert len(server.seen) == 1
    assert time.monotonic() - started < 15  # no 20 s wait, even on a loaded machine


def test_malformed_json(server: FakeAmazon) -> None:
    server.answer(Response("{not json", media_type="application/json"))
    with lwa(server) as client, pytest.raises(AmazonProtocolError) as caught:
        client.exchange_code(CODE, None)
    assert "unexpected answer" in str(caught.value)
    assert_no_secret(caught.value)


def test_missing_access_token(server: FakeAmazon) -> None:
    server.answer(JSONResponse({"token_type": "bearer", "expires_in": 3600, "refresh_token": REFRESH}))
    with lwa(server) as client, pytest.raises(AmazonProtocolError) as caught:
        client.exchange_code(CODE, None)
    assert "access_token" in str(caught.value)
    assert_no_secret(caught.value)


def test_missing_refresh_token_in_exchange(server: FakeAmazon) -> None:
    server.answer(tokens(refresh=False))
    with lwa(server) as client, pytest.raises(AmazonProtocolError):
        client.exchange_code(CODE, None)


def test_connection_refused_is_unavailable(refused_port: int) -> None:
    with (
        LwaClient(
            f"http://127.0.0.1:{refused_port}/auth/o2/token", CLIENT_ID, CLIENT_SECRET, retry_policy=FAST
        ) as client,
        pytest.raises(AmazonUnavailable) as caught,
    ):
        client.exchange_code(CODE, None)
    assert "connection refused" in str(caught.value)
    assert_no_secret(caught.value)


@pytest.mark.parametrize("url", ["", "sellingpartnerapi-na.amazon.com", "ftp://x"])
def test_a_malformed_address_fails_at_once(url: str) -> None:
    # Not retried: a second attempt would first wait 30 s.
    policy = RetryPolicy(max_attempts=3, initial_wait=30, max_wait=30, jitter=0.0)
    started = time.monotonic()
    with SellersClient(url, retry_policy=policy) as client, pytest.raises(AmazonUnavailable) as caught:
        client.marketplace_participations(ACCESS)
    assert "not a valid http(s) URL" in str(caught.value)
    assert time.monotonic() - started < 10


def test_timeout_is_unavailable() -> None:
    silent = socket.socket()  # accepts connections (backlog) but never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    url = f"http://127.0.0.1:{silent.getsockname()[1]}/auth/o2/token"
    policy = RetryPolicy(max_attempts=2, initial_wait=0.01, max_wait=0.01, jitter=0.0)
    started = time.monotonic()
    try:
        with (
            LwaClient(url, CLIENT_ID, CLIENT_SECRET, timeout=0.2, retry_policy=policy) as client,
            pytest.raises(AmazonUnavailable) as caught,
        ):
            client.access_token(REFRESH)
    finally:
        silent.close()
    assert "no answer within 0.2 s" in str(caught.value)
    assert time.monotonic() - started < 20  # two 0.2 s timeouts, not a wait for an answer that never comes
    assert_no_secret(caught.value)


def test_access_token_is_cached_per_refresh_token(server: FakeAmazon) -> None:
    server.answer(tokens())
    with lwa(server) as client:
        assert client.access_token(REFRESH) == ACCESS
        assert client.access_token(REFRESH) == ACCESS
        assert len(server.seen) == 1  # the second call made no request
        client.access_token(REFRESH + "-other")
        assert len(server.seen) == 2
        client.invalidate(REFRESH)
        client.access_token(REFRESH)
        assert len(server.seen) == 3


def test_access_token_is_refreshed_60_seconds_before_expiry(server: FakeAmazon) -> None:
    now = [1000.0]
    server.answer(tokens(expires_in=3600))
    with lwa(server, clock=lambda: now[0]) as client:
        client.access_token(REFRESH)
        now[0] += 3600 - 61
        client.access_token(REFRESH)
        assert len(server.seen) == 1
        now[0] += 2  # now within 60 s of expiry
        client.access_token(REFRESH)
        assert len(server.seen) == 2


def test_concurrent_callers_share_one_refresh(server: FakeAmazon) -> None:
    server.answer(("sleep", 0.1, tokens()))
    with lwa(server) as client:
        results = at_once(lambda: client.access_token(REFRESH), 6)
    assert results == [ACCESS] * 6
    assert len(server.seen) == 1


def test_token_set_repr_redacts() -> None:
    token_set = TokenSet(ACCESS, REFRESH, 3600, "bearer")
    assert_no_secret(token_set)
    assert "3600" in repr(token_set)
    assert str(token_set) == repr(token_set)


def test_parse_retry_after() -> None:
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after(" 0.5 ") == 0.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    # Only a finite, non-negative number of seconds counts; anything else is as if the header were absent.
    for nonsense in ("inf", "Infinity", "-inf", "1e400", "nan", "-3"):
        assert parse_retry_after(nonsense) is None, nonsense
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now) == 30.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now=now) == 0.0


def test_an_infinite_wait_in_a_throttle_error_is_no_number_of_minutes() -> None:
    throttled = AmazonThrottled("the Sellers API", 4, retry_after=math.inf)
    assert "4 attempts" in str(throttled) and "minute" in str(throttled)


# --- Sellers API -----------------------------------------------------------------------------------------


def participation(marketplace_id: str, country: str, name: str) -> dict[str, Any]:
    return {
        "marketplace": {
            "id": marketplace_id,
            "name": name,
            "countryCode": country,
            "defaultCurrencyCode": "USD",
            "defaultLanguageCode": "en_US",
            "domainName": "www.amazon.com",
        },
        "storeName": "BestSellerStore",
        "participation": {"isParticipating": True, "hasSuspendedListings": False},
    }


PAYLOAD = {
    "payload": [
        participation("ATVPDKIKX0DER", "US", "Amazon.com"),
        participation("A2EUQ1WTGCTBG2", "CA", "Amazon.ca"),
        participation("A2ZV50J4W1RKNI", "US", "Non-Amazon"),
        participation("AAHKV2X7AFYLW", "CN", "Amazon.cn"),  # an MWS-era marketplace SP-API does not list
    ]
}


def sellers(server: FakeAmazon, **kwargs: Any) -> SellersClient:
    kwargs.setdefault("retry_policy", FAST)
    return SellersClient(server.base + "/", **kwargs)


def test_marketplace_participations(server: FakeAmazon) -> None:
    server.answer(JSONResponse(PAYLOAD))
    with sellers(server) as client:
        parts = client.marketplace_participations(ACCESS)
    assert parts[0] == Participation("ATVPDKIKX0DER", "US", "Amazon.com", "BestSellerStore", True, False)
    assert [p.marketplace_id for p in parts] == [
        "ATVPDKIKX0DER",
        "A2EUQ1WTGCTBG2",
        "A2ZV50J4W1RKNI",
        "AAHKV2X7AFYLW",
    ]
    (request,) = server.seen
    assert request.method == "GET"
    assert request.path == "/sellers/v1/marketplaceParticipations"
    assert request.headers["x-amz-access-token"] == ACCESS
    assert re.fullmatch(r"\d{8}T\d{6}Z", request.headers["x-amz-date"])
    sent = datetime.strptime(request.headers["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - sent).total_seconds()) < 5
    agent = request.headers["user-agent"]
    assert re.fullmatch(r"asc-tui/[\w.+-]+ \(Language=Python/3\.\d+[\w.+-]*; Platform=[^)]*\)", agent), agent
    assert "authorization" not in request.headers


def test_amazon_marketplaces_filters_unknown_ids(server: FakeAmazon) -> None:
    server.answer(JSONResponse(PAYLOAD))
    with sellers(server) as client:
        kept = amazon_marketplaces(client.marketplace_participations(ACCESS))
    assert [p.country_code for p in kept] == ["US", "CA"]


def test_sellers_403_shows_amazon_details(server: FakeAmazon) -> None:
    body = {
        "errors": [
            {
                "code": "Unauthorized",
                "message": "Access to requested resource is denied.",
                "details": "The access token you provided has expired.",
            }
        ]
    }
    server.answer(JSONResponse(body, status_code=403, headers={"x-amzn-RequestId": "req-123"}))
    with sellers(server) as client, pytest.raises(SpApiUnauthorized) as caught:
        client.marketplace_participations(ACCESS)
    message = str(caught.value)
    assert "Access to requested resource is denied." in message
    assert "The access token you provided has expired." in message
    assert caught.value.blames_access_token
    assert caught.value.request_id == "req-123"
    assert len(server.seen) == 1
    assert_no_secret(caught.value)


def test_sellers_403_echoing_the_token_is_redacted(server: FakeAmazon) -> None:
    body = {"errors": [{"code": "Unauthorized", "message": "Denied", "details": f"bad token {ACCESS}"}]}
    server.answer(JSONResponse(body, status_code=403))
    with sellers(server) as client, pytest.raises(SpApiUnauthorized) as caught:
        client.marketplace_participations(ACCESS)
    assert not caught.value.blames_access_token
    assert_no_secret(caught.value)


def test_sellers_other_4xx(server: FakeAmazon) -> None:
    body = {"errors": [{"code": "InvalidInput", "message": "Bad request.", "details": ""}]}
    server.answer(JSONResponse(body, status_code=400))
    with sellers(server) as client, pytest.raises(SpApiError) as caught:
        client.marketplace_participations(ACCESS)
    assert not isinstance(caught.value, SpApiUnauthorized)
    assert "InvalidInput" in str(caught.value) and "Bad request." in str(caught.value)


def test_sellers_429_then_success(server: FakeAmazon) -> None:
    quota = {"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota.", "details": ""}]}
    server.answer(
        JSONResponse(quota, status_code=429, headers={"Retry-After": "0.05"}), JSONResponse(PAYLOAD)
    )
    with sellers(server) as client:
        assert len(client.marketplace_participations(ACCESS)) == 4
    assert len(server.seen) == 2
    assert server.seen[0].headers["x-amz-date"]  # each attempt carries its own date


def test_sellers_malformed_payload(server: FakeAmazon) -> None:
    server.answer(JSONResponse({"payload": [{"storeName": "x"}]}))
    with sellers(server) as client, pytest.raises(AmazonProtocolError):
        client.marketplace_participations(ACCESS)
    server.answer(Response("<html>proxy error</html>", media_type="text/html"))
    with sellers(server) as client, pytest.raises(AmazonProtocolError):
        client.marketplace_participations(ACCESS)
