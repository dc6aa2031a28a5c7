"""Where a browser may open."""

from __future__ import annotations

from asc_tui.system.browser import choose_browser


def test_explicit_browser_is_always_honoured_even_over_ssh() -> None:
    choice = choose_browser({"BROWSER": "true", "SSH_CONNECTION": "1.2.3.4 5 6.7.8.9 22"}, "linux")
    assert choice.command == ["true"]


def test_no_browser_over_ssh_or_without_a_display() -> None:
    ssh = choose_browser({"SSH_TTY": "/dev/pts/1", "DISPLAY": ":0"}, "linux")
    assert ssh.command is None and "over SSH" in ssh.reason
    headless = choose_browser({}, "linux")
    assert headless.command is None and "no graphical session" in headless.reason
    missing = choose_browser({"BROWSER": "no-such-browser-here"}, "linux")
    assert missing.command is None and "not an installed command" in missing.reason


def test_desktop_sessions_open_the_default_browser() -> None:
    assert choose_browser({}, "darwin").command == ["open"]
