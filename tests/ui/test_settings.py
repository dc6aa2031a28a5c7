"""The settings screen, driven by keys: errors as you type, ctrl+s to the config file and (the secret) the
keyring, ctrl+t against the real sandbox emulator, and the sandbox's fixed demo app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static, Switch

from asc_tui.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SandboxEmulator
from asc_tui.settings.config import load_config
from asc_tui.settings.secret_store import CLIENT_SECRET_KEY
from asc_tui.system import paths
from asc_tui.ui.screens.settings import SettingsScreen

from .helpers import (
    choose_passphrase,
    make_app,
    notifications,
    press,
    ready_home,
    saved_registry,
    screen_text,
    type_into,
    until_ready,
    wait_until,
)

APP_ID = "amzn1.sp.solution.1a2b3c4d-0000-1111-2222-333344445555"
CLIENT_ID = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
SECRET = "amzn1.oa2-cs.v1.settings-test-secret-9f8e7d6c"


@pytest.fixture
def keyring_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A named file keyring: set before the app starts, as the registry reads it when it opens."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    return tmp_path / "xdg-data"


@pytest.fixture
def emulator_config(isolated_home: Path) -> Iterator[SandboxEmulator]:
    """A config whose Login with Amazon is the sandbox emulator (a real HTTP server on loopback)."""
    with SandboxEmulator() as emulator:
        config = isolated_home / "config" / "config.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(f'[amazon]\nlwa_token_url = "{emulator.lwa_token_url}"\n', encoding="utf-8")
        yield emulator


async def open_settings(pilot: Pilot[None]) -> SettingsScreen:
    await until_ready(pilot)
    await pilot.press("s")
    for _ in range(100):
        if isinstance(pilot.app.screen, SettingsScreen):
            break
        await pilot.pause(0.02)
    screen = pilot.app.screen
    assert isinstance(screen, SettingsScreen)
    await finish(pilot, "settings-keyring")
    return screen


async def finish(pilot: Pilot[None], group: str) -> None:
    """Wait for this screen's worker of that group (never for all: the app keeps long-running ones)."""
    await pilot.pause()
    for worker in [w for w in pilot.app.workers if w.group == group]:
        await worker.wait()
    await pilot.pause()


def error_of(screen: SettingsScreen, field: str) -> str:
    line = screen.query_one(f"#{field}-error", Static)
    return str(line.render()) if line.display else ""


async def test_s_opens_settings_and_a_bad_field_says_why_as_you_type() -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_settings(pilot)
        assert app.focused is screen.query_one("#application_id")
        assert error_of(screen, "client_id") == ""
        type_into(app, "#client_id", "client-1234")
        await pilot.pause()
        message = error_of(screen, "client_id")
        assert "amazon.client_id" in message and "amzn1.application-oa2-client." in message
        assert screen.query_one("#client_id").has_class("-invalid")
        assert error_of(screen, "application_id") == ""  # untouched fields stay quiet
        type_into(app, "#client_id", "amzn1.oa2-cs.v1.0123456789abcdef")  # the secret, in the wrong field
        await pilot.pause()
        assert "looks like a secret" in error_of(screen, "client_id")
        type_into(app, "#client_id", CLIENT_ID)
        await pilot.pause()
        assert error_of(screen, "client_id") == ""
        type_into(app, "#redirect_uri", "http://127.0.0.1:8976/cb")
        await pilot.pause()
        assert error_of(screen, "redirect_uri") == ""
        assert "only https://" in str(screen.query_one("#redirect_uri-note", Static).render())
        # ctrl+s with a bad field saves nothing and moves to the field.
        type_into(app, "#connect_timeout_minutes", "500")
        await press(pilot, "ctrl+s")
        assert app.focused is screen.query_one("#connect_timeout_minutes")
        assert "1 to 120" in error_of(screen, "connect_timeout_minutes")
        assert not paths.default_config_file().exists()
        await press(pilot, "escape")
        assert app.screen is app.home
    assert not paths.default_config_file().exists()


