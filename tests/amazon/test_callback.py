"""The callback worker, over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from asc_tui.amazon import callback as callback_module
from asc_tui.amazon.callback import CallbackListener, CallbackOutcome, is_loopback
from asc_tui.amazon.callback_address import CallbackBindError, amazon_callback_allowed, parse_listen
from asc_tui.amazon.callback_pages import SECURITY_HEADERS
from asc_tui.amazon.redirect import RedirectQuery

REDIRECT_URI = "https://admin.example.com/amazon/callback"
CODE = "ANDGXVFKtDjNovRYtMpT"
OK_QUERY = {"state": "S1", "selling_partner_id": "A3SELLER", "spapi_oauth_code": CODE}


@dataclass
class Attempt:
    """Stands in for the connect attempt: records what it receives and answers with an outcome."""

    received: list[RedirectQuery] = field(default_factory=list)
    state: str | None = "S1"

    async def on_redirect(self, query: RedirectQuery) -> CallbackOutcome:
        self.received.append(query)
        if query.is_error:
            return CallbackOutcome(False, "Amazon did not connect the store", query.error_description or "")
        return CallbackOutcome(True, "Store connected", "Amazon Store USA is connected to seller A3SELLER.")


@dataclass
class Running:
    listener: CallbackListener
    attempt: Attempt
    task: asyncio.Task[None]
    client: httpx.AsyncClient

    @property
    def base(self) -> str:
        return f"http://{self.listener.bound_address}"

    async def stop(self) -> float:
        started = time.monotonic()
        self.listener.close()
        await asyncio.wait_for(self.task, 10)  # a worker that never stopped fails here
        return time.monotonic() - started


async def start(
    listener: CallbackListener, attempt: Attempt, listen: str = "127.0.0.1:0", **client_args: object
) -> Running:
    listener.bind(listen)
    task = asyncio.create_task(listener.serve(attempt.on_redirect))
    client = httpx.AsyncClient(base_url=f"http://{listener.bound_address}", **client_args)  # type: ignore[arg-type]
    return Running(listener, attempt, task, client)


SELLER_CENTRAL = ("https://sellercentral.amazon.com", "https://sellercentral.amazon.co.uk")


def make_listener(attempt: Attempt, **kwargs: object) -> CallbackListener:
    defaults: dict[str, object] = {
        "redirect_uri": REDIRECT_URI,
        "current_state": lambda: attempt.state,
        "login_path": "/amazon/login",
        "draft_app": True,
        "seller_central": SELLER_CENTRAL,
    }
    defaults.update(kwargs)
    return CallbackListener("/amazon/callback", **defaults)  # type: ignore[arg-type]


@pytest.fixture
async def running() -> AsyncIterator[Running]:
    attempt = Attempt()
    run = await start(make_listener(attempt), attempt)
    yield run
    await run.client.aclose()
    if not run.task.done():
        await run.stop()


def assert_security_headers(response: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert "server" not in response.headers


async def test_valid_redirect_303_then_connected_page(running: Running) -> None:
    response = await running.client.get("/amazon/callback", params=OK_QUERY)
    assert response.status_code == 303
    assert_security_headers(response)
    location = response.headers["location"]
    assert CODE not in location and "state" not in location
    (received,) = running.attempt.received
    assert received.spapi_oauth_code == CODE
    assert received.state == "S1"
    assert received.selling_partner_id == "A3SELLER"

    page = await running.client.get(response.next_request.url if response.next_request else location)
    assert page.status_code == 200
    assert page.url.path == "/amazon/callback/done"
    assert_security_headers(page)
    assert page.headers["content-type"].startswith("text/html")
    assert "Store connected" in page.text
    assert "close this tab" in page.text
    assert CODE not in page.text
    assert "<link" not in page.text and "src=" not in page.text and "<script" not in page.text

    again = await running.client.get(str(page.url))  # a reload shows the same page
    assert again.status_code == 200 and "Store connected" in again.text
    assert len(running.attempt.received) == 1  # without handing the code over twice


async def test_follow_redirects_like_a_browser(running: Running) -> None:
    response = await running.client.get("/amazon/callback", params=OK_QUERY, follow_redirects=True)
    assert response.status_code == 200
    assert "Store connected" in response.text
    assert [r.status_code for r in response.history] == [303]


async def test_hostile_error_description_is_escaped(running: Running) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    query = {"state": "S1", "error": "access_denied", "error_description": hostile}
    response = await running.client.get("/amazon/callback", params=query, follow_redirects=True)
    assert response.status_code == 200
    assert "<script>" not in response.text and "<img" not in response.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in response.text
    assert "Return to asc-tui" in response.text
    (received,) = running.attempt.received
    assert received.is_error and received.error_description == hostile


async def test_unparseable_answer_is_400_without_calling_the_attempt(running: Running) -> None:
    for query in ("", "?state=S1", "?state=S1&spapi_oauth_code=a&spapi_oauth_code=b"):
        response = await running.client.get("/amazon/callback" + query)
        assert response.status_code == 400
        assert_security_headers(response)
        assert "asc-tui" in response.text
    assert running.attempt.received == []


async def test_other_paths_are_404(running: Running) -> None:
    for path in ("/favicon.ico", "/", "/amazon", "/amazon/callbackx", "/amazon/callback/done/x"):
        response = await running.client.get(path, params=OK_QUERY)
        assert response.status_code == 404, path
        assert_security_headers(response)
        assert response.headers["content-type"].startswith("text/plain")
    expired = await running.client.get("/amazon/callback/done", params={"r": "unknown"})
    assert expired.status_code == 404
    assert "expired" in expired.text
    assert running.attempt.received == []


async def test_non_get_is_405(running: Running) -> None:
    for method in ("POST", "PUT", "DELETE", "HEAD"):
        response = await running.client.request(method, "/amazon/callback", params=OK_QUERY)
        assert response.status_code == 405, method
        assert response.headers["allow"] == "GET"
        assert_security_headers(response)
    assert running.attempt.received == []


async def test_login_bounce_sends_the_browser_back_to_amazon(running: Running) -> None:
    callback = "https://sellercentral.amazon.com/apps/authorize/confirm/amzn1.sp.solution.x"
    query = {"amazon_callback_uri": callback, "amazon_state": "AMZ-STATE", "selling_partner_id": "A3SELLER"}
    response = await running.client.get("/amazon/login", params=query)
    assert response.status_code == 302
    assert_security_headers(response)
    target = urlsplit(response.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == callback
    assert parse_qsl(target.query) == [
        ("redirect_uri", REDIRECT_URI),
        ("amazon_state", "AMZ-STATE"),
        ("state", "S1"),
        ("version", "beta"),
    ]
    assert running.attempt.received == []

    # The redirect path is no Login URI: the same query there is refused, and the live state stays home.
    same = await running.client.get("/amazon/callback", params=query)
    assert same.status_code == 400 and "location" not in same.headers
    assert "S1" not in same.text and "Login URI" in same.text


async def test_no_login_uri_configured_means_no_bounce_anywhere() -> None:
    """The app configures no Login URI: a bounce on the redirect path never hands out the live state."""
    attempt = Attempt()
    run = await start(make_listener(attempt, login_path=None), attempt)
    try:
        callback = "https://sellercentral.amazon.com/apps/authorize/confirm/amzn1.sp.solution.x"
        for path in ("/amazon/callback", "/amazon/login"):
            response = await run.client.get(
                path, params={"amazon_callback_uri": callback, "amazon_state": "A"}
            )
            assert response.status_code in (400, 404), path
            assert "location" not in response.headers and "S1" not in response.text
        assert attempt.received == []
    finally:
        await run.client.aclose()
        await run.stop()


async def test_login_bounce_refusals(running: Running) -> None:
    evil = {"amazon_callback_uri": "https://evil.example/amazon.com", "amazon_state": "A"}
    response = await running.client.get("/amazon/login", params=evil)
    assert response.status_code == 400
    assert "location" not in response.headers
    plain_http = {"amazon_callback_uri": "http://sellercentral.amazon.com/x", "amazon_state": "A"}
    assert (await running.client.get("/amazon/login", params=plain_http)).status_code == 400
    missing = await running.client.get("/amazon/login", params={"state": "S1"})
    assert missing.status_code == 400
    running.attempt.state = None
    good = {"amazon_callback_uri": "https://sellercentral.amazon.com/x", "amazon_state": "A"}
    idle = await running.client.get("/amazon/login", params=good)
    assert idle.status_code == 409
    assert "not waiting" in idle.text


async def test_login_bounce_to_an_allowed_sandbox_host_without_beta() -> None:
    attempt = Attempt()
    listener = make_listener(attempt, draft_app=False, seller_central=["http://127.0.0.1:9999"])
    run = await start(listener, attempt)
    try:
        query = {"amazon_callback_uri": "http://127.0.0.1:9999/apps/confirm?x=1", "amazon_state": "A"}
        response = await run.client.get("/amazon/login", params=query)
        assert response.status_code == 302
        location = response.headers["location"]
        assert location.startswith("http://127.0.0.1:9999/apps/confirm?x=1&redirect_uri=")
        assert "version=beta" not in location
    finally:
        await run.client.aclose()
        await run.stop()


async def test_close_releases_the_port_although_a_connection_is_kept_alive() -> None:
    attempt = Attempt()
    run = await start(make_listener(attempt), attempt)
    address = run.listener.bound_address
    assert address is not None
    await run.client.get("/favicon.ico")  # a kept-alive connection must not hold the shutdown
    elapsed = await run.stop()
    await run.client.aclose()
    assert elapsed < 5  # "within a second" (bounded 5x, for a loaded machine)
    assert run.listener.bound_address == address

    again = make_listener(attempt)
    again.bind(address)  # the same port is free again
    assert again.bound_address == address
    task = asyncio.create_task(again.serve(attempt.on_redirect))
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"http://{address}/favicon.ico")).status_code == 404
    again.close()
    await asyncio.wait_for(task, 10)


@pytest.fixture
def long_linger(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker waits up to a minute (not 0.6 s) for an unviewed result page: a test whose browser is late
    on a loaded machine still finds it, and a worker that stops soon after is seen to stop because the page
    was fetched, not because the linger ran out."""
    monkeypatch.setattr(callback_module, "LINGER_SECONDS", 60.0)
    monkeypatch.setattr(callback_module, "MAX_LINGER_SECONDS", 60.0)


