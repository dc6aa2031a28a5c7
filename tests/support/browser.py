"""A real headless Chromium that goes through the sandbox emulator's consent pages, as a seller would.

`consent_in_browser(url, email=...)` launches Debian's `chromium` through Playwright's sync API (no
`playwright install`: the browser comes from `scripts/system-deps.sh`), signs in, passes two-step
verification, ticks "I understand…", clicks Next and Continue (or Cancel), and returns where the browser
ended up once it left the emulator. It blocks, and Playwright's sync API refuses a thread whose event
loop is running: from an async test call it through `asyncio.to_thread`, so the loop keeps serving the
callback listener while the browser works.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Request, Response

CHROMIUM_ARGS = (
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
)
_FALLBACK_CHROMIUM = "/usr/bin/chromium"
_INSTALL_HINT = "run `bash scripts/system-deps.sh` as root (it installs Debian's chromium package)"


class BrowserUnavailable(RuntimeError):
    """Chromium or Playwright is missing: a setup problem, said in one sentence with its fix."""


class ConsentPageError(AssertionError):
    """The browser did not get through a consent page (e.g. a wrong password), with what the page said."""


@dataclass(frozen=True)
class BrowserResult:
    """Where the browser ended up after it left the emulator."""

    url: str  # the final address (after the app's own redirects, e.g. the listener's result page)
    title: str
    text: str  # the body's visible text
    status: int | None  # HTTP status of the final document
    redirect_url: str  # the first address outside the emulator: the app's redirect URI with Amazon's query
    navigations: tuple[str, ...]  # every main-frame request, redirects included, in order
    next_was_gated: bool  # Next was disabled until "I understand…" was ticked, and enabled after
    seconds: float  # from launching the browser to the final page


def chromium_executable() -> str:
    """The path of Debian's Chromium; raises BrowserUnavailable (with the fix) when it is not installed."""
    found = shutil.which("chromium")
    if found:
        return found
    if Path(_FALLBACK_CHROMIUM).is_file():
        return _FALLBACK_CHROMIUM
    raise BrowserUnavailable(f"Chromium is not installed (no `chromium` on PATH): {_INSTALL_HINT}.")


def check_browser() -> str:
    """Chromium's path once both it and Playwright are there; raises BrowserUnavailable otherwise."""
    path = chromium_executable()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise BrowserUnavailable(
            "Playwright for Python is not installed: run `pip install -e '.[dev]'` "
            "(never `playwright install`: the tests use Debian's chromium)."
        ) from None
    return path


def consent_in_browser(
    consent_url: str,
    *,
    email: str,
    password: str = "sandbox",
    otp: str = "123456",
    decline: bool = False,
    timeout_s: float = 60,
) -> BrowserResult:
    """Open `consent_url` in headless Chromium and approve (or decline) the app as the seller `email`.

    Returns once the browser has left the emulator's host and the page there has loaded. Raises
    ConsentPageError when a page shows an error instead of the next step, BrowserUnavailable when
    Chromium or Playwright is missing, and Playwright's TimeoutError when it all takes over `timeout_s`.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError(
            "consent_in_browser blocks and uses Playwright's sync API, which cannot run in a thread whose "
            "event loop is running: call it with `await asyncio.to_thread(consent_in_browser, ...)`."
        )
    executable = check_browser()
    from playwright.sync_api import sync_playwright

    emulator_host = urlsplit(consent_url).netloc
    started = time.monotonic()
    deadline = started + timeout_s

    def left_ms() -> float:
        return max(1.0, (deadline - time.monotonic()) * 1000)

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable, headless=True, args=list(CHROMIUM_ARGS), timeout=left_ms()
        )
        try:
            context = browser.new_context(java_script_enabled=True)
            page = context.new_page()
            navigations: list[str] = []
            statuses: dict[str, int] = {}

            def on_request(request: Request) -> None:
                if request.is_navigation_request() and request.frame == page.main_frame:
                    navigations.append(request.url)

            def on_response(response: Response) -> None:
                if response.request.is_navigation_request() and response.frame == page.main_frame:
                    statuses[response.url] = response.status

            page.on("request", on_request)
            page.on("response", on_response)

            def step(action_selector: str | None, expect: str) -> None:
                """Click `action_selector` (if any), then wait for `expect` or the page's error box."""
                page.set_default_timeout(left_ms())
                if action_selector is not None:
                    page.click(action_selector)
                page.locator(f"{expect}, #error").first.wait_for(state="attached")
                if page.locator(expect).count() == 0:
                    raise ConsentPageError(
                        f"Expected {expect} at {page.url}, but the page says: {page.inner_text('body')!r}"
                    )

            page.set_default_navigation_timeout(left_ms())
            page.goto(consent_url)
            step(None, "#signin")
            page.fill("#email", email)
            page.fill("#password", password)
            if page.input_value("#email") != email:
                # Seen with a Chromium that finds no font at all: typing silently does nothing.
                raise BrowserUnavailable(
                    "Chromium did not take the text typed into the sign-in form; is a font installed "
                    "(`fc-list` lists none)? Debian's fonts-dejavu-core is enough."
                )
            step("#signin", "#otp")
            page.fill("#otp", otp)
            step("#verify", "#understand")

            next_button = page.locator("#next")
            gated_before = next_button.is_disabled()
            page.check("#understand")
            next_was_gated = gated_before and next_button.is_enabled()

            page.set_default_timeout(left_ms())
            if decline:
                page.click("#decline")
            else:
                step("#next", "#continue")
                page.set_default_timeout(left_ms())
                page.click("#continue")
            page.wait_for_url(lambda url: urlsplit(url).netloc != emulator_host, timeout=left_ms())
            page.wait_for_load_state("load", timeout=left_ms())

            redirect_url = next((u for u in navigations if urlsplit(u).netloc != emulator_host), page.url)
            if page.url.startswith("chrome-error:"):
                raise ConsentPageError(
                    f"The browser could not open {redirect_url}: {page.inner_text('body')!r}"
                )
            return BrowserResult(
                url=page.url,
                title=page.title(),
                text=page.inner_text("body"),
                status=statuses.get(page.url),
                redirect_url=redirect_url,
                navigations=tuple(navigations),
                next_was_gated=next_was_gated,
                seconds=time.monotonic() - started,
            )
        finally:
            browser.close()


__all__ = [
    "CHROMIUM_ARGS",
    "BrowserResult",
    "BrowserUnavailable",
    "ConsentPageError",
    "check_browser",
    "chromium_executable",
    "consent_in_browser",
]
