"""Secrets on a machine without a keyring service, and with a keyring that hangs, seen from the TUI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from asc_tui.domain import StoreStatus
from asc_tui.sandbox import SANDBOX_CLIENT_SECRET, SandboxEmulator
from asc_tui.settings.secret_store import open_secret_store, refresh_token_key
from asc_tui.ui.screens.connect import ConnectScreen
from asc_tui.ui.screens.help import HelpScreen
from asc_tui.ui.screens.secrets_setup import SetUpSecretsModal
from tests.support import hanging_keyring
from tests.support.connect import write_real_config

from .helpers import (
    choose_passphrase,
    make_app,
    notifications,
    paste_approval,
    press,
    saved_registry,
    seed,
    type_into,
    until_ready,
    wait_until,
)

PASSPHRASE = "correct horse battery"
HUNG_TIMEOUT = 5  # seconds the app waits for a keyring that never answers, in the hung-keyring test


@pytest.fixture
def amazon(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[SandboxEmulator]:
    """A real config (not --sandbox) pointing at Amazon-compatible servers on loopback.

    The keyring timeout is short only for the hung-keyring test: on a loaded CI machine merely finding
    the keyring can take longer than 5 s.
    """
    timeout = HUNG_TIMEOUT if "hung_keyring" in request.node.name else 10
    with SandboxEmulator() as emulator:
        write_real_config(isolated_home, emulator, f"[secrets]\ntimeout_seconds = {timeout}\n")
        monkeypatch.setenv("ASC_TUI_LWA_CLIENT_SECRET", SANDBOX_CLIENT_SECRET)
        yield emulator


async def wait_for(pilot: Pilot[None], kind: type) -> None:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, kind), f"{kind.__name__} open")


async def test_bare_server_sets_up_the_encrypted_file_and_connects(
    amazon: SandboxEmulator, isolated_home: Path
) -> None:
    seed(("Shop US", "US"))
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await until_ready(pilot)
        banner = app.home.query_one("#banner")
        for _ in range(300):  # the keyring check runs in a worker; a loaded CI machine is slow
            if "No keyring service runs here" in str(banner.render()):
                break
            await pilot.pause(0.05)
        assert banner.display and "No keyring service runs here" in str(banner.render())

        await pilot.press("c")
        await wait_for(pilot, SetUpSecretsModal)
        type_into(app, "#passphrase", "short")
        type_into(app, "#repeat", "short")
        await pilot.press("enter")  # from the first field to the second
        assert app.focused is not None and app.focused.id == "repeat"
        await press(pilot, "enter")
        assert "at least 8 characters" in str(app.screen.query_one("#secrets-error").render())
        await choose_passphrase(pilot, PASSPHRASE)
        await wait_for(pilot, ConnectScreen)

        await paste_approval(pilot)
        for _ in range(400):
            if not isinstance(app.screen, ConnectScreen):
                break
            await pilot.pause(0.05)
        assert not isinstance(app.screen, ConnectScreen)

    with saved_registry() as registry:
        store = registry.stores.find("Shop US")
        assert store.status == StoreStatus.ACTIVE.value and store.token_ref
    secrets_file = isolated_home / "data" / "secrets.cfg"
    raw = secrets_file.read_bytes()
    issued = amazon.issued_secrets
    assert issued and not any(secret.encode() in raw for secret in issued)
    assert PASSPHRASE.encode() not in raw
    # Another process reads the token back with the passphrase, as cron would.
    reader = open_secret_store(
        sandbox=False,
        data_dir=isolated_home / "data",
        environ={"ASC_TUI_KEYRING_PASSPHRASE": PASSPHRASE},
    )
    token = reader.get(refresh_token_key(store.token_ref))
    assert token is not None and token in issued


async def test_a_hung_keyring_times_out_and_the_ui_stays_responsive(
    amazon: SandboxEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.support.hanging_keyring.HangingKeyring")
    monkeypatch.setattr(hanging_keyring, "CALLS", [])
    seed(("Shop US", "US"))
    app = make_app()

    def said() -> list[str]:
        return notifications(app)

    timed_out = f"did not answer within {HUNG_TIMEOUT} s"
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await until_ready(pilot)
        await pilot.press("c")  # the token will be saved into a keyring that never answers
        await wait_for(pilot, ConnectScreen)
        screen = app.screen
        assert isinstance(screen, ConnectScreen)
        await paste_approval(pilot)
        # Amazon's answer was checked and the save began: the keyring was asked to keep the token.
        await wait_until(
            pilot, lambda: "set_password" in hanging_keyring.CALLS, "the token handed to the keyring"
        )
        # While the keyring hangs, the screen says it is busy and the app still answers keys.
        assert isinstance(app.screen, ConnectScreen) and not screen.attempt.ended
        assert "Checking with Amazon" in str(screen.query_one("#connect-error", Static).render())
        await pilot.press("ctrl+y")
        await pilot.press("escape")  # cannot cut the save in half: says so, without blocking
        await wait_until(pilot, lambda: any("is being checked" in m for m in said()), "told the save goes on")
        # Both keys were answered while the keyring still hung: a UI blocked by the keyring would have
        # taken them only after the timeout ended the save, and the cancel would then have found the
        # attempt over (no "being checked" at all).
        assert not any(timed_out in m for m in said()) and not screen.attempt.ended
        assert any("Consent link copied" in m for m in said())
        await wait_until(pilot, lambda: any(timed_out in m for m in said()), "the keyring timeout told")
        assert screen.attempt.ended and not screen.attempt.outcome.connected  # type: ignore[union-attr]
        await pilot.press("escape")
        await pilot.press("question_mark")
        await wait_for(pilot, HelpScreen)
    with saved_registry() as registry:
        assert registry.stores.find("Shop US").status == StoreStatus.NOT_CONNECTED.value
