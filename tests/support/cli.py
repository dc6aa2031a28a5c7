"""The CLI as the tests call it: in this process (its commands, bad input), or in a process of its own."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from typing import Any

import pytest

from asc_tui.cli import main


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
