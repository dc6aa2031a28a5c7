"""How the screens look: SVG snapshots at a fixed size, reviewed in snapshot_report.html when they change."""

from __future__ import annotations

from typing import Any

import pytest

from asc_tui.amazon.callback import CallbackListener
from asc_tui.services.connect import ConnectSession

from .health_steps import frozen_clock, seed_connected_with_health
from .helpers import make_app, seed, until_ready
from .snapshot_steps import (  # noqa: F401  (steady_screen: an autouse fixture)
    add_form_with_errors,
    country_list,
    seed_with_health,
    steady_screen,
)


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


# --- at 80×24, the size a newcomer's terminal often has -------------------------------------------------

SMALL = (80, 24)
CONSENT = (
    "http://127.0.0.1:8977/apps/authorize/consent?application_id=amzn1.sp.solution.sandbox-demo"
    "&state=SNAPSHOT-STATE&version=beta"
)


def after_keys(*keys: str) -> Any:
    async def run_before(pilot: Any) -> None:
        await until_ready(pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.2)
        await pilot.pause(0.2)

    return run_before


def test_home_80x24(snap_compare: Any) -> None:
    seed(("Amazon Store USA", "US"), ("Amazon Store Canada", "CA"), ("英國店 UK", "UK"))
    assert snap_compare(make_app(), run_before=until_ready, terminal_size=SMALL)


def test_empty_home_80x24(snap_compare: Any) -> None:
    seed()
    assert snap_compare(make_app(), run_before=until_ready, terminal_size=SMALL)


def test_add_form_80x24(snap_compare: Any) -> None:
    seed(("Amazon Store USA", "US"))
    assert snap_compare(make_app(), run_before=after_keys("a"), terminal_size=SMALL)


# The country list: the seed's four first, then region by region, each line naming its region; a typed code
# ("jp") jumps to its country, in the Far East at the list's end.
@pytest.mark.parametrize("typed", [pytest.param((), id="top"), pytest.param(("j", "p"), id="typed-jp")])
def test_country_list_80x24(snap_compare: Any, typed: tuple[str, ...]) -> None:
    seed(("Amazon Store USA", "US"))
    assert snap_compare(make_app(), run_before=country_list(*typed), terminal_size=SMALL)


def test_help_80x24(snap_compare: Any) -> None:
    seed(("Amazon Store USA", "US"))
    assert snap_compare(make_app(), run_before=after_keys("question_mark"), terminal_size=SMALL)


def test_connect_screen_80x24(snap_compare: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # What changes from run to run: the consent link's state and port, the callback port, the clock.
    monkeypatch.setattr("asc_tui.services.connect_start.consent_url", lambda *args, **kwargs: CONSENT)
    monkeypatch.setattr(CallbackListener, "bound_address", property(lambda self: "127.0.0.1:8976"))
    monkeypatch.setattr(ConnectSession, "seconds_left", lambda self: 600.0)
    seed(("Amazon Store USA", "US"), sandbox=True)
    assert snap_compare(make_app(sandbox=True), run_before=after_keys("c"), terminal_size=SMALL)


HEALTH_STORES = (
    ("Amazon Store USA", "US", "A1SNAPSHOTUS01", {}),
    (
        "Amazon Store Canada",
        "CA",
        "A1SNAPSHOTCA01",
        {"listings_with_errors": 7, "has_suspended_listings": True},
    ),
    ("英國店 UK", "UK", "A1SNAPSHOTUK01", {"problem": "Amazon is busy (QuotaExceeded); try again later."}),
    ("Tienda México", "MX", "", {}),
)


@pytest.mark.parametrize("size", [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")])
def test_home_with_health(snap_compare: Any, size: tuple[int, int]) -> None:
    seed_with_health(*HEALTH_STORES)
    assert snap_compare(make_app(), run_before=until_ready, terminal_size=size)


# --- a connected store's health, from fixed values saved as a refresh saves them (no Amazon asked) ---------


async def open_the_store_view(pilot: Any) -> None:
    await until_ready(pilot)
    await pilot.press("enter")
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")])
def test_store_view_with_health(
    snap_compare: Any, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    frozen_clock(monkeypatch)
    seed_connected_with_health("Amazon Store USA")
    assert snap_compare(make_app(), run_before=open_the_store_view, terminal_size=size)


def test_connect_choice_80x24(snap_compare: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from .reuse_steps import open_the_choice, seed_shared_authorization

    frozen_clock(monkeypatch)
    seed_shared_authorization("Amazon Store USA", "Amazon Store Canada")
    assert snap_compare(make_app(sandbox=True), run_before=open_the_choice, terminal_size=SMALL)
