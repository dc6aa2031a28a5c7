"""How the screens look: SVG snapshots at a fixed size, reviewed in snapshot_report.html when they change."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, Select

from .helpers import make_app, seed, until_ready


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None, raising=False)


@pytest.fixture(autouse=True)
def same_keyring_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """A named, encrypted keyring: the screens look the same with or without a Secret Service here."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.cryptfile.cryptfile.CryptFileKeyring")
    monkeypatch.setenv("ASC_TUI_KEYRING_PASSPHRASE", "snapshot passphrase")


def test_empty_home(snap_compare: Any) -> None:
    seed()
    assert snap_compare(make_app(), run_before=until_ready, terminal_size=(100, 32))


def test_home_with_cards(snap_compare: Any) -> None:
    seed(
        ("Amazon Store USA", "US"),
        ("Amazon Store Canada", "CA"),
        ("Tienda México", "MX"),
        ("英國店 UK", "UK"),
        ("[bold red]markup stays literal[/]", "US"),
    )
    assert snap_compare(make_app(), run_before=until_ready, terminal_size=(110, 36))


def test_add_modal_with_errors(snap_compare: Any) -> None:
    seed(("Amazon Store USA", "US"))

    async def run_before(pilot: Any) -> None:
        await until_ready(pilot)
        await pilot.press("a")
        await pilot.pause()
        screen = pilot.app.screen
        screen.query_one("#website", Select).value = "base"
        screen.query_one("#email", Input).value = "not-an-email"
        screen.query_one("#name", Input).value = "amazon store usa"
        screen.query_one("#country", Select).value = "US"
        screen.query_one("#product_id_type", Select).value = "EAN"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(make_app(), run_before=run_before, terminal_size=(100, 48))


def test_store_view(snap_compare: Any) -> None:
    seed(("Amazon Store UK", "UK"))

    async def run_before(pilot: Any) -> None:
        await until_ready(pilot)
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(make_app(), run_before=run_before, terminal_size=(100, 30))
