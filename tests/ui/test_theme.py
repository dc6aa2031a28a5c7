"""`[ui] theme = "ansi"`: the terminal's own palette, in short 16-colour codes (about half the bytes on the
wire over SSH); asc-tui's own colours otherwise."""

from __future__ import annotations

from pathlib import Path

from asc_tui.settings.config import load_config
from asc_tui.ui.app import ANSI_THEME, AscApp

from .helpers import until_ready


def write_config(home: Path, text: str) -> None:
    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text, encoding="utf-8")


async def test_the_ansi_theme_draws_in_the_terminals_own_palette(isolated_home: Path) -> None:
    write_config(isolated_home, '[ui]\ntheme = "ansi"\n')
    app = AscApp(load_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        assert app.theme == ANSI_THEME
        assert app.current_theme.ansi and app.current_theme.background == "ansi_default"


async def test_without_a_theme_asc_tui_keeps_its_own_colours(isolated_home: Path) -> None:
    write_config(isolated_home, '[ui]\nlanguage = "en"\n')
    app = AscApp(load_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        assert app.theme != ANSI_THEME and not app.current_theme.ansi