async def test_close_lets_the_browser_fetch_its_result_first(long_linger: None) -> None:
    attempt = Attempt()
    run = await start(make_listener(attempt), attempt)
    response = await run.client.get("/amazon/callback", params=OK_QUERY)
    assert response.status_code == 303
    # The attempt is done and closes the listener before the browser follows the 303.
    run.listener.close()
    await asyncio.sleep(0.25)  # a slow browser, on a new connection (e.g. through a proxy)
    assert not run.task.done()  # still there for the result page
    result_url = httpx.URL(f"{run.base}/amazon/callback").join(response.headers["location"])
    assert result_url.path == "/amazon/callback/done"
    async with httpx.AsyncClient() as browser:
        page = await browser.get(result_url)
    assert page.status_code == 200 and "Store connected" in page.text
    # The page was fetched: the worker stops now, long before the minute of linger is over.
    await asyncio.wait_for(run.task, 10)
    await run.client.aclose()


async def test_the_attempt_closing_from_inside_its_answer_still_gets_the_page_out(long_linger: None) -> None:
    # The real attempt closes the listener while it saves, a moment before its answer returns; the
    # worker must not stop in between and drop the browser's connection (seen once in CI).
    attempt = Attempt()
    listener = make_listener(attempt)

    async def closes_then_answers(query: RedirectQuery) -> CallbackOutcome:
        listener.close()
        await asyncio.sleep(0.3)  # three of uvicorn's ticks: each would have stopped the worker
        return await attempt.on_redirect(query)

    listener.bind("127.0.0.1:0")
    task = asyncio.create_task(listener.serve(closes_then_answers))
    async with httpx.AsyncClient(base_url=f"http://{listener.bound_address}") as browser:
        page = await browser.get("/amazon/callback", params=OK_QUERY, follow_redirects=True)
    assert page.status_code == 200 and "Store connected" in page.text
    await asyncio.wait_for(task, 10)


