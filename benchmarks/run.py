"""The speed benchmark of issue 6, in one command: `make bench` (`python -m benchmarks.run`).

It makes its own registries (an ASC_TUI_HOME per size, in a temporary folder), measures every figure in
fresh processes several times against a bare Textual app (Header + Footer) measured the same way in the
same run, and prints a table of medians, the growth from the second-largest to the largest size, and a
cold-start import report.

    python -m benchmarks.run                     sizes 0,100,1000,10000; 5 runs per figure
    python -m benchmarks.run --quick             sizes 0,100; 1 run; for the test suite (well under a minute)
    python -m benchmarks.run --sizes 0,1000 --repeat 3 --save results.json
    python -m benchmarks.run --app-root /tmp/old   another checkout's asc_tui (e.g. `git archive` of a commit)

How each figure is taken:
- first frame / first screenful: the program is started in a real terminal (a private tmux server,
  120×40); "tmux" is the time from just before the launch until `tmux capture-pane` shows the header
  title (empty registry) or the first store's name; "inside" is the time until the program itself
  appends `first_frame` / `cards_shown` to $ASC_TUI_BENCH_FILE (benchmarks/instrument.py's format; n/a
  when the app does not).
- typed ahead: as first frame, but `a` is sent the moment the title shows (the first frame) and the
  figure ends when the add form's title is on screen; the bare app's `a` opens a modal form. Measured
  on the empty registry and the largest one.
- filter keystroke and focus move: in-process with Textual's Pilot (benchmarks.probe); "repaint" ends
  when the app last hands a frame to its driver, "Pilot" when `await pilot.pause()` returns. Pilot's own
  floor (a key bound to nothing, in the bare app) is the baseline of the Pilot rows, which are judged
  net of it.
- peak memory: ru_maxrss of a child showing the home headless (Pilot) with all stores loaded, against the
  bare app's.
- CLI: wall time of the `asc-tui` process.
A run slower than --slow seconds is not repeated (the table's "runs" column says how many were made).
A figure that cannot be measured (an error, a timeout) is reported under the table and the exit status is 1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from benchmarks import cold_start, wire
from benchmarks.bare_app import FORM_TITLE as BARE_FORM_TITLE
from benchmarks.bare_app import TITLE as BARE_TITLE
from benchmarks.seed import store_name, write_import_csv
from benchmarks.terminal import Terminal, tmux_available

ROOT = Path(__file__).resolve().parent.parent
APP_TITLE = "Amazon Sales Channel"
APP_FORM_TITLE = "Add Amazon sales channel"  # the add form's border title
DEFAULT_SIZES = (0, 100, 1_000, 10_000)
QUICK_SIZES = (0, 100)
TABLE_HEADER = ("figure", "median", "baseline", "ratio", "target", "meets?", "runs")

T = TypeVar("T")


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


@dataclass(frozen=True)
class Launch:
    """Where and with what environment every child runs: this checkout, or another one's asc_tui."""

    cwd: Path = ROOT
    pythonpath: str | None = None

    @classmethod
    def for_app_root(cls, app_root: Path | None, scratch: Path) -> Launch:
        if app_root is None:
            return cls()
        if not (app_root / "asc_tui" / "__init__.py").exists():
            raise SystemExit(f"--app-root {app_root} holds no asc_tui package")
        # benchmarks from this checkout, asc_tui from the other (ahead of the editable install's path);
        # children start in a neutral folder so neither checkout comes first by being the cwd.
        shim = scratch / "shim"
        shim.mkdir()
        (shim / "benchmarks").symlink_to(ROOT / "benchmarks", target_is_directory=True)
        neutral = scratch / "cwd"
        neutral.mkdir()
        return cls(cwd=neutral, pythonpath=f"{shim}{os.pathsep}{app_root.resolve()}")

    def env(self, **extra: str) -> dict[str, str]:
        """This environment without any asc-tui setting of the person running the benchmark."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ASC_TUI_", "BENCH_"))}
        env.pop("PYTHONPROFILEIMPORTTIME", None)
        if self.pythonpath:
            env["PYTHONPATH"] = self.pythonpath
        env.update(extra)
        return env


def asc_tui_command() -> list[str]:
    script = Path(sys.executable).with_name("asc-tui")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from asc_tui.cli import main; sys.exit(main())"]


FAILURES: list[str] = []  # figures that could not be measured: reported, and the exit status is 1


def repeated(measure: Callable[[], T], runs: int, slow: float) -> list[T]:
    """`runs` results of `measure`; only one when that one took longer than `slow` seconds.

    A run that fails (an error, a timeout) ends the repetitions; it is noted and the benchmark goes on.
    """
    results: list[T] = []
    for _ in range(runs):
        started = time.perf_counter()
        try:
            results.append(measure())
        except (RuntimeError, subprocess.TimeoutExpired, subprocess.CalledProcessError) as exc:
            FAILURES.append(str(exc).strip())
            log(f"FAILED: {exc}")
            break
        if time.perf_counter() - started > slow:
            break
    return results


# --- the registries --------------------------------------------------------------------------------


def make_homes(launch: Launch, root: Path, sizes: Sequence[int], *, health: bool = False) -> dict[int, Path]:
    homes: dict[int, Path] = {}
    for size in sizes:
        home = root / f"home-{size}"
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.seed",
                str(home),
                str(size),
                *(["--health"] if health else []),
            ],
            cwd=launch.cwd,
            env=launch.env(),
            check=True,
        )
        log(f"registry with {size:,} stores made in {time.perf_counter() - started:.1f} s")
        homes[size] = home
    return homes


# --- the figures -----------------------------------------------------------------------------------


@dataclass
class Results:
    sizes: list[int]
    repeat: int
    first_frame: dict[str, list[float]] = field(default_factory=dict)  # "tmux:bare", "inside:app:0", …
    probes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # "bare", "app:1000"
    cli: dict[str, list[float]] = field(default_factory=dict)  # "list:1000", "import:10000", …
    cold_start: str = ""
    wire: str = ""  # the bytes-on-the-wire tables (benchmarks/wire.py)
    measured: str = ""
    notes: list[str] = field(default_factory=list)

    def frames(self, key: str) -> list[float]:
        return self.first_frame.setdefault(key, [])


def measure_first_frames(
    launch: Launch, results: Results, homes: dict[int, Path], runs: int, slow: float, timeout: float
) -> None:
    if not tmux_available():
        results.notes.append("tmux is not installed: first-frame figures were skipped.")
        log("tmux not found; skipping the first-frame figures")
        return
    bare = [sys.executable, "-m", "benchmarks.bare_app"]
    app = asc_tui_command()
    with Terminal(env=launch.env()) as term:

        def once(key: str, argv: list[str], env: dict[str, str], text: str, event: str) -> None:
            sighting = term.time_to_text(argv, env, text, cwd=launch.cwd, timeout=timeout, event=event)
            if sighting.seen_s is None:
                tail = "\n".join(sighting.screen.strip().splitlines()[-5:])
                raise RuntimeError(f"{key}: {text!r} never appeared on screen; it showed:\n{tail}")
            results.frames(f"tmux:{key}").append(sighting.seen_s)
            if event in sighting.events_s:
                results.frames(f"inside:{key}").append(sighting.events_s[event])

        # The first launch pays for a cold disk cache and the tmux server's start: not counted.
        repeated(partial(once, "warm-up", bare, {}, BARE_TITLE, "first_frame"), 1, slow)
        repeated(partial(once, "bare", bare, {}, BARE_TITLE, "first_frame"), runs, slow)
        log(f"bare app: first frame {_seconds(median(results.frames('tmux:bare')))} (tmux)")
        for size, home in homes.items():
            env = {"ASC_TUI_HOME": str(home)}
            if size == 0:
                text, event = APP_TITLE, "first_frame"
            else:
                text, event = store_name(1), "cards_shown"
            repeated(partial(once, f"app:{size}", app, env, text, event), runs, slow)
            log(
                f"asc-tui, {size:,} stores: {text!r} after {_seconds(median(results.frames(f'tmux:app:{size}')))}"
            )
        measure_typed_ahead(term, launch, results, homes, runs, slow, timeout)


def measure_typed_ahead(
    term: Terminal,
    launch: Launch,
    results: Results,
    homes: dict[int, Path],
    runs: int,
    slow: float,
    timeout: float,
) -> None:
    """Launch → the add form on screen, with `a` typed the moment the first frame shows."""

    def once(key: str, argv: list[str], env: dict[str, str], title: str, form: str) -> None:
        sighting = term.time_to_text(argv, env, title, cwd=launch.cwd, timeout=timeout, press="a", then=form)
        if sighting.seen_s is None:
            tail = "\n".join(sighting.screen.strip().splitlines()[-5:])
            raise RuntimeError(f"{key}: {form!r} never appeared after `a`; the screen showed:\n{tail}")
        results.frames(f"tmux:{key}").append(sighting.seen_s)

    bare = [sys.executable, "-m", "benchmarks.bare_app"]
    repeated(partial(once, "ahead:bare", bare, {}, BARE_TITLE, BARE_FORM_TITLE), runs, slow)
    log(f"bare app: `a` at first frame → form {_seconds(median(results.frames('tmux:ahead:bare')))}")
    for size in sorted({0, max(homes)} & set(homes)):
        env = {"ASC_TUI_HOME": str(homes[size])}
        key = f"ahead:app:{size}"
        repeated(partial(once, key, asc_tui_command(), env, APP_TITLE, APP_FORM_TITLE), runs, slow)
        log(
            f"asc-tui, {size:,} stores: `a` at first frame → add form {_seconds(median(results.frames(f'tmux:{key}')))}"
        )


def run_probe(launch: Launch, args: list[str], timeout: float, budget: float) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.probe", *args, "--timeout", str(timeout), "--budget", str(budget)],
        cwd=launch.cwd,
        env=launch.env(),
        capture_output=True,
        text=True,
        # The home's wait, two phases of about --budget each (a slow last key may overrun), and exiting.
        timeout=timeout + 4 * budget + 60,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise RuntimeError(f"benchmarks.probe {' '.join(args[:2])} failed: {last}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure_probes(
    launch: Launch,
    results: Results,
    homes: dict[int, Path],
    runs: int,
    slow: float,
    keys: int,
    budget: float,
    timeout: float,
) -> None:
    bare = ["bare", "--keys", str(keys)]
    results.probes["bare"] = repeated(partial(run_probe, launch, bare, timeout, budget), runs, slow)
    for size, home in homes.items():
        if size == 0:
            continue
        probe = ["app", str(home), "--expect", store_name(1), "--keys", str(keys)]
        results.probes[f"app:{size}"] = found = repeated(
            partial(run_probe, launch, probe, timeout, budget), runs, slow
        )
        filter_ms = median(_pooled(found, "filter_repaint_ms"))
        focus_ms = median(_pooled(found, "focus_repaint_ms"))
        log(f"asc-tui, {size:,} stores: filter {_ms(filter_ms)}, focus {_ms(focus_ms)} (repaint)")


def _pooled(runs: list[dict[str, Any]], key: str) -> list[float]:
    return [value for run in runs for value in run.get(key, [])]


def time_cli(launch: Launch, args: list[str], home: Path, ok: tuple[int, ...] = (0,)) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [*asc_tui_command(), *args],
        cwd=launch.cwd,
        env=launch.env(ASC_TUI_HOME=str(home)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in ok:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise RuntimeError(f"asc-tui {' '.join(args)} exited {done.returncode}: {last}")
    return elapsed


def measure_cli(
    launch: Launch, results: Results, homes: dict[int, Path], runs: int, slow: float, scratch: Path
) -> None:
    largest = max(homes)
    if largest == 0:
        return
    for size, home in homes.items():
        if size == 0:
            continue
        results.cli[f"list:{size}"] = repeated(
            partial(time_cli, launch, ["stores", "list", "--json"], home), runs, slow
        )
    # check-auth exits 1 when some store needs its authorization renewed: still a finished run.
    results.cli[f"check-auth:{largest}"] = repeated(
        lambda: time_cli(launch, ["check-auth"], homes[largest], ok=(0, 1)), runs, slow
    )
    empty = homes[0] if 0 in homes else make_homes(launch, scratch / "empty", [0])[0]
    csv_file = write_import_csv(scratch / f"import-{largest}.csv", largest)
    count = 0

    def import_once() -> float:
        nonlocal count
        count += 1
        home = scratch / f"import-home-{count}"
        shutil.copytree(empty, home)  # an empty registry, already created
        try:
            return time_cli(launch, ["stores", "import", str(csv_file)], home)
        finally:
            shutil.rmtree(home, ignore_errors=True)

    results.cli[f"import:{largest}"] = repeated(import_once, runs, slow)
    log(f"CLI figures done ({largest:,} stores)")


# --- the report ------------------------------------------------------------------------------------


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f} s"


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} ms"


def _wall(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


def _mb(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} MB"


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "NO")


def _row_ratio(
    figure: str,
    value: float | None,
    base: float | None,
    limit: float,
    fmt: Callable[[float | None], str],
    runs: int,
) -> list[str]:
    ratio = value / base if value is not None and base else None
    return [
        figure,
        fmt(value),
        fmt(base),
        "n/a" if ratio is None else f"{ratio:.2f}×",
        f"≤ {limit:g}× bare",
        _verdict(None if ratio is None else ratio <= limit),
        str(runs),
    ]


def _row_abs(
    figure: str,
    value: float | None,
    limit: float,
    fmt: Callable[[float | None], str],
    runs: int,
    base: float | None = None,
) -> list[str]:
    """An absolute target; with a base (Pilot's floor) the verdict is on the value net of it."""
    net = None if value is None else value - (base or 0.0)
    return [
        figure,
        fmt(value),
        "—" if base is None else fmt(base),
        "—" if base is None or value is None else f"{value / base:.2f}×",
        f"≤ {fmt(limit)}" + ("" if base is None else " net"),
        _verdict(None if net is None else net <= limit),
        str(runs),
    ]


def figures_table(results: Results) -> list[list[str]]:
    sizes = [s for s in results.sizes if s > 0]
    big = max(sizes) if sizes else None
    ff = results.first_frame
    rows: list[list[str]] = []

    def stat(key: str) -> tuple[float | None, int]:
        values = ff.get(key, [])
        return median(values), len(values)

    bare_tmux, _ = stat("tmux:bare")
    bare_inside, _ = stat("inside:bare")
    if 0 in results.sizes:
        value, n = stat("tmux:app:0")
        rows.append(_row_ratio("first frame, empty home (tmux)", value, bare_tmux, 1.5, _seconds, n))
        value, n = stat("inside:app:0")
        rows.append(_row_ratio("first frame, empty home (inside)", value, bare_inside, 1.5, _seconds, n))
    bare_ahead, _ = stat("tmux:ahead:bare")
    for size, limit in ((0, 1.5), (big, 2.0)):
        if size is None or f"tmux:ahead:app:{size}" not in ff:
            continue
        value, n = stat(f"tmux:ahead:app:{size}")
        where = "empty home" if size == 0 else f"{size:,} stores"
        figure = f"typed ahead: `a` at first frame → add form, {where} (tmux)"
        rows.append(_row_ratio(figure, value, bare_ahead, limit, _seconds, n))
    if big is None:
        return rows
    label = f"{big:,} stores"
    value, n = stat(f"tmux:app:{big}")
    rows.append(_row_ratio(f"first screenful, {label} (tmux)", value, bare_tmux, 2.0, _seconds, n))
    value, n = stat(f"inside:app:{big}")
    rows.append(_row_ratio(f"first screenful, {label} (inside)", value, bare_inside, 2.0, _seconds, n))

    app = results.probes.get(f"app:{big}", [])
    bare = results.probes.get("bare", [])
    floor = median(_pooled(bare, "pilot_floor_ms"))
    for name, key, limit in (("filter keystroke", "filter", 50.0), ("focus to next card", "focus", 20.0)):
        repaint = _pooled(app, f"{key}_repaint_ms")
        pilot = _pooled(app, f"{key}_pilot_ms")
        rows.append(_row_abs(f"{name} → repaint, {label}", median(repaint), limit, _ms, len(repaint)))
        rows.append(
            _row_abs(f"{name}, Pilot press+pause, {label}", median(pilot), limit, _ms, len(pilot), floor)
        )
    app_rss = median([run["rss_mb"] for run in app])
    bare_rss = median([run["rss_mb"] for run in bare])
    extra = None if app_rss is None or bare_rss is None else app_rss - bare_rss
    rows.append(
        [
            f"peak memory, {label}, home shown",
            _mb(app_rss),
            _mb(bare_rss),
            "n/a" if extra is None else f"+{extra:.0f} MB",
            "≤ bare + 60 MB",
            _verdict(None if extra is None else extra <= 60),
            str(len(app)),
        ]
    )
    for figure, key, limit in (
        (f"stores list --json, {label}", f"list:{big}", 1.0),
        (f"stores import, {big:,} rows", f"import:{big}", 5.0),
        (f"check-auth (offline), {label}", f"check-auth:{big}", 1.5),
    ):
        values = results.cli.get(key, [])
        rows.append(_row_abs(figure, median(values), limit, _wall, len(values)))
    return rows


def growth_table(results: Results) -> tuple[list[str], list[list[str]], str] | None:
    sizes = [s for s in results.sizes if s > 0]
    if len(sizes) < 2:
        return None
    small, big = sizes[-2], sizes[-1]
    header = ["figure", *(f"{s:,} stores" for s in sizes), f"{big:,}/{small:,}"]
    rows: list[list[str]] = []

    def add(name: str, by_size: dict[int, float | None], fmt: Callable[[float | None], str]) -> None:
        a, b = by_size.get(small), by_size.get(big)
        ratio = f"{b / a:.1f}×" if a and b is not None else "n/a"
        rows.append([name, *(fmt(by_size.get(s)) for s in sizes), ratio])

    add(
        "first screenful (tmux)",
        {s: median(results.first_frame.get(f"tmux:app:{s}", [])) for s in sizes},
        _seconds,
    )
    add(
        "first screenful (inside)",
        {s: median(results.first_frame.get(f"inside:app:{s}", [])) for s in sizes},
        _seconds,
    )
    keystrokes = (
        ("filter keystroke → repaint", "filter_repaint_ms"),
        ("focus → repaint", "focus_repaint_ms"),
        ("filter keystroke, Pilot", "filter_pilot_ms"),
        ("focus, Pilot", "focus_pilot_ms"),
    )
    for name, key in keystrokes:
        add(name, {s: median(_pooled(results.probes.get(f"app:{s}", []), key)) for s in sizes}, _ms)
    add(
        "peak memory, home shown",
        {s: median([r["rss_mb"] for r in results.probes.get(f"app:{s}", [])]) for s in sizes},
        _mb,
    )
    add("stores list --json", {s: median(results.cli.get(f"list:{s}", [])) for s in sizes}, _wall)
    note = (
        f"Stores grew {big / small:g}× from {small:,} to {big:,}; the target is that each cost grows far "
        f"slower than {big / small:g}× (ideally about 1×: what is shown is one screenful either way)."
    )
    return header, rows, note


def render(header: Sequence[str], rows: list[list[str]]) -> str:
    """A Markdown table, padded so it also reads as plain text."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in rows]
    return "\n".join(lines)


def describe_checkout(app_root: Path | None) -> str:
    """Which asc_tui is measured: its folder and, in a git checkout, the commit (+ uncommitted changes)."""
    folder = app_root.resolve() if app_root else ROOT
    try:
        commit = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(folder), "status", "--porcelain", "--", "asc_tui", "styles"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return f"asc_tui in {folder}"
    return f"asc_tui in {folder} at {commit}" + (" with uncommitted changes" if dirty else "")


def machine() -> str:
    from importlib.metadata import version

    return (
        f"Python {platform.python_version()}, Textual {version('textual')}, {os.cpu_count()} CPU(s), "
        f"{platform.system()} {platform.release()}"
    )


def report(results: Results) -> str:
    out = [f"asc-tui speed benchmark ({machine()}); sizes {', '.join(f'{s:,}' for s in results.sizes)}"]
    out.append(f"Measured: {results.measured}; medians of {results.repeat} run(s) per figure.")
    out.append("")
    out.append(render(TABLE_HEADER, figures_table(results)))
    growth = growth_table(results)
    if growth is not None:
        header, rows, note = growth
        out += ["", "Growth with the number of stores (medians):", "", render(header, rows), "", note]
    else:
        out += ["", "Growth: needs two sizes above 0 (e.g. --sizes 0,1000,10000)."]
    inside_missing = any(
        key.startswith("tmux:app:") and f"inside:{key[5:]}" not in results.first_frame
        for key in results.first_frame
    )
    if inside_missing:
        out += [
            "",
            "inside n/a: the app does not record first_frame / cards_shown yet (benchmarks/instrument.py).",
        ]
    out += [f"Note: {note}" for note in results.notes]
    out += [f"NOT MEASURED: {failure}" for failure in FAILURES]
    out += ["", results.cold_start]
    if results.wire:
        out += [
            "",
            "Bytes on the wire (a real pty, TERM=xterm-256color, COLORTERM=truecolor):",
            "",
            results.wire,
        ]
    return "\n".join(out)


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes must be numbers separated by commas, not {text!r}") from None
    if not sizes or sizes[0] < 0:
        raise argparse.ArgumentTypeError("sizes must be 0 or more")
    return sizes


def compile_app(app_root: Path) -> None:
    """Byte-compile the measured package, as `pip install` does for a user: with PYTHONDONTWRITEBYTECODE
    set (as on this machine) an editable checkout would otherwise compile its source in every process,
    which the bare app (installed, compiled) never pays."""
    import compileall

    compileall.compile_dir(str(app_root / "asc_tui"), quiet=1, workers=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="sizes 0,100, one run each: a smoke test")
    parser.add_argument("--sizes", type=parse_sizes, default=None, help="store counts, e.g. 0,100,1000,10000")
    parser.add_argument("--repeat", type=int, default=None, help="fresh processes per figure (default 5)")
    parser.add_argument(
        "--keys", type=int, default=None, help="keystrokes / focus moves timed per process (20)"
    )
    parser.add_argument("--slow", type=float, default=30.0, help="do not repeat a run slower than this (s)")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per keystroke phase at most")
    parser.add_argument("--timeout", type=float, default=None, help="seconds for the home to show (600)")
    parser.add_argument("--save", type=Path, default=None, help="also write every sample as JSON here")
    parser.add_argument(
        "--app-root", type=Path, default=None, help="measure the asc_tui package of this checkout instead"
    )
    parser.add_argument(
        "--with-health", action="store_true", help="every store has 30 days of store health (issue 21)"
    )
    args = parser.parse_args(argv)
    # Stopped with SIGTERM, still remove the temporary registries and stop the private tmux server.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    sizes = args.sizes or list(QUICK_SIZES if args.quick else DEFAULT_SIZES)
    runs = args.repeat or (1 if args.quick else 5)
    keys = args.keys or (5 if args.quick else 20)
    timeout = args.timeout or (120.0 if args.quick else 600.0)
    results = Results(sizes=sizes, repeat=runs)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="asc-bench-") as temp:
        scratch = Path(temp)
        launch = Launch.for_app_root(args.app_root, scratch)
        results.measured = describe_checkout(args.app_root) + (
            ", every store with 30 days of store health" if args.with_health else ""
        )
        log(f"measuring {results.measured}")
        compile_app(args.app_root or ROOT)
        homes = make_homes(launch, scratch, sizes, health=args.with_health)
        measure_first_frames(launch, results, homes, runs, args.slow, timeout)
        measure_probes(launch, results, homes, runs, args.slow, keys, args.budget, timeout)
        measure_cli(launch, results, homes, runs, args.slow, scratch)
        results.cold_start = cold_start.report(runs=max(1, min(runs, 5)), cwd=launch.cwd, env=launch.env())
        if not args.quick and args.app_root is None:
            largest = max(homes)
            results.wire = wire.tables(
                homes[largest], largest, wire.DEFAULT_SIZES, repeat=min(runs, 3), quiet=1.5, timeout=timeout
            )
    if args.save:
        args.save.write_text(
            json.dumps({**results.__dict__, "failures": FAILURES}, indent=2), encoding="utf-8"
        )
    print(report(results))
    log(f"finished in {time.perf_counter() - started:.0f} s")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
