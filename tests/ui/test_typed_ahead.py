"""Keys typed before the registry is open are never lost: they wait for it and are replayed in order.

The registry is a real SQLite file with many stores. Each test holds the opening at a gate (the real
read_home / open_registry run once the gate opens) so that "typed before it was open" is certain, not a
matter of how fast this machine is.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.widgets import Input, Select, Static

import asc_tui.services.first_screen as first_screen_module
import asc_tui.services.registry as registry_module
from asc_tui.domain import StoreDraft
from asc_tui.services.registry import open_registry
from asc_tui.settings.config import load_config
from asc_tui.ui.screens.add_store import AddStoreModal
from asc_tui.ui.screens.help import HelpScreen
from asc_tui.ui.screens.home import HomeScreen
from asc_tui.ui.screens.settings import SettingsScreen

from .helpers import make_app, notifications, press, ready_home, registry_held_back, shown, until, until_ready

STORES = 2_000


def seed_many(count: int) -> None:
    registry = open_registry(None, load_config())
    try:
        registry.stores.add_many(
            [
                StoreDraft(name=f"Shop {i:05d}", email=f"s{i}@example.com", country="US", website="base")
                for i in range(1, count + 1)
            ]
        )
        registry.catalog.current()
    finally:
        registry.close()


@dataclass
class Gates:
    """Opened by the test: the cards read straight from the file, then the registry itself."""

    cards: threading.Event = field(default_factory=threading.Event)
    registry: threading.Event = field(default_factory=threading.Event)
    registry_asked: threading.Event = field(default_factory=threading.Event)

    def open_all(self) -> None:
        self.cards.set()
        self.registry.set()


@pytest.fixture
def gates(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Gates]:
    seed_many(STORES)
    gates = Gates()
    real_read_home = first_screen_module.read_home
    real_open = registry_module.open_registry

    def read_home(*args: Any, **kwargs: Any) -> Any:
        gates.cards.wait(30)
        return real_read_home(*args, **kwargs)

    def open_late(*args: Any, **kwargs: Any) -> Any:
        gates.registry_asked.set()
        gates.registry.wait(30)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(first_screen_module, "read_home", read_home)
    monkeypatch.setattr(registry_module, "open_registry", open_late)
    yield gates
    gates.open_all()  # never leave the app's thread waiting


def field_value(app: Any, selector: str) -> str | None:
    """The value of a form field on the screen on top; None while that screen is not composed yet."""
    found = app.screen.query(selector)
    return found.first(Input).value if found else None


async def test_add_then_typing_at_the_first_frame_fills_the_add_form(gates: Gates) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        # The first frame is up; the registry is not open: `a`, tab to the email field, and an address.
        await pilot.press("a", "tab", *"me@shop.example")
        assert not app.ready
        assert isinstance(app.screen, HomeScreen)  # nothing was acted on yet, nothing was dropped either
        gates.open_all()
        await until(pilot, lambda: isinstance(app.screen, AddStoreModal) and app.screen.focused is not None)
        await until(pilot, lambda: field_value(app, "#email") == "me@shop.example")
        assert app.screen.focused is app.screen.query_one("#email", Input)
        assert app.screen.query_one("#name", Input).value == ""


async def test_keys_typed_while_the_cards_arrive_are_replayed_in_order(gates: Gates) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        gates.cards.set()
        await until(pilot, lambda: app.home.loaded and bool(shown(app)))  # cards from the file, no registry
        # enter (view the store) needs the registry: it and every key after it wait for it, in order.
        await pilot.press("enter", "escape", "a", "tab", "x")
        assert isinstance(app.screen, HomeScreen)
        gates.registry.set()
        # enter opened the store view, escape closed it, a opened the form, and x went to its second field.
        await until(pilot, lambda: isinstance(app.screen, AddStoreModal))
        await until(pilot, lambda: field_value(app, "#email") == "x")


async def test_slash_then_a_filter_typed_at_once_filters_by_all_of_it(gates: Gates) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *"Shop 01")
        gates.cards.set()  # the cards arrive in the middle of the typing
        await until(pilot, lambda: app.home.loaded)
        await pilot.press(*"234")
        gates.registry.set()
        await until_ready(pilot)
        box = app.home.query_one("#filter", Input)
        assert box.value == "Shop 01234"
        assert app.home.focused is box  # the cards did not take the focus from the filter box
        assert shown(app) == ["Shop 01234"]


async def test_help_and_settings_open_at_once_and_q_quits_at_once(gates: Gates) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "s")
        assert isinstance(app.screen, SettingsScreen)
        assert not app.ready
        gates.open_all()
        await until_ready(pilot)
        assert isinstance(app.screen, SettingsScreen)
    app = make_app()
    gates.registry.clear()
    gates.registry_asked.clear()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a", "q")  # q after a held key is held too: it may be a letter of a name
        assert app.is_running
        await pilot.press("ctrl+q")  # leaving is never held
        await until(pilot, lambda: not app.is_running)


async def test_the_add_form_opens_on_the_catalog_before_the_registry_and_saves_once_it_is_open(
    gates: Gates,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        gates.cards.set()  # the file is read (the catalog with it); the registry stays closed
        await until(pilot, lambda: app.catalog is not None)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AddStoreModal) and app.screen.focused is not None)
        assert not app.ready  # the form did not wait for the registry
        form = app.screen
        form.query_one("#website", Select).value = "base"
        form.query_one("#country", Select).value = "US"
        await pilot.press("tab", *"me@shop.example", "tab", *"Early Shop")
        assert field_value(app, "#email") == "me@shop.example" and field_value(app, "#name") == "Early Shop"
        await press(pilot, "ctrl+s")
        assert app.screen is form  # nothing lost: still open, with what was typed
        assert "Still opening the store registry" in notifications(app)[-1]
        gates.registry.set()
        await until(pilot, lambda: app.ready)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is app.home)
        await until(pilot, lambda: "Early Shop" in shown(app))


async def test_add_typed_before_the_catalog_opens_the_form_once_the_file_is_read(gates: Gates) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a", "tab", *"me@shop.example")  # before anything was read
        assert isinstance(app.screen, HomeScreen)
        gates.cards.set()  # the file gives the catalog; the registry stays closed
        await until(pilot, lambda: field_value(app, "#email") == "me@shop.example")
        assert isinstance(app.screen, AddStoreModal)
        assert not app.ready  # the held `a` did not wait for the whole registry


async def test_on_a_fresh_home_the_add_form_opens_before_the_registry(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No database file yet: without a Magento shop the catalog is the embedded one, known at once.
    with registry_held_back(monkeypatch) as registry_gate:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("a", "tab", *"me@shop.example")
            await until(pilot, lambda: field_value(app, "#email") == "me@shop.example")
            assert not app.ready
            assert "Catalog: embedded" in str(app.screen.query_one(".catalog-age", Static).content)
            registry_gate.set()
            await until(pilot, lambda: app.ready)


async def test_slash_and_a_filter_arriving_in_one_read_all_go_into_the_box(gates: Gates) -> None:
    # Over SSH a burst of keys reaches the app in one read: they are posted together, none waits for the
    # one before it to be handled, as a terminal delivers them.
    gates.open_all()
    async with ready_home(size=(80, 24)) as (app, pilot):
        await until(pilot, lambda: app.home.focused is app.home.deck)
        for key, character in [("slash", "/"), *((c if c != " " else "space", c) for c in "Shop 01")]:
            app.post_message(events.Key(key, character))
        box = app.home.query_one("#filter", Input)
        await until(pilot, lambda: box.value.endswith("01"), "the filter typed into the box")
        assert box.value == "Shop 01"  # not "p 01": no key went to the cards on the way
        assert app.home.focused is box
        await pilot.press("slash")  # in the box, `/` is part of the filter
        await until(pilot, lambda: box.value == "Shop 01/")


async def test_keys_arriving_with_a_in_one_read_fill_the_add_form(gates: Gates) -> None:
    # `a`, tab and an address in one read (a paste, or keys bunched up over SSH): tab must move from the
    # form's first field, not be spent before the form has focused it.
    gates.open_all()
    async with ready_home(size=(80, 24)) as (app, pilot):
        await until(pilot, lambda: app.home.focused is app.home.deck)
        for key, character in [("a", "a"), ("tab", "\t"), *((c, c) for c in "me")]:
            app.post_message(events.Key(key, character))
        await until(pilot, lambda: field_value(app, "#email") == "me", "the address in the email field")
        assert app.screen.focused is app.screen.query_one("#email", Input)
