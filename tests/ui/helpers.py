"""Shared steps for the UI tests: start the app on a fresh registry and wait until it is ready."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from textual.app import App
from textual.notifications import Notification
from textual.pilot import Pilot
from textual.widgets import Input, Select

import asc_tui.services.registry as registry_module
from asc_tui import i18n
from asc_tui.domain import StoreDraft
from asc_tui.sandbox import SandboxSeller
from asc_tui.services.registry import Registry, open_registry
from asc_tui.settings.config import load_config
from asc_tui.ui.app import AscApp
from asc_tui.ui.screens.add_store import AddStoreModal
from asc_tui.ui.screens.connect import ConnectScreen
from tests.support.connect import NA
from tests.support.consent_forms import approve

FIXED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def in_chinese() -> None:
    """Traditional Chinese, chosen as from the locale, for every test of a module that imports this."""
    i18n.choose_language("zh-Hant", None, {"LANG": "zh_TW.UTF-8"})  # tests/conftest.py sets English back


def make_app(db: str | None = None, *, sandbox: bool = False) -> AscApp:
    return AscApp(load_config(), db, sandbox=sandbox)


READY_SECONDS = 60.0  # a loaded machine (CI, parallel tests) opens the registry slowly; failing is the signal


async def until_ready(pilot: Pilot[None]) -> None:
    """Until the home shows the checklist or the cards; fails (never goes on with an empty screen) after a
    minute."""
    app = pilot.app
    assert isinstance(app, AscApp)
    deadline = time.monotonic() + READY_SECONDS
    while True:
        home = app.home
        shown = [w for w in home.query("#home-presetup, StoreDeck") if w.region.height > 0]
        if app.ready and home.loaded and shown:
            break
        if time.monotonic() > deadline:
            raise AssertionError(
                f"the app was not ready after {READY_SECONDS:g} s: ready={app.ready}, home loaded="
                f"{home.loaded}, checklist or cards shown={bool(shown)}; {app.screen!r} shows:\n{screen_text(app)}"
            )
        await pilot.pause(0.02)
    # Cards and the checklist are mounted after the registry is ready; let those mounts settle.
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


@asynccontextmanager
async def ready_home(
    *stores: tuple[str, str], size: tuple[int, int] = (120, 40)
) -> AsyncIterator[tuple[AscApp, Pilot[None]]]:
    """The app on a registry of these stores (none: no registry yet, as on a first start), its home ready."""
    if stores:
        seed(*stores)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await until_ready(pilot)
        yield app, pilot


async def press(pilot: Pilot[None], *keys: str) -> None:
    """Keys as an admin types them, and what they start (a modal, a redraw) done."""
    await pilot.press(*keys)
    await pilot.pause()


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], bool], what: str, seconds: float = READY_SECONDS
) -> None:
    """Let the app run until the condition holds; fail, saying what never happened, after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"after {seconds:g} s still not: {what}; the screen is {pilot.app.screen!r}")
        await pilot.pause(0.02)


async def until(
    pilot: Pilot[None], condition: Callable[[], object], what: str = "the screen to get there"
) -> None:
    """`wait_until` for steps whose condition says well enough what is awaited."""
    await wait_until(pilot, lambda: bool(condition()), what)


# Textual has no public way to read what a screen drew or which notifications it shows: these two helpers
# are the only places the tests read its private names (the screen's compositor, the app's notifications).


def screen_text(app: App[None] | Pilot[None]) -> str:
    """The active screen as drawn, one line per row."""
    app = app.app if isinstance(app, Pilot) else app
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def terminal_output(app: App[None]) -> str:
    """What a full redraw of the current screen writes to the terminal."""
    update = app.screen._compositor.render_full_update()
    return update.render_segments(app.console)


def shown_notifications(app: App[None]) -> list[Notification]:
    """The notifications (toasts) the app has shown and not yet taken away, oldest first."""
    return list(app._notifications)


def notifications(app: App[None]) -> list[str]:
    """What those notifications say."""
    return [str(n.message) for n in shown_notifications(app)]


