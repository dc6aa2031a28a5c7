"""The CLI as a newcomer meets it: an export imports back, tables print words, an unknown website lists the
codes that exist, and `stores connect` opens a browser by the TUI's rule (--no-browser only prints)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from asc_tui.services.registry import open_registry
from tests.support.connect import start_connect

SCRIPT = Path(sys.executable).with_name("asc-tui")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "asc_tui"]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "120", **(env or {})},
        timeout=60,
    )


def add(name: str, country: str = "US", *extra: str) -> None:
    done = cli(
        "stores", "add", "--name", name, "--email", "ops@example.com", "--country", country,
        "--website", "base", *extra,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def mark_connected(name: str) -> None:
    """As a completed connect leaves a store (no secret here: the export never carries one anyway)."""
    registry = open_registry()
    try:
        with registry.database.engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE store SET status='active', seller_id='A1SELLER', authorized_at=:t WHERE name=:n"
                ),
                {"t": datetime(2026, 11, 1, tzinfo=UTC), "n": name},
            )
    finally:
        registry.close()


@pytest.mark.parametrize("as_json", [False, True], ids=["csv", "json"])
def test_an_export_imports_back_into_a_new_registry(
    isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_json: bool
) -> None:
    add("Shop US", "US")
    add("Shop UK", "UK")
    mark_connected("Shop UK")
    exported = cli("stores", "export", *(["--json"] if as_json else []))
    assert exported.returncode == 0, exported.stderr
    backup = tmp_path / ("backup.json" if as_json else "backup.csv")
    backup.write_text(exported.stdout, encoding="utf-8")

    monkeypatch.setenv("ASC_TUI_HOME", str(tmp_path / "elsewhere"))
    imported = cli("stores", "import", str(backup))
    assert imported.returncode == 0, imported.stderr
    assert "Imported 2 store(s)" in imported.stderr
    assert "1 of them were connected to Amazon when exported; they come back not connected" in imported.stderr
    listed = json.loads(cli("stores", "list", "--json").stdout)
    assert [(r["name"], r["country"], r["status"], r["seller_id"]) for r in listed] == [
        ("Shop US", "US", "not_connected", None),
        ("Shop UK", "UK", "not_connected", None),
    ]


def test_an_unknown_column_is_still_refused(tmp_path: Path) -> None:
    backup = tmp_path / "stores.csv"
    backup.write_text("name,email,country,website,colour\nA,a@example.com,US,base,red\n", encoding="utf-8")
    done = cli("stores", "import", str(backup))
    assert done.returncode == 1
    assert "unknown column 'colour'" in done.stderr


def test_english_tables_print_words_and_json_keeps_codes() -> None:
    add("Shop US")
    mark_connected("Shop US")
    add("Shop CA", "CA")
    table = cli("stores", "list").stdout
    assert "Not connected" in table and "Not authorized" in table and "Active" in table
    assert "not_connected" not in table and "renew_soon" not in table and " none " not in table
    auth = cli("check-auth").stdout
    assert "Not connected" in auth and "not_connected" not in auth
    records = json.loads(cli("stores", "list", "--json").stdout)
    assert {r["status"] for r in records} == {"active", "not_connected"}


def test_an_unknown_website_code_lists_the_codes_that_exist() -> None:
    done = cli(
        "stores", "add", "--name", "X", "--email", "x@example.com", "--country", "US", "--website", "main"
    )  # fmt: skip
    assert done.returncode == 1
    assert "There is no Magento website with the code 'main'; the codes are: base." in done.stderr


def browser_script(tmp_path: Path) -> tuple[Path, Path]:
    """A $BROWSER that writes the address it was given to a file, as a real browser would open it."""
    opened = tmp_path / "opened.txt"
    script = tmp_path / "fake-browser"
    script.write_text(f'#!/bin/sh\nprintf "%s" "$1" > "{opened}"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, opened


def until_waiting(process: subprocess.Popen[str]) -> str:
    """stderr up to the line that says it waits for a paste: everything about the browser is said by then."""
    assert process.stderr is not None
    seen = ""
    while "Paste the address" not in seen:
        line = process.stderr.readline()
        assert line, seen
        seen += line
    return seen


@pytest.mark.parametrize("no_browser", [False, True], ids=["browser", "no-browser"])
def test_connect_honours_browser_and_no_browser_only_prints(tmp_path: Path, no_browser: bool) -> None:
    registry = open_registry(sandbox=True)
    try:
        from tests.support.connect import add_store

        add_store(registry, "Shop US", "US")
    finally:
        registry.close()
    script, opened = browser_script(tmp_path)
    extra = ("--no-browser",) if no_browser else ()
    process, url = start_connect("Shop US", *extra, env={**os.environ, "BROWSER": str(script)})
    try:
        err = until_waiting(process)
        if not no_browser:
            for _ in range(250):  # up to 5 s for the detached browser to start
                if opened.exists() and opened.read_text(encoding="utf-8"):
                    break
                time.sleep(0.02)
    finally:
        process.kill()
        process.communicate(timeout=60)
    if no_browser:
        assert not opened.exists()
        assert "Browser" not in err
    else:
        assert opened.read_text(encoding="utf-8") == url
        assert "Browser opened with $BROWSER (" in err
