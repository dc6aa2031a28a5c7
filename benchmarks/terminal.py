"""A real terminal for the first-frame figures: a private tmux server, one fresh window per run.

The clock starts just before tmux is asked to start the program; the figure is the moment
`tmux capture-pane` first shows the expected text (polled every few milliseconds, so it includes
up to one poll's delay). The program also gets ASC_TUI_BENCH_FILE and BENCH_T0, so the events it
records itself (benchmarks.instrument) are read back and timed from the same start.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from benchmarks.instrument import ENV as BENCH_FILE_ENV
from benchmarks.instrument import read_events

POLL_SECONDS = 0.005
# Once the text is on screen, how long to wait for the program's own timestamp to arrive.
EVENT_GRACE_SECONDS = 1.0


def tmux_available() -> bool:
    return shutil.which("tmux") is not None


@dataclass
class Sighting:
    seen_s: float | None  # process launch → text on screen (None: not within the timeout)
    events_s: dict[str, float] = field(default_factory=dict)  # process launch → each recorded event
    screen: str = ""  # the last capture, to explain a failure


class Terminal:
    """`with Terminal() as term: term.time_to_text([...], env, "text")`; the server dies on exit."""

    def __init__(
        self,
        width: int = 120,
        height: int = 40,
        socket: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.width, self.height = width, height
        self.env = dict(env) if env is not None else None  # the tmux server's (and so every window's) env
        self.socket = socket or f"asc-bench-{os.getpid()}"
        self.session = "bench"
        self._scratch = Path(tempfile.mkdtemp(prefix="asc-bench-events-"))
        self._runs = 0

    def _tmux(self, *args: str, check: bool = True) -> str:
        # -f /dev/null: none of the user's tmux settings (status line, default shell hooks, …).
        done = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            check=check,
            env=self.env,
        )
        return done.stdout

    def __enter__(self) -> Terminal:
        size = ["-x", str(self.width), "-y", str(self.height)]
        self._tmux("new-session", "-d", "-s", self.session, *size, "sleep 86400")
        self._tmux("set-option", "-g", "remain-on-exit", "on")
        self._tmux("set-option", "-g", "status", "off")  # the whole window is the program's
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._tmux("kill-server", check=False)
        shutil.rmtree(self._scratch, ignore_errors=True)

    def time_to_text(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        text: str,
        *,
        cwd: Path,
        timeout: float = 300.0,
        event: str | None = None,
        press: str | None = None,
        then: str | None = None,
    ) -> Sighting:
        """Start `argv` in a new window; time until `text` is on screen, then close the window.

        With `press` and `then`: the key `press` is sent the moment `text` shows (the first frame, as an
        administrator types ahead), and the figure is the time from launch until `then` is on screen.
        """
        self._runs += 1
        events_file = self._scratch / f"run-{self._runs}.events"
        variables = {**env, BENCH_FILE_ENV: str(events_file)}
        t0 = time.time()
        variables["BENCH_T0"] = f"{t0:.6f}"
        options = [arg for key, value in variables.items() for arg in ("-e", f"{key}={value}")]
        window, _, pid = self._tmux(
            "new-window", "-d", "-P", "-F", "#{window_id} #{pane_pid}", "-t", f"{self.session}:", "-c", str(cwd),
            *options, "--", *argv,
        ).strip().partition(" ")  # fmt: skip
        screen = ""
        seen: float | None = None
        polls = 0
        try:
            while time.time() - t0 < timeout:
                screen = self._tmux("capture-pane", "-p", "-t", window, check=False)
                if text in screen and press is not None:
                    self._tmux("send-keys", "-t", window, press)
                    text, press = then or text, None
                elif text in screen:
                    seen = time.time() - t0
                    break
                polls += 1
                if (
                    polls % 100 == 0
                    and self._tmux("display", "-p", "-t", window, "#{pane_dead}").strip() == "1"
                ):
                    break  # the program ended without showing the text
                time.sleep(POLL_SECONDS)
            deadline = time.time() + EVENT_GRACE_SECONDS
            events = read_events(events_file)
            # The app writes its timestamp as it paints; give it a moment to land after tmux saw the text.
            while (
                seen is not None and (event not in events if event else not events) and time.time() < deadline
            ):
                time.sleep(0.02)
                events = read_events(events_file)
        finally:
            self._tmux("kill-window", "-t", window, check=False)
            _wait_for_exit(int(pid))
        return Sighting(seen, {name: stamp - t0 for name, stamp in events.items()}, screen)


def _wait_for_exit(pid: int, timeout: float = 10.0) -> None:
    """Let the program we started die of tmux's SIGHUP before the next run (SIGKILL after `timeout`)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        except PermissionError:
            return
        time.sleep(0.02)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
