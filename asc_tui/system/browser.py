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

from asc_tui.i18n import _


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
                return BrowserChoice(parts, _("opened with $BROWSER ({command})").format(command=parts[0]))
        return BrowserChoice(
            None, _("$BROWSER names {value!r}, which is not an installed command").format(value=explicit)
        )
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return BrowserChoice(
            None,
            _("you are connected over SSH, so a browser here would open on the server, not in front of you"),
        )
    if platform == "darwin":
        return BrowserChoice(["open"], _("opened in your default browser"))
    if platform.startswith("win"):
        return BrowserChoice(["explorer"], _("opened in your default browser"))
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        return BrowserChoice(None, _("there is no graphical session here (no DISPLAY or WAYLAND_DISPLAY)"))
    for opener in ("xdg-open", "gio"):
        path = shutil.which(opener)
        if path:
            return BrowserChoice(
                [path, "open"] if opener == "gio" else [path], _("opened in your default browser")
            )
    return BrowserChoice(None, _("no xdg-open is installed to start a browser"))


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
