"""A real headless Chromium through the sandbox's consent pages, back to the app's real callback listener.

The browser runs in a worker thread (`asyncio.to_thread`) while this test's event loop serves the
listener, as the app does while a connect attempt waits. Without Chromium or Playwright these tests fail
(they never skip) and say how to install what is missing.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from asc_tui.amazon.callback import CallbackListener, CallbackOutcome
from asc_tui.amazon.consent import consent_url, new_state, state_matches
from asc_tui.amazon.lwa import LwaClient
from asc_tui.amazon.redirect import RedirectQuery
from asc_tui.sandbox import (
    DEMO_SELLERS,
    SANDBOX_APPLICATION_ID,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SandboxEmulator,
)
from tests.support import browser
from tests.support.browser import BrowserResult, BrowserUnavailable, check_browser, consent_in_browser

pytestmark = pytest.mark.slow

NA = DEMO_SELLERS[0]
REDIRECT_PATH = "/amazon/callback"
CONNECTED_TITLE = "Store connected"
DECLINED_TITLE = "Amazon did not connect the store"


@dataclass
class Attempt:
    """Stands in for the connect attempt: checks the state, records every answer, says how it went."""

    state: str
    received: list[RedirectQuery] = field(default_factory=list)

    async def on_redirect(self, query: RedirectQuery) -> CallbackOutcome:
        self.received.append(query)
        if not state_matches(self.state, query.state or ""):
            return CallbackOutcome(False, "This answer is for another attempt", "The state does not match.")
        if query.is_error:
            return CallbackOutcome(False, DECLINED_TITLE, query.error_description or query.error or "")
        return CallbackOutcome(
            True, CONNECTED_TITLE, f"Amazon Store USA is connected to seller {query.selling_partner_id}."
        )


@dataclass
class Connect:
    emu: SandboxEmulator
    listener: CallbackListener
    attempt: Attempt
    redirect_uri: str

    @property
    def consent_url(self) -> str:
        return consent_url(
            self.emu.seller_central_url("US"),
            SANDBOX_APPLICATION_ID,
            self.attempt.state,
            draft_app=True,
            redirect_uri=self.redirect_uri,
        )

    async def browse(self, *, decline: bool = False) -> BrowserResult:
        """Chromium in a worker thread, while this loop serves the listener.

        A missing Chromium or Playwright fails the test (never skips it) with the one line that says how
        to install it.
        """
        problem = None
        try:
            check_browser()
        except BrowserUnavailable as exc:
            problem = str(exc)
        if problem is not None:
            pytest.fail(problem, pytrace=False)
        return await asyncio.to_thread(consent_in_browser, self.consent_url, email=NA.email, decline=decline)


@pytest.fixture
def emu() -> Iterator[SandboxEmulator]:
    with SandboxEmulator() as emulator:
        yield emulator


@pytest.fixture
async def connect(emu: SandboxEmulator) -> AsyncIterator[Connect]:
    attempt = Attempt(state=new_state())
    # The redirect URI names the port, which is known only once bound: bind first, then set it.
    listener = CallbackListener(REDIRECT_PATH, redirect_uri="", current_state=lambda: attempt.state)
    listener.bind("127.0.0.1:0")
    listener.redirect_uri = f"http://{listener.bound_address}{REDIRECT_PATH}"
    task = asyncio.create_task(listener.serve(attempt.on_redirect))
    try:
        yield Connect(emu, listener, attempt, listener.redirect_uri)
    finally:
        listener.close()
        await asyncio.wait_for(task, 10)


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


async def test_approve_in_chromium_reaches_the_listener_and_the_code_exchanges(connect: Connect) -> None:
    result = await connect.browse()

    assert result.next_was_gated, "Next must stay disabled until “I understand…” is ticked"

    (received,) = connect.attempt.received
    assert received.state == connect.attempt.state
    assert received.selling_partner_id == NA.selling_partner_id
    assert received.spapi_oauth_code
    assert not received.is_error

    # The browser was sent to the redirect URI with Amazon's query, then on to the listener's result page.
    assert result.redirect_url.startswith(connect.redirect_uri + "?")
    assert query_of(result.redirect_url)["spapi_oauth_code"] == [received.spapi_oauth_code]
    final = urlsplit(result.url)
    assert final.netloc == connect.listener.bound_address
    assert final.path == connect.listener.result_path
    assert result.status == 200
    assert result.title.startswith(CONNECTED_TITLE)
    assert CONNECTED_TITLE in result.text
    assert f"connected to seller {NA.selling_partner_id}" in result.text
    assert received.spapi_oauth_code not in result.url + result.text  # the code left the address bar

    # The code the browser carried is a real one: LWA exchanges it (once) for the seller's tokens.
    code = query_of(result.redirect_url)["spapi_oauth_code"][0]
    with LwaClient(connect.emu.lwa_token_url, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET) as lwa:
        tokens = await asyncio.to_thread(lwa.exchange_code, code, connect.redirect_uri)
    assert tokens.refresh_token.startswith("Atzr|")
    assert tokens.access_token.startswith("Atza|")
    assert {code, tokens.refresh_token, tokens.access_token} <= set(connect.emu.issued_secrets)


async def test_decline_in_chromium_ends_at_the_redirect_with_access_denied(connect: Connect) -> None:
    result = await connect.browse(decline=True)

    assert result.next_was_gated
    (received,) = connect.attempt.received
    assert received.is_error
    assert received.error == "access_denied"
    assert received.state == connect.attempt.state
    assert received.spapi_oauth_code is None

    assert result.redirect_url.startswith(connect.redirect_uri + "?")
    query = query_of(result.redirect_url)
    assert query["error"] == ["access_denied"]
    assert query["state"] == [connect.attempt.state]
    assert "spapi_oauth_code" not in query
    assert urlsplit(result.url).path == connect.listener.result_path
    assert DECLINED_TITLE in result.text
    assert connect.emu.issued_secrets == []  # no code was issued


def test_a_missing_chromium_is_a_failure_that_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(browser, "_FALLBACK_CHROMIUM", str(Path("/nonexistent/chromium")))
    with pytest.raises(BrowserUnavailable, match=r"scripts/system-deps\.sh"):
        check_browser()


async def test_calling_the_browser_on_the_event_loop_thread_is_refused() -> None:
    with pytest.raises(RuntimeError, match=r"asyncio\.to_thread"):
        consent_in_browser("http://127.0.0.1:9/", email=NA.email)
