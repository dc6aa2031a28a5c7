"""The pages asc-tui shows in a browser speak Traditional Chinese when asc-tui does, over real HTTP.

The callback worker's result pages, the relay page and the sandbox's sign-in and consent pages: each says
`lang="zh-Hant"`, is served as UTF-8 (and decodes as such), shows a phrase of the zh-Hant catalog, and
still escapes what a request or a seller put into it. One slow test takes headless Chromium through the
Chinese sandbox pages back to the callback worker, and runs the relay page's script.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from asc_tui import i18n
from asc_tui.amazon import callback_server
from asc_tui.amazon.callback import CallbackListener, CallbackOutcome
from asc_tui.amazon.consent import consent_url, new_state
from asc_tui.amazon.redirect import RedirectQuery
from asc_tui.amazon.relay import relay_page
from asc_tui.i18n import _, format_day
from asc_tui.sandbox import (
    DEMO_SELLERS,
    SANDBOX_APPLICATION_ID,
    SANDBOX_APPLICATION_NAME,
    SandboxEmulator,
)
from tests.support.consent_forms import approve, follow, submit

NA = DEMO_SELLERS[0]
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
HOSTILE_ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
REDIRECT_PATH = "/amazon/callback"


@pytest.fixture(autouse=True)
def chinese() -> None:
    i18n.set_language("zh-Hant")  # tests/conftest.py sets English back


def assert_chinese_html(response: httpx.Response, *phrases: str) -> str:
    """The page is UTF-8 (declared and real), says lang="zh-Hant" and shows every phrase; its text."""
    assert response.headers["content-type"].replace(" ", "").lower() == "text/html;charset=utf-8"
    text = response.content.decode("utf-8")  # strict: invalid UTF-8 fails here
    assert '<meta charset="utf-8">' in text
    assert re.search(r'<html lang="zh-Hant"[ >]', text), text[:200]
    for phrase in phrases:
        assert phrase in text, f"{phrase!r} not on the page"
    return text


def assert_no_hostile_markup(text: str) -> None:
    assert "<script>alert" not in text and "<img" not in text


# --- the callback worker ---------------------------------------------------------------------------


async def outcome_for(query: RedirectQuery) -> CallbackOutcome:
    """As the connect attempt words it, in the current language, with a hostile store name."""
    if query.is_error:
        said = f"{query.error_description} ({query.error})"
        return CallbackOutcome(
            False,
            _("Not connected"),
            _("Amazon ended the authorization: {said}; store {name!r} is unchanged.").format(
                said=said, name=HOSTILE
            ),
        )
    return CallbackOutcome(
        True,
        _("Connected"),
        _("Store {name!r} is connected: seller {seller}, Amazon {code}; renew by {day}.").format(
            name=HOSTILE, seller=query.selling_partner_id, code="US", day=format_day(date(2027, 11, 27))
        ),
    )


@pytest.fixture
async def worker() -> AsyncIterator[httpx.AsyncClient]:
    listener = CallbackListener(REDIRECT_PATH, redirect_uri="", current_state=lambda: "S1")
    listener.bind("127.0.0.1:0")
    task = asyncio.create_task(listener.serve(outcome_for))
    try:
        async with httpx.AsyncClient(base_url=f"http://{listener.bound_address}", timeout=5) as client:
            yield client
    finally:
        listener.close()
        await asyncio.wait_for(task, 10)


async def test_the_connected_page_is_chinese(worker: httpx.AsyncClient) -> None:
    query = {"state": "S1", "selling_partner_id": "A3SELLER", "spapi_oauth_code": "CODE123"}
    page = await worker.get(REDIRECT_PATH, params=query, follow_redirects=True)
    assert page.status_code == 200 and [r.status_code for r in page.history] == [303]
    text = assert_chinese_html(
        page,
        "已連接",
        "已連接：賣家 A3SELLER、Amazon US；續訂期限為 2027年11月27日。",
        _("You can close this tab and return to asc-tui in your terminal."),
        "你可以關閉此分頁",
        "Amazon 銷售通路",
    )
    assert "<title>已連接 · asc-tui</title>" in text
    assert_no_hostile_markup(text)
    assert HOSTILE_ESCAPED in text


async def test_the_error_page_is_chinese_and_escapes_amazons_words(worker: httpx.AsyncClient) -> None:
    query = {"state": "S1", "error": "access_denied", "error_description": HOSTILE}
    page = await worker.get(REDIRECT_PATH, params=query, follow_redirects=True)
    assert page.status_code == 200
    text = assert_chinese_html(page, "未連接", "Amazon 結束了授權：", "請回到終端機中的 asc-tui 再試一次。")
    assert_no_hostile_markup(text)
    assert text.count(HOSTILE_ESCAPED) == 2  # Amazon's description and the store's name


async def test_the_worker_refuses_in_chinese(worker: httpx.AsyncClient) -> None:
    expired = await worker.get(REDIRECT_PATH + "/done", params={"r": "<b>gone</b>"})
    assert expired.status_code == 404
    assert_chinese_html(expired, "此頁面已過期")
    not_amazon = await worker.get(REDIRECT_PATH, params={"state": "S1"})
    assert not_amazon.status_code == 400
    assert_chinese_html(not_amazon, "這不是來自 Amazon 的回應", "spapi_oauth_code")
    elsewhere = await worker.get("/<script>")
    assert elsewhere.status_code == 404
    assert elsewhere.headers["content-type"].replace(" ", "").lower() == "text/plain;charset=utf-8"
    assert elsewhere.content.decode("utf-8") == "找不到頁面。\n"


async def refused(address: tuple[str, int], data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `data` and read what the worker answers before it closes: status, headers, body."""
    reader, writer = await asyncio.open_connection(*address)
    try:
        writer.write(data)
        await writer.drain()
        async with asyncio.timeout(5):
            got = await reader.read()
    finally:
        writer.close()
    head, _blank, body = got.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


