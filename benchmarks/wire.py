"""Bytes on the wire: what asc-tui writes to a real pseudo-terminal, against a bare Textual app (issue 20).

Over SSH the bytes written to the terminal are the latency an admin feels. Each program is started in a
pty of its own (TERM=xterm-256color, COLORTERM=truecolor) at 80×24 and 160×48, and every byte it writes is
read and timed:

- start-up: from launch until the screen settles (nothing written for --quiet seconds), in bursts (runs of
  output with less than 50 ms between writes);
- one full repaint: the terminal is made one column narrower, then given its width back; the second
  resize's bytes are one whole screen;
- each key (asc-tui only): `/` (open the filter), one filter keystroke, escape, and a focus move (down).

    python -m benchmarks.wire                       10,000 stores, 80×24 and 160×48
    python -m benchmarks.wire --stores 0 --sizes 80x24
    python -m benchmarks.wire --home DIR            an existing ASC_TUI_HOME instead of a seeded one

The figures are byte counts, medians of --repeat runs; the ratios and targets are issue 20's.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BURST_GAP = 0.05  # seconds without output that end a burst
SGR = re.compile(rb"\x1b\[[0-9;:]*m")
KEYS = (("open the filter (/)", b"/"), ("filter keystroke", b"1"), ("close the filter (esc)", b"\x1b"))
FOCUS = ("focus move (down)", b"\x1b[B")
DEFAULT_SIZES = ((80, 24), (160, 48))


def _set_size(fd: int, cols: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def _controlling_terminal() -> None:
    # In the child, after stdin is the pty: a session of its own whose terminal is the pty, so a resize
    # sends it SIGWINCH as a real terminal does.
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class PtyProgram:
    """A program in a pty of its own; every byte it writes is kept with the time it arrived."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], cols: int, rows: int) -> None:
        self.master, slave = os.openpty()
        _set_size(slave, cols, rows)
        self.cols, self.rows = cols, rows
        full_env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor", **env}
        for name in ("TMUX", "NO_COLOR", "COLUMNS", "LINES"):  # the pty's own size, as in a real terminal
            full_env.pop(name, None)
        self.process = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=full_env,
            cwd=ROOT,
            preexec_fn=_controlling_terminal,
            close_fds=True,
        )
        os.close(slave)
        self.chunks: list[tuple[float, bytes]] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                ready, _w, _x = select.select([self.master], [], [], 0.5)
                if not ready:
                    if self.process.poll() is not None:
                        return
                    continue
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self.chunks.append((time.monotonic(), data))

    def mark(self) -> int:
        with self._lock:
            return len(self.chunks)

    def since(self, mark: int) -> list[tuple[float, bytes]]:
        with self._lock:
            return list(self.chunks[mark:])

    def settle(self, mark: int, quiet: float, timeout: float) -> list[tuple[float, bytes]]:
        """Everything written after `mark`, once nothing more came for `quiet` seconds (after something)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.since(mark)
            if got and time.monotonic() - got[-1][0] >= quiet:
                return got
            time.sleep(0.02)
        raise TimeoutError(f"the screen did not settle within {timeout:.0f} s")

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def resize(self, cols: int, rows: int) -> None:
        _set_size(self.master, cols, rows)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        os.close(self.master)


@dataclass
class Writes:
    """What one step wrote: bytes, bursts and SGR (style) sequences."""

    size: int
    bursts: int
    sgr: int

    @classmethod
    def of(cls, chunks: list[tuple[float, bytes]]) -> Writes:
        data = b"".join(chunk for _t, chunk in chunks)
        bursts = 0
        last: float | None = None
        for stamp, _chunk in chunks:
            if last is None or stamp - last > BURST_GAP:
                bursts += 1
            last = stamp
        return cls(len(data), bursts, len(SGR.findall(data)))


@dataclass
class Session:
    startup: Writes
    repaint: Writes
    keys: dict[str, Writes] = field(default_factory=dict)


def measure(
    argv: Sequence[str],
    env: dict[str, str],
    cols: int,
    rows: int,
    *,
    keys: bool,
    quiet: float,
    timeout: float,
) -> Session:
    program = PtyProgram(argv, env, cols, rows)
    try:
        startup = Writes.of(program.settle(0, quiet, timeout))
        program.resize(cols - 1, rows)
        program.settle(program.mark(), quiet, timeout)
        mark = program.mark()
        program.resize(cols, rows)
        session = Session(startup, Writes.of(program.settle(mark, quiet, timeout)))
        if keys:
            for name, key in (*KEYS, FOCUS):
                mark = program.mark()
                program.send(key)
                try:
                    session.keys[name] = Writes.of(program.settle(mark, quiet, 5 + quiet))
                except TimeoutError:
                    session.keys[name] = Writes(0, 0, 0)  # nothing changed on screen
        return session
    finally:
        program.stop()


def seeded_home(stores: int, scratch: Path) -> Path:
    home = scratch / f"home-{stores}"
    subprocess.run([sys.executable, "-m", "benchmarks.seed", str(home), str(stores)], cwd=ROOT, check=True)
    return home


def asc_tui_argv() -> list[str]:
    return [sys.executable, "-m", "asc_tui"]


def bare_argv() -> list[str]:
    return [sys.executable, "-m", "benchmarks.bare_app"]


def _median(values: list[int]) -> int:
    return int(statistics.median(values)) if values else 0


def _kb(size: float) -> str:
    return f"{size / 1000:.1f} KB"


@dataclass
class Figures:
    """Medians over the runs, for one terminal size."""

    cols: int
    rows: int
    app: list[Session]
    bare: list[Session]

    def app_median(self, pick: str) -> int:
        return _median([getattr(s, pick).size for s in self.app])

    def bare_median(self, pick: str) -> int:
        return _median([getattr(s, pick).size for s in self.bare])

    def key_median(self, name: str) -> int:
        return _median([s.keys[name].size for s in self.app if name in s.keys])

    def rows_of_table(self) -> list[tuple[str, str, str, str, str, str]]:
        """(figure, asc-tui, bare, ratio, target, meets?)."""
        repaint = self.app_median("repaint")
        bare_repaint = self.bare_median("repaint")
        startup = self.app_median("startup")
        out = []
        bursts = _median([s.startup.bursts for s in self.app])
        bare_bursts = _median([s.startup.bursts for s in self.bare])
        out.append(
            (
                f"start-up until settled ({bursts} / {bare_bursts} bursts)",
                _kb(startup),
                _kb(self.bare_median("startup")),
                f"{startup / repaint:.2f}× repaint" if repaint else "—",
                "≤ 1.2× one repaint",
                _meets(startup <= 1.2 * repaint),
            )
        )
        out.append(
            (
                "one full repaint (resize)",
                _kb(repaint),
                _kb(bare_repaint),
                f"{repaint / bare_repaint:.1f}× bare" if bare_repaint else "—",
                "≤ 3× bare" if self.cols >= 160 else "—",
                _meets(repaint <= 3 * bare_repaint) if self.cols >= 160 else "—",
            )
        )
        targets = {
            KEYS[0][0]: ("≤ 0.25× repaint", 0.25),
            KEYS[1][0]: ("the rows that change", None),
            KEYS[2][0]: ("—", None),
            FOCUS[0]: ("≤ 0.1× repaint", 0.1),
        }
        for name, (target, share) in targets.items():
            size = self.key_median(name)
            ratio = f"{size / repaint:.2f}× repaint" if repaint else "—"
            meets = _meets(size <= share * repaint) if share is not None and repaint else "—"
            out.append((name, _kb(size), "—", ratio, target, meets))
        return out


def _meets(ok: bool) -> str:
    return "yes" if ok else "NO"


def table(figures: Figures, stores: int) -> str:
    header = (
        f"{figures.cols}×{figures.rows}, {stores:,} stores",
        "asc-tui",
        "bare",
        "ratio",
        "target",
        "meets?",
    )
    rows = [header, *figures.rows_of_table()]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    sgr = _median([s.startup.sgr for s in figures.app])
    bare_sgr = _median([s.startup.sgr for s in figures.bare])
    lines.append(f"SGR sequences at start-up: {sgr:,} (bare {bare_sgr:,})")
    return "\n".join(lines)


def parse_size(text: str) -> tuple[int, int]:
    try:
        cols, rows = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"a size is COLSxROWS, e.g. 160x48, not {text!r}") from None
    return cols, rows


def tables(
    home: Path, stores: int, sizes: Sequence[tuple[int, int]], repeat: int, quiet: float, timeout: float
) -> str:
    """The wire tables for a registry of `stores` at ASC_TUI_HOME=`home`, one per terminal size."""
    out = []
    with tempfile.TemporaryDirectory(prefix="asc-wire-config-") as temp:
        ansi_config = Path(temp) / "config.toml"
        ansi_config.write_text('[ui]\ntheme = "ansi"\n', encoding="utf-8")
        for cols, rows in sizes:
            figures = Figures(cols, rows, [], [])
            ansi: list[Session] = []
            for run in range(repeat):
                print(f"[wire] {cols}×{rows} run {run + 1}/{repeat}", file=sys.stderr, flush=True)
                figures.bare.append(
                    measure(bare_argv(), {}, cols, rows, keys=False, quiet=quiet, timeout=timeout)
                )
                env = {"ASC_TUI_HOME": str(home)}
                figures.app.append(
                    measure(asc_tui_argv(), env, cols, rows, keys=True, quiet=quiet, timeout=timeout)
                )
                env_ansi = {**env, "ASC_TUI_CONFIG": str(ansi_config)}
                ansi.append(
                    measure(asc_tui_argv(), env_ansi, cols, rows, keys=False, quiet=quiet, timeout=timeout)
                )
            startup = _median([s.startup.size for s in ansi])
            repaint = _median([s.repaint.size for s in ansi])
            bare = figures.bare_median("repaint")
            out.append(
                table(figures, stores)
                + f'\nWith [ui] theme = "ansi": start-up {_kb(startup)}, one full repaint {_kb(repaint)}'
                + (f" ({repaint / bare:.1f}× bare)" if bare else "")
            )
    return "\n\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.wire",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--stores", type=int, default=10_000, help="stores in the seeded registry (10000)")
    parser.add_argument("--home", type=Path, default=None, help="an existing ASC_TUI_HOME to measure")
    parser.add_argument(
        "--sizes", type=lambda t: [parse_size(p) for p in t.split(",")], default=list(DEFAULT_SIZES)
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (3)")
    parser.add_argument("--quiet", type=float, default=1.5, help="seconds without output that mean settled")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds for a screen to settle")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="asc-wire-") as temp:
        home = args.home or seeded_home(args.stores, Path(temp))
        print(tables(home, args.stores, args.sizes, args.repeat, args.quiet, args.timeout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
