"""A real terminal for tests: a private tmux server running one program, read as a person reads it.

Every step waits for what a person would see before the next key (the text on screen, where the cursor
stands, which field is highlighted), never for a clock: keys typed faster than the program takes them
(a Tab still moving the focus while the next letters arrive) land in the wrong field.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType

import pytest

WAIT_SECONDS = 60.0  # generous: a loaded machine may be many times slower; failing is the signal
_SGR_RUN = re.compile(r"(?:\x1b\[[0-9;]*m)+$")
# The program runs under sh, which writes how it ended on the screen and ends the same way; the pane stays,
# and tmux says "Pane is dead (status N, …)" there too (either may be the one left on screen).
_WRAPPER = '"$0" "$@"; status=$?; echo "[exited with status $status]"; exit $status'
_EXITED = re.compile(r"\[exited with status (\d+)\]|Pane is dead \(status (\d+)")


def require_tmux() -> str:
    """tmux's path; fails (never skips) where it is missing: these tests are part of the suite."""
    path = shutil.which("tmux")
    if path is None:
        pytest.fail("tmux is not installed: install it with scripts/system-deps.sh (Debian package tmux)")
    return path


class Tmux:
    """`with Tmux(argv, env) as term: term.wait_for_text("…"); term.keys("Tab")`."""

    def __init__(
        self, argv: Sequence[str], env: Mapping[str, str], *, cwd: str, width: int = 110, height: int = 40
    ) -> None:
        self.tmux = require_tmux()
        self.socket = f"asc-test-{os.getpid()}-{id(self)}"
        self.env = dict(env)
        self.argv = list(argv)
        self.cwd = cwd
        self.width, self.height = width, height
        self._socket_path = ""

    def _run(self, *args: str) -> str:
        # -f /dev/null: none of the user's settings; -L: a server of our own, started with the test's
        # environment (a session added to a running server would get that server's).
        done = subprocess.run(
            [self.tmux, "-f", "/dev/null", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.cwd,
            timeout=60,
        )
        if done.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def __enter__(self) -> Tmux:
        self._run(
            "new-session", "-d", "-x", str(self.width), "-y", str(self.height), "-s", "test",
            "-c", self.cwd, "sh", "-c", _WRAPPER, *self.argv,
        )  # fmt: skip
        self._run("set-option", "-t", "test", "remain-on-exit", "on")  # the screen stays once it ended
        self._socket_path = self._run("display-message", "-p", "#{socket_path}").strip()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        with contextlib.suppress(RuntimeError, subprocess.SubprocessError):
            self._run("kill-server")
        if self._socket_path:  # tmux may leave its socket file behind
            with contextlib.suppress(OSError):
                os.unlink(self._socket_path)

    # --- reading --------------------------------------------------------------------------------------

    def screen(self) -> str:
        return self._run("capture-pane", "-p", "-t", "test")

    def styled_screen(self) -> str:
        """The screen with each cell's style, as tmux holds it (its own rendering of what it was sent)."""
        return self._run("capture-pane", "-p", "-e", "-t", "test")

    def settled(self, seconds: float = WAIT_SECONDS, quiet: float = 0.6) -> str:
        """The styled screen once it has not changed for `quiet` seconds."""
        deadline = time.monotonic() + seconds
        last, since = self.styled_screen(), time.monotonic()
        while time.monotonic() - since < quiet:
            if time.monotonic() > deadline:
                raise AssertionError(f"the screen never settled within {seconds:g} s:\n{self.screen()}")
            time.sleep(0.1)
            now = self.styled_screen()
            if now != last:
                last, since = now, time.monotonic()
        return last

    def resize(self, width: int, height: int) -> None:
        self._run("resize-window", "-t", "test", "-x", str(width), "-y", str(height))

    def lines(self) -> list[str]:
        return self.screen().splitlines()

    def cursor_row(self) -> int:
        """The row of the terminal's cursor: where an input field takes what is typed."""
        return int(self._run("display-message", "-p", "-t", "test", "#{cursor_y}").strip())

    def highlighted(self, text: str) -> bool:
        """Whether `text` is drawn on a background of its own (as a focused field is)."""
        for line in self._run("capture-pane", "-p", "-e", "-t", "test").splitlines():
            at = line.find(text)
            if at >= 0:
                styles = _SGR_RUN.search(line[:at])
                if styles and re.search(r"\x1b\[(?:[0-9;]*;)?48;", styles.group()):
                    return True
        return False

    def ended(self) -> int | None:
        """The program's exit status once it has ended, else None."""
        found = _EXITED.search(self.screen())
        return int(found.group(1) or found.group(2)) if found else None

    def wait(self, condition: Callable[[], bool], what: str, seconds: float = WAIT_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"after {seconds:g} s still not: {what}; the screen:\n{self.screen()}")
            time.sleep(0.05)

    def wait_for_text(self, pattern: str, seconds: float = WAIT_SECONDS) -> re.Match[str]:
        """Until a line of the screen matches the regular expression; that match."""
        found: list[re.Match[str]] = []

        def shown() -> bool:
            found[:] = [m for line in self.lines() if (m := re.search(pattern, line))]
            return bool(found)

        self.wait(shown, f"{pattern!r} on screen", seconds)
        return found[0]

    def field_row(self, label: str) -> int:
        """The row of the input field under a required field's label ("Name *"); -1 while not on screen.
        Read again each time: the layout may still move (a description shown again under a list)."""
        for row, line in enumerate(self.lines()):
            if f"{label} *" in line:
                return row + 1
        return -1

    # --- typing ---------------------------------------------------------------------------------------

    def keys(self, *names: str) -> None:
        """tmux key names: Enter, Tab, Down, C-s, …"""
        self._run("send-keys", "-t", "test", *names)

    def type(self, text: str) -> None:
        self._run("send-keys", "-t", "test", "-l", text)