async def test_close_does_not_wait_forever_for_an_unviewed_result() -> None:
    attempt = Attempt()
    run = await start(make_listener(attempt), attempt)
    assert (await run.client.get("/amazon/callback", params=OK_QUERY)).status_code == 303
    elapsed = await run.stop()  # the browser never follows the 303 (stop() fails after 10 s)
    await run.client.aclose()
    assert elapsed >= callback_module.LINGER_SECONDS  # it waited for the page a moment...
    assert elapsed < 5  # ...and stopped then (0.6 s, bounded for a loaded machine)


async def test_cancel_releases_the_port() -> None:
    attempt = Attempt()
    run = await start(make_listener(attempt), attempt)
    address = run.listener.bound_address
    assert address is not None
    await run.client.get("/favicon.ico")
    run.task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run.task
    await run.client.aclose()
    host, port = parse_listen(address)
    with socket.create_server((host, port)):
        pass


async def test_close_before_serving() -> None:
    listener = make_listener(Attempt())
    listener.bind("127.0.0.1:0")
    address = listener.bound_address
    assert address is not None
    listener.close()
    await asyncio.wait_for(listener.serve(Attempt().on_redirect), 1)  # returns at once
    host, port = parse_listen(address)
    with socket.create_server((host, port)):
        pass


