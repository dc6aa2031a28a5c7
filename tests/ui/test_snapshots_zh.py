"""The main screens in Traditional Chinese at 80×24 and 120×40: double-width text lines up and wraps."""

from __future__ import annotations

from typing import Any

import pytest

from asc_tui.amazon.callback import CallbackListener
from asc_tui.services.connect import ConnectSession

from .health_steps import frozen_clock, seed_connected_with_health
from .helpers import in_chinese, make_app, seed, until_ready, wait_until  # noqa: F401  (in_chinese: an autouse fixture)
from .snapshot_steps import (  # noqa: F401  (steady_screen: an autouse fixture)
    add_form_with_errors,
    country_list,
    seed_with_health,
    steady_screen,
)

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
CONSENT = (
    "http://127.0.0.1:8977/apps/authorize/consent?application_id=amzn1.sp.solution.sandbox-demo"
    "&state=SNAPSHOT-STATE&version=beta"
)


@pytest.mark.parametrize("size", SIZES)
def test_home_zh(snap_compare: Any, size: tuple[int, int]) -> None:
    seed(("台北旗艦店 Taipei", "US"), ("Amazon Store Canada", "CA"), ("英國店 UK", "UK"))
    assert snap_compare(make_app(), run_before=until_ready, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_add_modal_with_errors_zh(snap_compare: Any, size: tuple[int, int]) -> None:
    seed(("台北旗艦店 Taipei", "US"))

    assert snap_compare(make_app(), run_before=add_form_with_errors("台北旗艦店 taipei"), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_connect_screen_zh(snap_compare: Any, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    # What changes from run to run: the consent link's state and port, the callback port, the clock.
    monkeypatch.setattr("asc_tui.services.connect_start.consent_url", lambda *args, **kwargs: CONSENT)
    monkeypatch.setattr(CallbackListener, "bound_address", property(lambda self: "127.0.0.1:8976"))
    monkeypatch.setattr(ConnectSession, "seconds_left", lambda self: 600.0)
    seed(("台北旗艦店 Taipei", "US"), sandbox=True)

    async def run_before(pilot: Any) -> None:
        await until_ready(pilot)
        await pilot.press("c")
        await wait_until(
            pilot, lambda: type(pilot.app.screen).__name__ == "ConnectScreen", "the connect screen"
        )
        await pilot.pause(0.2)

    assert snap_compare(make_app(sandbox=True), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_help_zh(snap_compare: Any, size: tuple[int, int]) -> None:
    seed(("台北旗艦店 Taipei", "US"))

    async def run_before(pilot: Any) -> None:
        await until_ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.2)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=size)


def test_add_form_zh_80x24(snap_compare: Any) -> None:
    seed(("台北旗艦店 Taipei", "US"))

    async def run_before(pilot: Any) -> None:
        await until_ready(pilot)
        await pilot.press("a")
        await pilot.pause(0.3)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=(80, 24))


@pytest.mark.parametrize("typed", [pytest.param((), id="top"), pytest.param(("j", "p"), id="typed-jp")])
def test_country_list_zh_80x24(snap_compare: Any, typed: tuple[str, ...]) -> None:
    seed(("台北旗艦店 Taipei", "US"))
    assert snap_compare(make_app(), run_before=country_list(*typed), terminal_size=(80, 24))


@pytest.mark.parametrize("size", SIZES)
def test_home_with_health_zh(snap_compare: Any, size: tuple[int, int]) -> None:
    from .test_snapshots import HEALTH_STORES

    seed_with_health(*HEALTH_STORES)
    assert snap_compare(make_app(), run_before=until_ready, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_store_view_with_health_zh(
    snap_compare: Any, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    # Fixed values saved as a refresh saves them, and a fixed now for the authorization's days left.
    frozen_clock(monkeypatch)
    seed_connected_with_health("台北旗艦店 Taipei")

    async def run_before(pilot: Any) -> None:
        await until_ready(pilot)
        await pilot.press("enter")
        await pilot.pause(0.2)

    assert snap_compare(make_app(), run_before=run_before, terminal_size=size)


def test_connect_choice_zh_80x24(snap_compare: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from .reuse_steps import open_the_choice, seed_shared_authorization

    frozen_clock(monkeypatch)
    seed_shared_authorization("台北旗艦店 Taipei", "加拿大店 Toronto")
    assert snap_compare(make_app(sandbox=True), run_before=open_the_choice, terminal_size=(80, 24))
