"""Dead ends that point the way: what a newcomer meets when something is not set up yet, and the small
surprises of the first session (renewal wording, dates, days left, the edit form, quitting mid-connect)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from textual.widgets import Input, Static

from asc_tui.ui.app import AscApp
from asc_tui.ui.screens.confirm import ConfirmModal
from asc_tui.ui.screens.connect import ConnectScreen
from asc_tui.ui.screens.edit_store import EditStoreModal
from asc_tui.ui.screens.settings import SettingsScreen
from asc_tui.ui.screens.store_view import StoreViewScreen

from .helpers import (
    choose_passphrase,
    make_app,
    notifications,
    open_connect,
    paste_approval,
    press,
    ready_home,
    sandbox_connect,
    saved_registry,
    seed,
    shown_notifications,
    type_into,
    until,
    until_closed,
    until_ready,
)

SANDBOX_WAY = "asc-tui --sandbox"


def messages(app: AscApp) -> list[str]:
    return notifications(app)


async def test_connect_without_an_amazon_app_points_to_settings_and_the_sandbox() -> None:
    seed(("Shop US", "US"))
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until_ready(pilot)
        await pilot.press("c")
        await until(pilot, lambda: any("Connecting needs" in m for m in messages(app)))
        (said,) = [m for m in messages(app) if "Connecting needs" in m]
        assert "Settings (s on the home)" in said and SANDBOX_WAY in said


async def test_the_empty_home_says_where_to_set_up_amazon(isolated_home: Path) -> None:
    async with ready_home(size=(80, 24)) as (app, pilot):
        hint = app.home.query_one("#empty-setup", Static)
        assert hint.display and "press s for Settings" in str(hint.render())
        assert SANDBOX_WAY in str(hint.render())
    app = make_app(sandbox=True)  # the sandbox has its own Amazon app: nothing to set up
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        assert not app.home.query_one("#empty-setup", Static).display


def test_doctor_says_the_same(isolated_home: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "asc_tui", "doctor"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=60,
    )
    assert done.returncode == 1
    out = done.stdout + done.stderr
    assert "Settings (s)" in out and SANDBOX_WAY in out


async def test_a_renewal_is_titled_renewed_with_the_new_renew_by_day() -> None:
    seed(("Shop US", "US"), sandbox=True)
    app = make_app(sandbox=True)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        for _round in range(2):  # connect, then renew
            await open_connect(pilot)
            await paste_approval(pilot)
            await until_closed(pilot)
        titles = [n.title for n in shown_notifications(app)]
        assert titles.count("Connected") == 1 and titles.count("Renewed") == 1
        renewed = next(n for n in shown_notifications(app) if n.title == "Renewed")
        day = datetime.now(UTC) + timedelta(days=365)
        assert "is renewed" in str(renewed.message)
        assert f"renew by {day.day} {day:%b %Y}" in str(renewed.message)  # as cards write days


async def test_the_store_view_shows_authorized_at_and_renew_by_with_365_days_left() -> None:
    seed(("Shop US", "US"))
    with saved_registry() as registry, registry.database.engine.begin() as conn:
        conn.execute(
            text("UPDATE store SET status='active', seller_id='A1', authorized_at=:t"),
            {"t": datetime.now(UTC) - timedelta(minutes=5)},
        )
    async with ready_home() as (app, pilot):
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, StoreViewScreen))
        await pilot.pause()
        auth = str(app.screen.query_one("#view-renewal", Static).render())
        today = datetime.now().astimezone()
        renew = today + timedelta(days=365)
        assert f"Authorized {today.day} {today:%b %Y}" in auth
        assert f"renew by {renew.day} {renew:%b %Y} (365 days left)" in auth
        header = str(app.screen.query_one("#view-status", Static).render())
        assert "365 days left" in header and "364" not in header


async def test_editing_a_store_puts_the_cursor_at_the_end_of_the_name() -> None:
    async with ready_home(("Shop US", "US"), ("Shop CA", "CA"), size=(80, 24)) as (app, pilot):
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EditStoreModal))
        await pilot.pause()
        labels = [str(label.render()) for label in app.screen.query(".field-label")]
        assert labels[:2] == ["Store Name *", "Email Address *"]
        assert "Magento Website to use for Amazon Listing" in labels
        await pilot.press(*" 2")
        assert app.screen.query_one("#name", Input).value == "Shop US 2"  # nothing was erased
        # A duplicate, typed in another casing, is named as it is stored.
        type_into(app, "#name", "shop ca")
        await press(pilot, "ctrl+s")
        error = str(app.screen.query_one("#name-error", Static).render())
        assert "A store named 'Shop CA' already exists" in error


async def test_settings_says_which_language_is_in_force_and_why() -> None:
    from asc_tui.i18n import choose_language

    choose_language("en", None, {})  # as --lang en chose it
    async with ready_home() as (app, pilot):
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SettingsScreen))
        await pilot.pause()
        said = str(app.screen.query_one("#language-in-force", Static).render())
        assert said.startswith("In use now: English, from --lang, which overrides this setting")
    choose_language(None, None, {"LANG": "C.UTF-8"})
    async with ready_home() as (app, pilot):
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SettingsScreen))
        await pilot.pause()
        said = str(app.screen.query_one("#language-in-force", Static).render())
        assert said == "In use now: English, from the locale (LANG)."


@pytest.mark.parametrize("key", ["ctrl+q", "ctrl+c"])
async def test_quitting_while_a_connect_attempt_waits_asks_first(key: str) -> None:
    async with sandbox_connect((80, 24)) as (app, pilot, screen):
        await pilot.press(key)
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        assert "still waiting for Amazon. Quit and stop it?" in str(
            app.screen.query_one("#question", Static).render()
        )
        await pilot.press("escape")  # no: back to the attempt, still waiting
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen))
        assert app.is_running and not screen.attempt.ended
        await pilot.press(key)
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.click("#confirm")
        await until(pilot, lambda: not app.is_running)


async def test_the_secrets_banner_is_checked_again_when_settings_closes(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from asc_tui.sandbox import SandboxEmulator
    from asc_tui.ui.screens.secrets_setup import SetUpSecretsModal
    from tests.support.connect import write_real_config

    seed(("Shop US", "US"))
    with SandboxEmulator() as emulator:
        write_real_config(isolated_home, emulator, "[secrets]\ntimeout_seconds = 10\n")
        async with ready_home() as (app, pilot):
            banner = app.home.query_one("#banner", Static)
            await until(pilot, lambda: "No keyring service runs here" in str(banner.render()), 1500)
            await pilot.press("s")
            await until(pilot, lambda: isinstance(app.screen, SettingsScreen))
            type_into(app, "#client_secret", "a-new-client-secret")
            await pilot.press("ctrl+s")  # no keyring service: the encrypted file is set up first
            await until(pilot, lambda: isinstance(app.screen, SetUpSecretsModal))
            await choose_passphrase(pilot, "correct horse battery")
            await until(pilot, lambda: isinstance(app.screen, SettingsScreen), 1500)
            await pilot.pause(0.2)
            assert "No keyring service runs here" in str(banner.render())  # not yet looked at again
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is app.home)
            await until(pilot, lambda: not banner.display, 1500)


@pytest.mark.parametrize("in_tmux", [True, False], ids=["tmux", "plain"])
async def test_copying_the_link_under_tmux_says_what_tmux_needs(
    monkeypatch: pytest.MonkeyPatch, in_tmux: bool
) -> None:
    if in_tmux:
        monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1234,0")
    else:
        monkeypatch.delenv("TMUX", raising=False)
    async with sandbox_connect((80, 24), notifications=True) as (app, pilot, _):
        await press(pilot, "ctrl+y")
        said = messages(app)[-1]
        if in_tmux:
            assert said == (
                "Consent link sent to your terminal's clipboard (tmux needs `set -g set-clipboard on`)."
            )
        else:
            assert said == "Consent link copied to the clipboard (where the terminal allows it)."
