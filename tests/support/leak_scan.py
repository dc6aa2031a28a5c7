"""After the whole run: no secret the Amazon emulator issued may be in anything the tests wrote.

A pytest plugin (tests/conftest.py loads it). Each test process names a ledger file in its own basetemp
through ASC_TUI_SANDBOX_LEDGER, so every emulator it runs (in the process or in a CLI/TUI subprocess)
appends each authorization code, refresh token and access token it issues (asc_tui/sandbox/).
When the session ends (in the pytest-xdist controller once the workers are done, or in a plain run) every
file under the basetemp (databases, asc-tui.log, exports, screen captures, crash logs, configs) is
searched for every secret in the ledgers: as issued (a long enough piece of it) and base64-encoded. Any
find fails the run, naming the file and the kind of secret, never the secret itself.

Folders the run writes outside the basetemp and removes before it ends (the PostgreSQL server's folder,
the small-disk tmpfs) are searched just before they go, with `scan_before_removal()`, for the secrets
issued so far; what it finds is kept in the process's basetemp and fails the run at its end all the same.

Only the places meant to hold secrets are skipped: the keyring files and the emulator's own record of
its grants (Amazon's side), plus the ledgers.
"""

from __future__ import annotations

import base64
import os
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from asc_tui.sandbox import LEDGER_ENV

LEDGER_NAME = "sandbox-ledger.tsv"
# What scan_before_removal() found in folders gone by the end of the run (no secret in it: path, kind, form).
EARLY_NAME = "leaks-in-removed-folders.tsv"
# Where secrets belong: the sandbox keyring file, keyrings.alt's and the app's plaintext keyring files,
# and the emulator's grants (Amazon's own record). The encrypted keyring file is searched: it must not
# hold a secret in the clear.
SECRET_HOMES = frozenset(
    {"sandbox-secrets.cfg", "sandbox-grants.json", "keyring_pass.cfg", "secrets-plaintext.cfg", LEDGER_NAME}
)
# Files the run may write outside the basetemp.
ROOT_OUTPUTS = ("snapshot_report.html",)
WINDOW = 20  # characters of a secret that count as a leak (120 random bits: never by chance)
_TOKEN_PREFIXES = ("Atzr|", "Atza|")
_RUN = re.compile(rb"[A-Za-z0-9+/_\-]{%d,}" % WINDOW)
_URLSAFE = bytes.maketrans(b"+/", b"-_")
_STARTED = pytest.StashKey[float]()


@dataclass(frozen=True, order=True)
class Leak:
    path: str
    kind: str
    form: str


def _tab_separated(paths: Iterable[Path]) -> Iterator[list[str]]:
    """The fields of every line of every one of these files that exists (a worker may not have written its
    file)."""
    for path in paths:
        try:
            text = path.read_text("utf-8")
        except OSError:
            continue
        for line in text.splitlines():
            yield line.split("\t")


def read_ledgers(paths: Iterable[Path]) -> dict[str, str]:
    """secret → kind, from every ledger that exists."""
    secrets: dict[str, str] = {}
    for kind, *rest in _tab_separated(paths):
        secret = "\t".join(rest)
        if secret:
            secrets[secret] = kind
    return secrets


def _needles(secrets: Mapping[str, str]) -> dict[bytes, tuple[str, str]]:
    """Every piece of WINDOW characters to look for → (kind, form)."""
    needles: dict[bytes, tuple[str, str]] = {}
    for secret, kind in secrets.items():
        body = secret[5:] if secret.startswith(_TOKEN_PREFIXES) else secret
        raw = body.encode()
        for i in range(len(raw) - WINDOW + 1):
            needles[raw[i : i + WINDOW]] = (kind, "as issued")
        for pad in (b"", b"\0", b"\0\0"):
            # The characters that depend on the secret alone, wherever it sits in an encoded stream.
            core = base64.b64encode(pad + secret.encode())[4 if pad else 0 : -4]
            for variant in (core, core.translate(_URLSAFE)):
                if len(variant) >= WINDOW:
                    needles[variant[:WINDOW]] = (kind, "base64")
                    needles[variant[-WINDOW:]] = (kind, "base64")
    return needles


