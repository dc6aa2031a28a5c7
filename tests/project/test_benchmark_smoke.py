"""The speed benchmark (benchmarks/run.py) still runs end to end on a tiny registry. No timing is asserted:
the figures depend on the machine; `make bench` is where they are read."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.tmux import require_tmux

ROOT = Path(__file__).resolve().parent.parent.parent


def benchmark(module: str, *args: str) -> str:
    """What `python -m module args` printed; it must end well."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


@pytest.mark.slow
def test_quick_benchmark_runs_and_reports() -> None:
    # The first-frame figures run the app in tmux: without it they would say n/a and prove nothing.
    require_tmux()
    out = benchmark("benchmarks.run", "--quick")
    assert "| figure " in out and "| median " in out and "| meets? " in out
    assert "tmux is not installed" not in out
    # Measured in the real terminal: a time in seconds, not n/a.
    assert re.search(r"^\| first frame, empty home \(tmux\)\s*\| \d+\.\d{3} s ", out, re.MULTILINE), out
    assert re.search(r"^\| first screenful, 100 stores \(tmux\)\s*\| \d+\.\d{3} s ", out, re.MULTILINE), out
    assert "typed ahead: `a` at first frame → add form, empty home (tmux)" in out
    assert "typed ahead: `a` at first frame → add form, 100 stores (tmux)" in out
    assert "peak memory, 100 stores, home shown" in out
    assert "stores import, 100 rows" in out
    assert "Cold start: imports" in out
    assert "15 slowest cumulative imports: python -X importtime -c 'import asc_tui.cli'" in out
    assert "15 slowest cumulative imports: python -X importtime -c 'import asc_tui.ui.app'" in out


@pytest.mark.slow
def test_the_wire_benchmark_runs_in_a_real_pty_and_reports_bytes() -> None:
    out = benchmark("benchmarks.wire", "--stores", "20", "--sizes", "80x24", "--repeat", "1")
    assert "| 80×24, 20 stores" in out and "| asc-tui " in out and "| bare " in out
    # Bytes really read from the pty: a size in KB for start-up and for a resize, for both programs.
    # (Columns are padded to the widest cell: any number of spaces before each bar.)
    startup = re.search(
        r"^\| start-up until settled .*?\| ([\d.]+) KB\s*\| ([\d.]+) KB\s*\|", out, re.MULTILINE
    )
    repaint = re.search(
        r"^\| one full repaint \(resize\)\s*\| ([\d.]+) KB\s*\| ([\d.]+) KB\s*\|", out, re.MULTILINE
    )
    assert startup and repaint, out
    assert all(float(value) > 0 for value in (*startup.groups(), *repaint.groups())), out
    assert "open the filter (/)" in out and "focus move (down)" in out
