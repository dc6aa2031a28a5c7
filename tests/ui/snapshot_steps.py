"""What every snapshot test needs to look the same on every run, and the add form's error state."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from textual.widgets import Input, Select

from asc_tui import domain
from asc_tui.domain import MARKETPLACES
from asc_tui.domain.health import DailySales
from tests.support.health import checked_health, connect_seeded

from .helpers import FIXED, saved_registry, seed, until_ready, wait_until


@pytest.fixture(autouse=True)
def steady_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    """No blinking cursor, and a named, encrypted keyring (with or without a Secret Service here)."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None, raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.cryptfile.cryptfile.CryptFileKeyring")
    monkeypatch.setenv("ASC_TUI_KEYRING_PASSPHRASE", "snapshot passphrase")


def add_form_with_errors(name: str, product_id_type: str | None = None) -> Callable[[Any], Awaitable[None]]:
    """Open the add form, fill it with an invalid email and a name already taken, and submit."""

    async def run_before(pilot: Any) -> None:
        await until_ready(pilot)
        await pilot.press("a")
        await wait_until(pilot, lambda: pilot.app.screen.query("#website"), "the add form")
        screen = pilot.app.screen
        screen.query_one("#website", Select).value = "base"
        screen.query_one("#email", Input).value = "not-an-email"
        screen.query_one("#name", Input).value = name
        screen.query_one("#country", Select).value = "US"
        if product_id_type is not None:
            screen.query_one("#product_id_type", Select).value = product_id_type
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()

    return run_before


def country_list(*typed: str) -> Callable[[Any], Awaitable[None]]:
    """Open the add form and its country list with the keyboard, then type `typed` (a code jumps to it)."""

    async def run_before(pilot: Any) -> None:
        await until_ready(pilot)
        await pilot.press("a")
        await wait_until(pilot, lambda: pilot.app.screen.query("#country"), "the add form")
        for _field in range(3):  # website, email, name, then the country
            await pilot.press("tab")
        await pilot.press("enter")
        countries = pilot.app.screen.query_one("#country", Select)
        await wait_until(pilot, lambda: countries.expanded, "the country list open")
        for key in typed:
            await pilot.press(key)
        await pilot.pause(0.3)

    return run_before


def seed_with_health(*stores: tuple[str, str, str, dict[str, Any]]) -> None:
    """Stores (name, country, seller ID, what Amazon said) connected just now, with a fixed 30 days of
    sales each: the cards' health the same on every run (seller ID "" leaves a store not connected)."""
    seed(*((name, country) for name, country, _seller, _said in stores))
    first = FIXED.date() - timedelta(days=30)
    now = domain.utcnow()  # read here, not imported: frozen_clock replaces it
    with saved_registry() as registry:
        for position, (name, country, seller, said) in enumerate(stores):
            if not seller:
                continue
            store_id = connect_seeded(registry, name, seller, f"snapshot-{position}", now)
            daily = tuple(
                DailySales(first + timedelta(days=d), (d + position) % 6, (d + position) % 8,
                           Decimal(((d * 7 + position * 3) % 11) * 13) + Decimal("0.99"))
                for d in range(30)
            )  # fmt: skip
            currency = MARKETPLACES[country].currency
            registry.health.save_health(store_id, checked_health(store_id, FIXED, daily, currency, **said))
