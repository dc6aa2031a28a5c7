"""`asc-tui doctor`: a bare machine, a configured one, the sandbox, and each problem with its one-line fix."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.support.cli import run, write_config

PLAINTEXT = "keyrings.alt.file.PlaintextKeyring"
ADD = ("stores", "add", "--email", "a@example.com", "--country", "US", "--website", "base")
AMAZON_ROWS = ("amazon.application_id", "amazon.client_id", "amazon.redirect_uri", "LWA client secret")


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, dict[str, Any]], str]:
    code, out, err = run(capsys, "doctor", "--json", *args)
    rows = json.loads(out)
    return code, {row["check"]: row for row in rows}, err


def fixes(err: str) -> list[str]:
    return [line.removeprefix("asc-tui: ") for line in err.splitlines() if line.startswith("asc-tui: ")]


def problems(rows: dict[str, dict[str, Any]]) -> list[str]:
    return [name for name, row in rows.items() if not row["ok"]]


def connected_store(
    capsys: pytest.CaptureFixture[str], name: str, token_ref: str, status: str = "active"
) -> None:
    """A store as connecting leaves it (the token itself is the test's business)."""
    from asc_tui.services.registry import open_registry

    assert run(capsys, *ADD, "--name", name)[0] == 0
    registry = open_registry()
    try:
        with registry.database.engine.begin() as conn:
            conn.execute(
                text("UPDATE store SET status=:s, token_ref=:r WHERE name=:n"),
                {"s": status, "r": token_ref, "n": name},
            )
    finally:
        registry.close()


@pytest.fixture(autouse=True)
def headless(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server reached without a display; whether it is SSH is up to each test."""
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "SSH_CONNECTION", "SSH_TTY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def bare(monkeypatch: pytest.MonkeyPatch) -> None:
    """No keyring service, as on this machine and on most servers (keyring's `fail` backend)."""
    monkeypatch.setattr("asc_tui.settings.secret_store.platform_backend", lambda: None)


@pytest.fixture
def plaintext_keyring(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", PLAINTEXT)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    yield tmp_path / "xdg" / "python_keyring" / "keyring_pass.cfg"


@pytest.fixture
def configured(isolated_home: Path, plaintext_keyring: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ASC_TUI_LWA_CLIENT_SECRET", "x")
    write_config(isolated_home)
    return plaintext_keyring


def test_a_bare_machine_says_what_to_set_up(
    capsys: pytest.CaptureFixture[str], bare: None, isolated_home: Path
) -> None:
    code, rows, err = doctor(capsys)
    assert code == 1
    config_file = isolated_home / "config" / "config.toml"
    assert rows["Config file"]["ok"] and "using the defaults" in rows["Config file"]["detail"]
    assert rows["Database"]["ok"] and "(sqlite, schema " in rows["Database"]["detail"]
    keyring = rows["Keyring"]
    assert not keyring["ok"] and keyring["detail"].startswith("none:")
    assert "encrypted secrets file" in keyring["fix"] and "ASC_TUI_KEYRING_PASSPHRASE" in keyring["fix"]
    assert "Keyring round trip" not in rows  # nothing to try it on
    for name in AMAZON_ROWS:
        assert not rows[name]["ok"], name
    assert "Set amazon.client_id to your app's LWA client ID" in rows["amazon.client_id"]["fix"]
    assert f"Settings (s) or in {config_file}" in rows["amazon.client_id"]["fix"]
    assert "ASC_TUI_LWA_CLIENT_SECRET" in rows["LWA client secret"]["fix"]
    # No display: not opening a browser is information, not a problem (the paste box works).
    assert rows["Browser"]["ok"] and "no graphical session" in rows["Browser"]["detail"]
    assert rows["Stores"] == {"check": "Stores", "ok": True, "detail": "none yet", "fix": None}
    # One fix line per problem, in the order of the rows, and nothing else on stderr.
    assert fixes(err) == [row["fix"] for row in rows.values() if not row["ok"]]
    assert err.count("\n") == len(fixes(err))


def test_a_configured_machine_times_the_round_trip_and_flags_only_the_plaintext_keyring(
    capsys: pytest.CaptureFixture[str], configured: Path
) -> None:
    code, rows, err = doctor(capsys)
    # The admin named a plaintext keyring: it works, but secrets are unprotected, which is worth an exit 1.
    assert problems(rows) == ["Keyring"] and code == 1
    assert PLAINTEXT in rows["Keyring"]["detail"] and "UNPROTECTED" in rows["Keyring"]["detail"]
    assert fixes(err) == [rows["Keyring"]["fix"]]
    assert "unset PYTHON_KEYRING_BACKEND" in rows["Keyring"]["fix"]
    round_trip = rows["Keyring round trip"]["detail"]
    assert round_trip.startswith("write, read and delete worked in ") and round_trip.endswith(" ms")
    assert "doctor-check" not in configured.read_text()  # the test secret was deleted again
    assert rows["amazon.redirect_uri"]["detail"] == "https://admin.example.com/amazon/callback"
    assert rows["LWA client secret"]["detail"] == "set (from ASC_TUI_LWA_CLIENT_SECRET)"
    assert "can be bound" in rows["Callback address"]["detail"]


def test_the_encrypted_file_with_its_passphrase_is_all_well(
    capsys: pytest.CaptureFixture[str], bare: None, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from asc_tui.settings.secret_store import CLIENT_SECRET_KEY, open_secret_store, refresh_token_key
    from asc_tui.system import paths

    write_config(isolated_home, extra='[secrets]\nbackend = "encrypted-file"\n')
    monkeypatch.setenv("ASC_TUI_KEYRING_PASSPHRASE", "correct horse battery")
    store = open_secret_store(sandbox=False, data_dir=paths.data_dir(), backend="encrypted-file")
    store.set(CLIENT_SECRET_KEY, "lwa-secret")
    store.set(refresh_token_key("ref-1"), "Atzr|token")
    connected_store(capsys, "Main", "ref-1")
    code, rows, err = doctor(capsys)
    assert problems(rows) == [] and code == 0
    assert rows["Store 'Main'"]["detail"] == "Active; refresh token present"
    assert (
        rows["Keyring"]["detail"].startswith("encrypted file ") and "(unlocked)" in rows["Keyring"]["detail"]
    )
    assert rows["LWA client secret"]["detail"] == "set (in the keyring)"
    assert err == "All checks passed.\n"
    # Without the passphrase the file is locked: one problem, and the fix says how to unlock it.
    monkeypatch.delenv("ASC_TUI_KEYRING_PASSPHRASE")
    code, rows, err = doctor(capsys)
    assert code == 1 and "locked" in rows["Keyring"]["detail"]
    assert "set ASC_TUI_KEYRING_PASSPHRASE to its passphrase" in rows["Keyring"]["fix"]
    assert rows["Store 'Main'"]["ok"]  # a locked file still tells whether the token is there


def test_the_sandbox_fills_in_every_amazon_setting(
    capsys: pytest.CaptureFixture[str], bare: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 50000 10.0.0.2 22")
    code, rows, _err = doctor(capsys, "--sandbox")
    for name in (*AMAZON_ROWS, "Callback address", "Keyring", "Keyring round trip"):
        assert rows[name]["ok"], (name, rows[name])
    assert "sandbox" in rows["amazon.application_id"]["detail"]
    assert "sandbox.sqlite3" in rows["Database"]["detail"]
    assert rows["Browser"]["ok"] and "over SSH" in rows["Browser"]["detail"]
    assert code == 0


def test_a_callback_port_in_use_fails_with_the_bind_message(
    capsys: pytest.CaptureFixture[str], configured: Path, isolated_home: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        listen = f"127.0.0.1:{taken.getsockname()[1]}"
        write_config(isolated_home, listen=listen)
        code, rows, err = doctor(capsys)
    row = rows["Callback address"]
    assert code == 1 and not row["ok"]
    assert row["detail"].startswith(f"The callback address {listen} is already in use by another program")
    assert row["fix"] in fixes(err)


def test_a_connected_store_without_its_refresh_token_is_named(
    capsys: pytest.CaptureFixture[str], configured: Path, backend: str
) -> None:
    """Also on PostgreSQL: the registry is shared, the keyring is this machine's."""
    from asc_tui.settings.secret_store import open_secret_store, refresh_token_key
    from asc_tui.system import paths

    connected_store(capsys, "Here", "ref-here")
    connected_store(capsys, "Elsewhere", "ref-gone", status="inactive")
    assert run(capsys, *ADD, "--name", "New")[0] == 0
    open_secret_store(sandbox=False, data_dir=paths.data_dir()).set(refresh_token_key("ref-here"), "Atzr|t")
    code, rows, err = doctor(capsys)
    assert code == 1
    from asc_tui.storage.migrations import HEAD

    assert rows["Database"]["ok"] and f"({backend}, schema {HEAD})" in rows["Database"]["detail"]
    assert rows["Stores"]["detail"] == "3 in all: 2 connected, 1 not"
    assert rows["Store 'Here'"]["ok"] and "refresh token present" in rows["Store 'Here'"]["detail"]
    missing = rows["Store 'Elsewhere'"]
    assert not missing["ok"] and missing["fix"] == (
        "Store 'Elsewhere' has no refresh token on this machine (connected elsewhere, or the keyring was "
        "reset); reconnect it here (c)."
    )
    assert "Store 'New'" not in rows  # not connected: only counted
    assert fixes(err) == [rows["Keyring"]["fix"], missing["fix"]]


def test_json_rows_have_one_shape(capsys: pytest.CaptureFixture[str], bare: None) -> None:
    code, out, _err = run(capsys, "doctor", "--json")
    rows = json.loads(out)
    assert code == 1 and isinstance(rows, list)
    assert [row["check"] for row in rows[:3]] == ["Config file", "Database", "Keyring"]
    for row in rows:
        assert set(row) == {"check", "ok", "detail", "fix"}
        assert isinstance(row["check"], str) and isinstance(row["detail"], str) and row["detail"]
        assert isinstance(row["ok"], bool)
        assert (row["fix"] is None) == row["ok"]


def test_a_broken_config_is_reported_and_the_rest_still_runs(
    capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    path = isolated_home / "config" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text("[amazon\n", encoding="utf-8")
    code, rows, err = doctor(capsys)
    assert code == 1 and list(rows) == ["Config file", "Database", "Data folder", "Browser"]
    assert "is not valid TOML" in rows["Config file"]["fix"] and "skipped" in rows["Config file"]["detail"]
    assert rows["Database"]["ok"] and rows["Browser"]["ok"]
    assert fixes(err) == [rows["Config file"]["fix"]]


def test_a_database_that_cannot_be_opened_leaves_the_other_checks_running(
    capsys: pytest.CaptureFixture[str], configured: Path, tmp_path: Path
) -> None:
    code, rows, _err = doctor(capsys, "--db", str(tmp_path / "no-such-folder" / "x.db"))
    assert code == 1 and not rows["Database"]["ok"]
    assert "does not exist" in rows["Database"]["fix"]
    assert rows["Keyring round trip"]["ok"] and rows["Callback address"]["ok"] and rows["Browser"]["ok"]
    assert "Stores" not in rows and "amazon.client_id" not in rows  # they need the registry


def test_a_keyring_that_fails_is_a_row_not_a_traceback(
    capsys: pytest.CaptureFixture[str], isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "no.such.Backend")
    code, rows, err = doctor(capsys)
    assert code == 1 and not rows["Keyring"]["ok"]
    assert "'no.such.Backend' cannot be loaded" in rows["Keyring"]["detail"]
    assert "Traceback" not in err and rows["Database"]["ok"] and rows["Browser"]["ok"]


def test_the_table_from_a_real_process(isolated_home: Path, tmp_path: Path) -> None:
    write_config(isolated_home)
    env = {
        **os.environ,
        "PYTHON_KEYRING_BACKEND": PLAINTEXT,
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        "ASC_TUI_LWA_CLIENT_SECRET": "x",
    }
    done = subprocess.run(
        [sys.executable, "-m", "asc_tui", "doctor"], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["Check", "Status", "Detail"]
    assert any(line.startswith("Keyring ") and "PROBLEM" in line for line in lines)
    assert any(line.startswith("Keyring round trip") and " ok " in line for line in lines)
    assert done.stderr.startswith("asc-tui: Secrets are stored unencrypted")
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr


def test_settings_that_are_set_but_wrong_say_so(
    capsys: pytest.CaptureFixture[str], configured: Path, isolated_home: Path
) -> None:
    path = write_config(isolated_home)
    path.write_text(
        path.read_text()
        .replace("amzn1.sp.solution.test-app", "amzn1.application-oa2-client.swapped")
        .replace("https://admin.example.com", "http://admin.example.com"),
        encoding="utf-8",
    )
    code, rows, err = doctor(capsys)
    assert code == 1
    assert "holds an LWA client ID" in rows["amazon.application_id"]["fix"]
    redirect = rows["amazon.redirect_uri"]
    assert redirect["detail"] == "http://admin.example.com/amazon/callback"
    assert redirect["fix"].startswith("The redirect URI (amazon.redirect_uri) must start with https://")
    line = next(
        n for n, text in enumerate(path.read_text().splitlines(), 1) if text.startswith("redirect_uri")
    )
    assert redirect["fix"].endswith(f"It is set in {path} (line {line}).")
    assert fixes(err) == [rows[n]["fix"] for n in ("Keyring", "amazon.application_id", "amazon.redirect_uri")]
    # Plain http on loopback is fine for local tests: noted, not a problem.
    path.write_text(
        path.read_text().replace("http://admin.example.com", "http://127.0.0.1:8976"), encoding="utf-8"
    )
    _code, rows, _err = doctor(capsys)
    assert (
        rows["amazon.redirect_uri"]["ok"]
        and "plain http on loopback" in rows["amazon.redirect_uri"]["detail"]
    )
