"""The CLI run in this process, as the tests of its commands and of bad input call it."""

from __future__ import annotations

import pytest

from asc_tui.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`asc-tui ARGS`: its exit code, and what it printed on stdout and stderr."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err
