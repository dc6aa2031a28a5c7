"""How the screens look: SVG snapshots at a fixed size, reviewed in snapshot_report.html when they change."""

from __future__ import annotations

from typing import Any

from .helpers import make_app, seed, until_ready
from .snapshot_steps import add_form_with_errors, steady_screen  # noqa: F401  (an autouse fixture)


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

    assert snap_compare(
        make_app(), run_before=add_form_with_errors("amazon store usa", "EAN"), terminal_size=(100, 48)
    )


def test_store_view(snap_compare: Any) -> None:
    seed(("Amazon Store UK", "UK"))

    async def run_before(pilot: Any) -> None:
        await until_ready(pilot)
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(make_app(), run_before=run_before, terminal_size=(100, 30))
