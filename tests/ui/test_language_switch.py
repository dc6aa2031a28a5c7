"""The language switches from the settings screen while the app runs: no restart, nothing typed is lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select

from asc_tui import i18n
from asc_tui.settings.config import load_config
from asc_tui.system import paths
from asc_tui.ui.screens.settings import SettingsScreen

from .helpers import ready_home, sandbox_connect, screen_text


async def settle(pilot: Pilot[None]) -> None:
    for _i in range(5):
        await pilot.pause(0.05)


async def choose_language_over(pilot: Pilot[None], language: str) -> None:
    """Settings opened over what is shown, the language chosen there, and settings closed again."""
    pilot.app.open_settings()  # type: ignore[attr-defined]
    await settle(pilot)
    pilot.app.screen.query_one("#language", Select).value = language
    await settle(pilot)
    await pilot.press("escape")
    await settle(pilot)


async def test_switching_to_chinese_and_back_from_settings(isolated_home: Path) -> None:
    async with ready_home(("Shop US", "US")) as (app, pilot):
        assert "Amazon Sales Channel" in screen_text(pilot)
        await pilot.press("s")
        await settle(pilot)
        settings = app.screen
        assert isinstance(settings, SettingsScreen)
        # Something typed and not saved yet survives the switch.
        settings.query_one("#base_url", Input).value = "https://shop.example.com"
        settings.query_one("#language", Select).value = "zh-Hant"
        await settle(pilot)

        assert app.screen is settings  # the same screen, composed again
        text = screen_text(pilot)
        assert "語言 · Language" in text
        assert "Amazon 銷售通路" in text  # the header, from the app's title
        assert settings.query_one("#base_url", Input).value == "https://shop.example.com"
        assert 'language = "zh-Hant"' in paths.default_config_file().read_text("utf-8")
        assert load_config().ui.language == "zh-Hant"

        await pilot.press("escape")
        await settle(pilot)
        home_text = screen_text(pilot)
        assert "Amazon 銷售通路" in home_text
        assert "Shop US" in home_text  # the cards are back after the home was composed again
        assert app.home.focused_store() is not None

        await pilot.press("s")
        await settle(pilot)
        app.screen.query_one("#language", Select).value = "en"
        await settle(pilot)
        assert "Language" in screen_text(pilot) and "語言" not in screen_text(pilot)
        assert load_config().ui.language == "en"


async def test_automatic_follows_the_locale(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "zh_TW.UTF-8")
    paths.default_config_file().parent.mkdir(parents=True, exist_ok=True)
    paths.default_config_file().write_text('[ui]\nlanguage = "en"\n', encoding="utf-8")
    async with ready_home() as (app, pilot):
        await pilot.press("s")
        await settle(pilot)
        app.screen.query_one("#language", Select).value = "auto"
        await settle(pilot)
        assert i18n.current_language() == "zh-Hant"
        assert "Amazon 銷售通路" in screen_text(pilot)
        assert 'language = "auto"' in paths.default_config_file().read_text("utf-8")


async def test_screens_under_settings_come_back_whole_in_the_new_language(isolated_home: Path) -> None:
    from textual.widgets import DataTable

    from asc_tui.i18n import _
    from asc_tui.ui.screens.help import HelpScreen
    from asc_tui.ui.screens.store_view import StoreViewScreen

    async with ready_home(("Shop US", "US")) as (app, pilot):
        await pilot.press("enter")  # the store view
        await settle(pilot)
        app.show_help()  # and the help over it, as the palette can open it
        await settle(pilot)
        await choose_language_over(pilot, "zh-Hant")
        assert isinstance(app.screen, HelpScreen)
        assert _("Help") != "Help" and "結束" in screen_text(pilot)  # its table, filled again in Chinese
        await pilot.press("escape")
        await settle(pilot)
        view = app.screen
        assert isinstance(view, StoreViewScreen)
        table = view.query_one("#activity", DataTable)
        assert [str(column.label) for column in table.columns.values()] == [
            _("When"),
            _("What"),
            _("Details"),
        ]
        assert table.row_count >= 1
        text = screen_text(pilot)
        assert "Shop US" in text and _("Store view") in text
        app.reload()  # a change elsewhere redraws the view: once crashed after a rebuild
        await settle(pilot)
        assert isinstance(app.screen, StoreViewScreen)


async def test_the_connect_screen_keeps_its_attempt_and_says_it_in_the_new_language(
    isolated_home: Path,
) -> None:
    from textual.widgets import Static

    from asc_tui.i18n import _

    async with sandbox_connect() as (app, pilot, connect):
        await settle(pilot)
        link = connect.attempt.consent_url
        await choose_language_over(pilot, "zh-Hant")
        assert app.screen is connect and not connect.attempt.ended and connect.attempt.consent_url == link
        text = screen_text(pilot)
        assert "連接「Shop US」" in text or _("Connect “{name}”").format(name="Shop US") in text
        browser = str(connect.query_one("#connect-browser", Static).render())
        assert browser and "Browser" not in browser  # said again, in Chinese
        assert link[:40] in text.replace("\n", "")
