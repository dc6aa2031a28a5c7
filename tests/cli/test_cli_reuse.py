"""`asc-tui stores connect NAME` with a seller's authorization already given in the region (issue 22 §2), in
real processes against the sandbox: the one authorization is used without a link; several ask which."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from asc_tui.sandbox import SandboxSeller
from asc_tui.services.registry import open_registry
from tests.support.connect import NA, US_ONLY, add_store, secret_keys, start_connect
from tests.support.consent_forms import approve


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "asc_tui", "--sandbox", *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def seed(connected: list[tuple[str, str, SandboxSeller]], waiting: list[tuple[str, str]]) -> None:
    """Stores connected by consent (name, country, seller) and stores not connected yet (name, country)."""
    registry = open_registry(sandbox=True)
    try:
        for name, country, seller in connected:
            store = add_store(registry, name, country)
            attempt = registry.connect.start(store.id or 0, listen=False)
            outcome = registry.connect.complete_from_paste(attempt, approve(attempt.consent_url, seller))
            assert outcome.connected, outcome.message
        for name, country in waiting:
            add_store(registry, name, country)
    finally:
        registry.close()


def test_the_one_authorization_is_used_with_no_link(isolated_home: Path) -> None:
    seed([("Shop US", "US", NA)], [("Shop CA", "CA"), ("Shop MX", "MX")])
    for name in ("Shop CA", "Shop MX"):
        result = run("stores", "connect", name)
        assert result.returncode == 0, result.stderr
        assert result.stdout == ""  # no consent link
        assert "Use the North America authorization of seller A1SANDBOXNA001" in result.stderr
        assert f"Store {name!r} is connected with seller A1SANDBOXNA001's North America authorization" in (
            result.stderr
        )
    registry = open_registry(sandbox=True)
    try:
        stores = [registry.stores.find(name) for name in ("Shop US", "Shop CA", "Shop MX")]
        assert len({store.token_ref for store in stores}) == 1 and len(secret_keys(registry)) == 1
        assert len({store.authorized_at for store in stores}) == 1
    finally:
        registry.close()


def test_several_authorizations_ask_which_and_the_chosen_one_connects(isolated_home: Path) -> None:
    seed([("Shop US", "US", NA), ("Other US", "US", US_ONLY)], [("Shop CA", "CA")])
    result = run("stores", "connect", "Shop CA")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith(
        "asc-tui: Store 'Shop CA' could use 2 authorizations in its region; choose one with "
        "--authorization SELLER_ID, or sign in with Seller Central with --new-authorization:"
    )
    assert "A1SANDBOXNA001 · Use the North America" in result.stderr and "A1SANDBOXUS001" in result.stderr
    assert "Traceback" not in result.stderr

    result = run("stores", "connect", "Shop CA", "--authorization", "A9NOSUCHSELLER")
    assert result.returncode == 1
    assert "asc-tui: Seller A9NOSUCHSELLER has no authorization store 'Shop CA' can use" in result.stderr

    result = run("stores", "connect", "Shop CA", "--authorization", "A1SANDBOXNA001")
    assert result.returncode == 0, result.stderr
    assert "is connected with seller A1SANDBOXNA001's" in result.stderr


def test_new_authorization_forces_the_consent(isolated_home: Path) -> None:
    seed([("Shop US", "US", NA)], [("Shop CA", "CA")])
    both = run("stores", "connect", "Shop CA", "--authorization", "A1SANDBOXNA001", "--new-authorization")
    assert both.returncode == 1 and "not both" in both.stderr
    process, url = start_connect("Shop CA", "--new-authorization")
    _out, err = process.communicate(approve(url, NA) + "\n", timeout=60)
    assert process.returncode == 0, err
    assert "Store 'Shop CA' is connected: seller A1SANDBOXNA001, Amazon CA" in err
    assert "The same authorization renewed 'Shop US'." in err
