"""Run the fast tests (FAST_TESTS) at both ends of what pyproject.toml allows, each in a fresh venv.

- newest: the newest releases pyproject.toml allows (within its caps), as `pipx install asc-tui` would get today;
- lowest: uv's lowest-direct resolution, every direct dependency at its floor.

The locked install (`make test`) proves what a fresh clone gets; these two prove the floors and caps that people
who install without the lock rely on. When an end fails, each package whose version differs from uv.lock is put
back to its locked version alone (`--no-deps`) and the failed tests run again: a package that turns them green is
named with both versions, so the failure says what broke it.

Standard library only: it runs before any venv exists. `python3 scripts/check_resolutions.py --help`.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "asc-tui"
ENDS = {"newest": "highest", "lowest": "lowest-direct"}
# The fast tier: the tests that were tests/unit before the tests' folders came to mirror asc_tui/ (the connect
# flow's tests in tests/cli and tests/services are left out). Whole folders where every file belongs to it, so
# a new test there is run too.
FAST_TESTS = [
    "tests/cli/test_cli.py",
    "tests/cli/test_cli_i18n.py",
    "tests/cli/test_cli_newcomer.py",
    "tests/cli/test_doctor.py",
    "tests/project",
    "tests/services/test_credentials.py",
    "tests/services/test_health.py",
    "tests/services/test_race.py",
    "tests/services/test_stores.py",
    "tests/settings",
    "tests/storage",
    "tests/system",
    "tests/ui/test_activity_text.py",
    "tests/vocabulary",
]


@dataclass(frozen=True)
class Outcome:
    end: str
    passed: bool
    summary: str


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_versions(lock: Path) -> dict[str, str]:
    data = tomllib.loads(lock.read_text("utf-8"))
    return {normalize(p["name"]): p["version"] for p in data.get("package", []) if "version" in p}


def installed_versions(uv: str, python: Path) -> dict[str, str]:
    out = subprocess.run(
        [uv, "pip", "freeze", "--python", str(python)], check=True, capture_output=True, text=True
    ).stdout
    versions = {}
    for line in out.splitlines():
        if "==" in line:
            name, version = line.split("==", 1)
            versions[normalize(name)] = version.strip()
    return versions


def failed_tests(report: Path) -> list[str]:
    """Node IDs of the failed and erroring tests in a JUnit XML report."""
    if not report.exists():
        return []
    failed = []
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(node_id(case.get("classname", ""), case.get("name", "")))
    return failed


def node_id(classname: str, name: str) -> str:
    """`tests.cli.test_x.TestY` + `test_z` -> `tests/cli/test_x.py::TestY::test_z`."""
    parts = classname.split(".")
    for cut in range(len(parts), 0, -1):
        module = Path(*parts[:cut]).with_suffix(".py")
        if (ROOT / module).is_file():
            return "::".join([module.as_posix(), *parts[cut:], name])
    return f"{classname}::{name}"


def run_tests(python: Path, tests: list[str], report: Path, workers: int) -> bool:
    command = [str(python), "-m", "pytest", "-q", "-p", "no:randomly", f"--junitxml={report}", *tests]
    if workers > 1:
        command[3:3] = ["-n", str(workers)]
    return subprocess.run(command, cwd=ROOT).returncode == 0


def culprits(uv: str, python: Path, failed: list[str], report: Path) -> list[str]:
    """Each package that, put back alone to its locked version, turns the failed tests green."""
    locked = locked_versions(ROOT / "uv.lock")
    installed = installed_versions(uv, python)
    differing = sorted(
        name
        for name, version in installed.items()
        if name != PROJECT and name in locked and locked[name] != version
    )
    print(
        f"check-resolutions: {len(differing)} package(s) differ from uv.lock: "
        + ", ".join(f"{name} {installed[name]} (locked {locked[name]})" for name in differing)
    )
    found = []
    for name in differing:
        pin = [uv, "pip", "install", "--quiet", "--no-deps", "--python", str(python)]
        subprocess.run([*pin, f"{name}=={locked[name]}"], check=True)
        try:
            if run_tests(python, failed, report, workers=1):
                found.append(f"{name} {installed[name]} (the tests pass with the locked {locked[name]})")
        finally:
            subprocess.run([*pin, f"{name}=={installed[name]}"], check=True)
    return found


def check(end: str, uv: str, python: str, tests: list[str], workers: int) -> Outcome:
    venv = ROOT / f".venv-{end}"
    venv_python = venv / "bin" / "python"
    report = venv / "unit-report.xml"
    print(f"check-resolutions: {end}: a fresh venv at the {ENDS[end]} resolution", flush=True)
    subprocess.run([uv, "venv", "--quiet", "--clear", "--python", python, str(venv)], check=True, cwd=ROOT)
    install = [uv, "pip", "install", "--quiet", "--python", str(venv_python), "--resolution", ENDS[end]]
    if subprocess.run([*install, "-e", ".[dev]"], cwd=ROOT).returncode != 0:
        return Outcome(end, False, f"{end}: pyproject.toml's requirements cannot be installed together")
    if run_tests(venv_python, tests, report, workers):
        return Outcome(end, True, f"{end}: the fast tests pass")
    failed = failed_tests(report)
    if not failed:
        return Outcome(end, False, f"{end}: the fast tests did not run (see the output above)")
    names = culprits(uv, venv_python, failed, report)
    where = ", ".join(failed[:5]) + (f" and {len(failed) - 5} more" if len(failed) > 5 else "")
    if names:
        return Outcome(end, False, f"{end}: {'; '.join(names)} breaks {where}")
    return Outcome(
        end, False, f"{end}: {where} failed, and no single package put back to uv.lock's version fixes it"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uv", default="uv", help="the uv executable")
    parser.add_argument("--python", default=sys.executable, help="the interpreter the venvs are made with")
    parser.add_argument("--end", choices=sorted(ENDS), action="append", help="one end only (repeatable)")
    parser.add_argument("--workers", type=int, default=2, help="pytest-xdist workers")
    parser.add_argument("tests", nargs="*", default=FAST_TESTS)
    args = parser.parse_args()
    outcomes = [check(end, args.uv, args.python, args.tests, args.workers) for end in args.end or list(ENDS)]
    for outcome in outcomes:
        print(f"check-resolutions: {'ok' if outcome.passed else 'FAILED'}: {outcome.summary}")
    return 0 if all(outcome.passed for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
