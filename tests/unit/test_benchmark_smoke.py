"""The speed benchmark (benchmarks/run.py) still runs end to end on a tiny registry. No timing is asserted:
the figures depend on the machine; `make bench` is where they are read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.slow
def test_quick_benchmark_runs_and_reports() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "| figure " in out and "| median " in out and "| meets? " in out
    assert "first frame, empty home (tmux)" in out  # tmux is installed here; without it the row says n/a
    assert "typed ahead: `a` at first frame → add form, empty home (tmux)" in out
    assert "typed ahead: `a` at first frame → add form, 100 stores (tmux)" in out
    assert "peak memory, 100 stores, home shown" in out
    assert "stores import, 100 rows" in out
    assert "Cold start: imports" in out
    assert "15 slowest cumulative imports: python -X importtime -c 'import asc_tui.cli'" in out
    assert "15 slowest cumulative imports: python -X importtime -c 'import asc_tui.ui.app'" in out
