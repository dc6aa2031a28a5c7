"""Cold-start import report, after Harlequin's scripts/cold_start.py: what importing costs before any work.

`python -m benchmarks.cold_start` prints, for the CLI's and the TUI's entry modules, the wall time of a
fresh interpreter importing it (best of N), how many modules that loads, whether the heavy libraries are
among them, and the slowest imports by cumulative time from `python -X importtime`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ("asc_tui.cli", "asc_tui.ui.app")
# Libraries worth keeping off the first frame (textual.md §4: sqlmodel ≈ 0.3 s, httpx and keyring ≈ 70 ms).
HEAVY = ("textual", "sqlmodel", "sqlalchemy", "pydantic", "alembic", "httpx", "keyring", "psycopg", "tomlkit")

PROBE = "import {module}, sys; print(len(sys.modules))"


@dataclass(frozen=True)
class Import:
    module: str
    self_us: int
    cumulative_us: int
    depth: int  # 0 for a top-level import of the statement


def parse_importtime(stderr: str) -> list[Import]:
    """The rows of `python -X importtime` ("import time: self [us] | cumulative | imported package")."""
    rows: list[Import] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        fields = line[len("import time:") :].split("|")
        if len(fields) != 3:
            continue
        self_us, cumulative_us, name = fields
        try:
            own, total = int(self_us), int(cumulative_us)
        except ValueError:
            continue  # the header row
        depth = (len(name) - len(name.lstrip(" "))) // 2
        rows.append(Import(name.strip(), own, total, depth))
    return rows


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return env


def wall_time(
    module: str, runs: int, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> tuple[float, int]:
    """Best milliseconds of `runs` fresh interpreters importing `module`, and how many modules it loads."""
    best = float("inf")
    modules = 0
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", PROBE.format(module=module)],
            capture_output=True,
            text=True,
            check=True,
            cwd=cwd,
            env=env or _env(),
        )
        best = min(best, (time.perf_counter() - start) * 1000)
        modules = int(done.stdout.strip())
    return best, modules


def import_times(module: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> list[Import]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
        env=env or _env(),
    )
    return parse_importtime(done.stderr)


def report(runs: int = 3, top: int = 15, cwd: Path = ROOT, env: dict[str, str] | None = None) -> str:
    """The report as text; `cwd` and `env` choose which asc_tui is imported (see run.py --app-root)."""
    lines = ["Cold start: imports (fresh interpreter, warm disk cache)", ""]
    base, base_modules = wall_time("sys", runs, cwd, env)
    lines.append(f"{'statement':<30}{'best ms':>9}{'modules':>9}  heavy libraries loaded")
    lines.append(f"{'interpreter only':<30}{base:>9.0f}{base_modules:>9}")
    details: list[tuple[str, list[Import]]] = []
    for module in TARGETS:
        best, count = wall_time(module, runs, cwd, env)
        rows = import_times(module, cwd, env)
        by_name = {row.module: row for row in rows}
        heavy = [
            f"{name} {by_name[name].cumulative_us / 1000:.0f}"
            if name in by_name
            else f"{name} (inside another)"
            for name in HEAVY
            if name in by_name or any(r.module.startswith(name + ".") for r in rows)
        ]
        lines.append(f"{'import ' + module:<30}{best:>9.0f}{count:>9}  {', '.join(heavy) or 'none'}")
        details.append((module, rows))
    lines.append("  (heavy libraries: cumulative ms of their first import in -X importtime)")
    for module, rows in details:
        lines.append("")
        lines.append(f"{top} slowest cumulative imports: python -X importtime -c 'import {module}'")
        lines.append(f"{'cumulative ms':>14}{'self ms':>9}  module")
        for row in sorted(rows, key=lambda r: r.cumulative_us, reverse=True)[:top]:
            lines.append(
                f"{row.cumulative_us / 1000:>14.1f}{row.self_us / 1000:>9.1f}  {'  ' * row.depth}{row.module}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cold_start", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters per statement (best wins)")
    parser.add_argument("--top", type=int, default=15, help="how many imports to list")
    args = parser.parse_args(argv)
    print(report(args.runs, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
