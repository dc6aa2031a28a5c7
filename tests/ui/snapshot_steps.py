"""What every snapshot test needs to look the same on every run, and the add form's error state."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.widgets import Input, Select

from .helpers import until_ready, wait_until


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