async def test_a_failing_attempt_shows_an_error_page() -> None:
    async def broken(query: RedirectQuery) -> CallbackOutcome:
        raise RuntimeError("boom")

    listener = make_listener(Attempt())
    listener.bind("127.0.0.1:0")
    task = asyncio.create_task(listener.serve(broken))
    try:
        async with httpx.AsyncClient(base_url=f"http://{listener.bound_address}") as client:
            page = await client.get("/amazon/callback", params=OK_QUERY, follow_redirects=True)
        assert page.status_code == 200
        assert "could not finish connecting" in page.text
    finally:
        listener.close()
        await asyncio.wait_for(task, 10)


def test_bind_error_when_the_address_is_in_use() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        listener = make_listener(Attempt())
        with pytest.raises(CallbackBindError) as caught:
            listener.bind(f"127.0.0.1:{port}")
    message = str(caught.value)
    assert f"127.0.0.1:{port}" in message
    assert "already in use" in message
    assert "callback_listen" in message
    assert caught.value.address == f"127.0.0.1:{port}"
    assert listener.bound_address is None


@pytest.mark.parametrize(
    "listen", ["8976", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:70000", ":8976", "[::1]8976"]
)
def test_bind_error_for_a_malformed_address(listen: str) -> None:
    with pytest.raises(CallbackBindError) as caught:
        make_listener(Attempt()).bind(listen)
    assert "callback_listen" in str(caught.value)


def test_bind_error_for_a_foreign_address() -> None:
    with pytest.raises(CallbackBindError) as caught:
        make_listener(Attempt()).bind("192.0.2.1:8976")  # TEST-NET-1: never an address of this computer
    assert "192.0.2.1:8976" in str(caught.value)


def test_tls_needs_both_files(tmp_path: Path) -> None:
    with pytest.raises(CallbackBindError, match="callback_tls_key"):
        make_listener(Attempt(), tls_cert=str(tmp_path / "cert.pem")).bind("127.0.0.1:0")
    listener = make_listener(Attempt(), tls_cert=str(tmp_path / "no.pem"), tls_key=str(tmp_path / "no.key"))
    with pytest.raises(CallbackBindError, match="callback_tls_cert"):
        listener.bind("127.0.0.1:0")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
async def test_serves_tls_directly(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    attempt = Attempt()
    listener = make_listener(attempt, tls_cert=str(cert), tls_key=str(key))
    listener.bind("127.0.0.1:0")
    task = asyncio.create_task(listener.serve(attempt.on_redirect))
    try:
        async with httpx.AsyncClient(verify=ssl.create_default_context(cafile=str(cert))) as client:
            page = await client.get(
                f"https://{listener.bound_address}/amazon/callback", params=OK_QUERY, follow_redirects=True
            )
        assert page.status_code == 200 and "Store connected" in page.text
    finally:
        listener.close()
        await asyncio.wait_for(task, 10)


def test_is_loopback() -> None:
    for host in ("127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "localhost"):
        assert is_loopback(host), host
    for host in ("10.0.0.1", "0.0.0.0", "::", "192.168.1.2", "example.com", ""):
        assert not is_loopback(host), host


def test_amazon_callback_allowed_only_to_the_configured_seller_central_hosts() -> None:
    configured = (*SELLER_CENTRAL, "https://sellercentral.amazon.com.mx")
    for uri in (
        "https://sellercentral.amazon.com/apps/authorize/confirm/x",
        "https://sellercentral.amazon.co.uk/x",
        "https://sellercentral.amazon.com.mx/x?y=1",
        "https://SellerCentral.amazon.com:443/x",
    ):
        assert amazon_callback_allowed(uri, configured), uri
    for uri in (
        "https://sellercentral-europe.amazon.com/x",  # Amazon's, but not configured
        "https://solutionproviderportal.amazon.com/x",
        "https://www.amazon.com/x",
        "http://sellercentral.amazon.com/x",
        "https://sellercentral.amazon.com.evil.example/x",
        "https://amazon.com@evil.example/x",
        "https://evilamazon.com/x",
        "https://sellercentral.amazon.com:8443/x",
        "javascript:alert(1)",
        "//sellercentral.amazon.com/x",
        "",
    ):
        assert not amazon_callback_allowed(uri, configured), uri
    assert not amazon_callback_allowed("https://sellercentral.amazon.com/x")  # nothing configured
    assert amazon_callback_allowed("http://127.0.0.1:9999/x", ["http://127.0.0.1:9999"])
    assert not amazon_callback_allowed("http://127.0.0.1:9998/x", ["http://127.0.0.1:9999"])
    assert not amazon_callback_allowed("http://shop.example/x", ["http://shop.example"])  # http off loopback


def test_parse_listen() -> None:
    assert parse_listen("127.0.0.1:8976") == ("127.0.0.1", 8976)
    assert parse_listen(" [::1]:0 ") == ("::1", 0)
    assert parse_listen("localhost:80") == ("localhost", 80)
