"""`asc-tui stores connect NAME`: the connect flow without the TUI, for scripts and bare SSH sessions.

The consent link goes to stdout (so a script can capture it); the steps and every message go to stderr.
The callback worker and stdin are armed at once: whichever brings a valid answer first wins.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from asc_tui.errors import EXIT_INVALID, EXIT_OK
from asc_tui.i18n import _, ngettext
from asc_tui.services.connect_steps import consent_steps
from asc_tui.services.paste import Next, PasteBox

if TYPE_CHECKING:
    from asc_tui.services.connect import ConnectService, ConnectSession
    from asc_tui.services.registry import Registry

EXIT_INTERRUPTED = 130
PREFIX = "asc-tui: "  # before a problem, in every language (as the other commands write it)
MAX_LINE = 64 * 1024


def _say(text: str, end: str = "\n") -> None:
    """A line on stderr; its control characters escaped, for it may quote Amazon (an error_description)."""
    from asc_tui.system.logs import escape_controls

    print(escape_controls(text, keep_newlines=True), file=sys.stderr, end=end, flush=True)


def connect_store(
    registry: Registry,
    name: str,
    *,
    seller_id: str | None = None,
    browser: bool = True,
    authorization: str | None = None,
    new_authorization: bool = False,
) -> int:
    store = registry.stores.find(name)
    service = registry.connect
    if authorization is not None and new_authorization:
        _say(PREFIX + _("Give either --authorization or --new-authorization, not both."))
        return EXIT_INVALID
    if not new_authorization:
        reused = _use_authorization(service, store.id or 0, store.name, authorization)
        if reused is not None:
            return reused
    attempt = service.start(store.id or 0)
    interrupted = False
    try:
        for line in consent_steps(attempt, sandbox=registry.sandbox):
            _say(line)
        print(attempt.consent_url, flush=True)
        if browser:
            _open_browser(attempt.consent_url)
        minutes = service.amazon.connect_timeout_minutes
        if attempt.listener is None:
            _say(_("Not listening for Amazon: {problem}").format(problem=attempt.listen_problem))
        else:
            _say(
                ngettext(
                    "Waiting for Amazon at {redirect_uri} for {minutes} minute.",
                    "Waiting for Amazon at {redirect_uri} for {minutes} minutes.",
                    minutes,
                ).format(redirect_uri=attempt.redirect_uri, minutes=minutes)
            )
        with _no_echo() as hidden:  # before the paste is asked for: it may come at once
            _say(
                _(
                    "Paste the address your browser ended on (or a self-authorization refresh token) and "
                    "press Enter; Ctrl-C cancels."
                )
            )
            asyncio.run(_wait(service, attempt, seller_id, hidden=hidden))
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if not attempt.ended and service.cancel(attempt) is None:
            # Amazon's answer is being checked right now: it stops before saving, or finishes saving.
            _say(_("Stopping after Amazon's answer is checked…"))
            attempt.wait(timeout=120)
    outcome = attempt.outcome
    if outcome is None:  # only when a save hangs past every timeout
        _say(PREFIX + _("The attempt did not finish; run the command again."))
        return EXIT_INVALID
    _say((PREFIX if not outcome.connected else "") + outcome.message)
    if outcome.connected:
        return EXIT_OK
    return EXIT_INTERRUPTED if interrupted and outcome.cancelled else EXIT_INVALID


def _use_authorization(
    service: ConnectService, store_id: int, name: str, seller_id: str | None
) -> int | None:
    """Connect with the seller's authorization in the region when one fits; None: go on to consent."""
    offers = service.reusable_authorizations(store_id)
    if seller_id is not None:
        chosen = [offer for offer in offers if offer.seller_id == seller_id.strip()]
        if not chosen:
            _say(
                PREFIX
                + _(
                    "Seller {seller} has no authorization store {name!r} can use (none in its region that "
                    "is healthy and whose token is on this machine, or the store is already connected); "
                    "run the command without --authorization."
                ).format(seller=seller_id, name=name)
            )
            return EXIT_INVALID
        offers = chosen
    if not offers:
        return None
    if len(offers) > 1:
        _say(
            PREFIX
            + _(
                "Store {name!r} could use {count} authorizations in its region; choose one with "
                "--authorization SELLER_ID, or sign in with Seller Central with --new-authorization:"
            ).format(name=name, count=len(offers))
        )
        for offer in offers:
            _say("  " + offer.seller_id + " · " + offer.describe())
        return EXIT_INVALID
    (offer,) = offers
    _say(offer.describe() + " …")
    outcome = service.use_authorization(store_id, offer.authorization_id)
    _say((PREFIX if not outcome.connected else "") + outcome.message)
    return EXIT_OK if outcome.connected else EXIT_INVALID