def _files(root: Path) -> Iterable[Path]:
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            if name in SECRET_HOMES:
                continue
            path = Path(folder, name)
            if path.is_file() and not path.is_symlink():
                yield path


def scan(root: Path, secrets: Mapping[str, str], extra: Iterable[Path] = ()) -> list[Leak]:
    """Every (file, kind of secret, form) found under `root` and in `extra`; paths relative to root."""
    needles = _needles(secrets)
    if not needles:
        return []
    found: set[Leak] = set()
    for path in [*_files(root), *extra]:
        try:
            content = path.read_bytes()
        except OSError:
            continue
        name = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
        for match in _RUN.finditer(content):
            run = match.group()
            for i in range(len(run) - WINDOW + 1):
                hit = needles.get(run[i : i + WINDOW])
                if hit is not None:
                    found.add(Leak(name, *hit))
    return sorted(found)


def scan_before_removal(folder: Path, label: str) -> list[Leak]:
    """Search a folder about to be removed for the secrets this process's ledger holds so far; what is
    found is also kept beside the ledger, for the end of the run to report and fail on."""
    named = os.environ.get(LEDGER_ENV)
    if not named:
        return []  # not a run with the plugin
    ledger = Path(named)
    secrets = read_ledgers([ledger])
    if not secrets:
        return []
    leaks = [Leak(f"{label}: {leak.path}", leak.kind, leak.form) for leak in scan(folder, secrets)]
    if leaks:
        with (ledger.parent / EARLY_NAME).open("a", encoding="utf-8") as kept:
            kept.writelines(f"{leak.path}\t{leak.kind}\t{leak.form}\n" for leak in leaks)
    return leaks


def read_early(paths: Iterable[Path]) -> list[Leak]:
    """The finds scan_before_removal() kept."""
    return [Leak(*fields) for fields in _tab_separated(paths) if len(fields) == 3]


def report(leaks: Iterable[Leak]) -> list[str]:
    return [f"{leak.path}: {leak.kind} ({leak.form})" for leak in leaks]


# --- the plugin -----------------------------------------------------------------------------------


def _basetemp(config: pytest.Config) -> Path:
    factory = config._tmp_path_factory  # type: ignore[attr-defined]
    return Path(factory.getbasetemp())


def pytest_sessionstart(session: pytest.Session) -> None:
    """Name this process's ledger (a worker's lies in its own basetemp, under the controller's)."""
    config = session.config
    config.stash[_STARTED] = time.time()
    ledger = _basetemp(config) / LEDGER_NAME
    ledger.touch()
    os.environ[LEDGER_ENV] = str(ledger)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    if hasattr(config, "workerinput"):
        return  # the controller scans once every worker is done
    root = _basetemp(config)
    secrets = read_ledgers([root / LEDGER_NAME, *sorted(root.glob(f"popen-gw*/{LEDGER_NAME}"))])
    early = read_early([root / EARLY_NAME, *sorted(root.glob(f"popen-gw*/{EARLY_NAME}"))])
    if not secrets and not early:
        return
    started = config.stash.get(_STARTED, 0.0)
    extra = [
        path
        for path in (config.rootpath / name for name in ROOT_OUTPUTS)
        if path.is_file() and path.stat().st_mtime >= started
    ]
    leaks = sorted({*scan(root, secrets, extra), *early})
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    if not leaks:
        if terminal is not None and config.get_verbosity() >= 0:  # one line in every normal run
            terminal.write_line("")
            terminal.write_line(f"secret leak scan: none of {len(secrets)} issued secrets found under {root}")
        return
    lines = report(leaks)
    if terminal is not None:
        terminal.write_line("")
        terminal.write_sep("=", "secret leak scan FAILED", red=True, bold=True)
        terminal.write_line(
            f"Secrets issued by the Amazon emulator were found in files under {root} (or in a folder named "
            "before the file, searched before it was removed):"
        )
        for line in lines:
            terminal.write_line(f"  {line}")
    else:  # pragma: no cover - without a terminal (-p no:terminal)
        print("secret leak scan FAILED:", *lines, sep="\n  ")
    if session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
