"""The CLI as the tests call it: in this process (its commands, bad input), or in a process of its own."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from asc_tui.cli import main
from tests.support.ports import free_port


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`asc-tui ARGS`: its exit code, and what it printed on stdout and stderr."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_asc_tui(
    *args: str, env: Mapping[str, str] | None = None, timeout: float = 60, **options: Any
) -> subprocess.CompletedProcess[str]:
    """`python -m asc_tui ARGS` in a process of its own (`env`: its whole environment, None: this one's),
    with what it printed as text; nothing on its stdin unless `input` is given, so no prompt can hang."""
    if "input" not in options:
        options.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run(
        [sys.executable, "-m", "asc_tui", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        **options,
    )


def write_config(home: Path, *, listen: str | None = None, extra: str = "") -> Path:
    """An Amazon app's config (not the sandbox) whose callback listens on `listen` (a free port), plus `extra`."""
    path = home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "[amazon]\n"
        'application_id = "amzn1.sp.solution.test-app"\n'
        'client_id = "amzn1.application-oa2-client.test"\n'
        'redirect_uri = "https://admin.example.com/amazon/callback"\n'
        f'callback_listen = "{listen or f"127.0.0.1:{free_port()}"}"\n' + extra,
        encoding="utf-8",
    )
    return path