@contextlib.contextmanager
def _no_echo() -> Iterator[bool]:
    """While connecting, a terminal on stdin does not echo what is pasted (a self-authorization refresh
    token is a credential), as getpass does; Enter still moves to a new line. Yields whether it is hidden."""
    try:
        import termios

        fd = sys.stdin.fileno()
        before = termios.tcgetattr(fd) if os.isatty(fd) else None
    except (ImportError, OSError, ValueError, AttributeError):  # no termios (Windows), no stdin
        before = None
    if before is None:
        yield False
        return
    quiet = list(before)
    quiet[3] = (quiet[3] & ~termios.ECHO) | termios.ECHONL
    try:
        termios.tcsetattr(fd, termios.TCSANOW, quiet)
    except termios.error:
        yield False
        return
    try:
        yield True
    finally:
        with contextlib.suppress(termios.error):
            termios.tcsetattr(fd, termios.TCSANOW, before)


def _open_browser(url: str) -> None:
    """The TUI's rule: open where a browser can open here; an explicit $BROWSER is always honoured."""
    from asc_tui.system.browser import choose_browser, open_url

    choice = choose_browser()
    if choice.command is None:
        _say(
            _("Browser not opened: {reason}. Open the link on your own computer.").format(
                reason=choice.reason
            )
        )
    elif open_url(choice, url):
        _say(_("Browser {reason}.").format(reason=choice.reason))
    else:
        _say(_("The browser could not be started."))


async def _wait(
    service: ConnectService, attempt: ConnectSession, seller_id: str | None, *, hidden: bool = False
) -> None:
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()

    def read_stdin() -> None:
        # A daemon thread reading the raw descriptor: sys.stdin's buffered reader would hold a lock that
        # makes the interpreter abort at exit while this thread still waits. Bytes are decoded leniently:
        # one stray byte must not end reading for the rest of the attempt.
        pending = b""
        try:
            fd = sys.stdin.fileno()
            while not attempt.ended:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                pending += chunk
                while b"\n" in pending:
                    raw, pending = pending.split(b"\n", 1)
                    loop.call_soon_threadsafe(
                        lines.put_nowait, raw[:MAX_LINE].decode("utf-8", errors="replace")
                    )
                pending = pending[-MAX_LINE:]
        except (OSError, ValueError, RuntimeError):
            pass
        if pending.strip():
            loop.call_soon_threadsafe(lines.put_nowait, pending.decode("utf-8", errors="replace"))
        with contextlib.suppress(RuntimeError):  # the loop may already be closed
            loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=read_stdin, name="asc-stdin", daemon=True).start()
    worker = asyncio.create_task(service.serve_callbacks(attempt))
    box = PasteBox(service, attempt, seller_id)
    stdin_open = True
    try:
        while not attempt.ended:
            if box.expire_if_due():
                break
            if not stdin_open:
                if attempt.listener is None:
                    _say(
                        PREFIX
                        + _(
                            "Nothing is listening for Amazon and stdin is closed, so nothing can finish this."
                        )
                    )
                    service.cancel(attempt)
                    break
                await asyncio.sleep(0.25)
                continue
            try:
                line = await asyncio.wait_for(lines.get(), timeout=0.25)
            except TimeoutError:
                continue
            if line is None:
                stdin_open = False  # e.g. run from cron: the callback worker alone can still finish
                continue
            text = line.strip()
            if not text or attempt.ended:
                continue
            if hidden:
                # What was pasted is not shown (it may be a refresh token); the seller ID is no secret.
                _say(
                    text
                    if box.wants_seller_id
                    else ngettext(
                        "Read {count} character (not shown).",
                        "Read {count} characters (not shown).",
                        len(text),
                    ).format(count=len(text))
                )
            asked_before = box.wants_seller_id
            reply = await asyncio.to_thread(box.submit, text)
            if reply.next is Next.SELLER_ID:
                if asked_before:
                    _say(PREFIX + reply.message)
                _say(_("Seller ID (Merchant Token, Seller Central › Settings › Account Info): "), end="")
            elif reply.next is Next.REFUSED:
                _say(PREFIX + reply.message)
            else:
                break
    finally:
        if not attempt.ended:
            service.cancel(attempt)
        try:
            await asyncio.wait_for(worker, timeout=3)
        except TimeoutError:
            worker.cancel()