async def test_a_head_refused_before_it_is_parsed_is_chinese_too(
    worker: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker refuses a head too long or too slow before h11 parses it; in the admin's language, as
    its other refusals, and with a content-length in bytes of the UTF-8 text."""
    address = (worker.base_url.host, worker.base_url.port)
    assert address[1] is not None
    monkeypatch.setattr(callback_server, "HEAD_TIMEOUT_SECONDS", 0.5)
    for data, status, said in (
        (b"GET /amazon/callback?state=" + b"a" * 10_000, 414, "這個網址太長了。"),
        (b"GET /amazon/callback HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 20_000, 431, "請求標頭太大了。"),
        (b"GET /amazon/callback HTTP/1.1\r\n", 408, _("The request took too long to arrive.")),
    ):
        got_status, headers, body = await refused((address[0], address[1]), data)
        assert got_status == status
        assert headers["content-type"] == "text/plain; charset=utf-8"
        assert body.decode("utf-8") == said + "\n"
        assert int(headers["content-length"]) == len(body)
    assert _("The request took too long to arrive.") != "The request took too long to arrive."


# --- the relay page --------------------------------------------------------------------------------


class RelaySite:
    """The relay page as an admin hosts it: a static file on a web server, served as UTF-8."""

    def __init__(self) -> None:
        self.page = b""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(site.page)))
                self.end_headers()
                self.wfile.write(site.page)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        host, port = self.server.server_address[:2]
        self.url = f"http://{host!s}:{port}/amazon/relay.html"

    def host(self, page: str) -> None:
        self.page = page.encode("utf-8")


@pytest.fixture
def relay_site() -> Iterator[RelaySite]:
    site = RelaySite()
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.server.shutdown()
        site.server.server_close()


def test_the_relay_page_is_chinese_and_its_script_stays_sealed(relay_site: RelaySite) -> None:
    relay_site.host(relay_page("127.0.0.1:8976", '/cb</script><script>alert(1)</script>"'))
    response = httpx.get(relay_site.url, timeout=5)
    text = assert_chinese_html(
        response,
        "<title>正在返回 asc-tui</title>",
        "正在返回 asc-tui…",
        "JavaScript 已關閉",
        "網址列",
        '<button id="copy" type="button">複製</button>',
    )
    assert text.count("</script>") == 1 and "\\u003c/script\\u003e" in text
    script = re.search(r"<script>(.*?)</script>", text, re.S)
    assert script is not None
    # The words the script shows are in Chinese too, and the page's CSP still allows exactly that script.
    assert '"' + "".join(f"\\u{ord(c):04x}" for c in "請將這個網址貼到") in script.group(1)
    digest = base64.b64encode(hashlib.sha256(script.group(1).encode("utf-8")).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in text


# --- the sandbox's Seller Central pages ------------------------------------------------------------


@pytest.fixture
def emulator() -> Iterator[SandboxEmulator]:
    with SandboxEmulator(redirect_uris=("https://admin.example.com/amazon/callback",)) as emu:
        yield emu


def test_the_sandbox_sign_in_and_consent_pages_are_chinese(emulator: SandboxEmulator) -> None:
    url = consent_url(emulator.seller_central_url("US"), SANDBOX_APPLICATION_ID, HOSTILE, draft_app=True)
    with httpx.Client(follow_redirects=False, timeout=10) as client:
        signin = follow(client, client.get(url))
        text = assert_chinese_html(
            signin, "<h1>登入</h1>", "電子郵件地址或手機號碼", "沙箱示範帳戶", "沙箱 — 不是 Amazon"
        )
        assert 'id="signin"' in text

        refused = follow(client, submit(client, signin, email=HOSTILE, password="sandbox"))
        text = assert_chinese_html(refused, "找不到使用該電子郵件地址或手機號碼的帳戶。", "發生問題")
        assert_no_hostile_markup(text)
        assert f'value="{HOSTILE_ESCAPED}"' in text

        mfa = follow(client, submit(client, refused, email=NA.email, password=NA.password))
        assert_chinese_html(mfa, "兩步驟驗證", "沙箱：驗證碼是 <code>123456</code>。")
        consent = follow(client, submit(client, mfa, otp=NA.otp))
        text = assert_chinese_html(
            consent,
            f"<span>I understand… 我指示 Amazon 讓 {SANDBOX_APPLICATION_NAME} 存取我的 Amazon 賣家帳戶",  # Amazon's own words stay as the steps quote them
            ">Next</button>",
            ">取消</button>",
            "北美",
            "美國",
            "沙箱：應用程式送出的內容",
            "version=beta",
        )
        assert_no_hostile_markup(text)
        assert HOSTILE_ESCAPED in text  # the state the app sent, shown in the request details

        unticked = follow(client, submit(client, consent, action="next"))
        assert_chinese_html(unticked, "請勾選「I understand…」方塊以授權應用程式，或選擇「取消」。")
        almost = follow(client, submit(client, unticked, action="next", understand="yes"))
        assert_chinese_html(
            almost, "<h1>You are almost done</h1>", "<b>Continue</b> 完成對", ">Continue</button>"
        )


def test_the_consent_walk_of_the_connect_tests_works_in_chinese(emulator: SandboxEmulator) -> None:
    url = consent_url(
        emulator.seller_central_url("UK"),
        SANDBOX_APPLICATION_ID,
        "S1",
        draft_app=True,
        redirect_uri="https://admin.example.com/amazon/callback",
    )
    location = approve(url, DEMO_SELLERS[1])
    assert location.startswith("https://admin.example.com/amazon/callback?state=S1&selling_partner_id=")


# --- a real browser --------------------------------------------------------------------------------


@pytest.mark.slow
async def test_chromium_goes_through_the_chinese_pages(tmp_path: Path) -> None:
    from tests.support.browser import BrowserUnavailable, check_browser, consent_in_browser

    try:
        executable = check_browser()
    except BrowserUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    state = new_state()
    listener = CallbackListener(REDIRECT_PATH, redirect_uri="", current_state=lambda: state)
    listener.bind("127.0.0.1:0")
    redirect_uri = f"http://{listener.bound_address}{REDIRECT_PATH}"
    task = asyncio.create_task(listener.serve(outcome_for))
    emulator = SandboxEmulator()  # no registered redirect URI: the app's own one is sent along
    emulator.start()
    try:
        url = consent_url(
            emulator.seller_central_url("US"),
            SANDBOX_APPLICATION_ID,
            state,
            draft_app=True,
            redirect_uri=redirect_uri,
        )
        result = await asyncio.to_thread(consent_in_browser, url, email=NA.email)
    finally:
        emulator.stop()
        listener.close()
        await asyncio.wait_for(task, 10)
    assert result.next_was_gated
    assert result.title == "已連接 · asc-tui"
    assert f"已連接：賣家 {NA.selling_partner_id}、Amazon US；續訂期限為 2027年11月27日。" in result.text
    assert HOSTILE in result.text  # shown as text, not run

    # The relay page's script runs under its CSP and writes its Chinese words.
    relay = tmp_path / "relay.html"
    relay.write_text(relay_page("127.0.0.1:8976", REDIRECT_PATH), encoding="utf-8")
    title = await asyncio.to_thread(_relay_title_in_chromium, executable, relay.as_uri())
    assert title == "asc-tui 中繼頁面"


def _relay_title_in_chromium(executable: str, url: str) -> str:
    from playwright.sync_api import sync_playwright

    from tests.support.browser import CHROMIUM_ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page()
            page.goto(url)  # the script runs before the load event goto waits for
            return page.inner_text("#title")
        finally:
            browser.close()