async def test_ctrl_s_saves_to_the_file_and_the_app_uses_it(isolated_home: Path) -> None:
    config_file = isolated_home / "config" / "config.toml"
    config_file.parent.mkdir(parents=True)
    config_file.write_text("# kept by ops\n[amazon]\ndraft_app = true  # still a draft\n", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_settings(pilot)
        type_into(app, "#application_id", APP_ID)
        type_into(app, "#client_id", CLIENT_ID)
        type_into(app, "#redirect_uri", "https://admin.example.com/amazon/callback")
        type_into(app, "#connect_timeout_minutes", "25")
        type_into(app, "#base_url", "https://shop.example.com")
        screen.query_one("#draft_app", Switch).value = False
        screen.query_one("#auth", Select).value = "bearer"
        await pilot.pause()
        await press(pilot, "ctrl+s")
        assert "Saved to" in str(screen.query_one("#settings-status", Static).render())
        assert app.config.amazon.application_id == APP_ID
        assert app.config.amazon.connect_timeout_minutes == 25
        assert app.config.amazon.draft_app is False
        assert app.config.commerce.base_url == "https://shop.example.com"
        assert app.config.commerce.auth == "bearer"
    text = config_file.read_text("utf-8")
    assert text.startswith("# kept by ops\n")
    assert "draft_app = false  # still a draft" in text
    assert f'client_id = "{CLIENT_ID}"' in text and 'auth = "bearer"' in text
    assert load_config().amazon.redirect_uri == "https://admin.example.com/amazon/callback"


async def test_the_client_secret_goes_to_the_keyring_only(isolated_home: Path, keyring_file: Path) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_settings(pilot)
        state = screen.query_one("#client_secret-state", Static)
        assert "None stored yet" in str(state.render())
        assert "PlaintextKeyring" in str(screen.query_one("#secrets-backend", Static).render())
        assert screen.query_one("#secrets-warning").display  # a plaintext backend is said to be one
        secret_box = screen.query_one("#client_secret", Input)
        assert secret_box.password
        type_into(app, "#client_id", CLIENT_ID)
        type_into(app, "#client_secret", SECRET)
        await pilot.pause()
        assert SECRET not in screen_text(pilot)
        await pilot.press("ctrl+s")
        await finish(pilot, "settings-secret")
        await finish(pilot, "settings-keyring")
        assert secret_box.value == ""
        assert "stored in the keyring" in str(state.render())
        assert "client secret is in the keyring" in str(screen.query_one("#settings-status", Static).render())
        assert SECRET not in screen_text(pilot)
    with saved_registry() as registry:
        assert registry.secrets.get(CLIENT_SECRET_KEY) == SECRET
    config_text = (isolated_home / "config" / "config.toml").read_text("utf-8")
    assert CLIENT_ID in config_text and SECRET not in config_text
    assert "secret" not in config_text.split("\n", 2)[-1].lower()  # only the header comment mentions secrets
    assert [p.name for p in keyring_file.rglob("*.cfg")] == ["keyring_pass.cfg"]  # the named backend's file


async def test_on_a_bare_server_the_secret_waits_for_the_encrypted_file(isolated_home: Path) -> None:
    """No keyring service here (this machine's default): saving the secret offers the encrypted file first."""
    from asc_tui.settings.secret_store import open_secret_store
    from asc_tui.ui.screens.secrets_setup import SetUpSecretsModal

    passphrase = "correct horse battery"
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_settings(pilot)
        if not app.registry.secrets.needs_setup:
            pytest.skip("a keyring service runs on this machine")
        type_into(app, "#client_secret", SECRET)
        await pilot.press("ctrl+s")
        await finish(pilot, "settings-secret")
        assert isinstance(app.screen, SetUpSecretsModal)
        await choose_passphrase(pilot, passphrase)
        await wait_until(
            pilot,
            lambda: app.screen is screen and screen.query_one("#client_secret", Input).value == "",
            "back on the settings with the secret field emptied",
        )
        await finish(pilot, "settings-secret")
        assert "client secret is in the keyring" in str(screen.query_one("#settings-status", Static).render())
    raw = (isolated_home / "data" / "secrets.cfg").read_bytes()
    assert SECRET.encode() not in raw and passphrase.encode() not in raw
    reader = open_secret_store(
        sandbox=False, data_dir=isolated_home / "data", environ={"ASC_TUI_KEYRING_PASSPHRASE": passphrase}
    )
    assert reader.get(CLIENT_SECRET_KEY) == SECRET
    assert SECRET not in (isolated_home / "config" / "config.toml").read_text("utf-8")


async def test_an_empty_secret_field_keeps_the_stored_one(isolated_home: Path, keyring_file: Path) -> None:
    with saved_registry() as registry:
        registry.secrets.set(CLIENT_SECRET_KEY, SECRET)
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_settings(pilot)
        assert "A client secret is stored" in str(screen.query_one("#client_secret-state", Static).render())
        type_into(app, "#client_id", CLIENT_ID)
        await press(pilot, "ctrl+s")
        assert not [w for w in app.workers if w.group == "settings-secret"]
    with saved_registry() as registry:
        assert registry.secrets.get(CLIENT_SECRET_KEY) == SECRET


async def test_ctrl_t_asks_login_with_amazon(emulator_config: SandboxEmulator, keyring_file: Path) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_settings(pilot)
        result = screen.query_one("#test-result", Static)
        type_into(app, "#client_id", SANDBOX_CLIENT_ID)
        type_into(app, "#client_secret", "not-the-secret")
        await pilot.press("ctrl+t")
        await finish(pilot, "settings-test")
        assert "rejected the client ID or the client secret" in str(result.render())
        assert result.has_class("-failed")
        type_into(app, "#client_secret", SANDBOX_CLIENT_SECRET)
        await pilot.press("ctrl+t")
        await finish(pilot, "settings-test")
        assert "Login with Amazon accepted the client ID and secret." in str(result.render())
        assert result.has_class("-ok")
        # With the field empty, the stored secret is tested (here: none is stored yet).
        type_into(app, "#client_secret", "")
        await pilot.press("ctrl+t")
        await finish(pilot, "settings-test")
        assert "no client secret to test" in str(result.render())
        assert SANDBOX_CLIENT_SECRET not in screen_text(pilot)
        # A bad client ID is said under its field, without asking Amazon.
        type_into(app, "#client_id", "nope")
        await press(pilot, "ctrl+t")
        assert "amazon.client_id" in error_of(screen, "client_id")
    assert emulator_config.issued_secrets == []


async def test_sandbox_shows_the_demo_app_fixed_and_saves_only_commerce(isolated_home: Path) -> None:
    app = make_app(sandbox=True)
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_settings(pilot)
        assert "demo credentials" in str(screen.query_one("#sandbox-note", Static).render())
        for field in ("application_id", "client_id", "client_secret", "redirect_uri", "callback_listen"):
            assert screen.query_one(f"#{field}").disabled, field
        assert screen.query_one("#draft_app", Switch).disabled
        assert screen.query_one("#client_id", Input).value == SANDBOX_CLIENT_ID
        assert app.focused is screen.query_one("#base_url")
        await pilot.press("ctrl+t")
        await finish(pilot, "settings-test")
        assert "Sandbox emulator: Login with Amazon accepted" in str(
            screen.query_one("#test-result", Static).render()
        )
        type_into(app, "#base_url", "https://shop.example.com")
        await press(pilot, "ctrl+s")
        assert app.config.commerce.base_url == "https://shop.example.com"
    text = (isolated_home / "config" / "config.toml").read_text("utf-8")
    assert "[commerce]" in text and "[amazon]" not in text and SANDBOX_CLIENT_ID not in text


async def test_the_palette_opens_settings() -> None:
    async with ready_home(size=(100, 32)) as (app, pilot):
        await press(pilot, "ctrl+p")
        await pilot.press(*"settings")
        from textual.command import CommandList

        def found() -> bool:
            options = app.screen.query(CommandList)
            return bool(options) and options.first().option_count > 0

        await wait_until(pilot, found, "the palette's answer to 'settings'")  # it searches in the background
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, SettingsScreen), "the settings screen")