@contextmanager
def registry_held_back(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The app's registry opens only once the event is set (at most 30 s), so a test sees what comes before
    it; set on the way out whatever happened, so no opener is left waiting."""
    gate = threading.Event()
    real_open = registry_module.open_registry

    def open_late(*args: Any, **kwargs: Any) -> Registry:
        gate.wait(30)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(registry_module, "open_registry", open_late)
    try:
        yield gate
    finally:
        gate.set()


def seed(*stores: tuple[str, str], fixed_times: bool = True, sandbox: bool = False) -> None:
    """Stores added through the service, with fixed timestamps so screens are the same every run."""
    registry = open_registry(sandbox=sandbox)
    try:
        for name, country in stores:
            registry.stores.add(
                StoreDraft(name=name, email="seller@example.com", country=country, website="base")
            )
        if fixed_times:
            from sqlalchemy import text

            registry.catalog.current()
            with registry.database.engine.begin() as conn:
                conn.execute(text("UPDATE catalog_snapshot SET fetched_at=:t"), {"t": FIXED})
                conn.execute(text("UPDATE store SET created_at=:t, updated_at=:t"), {"t": FIXED})
                conn.execute(text("UPDATE activity SET at=:t"), {"t": FIXED})
    finally:
        registry.close()


async def fill_add_form(
    pilot: Pilot[None], name: str, country: str, email: str = "seller@example.com", website: str = "base"
) -> None:
    """The open add form filled in as an admin would, not yet saved."""
    form = pilot.app.screen
    assert isinstance(form, AddStoreModal)
    form.query_one("#website", Select).value = website
    type_into(pilot.app, "#email", email)
    type_into(pilot.app, "#name", name)
    form.query_one("#country", Select).value = country
    await pilot.pause()


async def add_through_form(
    pilot: Pilot[None], name: str, country: str, email: str = "seller@example.com"
) -> None:
    """`a`, the form filled in, ctrl+s."""
    await press(pilot, "a")
    await fill_add_form(pilot, name, country, email)
    await press(pilot, "ctrl+s")


async def open_connect(pilot: Pilot[None]) -> ConnectScreen:
    await until_ready(pilot)
    await pilot.press("c")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConnectScreen), "the connect screen")
    screen = pilot.app.screen
    assert isinstance(screen, ConnectScreen), "the connect screen did not open"
    await pilot.pause()
    return screen


async def until_closed(pilot: Pilot[None], seconds: float = 30) -> None:
    for _ in range(int(seconds / 0.05)):
        if not isinstance(pilot.app.screen, ConnectScreen):
            break
        await pilot.pause(0.05)
    assert not isinstance(pilot.app.screen, ConnectScreen), "the connect screen is still open"
    await pilot.pause()


@asynccontextmanager
async def sandbox_connect(
    size: tuple[int, int] = (120, 40), *, notifications: bool = False
) -> AsyncIterator[tuple[AscApp, Pilot[None], ConnectScreen]]:
    """The sandbox app with one store, "Shop US", and its connect screen open."""
    seed(("Shop US", "US"), sandbox=True)
    app = make_app(sandbox=True)
    async with app.run_test(size=size, notifications=notifications) as pilot:
        yield app, pilot, await open_connect(pilot)


async def paste_approval(pilot: Pilot[None], seller: SandboxSeller = NA) -> None:
    """On the connect screen: `seller` approves on the sandbox's consent pages, and the address Amazon sends
    the browser back to is pasted and entered, as an admin without a reachable callback does."""
    screen = pilot.app.screen
    assert isinstance(screen, ConnectScreen)
    location = await asyncio.to_thread(approve, screen.attempt.consent_url, seller)
    type_into(pilot.app, "#connect-paste", location)
    await pilot.press("enter")


async def choose_passphrase(pilot: Pilot[None], passphrase: str) -> None:
    """In the encrypted file's setup: the passphrase twice, and enter from the second field."""
    type_into(pilot.app, "#passphrase", passphrase)
    type_into(pilot.app, "#repeat", passphrase)
    pilot.app.screen.query_one("#repeat").focus()
    await pilot.press("enter")


def type_into(app: App[None], selector: str, value: str) -> None:
    """Long values are set directly: pressing each key costs ~60 ms and tests nothing more."""
    widget = app.screen.query_one(selector, Input)
    widget.value = value


@contextmanager
def saved_registry(*, sandbox: bool = False) -> Iterator[Registry]:
    """The registry as another process would find it on disk, to check what was really saved."""
    registry = open_registry(sandbox=sandbox)
    try:
        yield registry
    finally:
        registry.close()


def shown(app: AscApp) -> list[str]:
    """The names of the stores the home's cards show now (after the filter), in order."""
    deck = app.home.deck
    return [store.name for store in deck.rows] if deck.display else []


def focused_name(app: AscApp) -> str | None:
    store = app.home.focused_store()
    return store.name if store else None


def card_texts(app: AscApp) -> list[str]:
    """Each shown card's text, as drawn on screen."""
    deck = app.home.deck
    return [deck.card_text(i) for i in range(len(deck.rows))] if deck.display else []
