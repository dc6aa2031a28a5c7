"""Timestamps the app writes for the benchmark; a no-op unless ASC_TUI_BENCH_FILE is set.

Cheap to import on the first frame's path: only `os` and `time`, both already loaded by the interpreter.
The benchmark sets ASC_TUI_BENCH_FILE for the app it starts and reads back one line per event,
`<event> <time.time()>`, comparing each with the moment it launched the process.
"""

from __future__ import annotations

import os
import time

# The same recorder as asc_tui/system/timing.py, kept here on purpose: the bare baseline app uses it, and with
# --app-root it must work beside an older asc_tui that has no timing module.
ENV = "ASC_TUI_BENCH_FILE"


def record(event: str) -> None:
    """Append `event time.time()` to $ASC_TUI_BENCH_FILE; do nothing when it is not set."""
    path = os.environ.get(ENV)
    if not path:
        return
    stamp = time.time()
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"{event} {stamp:.6f}\n")
    except OSError:
        pass  # a benchmark aid must never break the app


def read_events(path: str | os.PathLike[str]) -> dict[str, float]:
    """The first time each event was recorded in a file `record` wrote ({} when there is none)."""
    events: dict[str, float] = {}
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                name, _, stamp = line.strip().partition(" ")
                if name and stamp:
                    try:
                        events.setdefault(name, float(stamp))
                    except ValueError:
                        continue
    except FileNotFoundError:
        pass
    return events
