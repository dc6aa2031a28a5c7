"""Timestamps for the benchmark (benchmarks/run.py); a no-op unless ASC_TUI_BENCH_FILE is set.

Cheap on the first frame's path: only `os` and `time`, which the interpreter has loaded anyway.
"""

from __future__ import annotations

import os
import time

ENV = "ASC_TUI_BENCH_FILE"


def record(event: str) -> None:
    """Append `event time.time()` to $ASC_TUI_BENCH_FILE; do nothing when it is not set."""
    path = os.environ.get(ENV)
    if not path:
        return
    stamp = time.time()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(f"{event} {stamp:.6f}\n")
    except OSError:
        pass  # a benchmark aid must never break the app