# --- the Magento credentials ---------------------------------------------------------------------------

OAUTH_FIELDS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")


def state_of(screen: SettingsScreen, field: str) -> str:
    return str(screen.query_one(f"#{field}-state", Static).render())


async def test_the_credentials_shown_follow_the_authentication_and_go_to_the_keyring_only(
    isolated_home: Path, keyring_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from asc_tui.commerce.credentials import ENV_ACCESS_TOKEN, KEY_BEARER_TOKEN, KEY_CONSUMER_KEY

    for name in ("CONSUMER_KEY", "CONSUMER_SECRET", "ACCESS_TOKEN_SECRET", "BEARER_TOKEN"):
        monkeypatch.delenv(f"ASC_TUI_MAGENTO_{name}", raising=False)
    monkeypatch.setenv(ENV_ACCESS_TOKEN, "token-from-the-environment")
    bearer = "bearer-token-0123456789abcdef0123"
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_settings(pilot)
        shown = [f for f in (*OAUTH_FIELDS, "bearer_token") if screen.query_one(f"#{f}-field").display]
        assert shown == list(OAUTH_FIELDS)
        assert all(screen.query_one(f"#{f}", Input).password for f in (*OAUTH_FIELDS, "bearer_token"))
        assert state_of(screen, "access_token") == (
            f"In use: the one from {ENV_ACCESS_TOKEN}, which wins over the keyring."
        )
        assert "Not stored yet" in state_of(screen, "consumer_key")

        screen.query_one("#auth", Select).value = "bearer"
        await pilot.pause()
        shown = [f for f in (*OAUTH_FIELDS, "bearer_token") if screen.query_one(f"#{f}-field").display]
        assert shown == ["bearer_token"]
        type_into(app, "#bearer_token", bearer)
        type_into(app, "#consumer_key", "typed-then-hidden")  # not for this authentication: not stored
        await pilot.pause()
        assert bearer not in screen_text(pilot)
        await pilot.press("ctrl+s")
        await finish(pilot, "settings-secret")
        await finish(pilot, "settings-keyring")
        assert "the Magento Bearer token is in the keyring" in str(
            screen.query_one("#settings-status", Static).render()
        )
        assert screen.query_one("#bearer_token", Input).value == ""
        assert state_of(screen, "bearer_token") == "Stored in the keyring."
        assert app.config.commerce.auth == "bearer"
        # No base URL: nothing to read the catalog from, so no refresh was started.
        assert not [w for w in app.workers if w.group == "catalog-refresh"]
    with saved_registry() as registry:
        assert registry.secrets.get(KEY_BEARER_TOKEN) == bearer
        assert registry.secrets.get(KEY_CONSUMER_KEY) is None
    config_text = (isolated_home / "config" / "config.toml").read_text("utf-8")
    assert 'auth = "bearer"' in config_text and bearer not in config_text


async def test_on_a_bare_server_the_magento_credentials_wait_for_the_encrypted_file(
    isolated_home: Path, refused_port: int
) -> None:
    """No keyring service here: the same modal as for the client secret, then the settings apply."""
    from asc_tui.commerce.credentials import KEY_ACCESS_TOKEN_SECRET, KEY_CONSUMER_KEY
    from asc_tui.settings.secret_store import open_secret_store
    from asc_tui.ui.screens.secrets_setup import SetUpSecretsModal

    passphrase = "correct horse battery"
    nobody = f"http://127.0.0.1:{refused_port}"
    values = {field: f"{field}-0123456789abcdef" for field in OAUTH_FIELDS}
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_settings(pilot)
        if not app.registry.secrets.needs_setup:
            pytest.skip("a keyring service runs on this machine")
        assert "no keyring service runs here" in state_of(screen, "consumer_key")
        for field, value in values.items():
            type_into(app, f"#{field}", value)
        type_into(app, "#base_url", nobody)
        await pilot.press("ctrl+s")
        await finish(pilot, "settings-secret")
        assert isinstance(app.screen, SetUpSecretsModal)
        assert app.config.commerce.base_url == ""  # applied once the credentials are stored
        await choose_passphrase(pilot, passphrase)
        await wait_until(
            pilot,
            lambda: app.screen is screen and screen.query_one("#consumer_key", Input).value == "",
            "back on the settings with the credential fields emptied",
        )
        await finish(pilot, "settings-secret")
        assert "the Magento credentials are in the keyring" in str(
            screen.query_one("#settings-status", Static).render()
        )
        assert app.config.commerce.base_url == nobody
        # The refresh ran with the stored credentials: it got as far as the (refused) address.
        await finish(pilot, "catalog-refresh")
        messages = notifications(app)
        assert any(m.startswith(f"Nothing answers at {nobody}") for m in messages), messages
    raw = (isolated_home / "data" / "secrets.cfg").read_bytes()
    assert not [v for v in values.values() if v.encode() in raw] and passphrase.encode() not in raw
    reader = open_secret_store(
        sandbox=False, data_dir=isolated_home / "data", environ={"ASC_TUI_KEYRING_PASSPHRASE": passphrase}
    )
    assert reader.get(KEY_CONSUMER_KEY) == values["consumer_key"]
    assert reader.get(KEY_ACCESS_TOKEN_SECRET) == values["access_token_secret"]
