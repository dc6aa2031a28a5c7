"""Opening the home: the rows read straight from the file serve until the registry says something changed."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import asc_tui.services.registry as registry_module
from asc_tui.domain import StoreDraft
from asc_tui.services.stores import StoreService
from asc_tui.ui.widgets.store_deck import CARD_HEIGHT

from .helpers import make_app, press, ready_home, screen_text, seed, shown, until_ready, wait_until


def count_full_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = StoreService.list_rows

    def list_rows(self: StoreService) -> Any:
        calls.append(1)
        return real(self)

    monkeypatch.setattr(StoreService, "list_rows", list_rows)
    return calls


async def test_unchanged_stores_are_read_once(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Reading 10,000 rows a second time, while the first ones are still shown, was the memory peak.
    seed(("Shop US", "US"), ("Shop CA", "CA"))
    full_reads = count_full_reads(monkeypatch)
    async with ready_home() as (app, pilot):
        await pilot.pause(0.1)
        assert shown(app) == ["Shop US", "Shop CA"]
        assert full_reads == []


async def test_a_store_added_while_the_registry_opens_is_shown(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(("Shop US", "US"))
    real_open = registry_module.open_registry

    def open_late(*args: Any, **kwargs: Any) -> Any:
        registry = real_open(*args, **kwargs)
        # Another admin adds a store after the file was read and before the registry answers.
        registry.stores.add(StoreDraft(name="Late", email="late@example.com", country="UK", website="base"))
        return registry

    monkeypatch.setattr(registry_module, "open_registry", open_late)
    full_reads = count_full_reads(monkeypatch)
    async with ready_home() as (app, pilot):
        await wait_until(pilot, lambda: shown(app) == ["Shop US", "Late"], "the store added meanwhile shown")
        assert full_reads == [1]


async def test_filtering_a_scrolled_list_keeps_the_scrollbar_and_position_right(isolated_home: Path) -> None:
    # The deck updates its scrollbar itself when a filter changes the number of rows (no screen layout):
    # the thumb, the scroll limits and what is drawn must still agree.
    seed(*((f"Shop {n:02d} {'even' if n % 2 == 0 else 'odd'}", "US") for n in range(40)))
    async with ready_home() as (app, pilot):
        deck = app.home.deck
        app.home.focus_store(app.home.stores[-1].id or 0)
        await pilot.pause()
        assert deck.scroll_y > 0
        await press(pilot, "slash", *"even")
        rows = deck.row_count * CARD_HEIGHT
        assert deck.virtual_size.height == rows
        assert deck.vertical_scrollbar.window_virtual_size == rows
        assert 0 <= deck.scroll_y <= deck.max_scroll_y == max(0, rows - deck.container_size.height)
        assert all(name.endswith("even") for name in shown(app))
        await press(pilot, *["backspace"] * 4, *"38 even")
        assert shown(app) == ["Shop 38 even"] and deck.scroll_y == 0


@pytest.mark.parametrize("stores", [(), (("Shop US", "US"),)], ids=["empty", "one-store"])
async def test_a_registry_ready_before_the_home_finished_mounting_still_shows_the_home(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch, stores: tuple[tuple[str, str], ...]
) -> None:
    """On a loaded machine the registry can be read between the home's compose and its Mount handler; the
    handler then hid what had just been shown, and the home stayed empty (no checklist, no cards, no
    banner) for good. Here the handler runs only once the registry's stores are on the home."""
    from asc_tui.ui.screens.home import HomeScreen

    seed(*stores)
    mount = HomeScreen.on_mount

    async def late_mount(self: HomeScreen) -> None:
        while not self.loaded:
            await asyncio.sleep(0.01)
        mount(self)

    monkeypatch.setattr(HomeScreen, "on_mount", late_mount)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)  # the checklist or the cards, on screen
        assert shown(app) == [name for name, _country in stores]
        assert app.secrets_notice is None or "Secrets:" in screen_text(app)  # the banner too
