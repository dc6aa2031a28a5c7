"""Over SSH: the sandbox's pages and callback on fixed loopback ports, so one `ssh -L` set up once serves
every attempt, and the exact command shown when the session is remote; OSC 52 under tmux said honestly."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from asc_tui.services.registry import open_registry
from tests.support.connect import add_store

REMOTE = "203.0.113.5 50022 198.51.100.7 2222"  # client ip, client port, server ip, server port


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def store(isolated_home: Path) -> None:
    registry = open_registry(sandbox=True)
    try:
        add_store(registry, "Shop US", "US")
    finally:
        registry.close()


def attempt(env: dict[str, str]) -> tuple[str, str]:
    """Start `stores connect` in the sandbox, read the link and the steps, then end it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "asc_tui", "--sandbox", "stores", "connect", "Shop US", "--no-browser"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )
    assert process.stdout is not None and process.stderr is not None
    url = process.stdout.readline().strip()
    said = ""
    while "Paste the address" not in said:
        line = process.stderr.readline()
        assert line, said
        said += line
    process.kill()  # all it said is read; its ports are free again once it is gone
    process.communicate(timeout=60)
    return url, said


def callback_port(url: str) -> int:
    redirect = parse_qs(urlsplit(url).query)["redirect_uri"][0]
    port = urlsplit(redirect).port
    assert port is not None
    return port


def test_the_ports_stay_the_same_and_the_ssh_line_is_exact(store: None) -> None:
    pages, callback = free_port(), free_port()
    env = {
        "SSH_CONNECTION": REMOTE,
        "ASC_TUI_SANDBOX_EMULATOR_PORT": str(pages),
        "ASC_TUI_SANDBOX_CALLBACK_PORT": str(callback),
    }
    first_url, said = attempt(env)
    again_url, _said = attempt(env)
    assert urlsplit(first_url).port == urlsplit(again_url).port == pages
    assert callback_port(first_url) == callback_port(again_url) == callback
    expected = f"ssh -L {pages}:127.0.0.1:{pages} -L {callback}:127.0.0.1:{callback} -p 2222 198.51.100.7"
    assert (
        f"Over SSH: these pages are on this server's loopback, so first run on your own computer: {expected}"
        in said
    )


def test_the_ports_come_from_the_config_file_and_the_environment_wins(
    store: None, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages, callback, override = free_port(), free_port(), free_port()
    config = isolated_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"[sandbox]\nemulator_port = {pages}\ncallback_port = {callback}\n", encoding="utf-8")
    for name in ("ASC_TUI_SANDBOX_EMULATOR_PORT", "ASC_TUI_SANDBOX_CALLBACK_PORT"):
        monkeypatch.delenv(name)  # the config file alone says where
    url, said = attempt({"SSH_CONNECTION": REMOTE})
    assert urlsplit(url).port == pages and callback_port(url) == callback
    assert f"ssh -L {pages}:127.0.0.1:{pages} -L {callback}:127.0.0.1:{callback}" in said
    url, _said = attempt({"ASC_TUI_SANDBOX_CALLBACK_PORT": str(override)})
    assert urlsplit(url).port == pages and callback_port(url) == override


def test_no_ssh_line_when_the_session_is_local(store: None) -> None:
    env = {
        "ASC_TUI_SANDBOX_EMULATOR_PORT": str(free_port()),
        "ASC_TUI_SANDBOX_CALLBACK_PORT": str(free_port()),
    }
    _url, said = attempt({k: v for k, v in env.items()})
    assert "Over SSH" not in said and "ssh -L" not in said


def test_a_taken_port_falls_back_and_the_ssh_line_names_the_port_in_use(store: None) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        busy = int(taken.getsockname()[1])
        url, said = attempt(
            {"SSH_CONNECTION": REMOTE.replace(" 2222", " 22"), "ASC_TUI_SANDBOX_CALLBACK_PORT": str(busy)}
        )
    port = callback_port(url)
    assert port != busy
    line = re.search(r"ssh (-L \S+ )+198\.51\.100\.7", said)
    assert line is not None and f"-L {port}:127.0.0.1:{port}" in line.group()
