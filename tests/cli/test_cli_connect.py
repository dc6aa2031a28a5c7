"""`asc-tui stores connect NAME` in a real process: the link on stdout, a pasted address on stdin."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlmodel import select

from asc_tui.domain import StoreStatus
from asc_tui.sandbox import SandboxEmulator
from asc_tui.services.registry import open_registry
from asc_tui.storage.models import ConnectAttempt
from tests.support.cli import run_asc_tui
from tests.support.connect import (
    NA,
    add_store,
    browser_get,
    secret_keys,
    seed_store,
    start_connect,
    write_real_config,
)
from tests.support.consent_forms import approve


def test_paste_on_stdin_connects(isolated_home: Path) -> None:
    seed_store()
    process, url = start_connect("Shop US")
    location = approve(url, NA)
    _out, err = process.communicate("not an address\n" + location + "\n", timeout=60)
    assert process.returncode == 0, err
    assert "Open the link below and sign in with the primary user" in err
    assert "asc-tui: That is not a web address; copy the whole address" in err  # and it kept waiting
    assert "Store 'Shop US' is connected: seller A1SANDBOXNA001, Amazon US" in err

    listed = run_asc_tui("--sandbox", "stores", "list", "--json")
    assert '"status": "active"' in listed.stdout and '"seller_id": "A1SANDBOXNA001"' in listed.stdout
    registry = open_registry(sandbox=True)
    try:
        assert len(secret_keys(registry)) == 1
    finally:
        registry.close()


def test_callback_connects_while_stdin_stays_open(isolated_home: Path) -> None:
    seed_store()
    process, url = start_connect("Shop US")
    page = browser_get(approve(url, NA))
    assert "Connected" in page.text
    # stdin stays open until the process has exited (a terminal nobody typed in): it must exit cleanly.
    assert process.wait(timeout=30) == 0
    assert process.stderr is not None
    err = process.stderr.read()
    assert "is connected" in err and "Fatal Python error" not in err


def test_kill_9_leaves_the_store_as_it_was(isolated_home: Path) -> None:
    seed_store()
    process, _url = start_connect("Shop US")
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)

    registry = open_registry(sandbox=True)
    try:
        store = registry.stores.find("Shop US")
        assert store.status == StoreStatus.NOT_CONNECTED.value
        with registry.database.session() as session:
            assert len(session.exec(select(ConnectAttempt)).all()) == 1  # the dead attempt's trail
        assert registry.connect.cleanup_stale() == 1  # the next start clears it
        with registry.database.session() as session:
            assert session.exec(select(ConnectAttempt)).all() == []
    finally:
        registry.close()
    # And connecting works again straight away.
    process, url = start_connect("Shop US")
    _out, err = process.communicate(approve(url, NA) + "\n", timeout=60)
    assert process.returncode == 0, err


def test_unknown_store_and_missing_settings(isolated_home: Path) -> None:
    missing = run_asc_tui("--sandbox", "stores", "connect", "Nope")
    assert missing.returncode == 1 and "There is no store named 'Nope'." in missing.stderr
    registry = open_registry()
    try:
        add_store(registry)
    finally:
        registry.close()
    not_ready = run_asc_tui("stores", "connect", "Shop US")
    assert not_ready.returncode == 2
    assert "amazon.application_id, amazon.client_id, amazon.redirect_uri" in not_ready.stderr
    assert "Traceback" not in not_ready.stderr


def test_a_real_config_pointing_at_amazon_compatible_servers(isolated_home: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """No --sandbox: the config names the app, the hosts and a fixed callback port; the secret is in env."""
    with SandboxEmulator() as amazon:
        port = write_real_config(isolated_home, amazon)
        env = {
            **os.environ,
            "ASC_TUI_LWA_CLIENT_SECRET": "sandbox-client-secret",
            "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
            "XDG_DATA_HOME": str(isolated_home / "xdg"),
        }
        assert (
            run_asc_tui(
                "stores", "add", "--name", "Real", "--email", "a@b.co", "--country", "US", "--website", "base"
            ).returncode
            == 0
        )
        process, url = start_connect("Real", options=(), env=env)
        assert f"redirect_uri=http%3A%2F%2F127.0.0.1%3A{port}%2Famazon%2Fcallback" in url
        page = browser_get(approve(url, NA))
        assert "Connected" in page.text
        _out, err = process.communicate(timeout=30)
        assert process.returncode == 0, err
        keyring_file = isolated_home / "xdg" / "python_keyring" / "keyring_pass.cfg"
        assert keyring_file.exists() and "refresh" in keyring_file.read_text()


def test_a_real_browser_and_the_cli_callback_worker(isolated_home: Path) -> None:
    from tests.support.browser import consent_in_browser

    seed_store("Shop UK", "UK")
    # A UK store: the UK seller signs in on the UK Seller Central (EU region endpoint).
    process, url = start_connect("Shop UK")
    assert "/sc/UK/apps/authorize/consent?" in url
    try:
        result = consent_in_browser(url, email="seller-uk@sandbox.example")
    except Exception:
        process.kill()
        _out, err = process.communicate(timeout=10)
        log = isolated_home / "data" / "asc-tui.log"
        raise AssertionError(
            f"exit {process.returncode}; stderr: {err}; log: {log.read_text() if log.exists() else '-'}"
        ) from None
    assert "Connected" in result.text and "A1SANDBOXUK001" in result.text
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    listed = run_asc_tui("--sandbox", "stores", "list", "--json")
    assert (
        '"seller_id": "A1SANDBOXUK001"' in listed.stdout
        and '"marketplace_id": "A1F83G8C2ARO7P"' in listed.stdout
    )


def test_check_auth_online_finds_a_revocation(isolated_home: Path) -> None:
    import json

    seed_store()
    process, url = start_connect("Shop US")
    _out, err = process.communicate(approve(url, NA) + "\n", timeout=60)
    assert process.returncode == 0, err

    fine = run_asc_tui("--sandbox", "check-auth", "--online")
    assert fine.returncode == 0, fine.stderr
    assert "Amazon accepted the authorization" in fine.stdout

    # The seller revokes the app in Seller Central (the sandbox keeps its grants in its data folder).
    grants_file = isolated_home / "data" / "sandbox-grants.json"
    grants = json.loads(grants_file.read_text())
    grants_file.write_text(json.dumps([{**g, "revoked": True} for g in grants]))

    revoked = run_asc_tui("--sandbox", "check-auth", "--online", "--json")
    assert revoked.returncode == 1
    (record,) = json.loads(revoked.stdout)
    assert record["auth_health"] == "revoked" and "invalid_grant" in record["online"]
    assert "1 store(s) need their Amazon authorization renewed (1 authorization(s))" in revoked.stderr
    offline = run_asc_tui("--sandbox", "check-auth")
    assert offline.returncode == 1 and "Revoked" in offline.stdout


def test_relay_page(isolated_home: Path) -> None:
    missing = run_asc_tui("relay-page")
    assert missing.returncode == 2 and "amazon.redirect_uri is not set" in missing.stderr
    config = isolated_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        '[amazon]\nredirect_uri = "https://admin.example.com/amazon/callback"\ncallback_listen = "127.0.0.1:8976"\n'
    )
    page = run_asc_tui("relay-page")
    assert page.returncode == 0 and "<html" in page.stdout.lower()
    assert "127.0.0.1:8976/amazon/callback" in page.stdout
    target = isolated_home / "relay.html"
    written = run_asc_tui("relay-page", "--output", str(target))
    assert written.returncode == 0 and target.read_text() == page.stdout
    assert "host it at https://admin.example.com/amazon/callback" in written.stderr


def test_stray_bytes_and_a_pasted_token_as_seller_id_are_refused(isolated_home: Path) -> None:
    seed_store()
    process = subprocess.Popen(
        [sys.executable, "-m", "asc_tui", "--sandbox", "stores", "connect", "Shop US"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    url = process.stdout.readline().decode().strip()
    location = approve(url, NA)
    _out, err = process.communicate(b"\xff\xfe not utf-8\n" + location.encode() + b"\n", timeout=60)
    text = err.decode()
    assert process.returncode == 0, text
    assert "is connected" in text and "Traceback" not in text
