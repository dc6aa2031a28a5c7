"""Hostile text that reaches the log file or crash.log is escaped: one record, one line, no terminal control.

Reading a log with `cat` or `tail -f` must not clear the screen, ring, reorder text or forge a record.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from asc_tui.cli import main
from asc_tui.domain import StoreDraft
from asc_tui.services.stores import StoreService
from asc_tui.system import paths

from .nasty import NASTY, raw_controls

HOSTILE = "[bold]x[/bold]\x1b[2J\x07\u202e\x9b31m\nFAKE 2026-01-01 ERROR asc_tui: forged record"


def test_a_hostile_store_name_in_a_log_record_is_one_escaped_line(log_file: Path) -> None:
    logging.getLogger("asc_tui.services.connect").warning("Could not connect store %r / %s", HOSTILE, HOSTILE)
    logging.getLogger("asc_tui").warning("second record")
    lines = log_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2, lines
    first = lines[0]
    assert not raw_controls(first)
    assert "\\x1b[2J" in first and "\\x07" in first and "\\u202e" in first and "\\x9b" in first
    assert "\\nFAKE 2026-01-01 ERROR asc_tui: forged record" in first
    assert "[bold]x[/bold]" in first  # the log is plain text: markup is kept as typed
    assert lines[1].endswith("WARNING asc_tui: second record")


def test_every_nasty_value_logs_as_exactly_one_line(log_file: Path) -> None:
    logger = logging.getLogger("asc_tui.hardening")
    values = [v for v in NASTY.values() if len(v) < 1000]
    for value in values:
        logger.warning("store %s", value)
    lines = log_file.read_text(encoding="utf-8", errors="strict").splitlines()
    assert len(lines) == len(values)
    for line in lines:
        assert not raw_controls(line), line


def test_a_traceback_keeps_its_lines_but_escapes_what_the_user_typed(log_file: Path) -> None:
    try:
        raise RuntimeError(f"store {HOSTILE} is broken")
    except RuntimeError:
        logging.getLogger("asc_tui.amazon.callback").exception("The connect attempt failed")
    logged = log_file.read_text(encoding="utf-8")
    lines = logged.splitlines()
    assert lines[1] == "    Traceback (most recent call last):"
    assert len(lines) >= 5  # the traceback keeps its own lines, indented under the record
    assert all(line.startswith("    ") for line in lines[1:]), "a line at the margin would be a forged record"
    assert "    RuntimeError: store [bold]x[/bold]\\x1b[2J\\x07\\u202e\\x9b31m" in lines
    assert "    FAKE 2026-01-01 ERROR asc_tui: forged record is broken" in lines
    assert not raw_controls(logged.replace("\n", ""))


def test_an_unexpected_error_is_one_line_on_stderr_and_escaped_in_crash_log(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_add(self: StoreService, draft: StoreDraft) -> None:
        raise RuntimeError(f"could not add {draft.name} {HOSTILE}")

    monkeypatch.setattr(StoreService, "add", broken_add)
    code = main(
        [
            *("stores", "add", "--name", "[link=http://evil]y[/link]", "--email", "s@example.com"),
            *("--country", "US", "--website", "base"),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    crash_log = paths.data_dir() / "crash.log"
    assert err == f"asc-tui: Unexpected error (RuntimeError); details were written to {crash_log}.\n"
    logged = crash_log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last):" in logged
    assert "could not add [link=http://evil]y[/link] [bold]x[/bold]\\x1b[2J\\x07\\u202e" in logged
    assert not raw_controls(logged.replace("\n", ""))


def test_a_secret_quoted_in_an_unexpected_error_is_redacted_in_crash_log(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "Atzr|IwEBIcrashlogsecret0123456789"

    def broken_add(self: StoreService, draft: StoreDraft) -> None:
        raise RuntimeError(f"refresh_token={token}&spapi_oauth_code=ANcrashcode42 went missing")

    monkeypatch.setattr(StoreService, "add", broken_add)
    code = main(
        ["stores", "add", "--name", "X", "--email", "s@example.com", "--country", "US", "--website", "base"]
    )
    capsys.readouterr()
    assert code == 2
    logged = (paths.data_dir() / "crash.log").read_text(encoding="utf-8")
    assert "went missing" in logged
    assert token not in logged and "ANcrashcode42" not in logged and "IwEBIcrashlogsecret" not in logged
