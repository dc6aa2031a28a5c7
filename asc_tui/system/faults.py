"""Test support: named points where a test can make the real process die as if by `kill -9`.

`crash_point("add.after-commit")` does nothing unless the environment variable ASC_TUI_CRASH_AT names
that point when the process starts; then the process sends itself SIGKILL right there: no cleanup, no
`finally`, no flushing, exactly what a power cut or the OOM killer leaves. The crash tests
(tests/hardening/test_crash_points.py) run the CLI and the TUI with each point in turn and check, on the
next start, that the database is intact and no store is stuck half-changed.

The variable is read once, at import: an ordinary run pays one comparison with None per point.
"""

from __future__ import annotations

import os
import signal

CRASH_ENV = "ASC_TUI_CRASH_AT"

_crash_at = os.environ.get(CRASH_ENV) or None


def crash_point(name: str) -> None:
    """Die here with SIGKILL when this is the point ASC_TUI_CRASH_AT names (tests only)."""
    if _crash_at is not None and name == _crash_at:
        os.kill(os.getpid(), signal.SIGKILL)
