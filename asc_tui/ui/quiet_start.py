"""When the registry's heavy work may start: once the first frame is up and the keys typed ahead are handled.

Importing SQLModel and reading 10,000 stores take a few hundred milliseconds of the interpreter, and a
thread doing them takes the interpreter lock from the screen half of the time: the add form opened by an
`a` typed at the first frame took twice as long while the registry opened beside it. So the registry's
thread waits until the keys have been quiet for a moment and the screen has been painted after them, and
never longer than a second (a key that needs the registry is held until it opens, see typed_ahead).
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App

QUIET_SECONDS = 0.1  # no key for this long after the first frame: the admin waits for the screen
LONGEST_WAIT_SECONDS = 1.0  # for the registry's thread: someone typing on and on does not keep it shut


class QuietStart:
    def __init__(self, app: App[None]) -> None:
        self.app = app
        self._quiet = threading.Event()
        self._last_key = 0.0

    def key_seen(self) -> None:
        self._last_key = time.monotonic()

    def first_frame(self) -> None:
        self.app.set_timer(QUIET_SECONDS, self._check)

    def _check(self) -> None:
        idle_for = time.monotonic() - self._last_key
        if idle_for >= QUIET_SECONDS:
            # After the frame those keys asked for: the form `a` opened is painted before the thread runs.
            self.app.call_after_refresh(self._quiet.set)
        else:
            self.app.set_timer(QUIET_SECONDS - idle_for, self._check)

    def wait(self) -> None:
        """For the registry's thread: until the screen is quiet, or a second at most."""
        self._quiet.wait(LONGEST_WAIT_SECONDS)
