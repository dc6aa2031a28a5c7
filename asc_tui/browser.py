"""Opening the consent link in a browser, only where one can open, never on the app's own terminal.

An explicit `$BROWSER` is always honoured. Otherwise a browser opens only in a graphical session that is
not reached over SSH. The browser is started detached from the terminal (no stdin/stdout, its own
session), so a console browser can never draw over the TUI and opening never blocks.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class BrowserChoice:
    command: list[str] | None  # the command to run with the URL appended, None when none can open
    reason: str  # why (not): shown to the admin


def choose_browser(environ: Mapping[str, str] | None = None, platform: str | None = None) -> BrowserChoice:
    env = os.environ if environ is None else environ
    platform = platform or sys.platform
    explicit = env.get("BROWSER", "").strip()
    if explicit:
        # $BROWSER may list several commands separated by ':'; the first one found is used.
        for candidate in explicit.split(os.pathsep):
            try:
                parts = shlex.split(candidate)
            except ValueError:
                continue
            if parts and shutil.which(parts[0]):
                return BrowserChoice(parts, f"opened with $BROWSER ({parts[0]})")
        return BrowserChoice(None, f"$BROWSER names {explicit!r}, which is not an installed command")
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return BrowserChoice(
            None,
            "you are connected over SSH, so a browser here would open on the server, not in front of you",
        )
    if platform == "darwin":
        return BrowserChoice(["open"], "opened in your default browser")
    if platform.startswith("win"):
        return BrowserChoice(["explorer"], "opened in your default browser")
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        return BrowserChoice(None, "there is no graphical session here (no DISPLAY or WAYLAND_DISPLAY)")
    for opener in ("xdg-open", "gio"):
        path = shutil.which(opener)
        if path:
            return BrowserChoice(
                [path, "open"] if opener == "gio" else [path], "opened in your default browser"
            )
    return BrowserChoice(None, "no xdg-open is installed to start a browser")


def open_url(choice: BrowserChoice, url: str) -> bool:
    """Start the browser detached; True when the command started."""
    if choice.command is None:
        return False
    try:
        subprocess.Popen(
            [*choice.command, url],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError:
        return False
    return True
