"""The connect screen's first choice when the seller already authorized the app in the store's region
(issue 22 §2): use that authorization (no browser, no consent) or sign in with another account."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import OptionList

from asc_tui.domain import StoreStatus
from asc_tui.ui.screens.connect import ConnectScreen
from asc_tui.ui.screens.connect_choice import ConnectChoiceScreen
from tests.support.connect import NA, secret_keys
from tests.support.consent_forms import approve

from .helpers import focused_name, make_app, saved_registry, screen_text, seed, until_ready, wait_until


def seed_us_connected_and_ca_waiting() -> None:
    seed(("Shop CA", "CA"), ("Shop US", "US"), sandbox=True)
    with saved_registry(sandbox=True) as registry:
        store = registry.stores.find("Shop US")
        attempt = registry.connect.start(store.id or 0, listen=False)
        assert registry.connect.complete_from_paste(attempt, approve(attempt.consent_url, NA)).connected


async def open_choice(pilot: Pilot[None]) -> ConnectChoiceScreen:
    await until_ready(pilot)
    for _ in range(4):
        if focused_name(pilot.app) == "Shop CA":  # type: ignore[arg-type]
            break
        await pilot.press("down")
    assert focused_name(pilot.app) == "Shop CA"  # type: ignore[arg-type]
    await pilot.press("c")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConnectChoiceScreen), "the choice")
    screen = pilot.app.screen
    assert isinstance(screen, ConnectChoiceScreen)
    await pilot.pause()
    return screen


async def test_using_the_authorization_connects_with_no_browser() -> None:
    seed_us_connected_and_ca_waiting()
    app = make_app(sandbox=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_choice(pilot)
        text = screen_text(pilot)
        assert "Use the North America authorization of seller A1SANDBOXNA001" in text
        assert "Sign in with another Seller Central account" in text
        assert app.focused is not None and isinstance(app.focused, OptionList)
        await pilot.press("enter")  # the first line: the authorization
        for _ in range(400):
            with saved_registry(sandbox=True) as registry:
                if registry.stores.find("Shop CA").status == StoreStatus.ACTIVE.value:
                    break
            await pilot.pause(0.05)
        await pilot.pause(0.2)
        assert not isinstance(app.screen, (ConnectChoiceScreen, ConnectScreen))
        with saved_registry(sandbox=True) as registry:
            ca, us = registry.stores.find("Shop CA"), registry.stores.find("Shop US")
            assert ca.status == StoreStatus.ACTIVE.value and ca.seller_id == NA.selling_partner_id
            assert ca.token_ref == us.token_ref and ca.authorized_at == us.authorized_at
            assert len(secret_keys(registry)) == 1
        emulator = app.registry.emulator  # the app's own: it answered the token refresh and the Sellers API
        assert emulator is not None and (emulator.consents_approved, emulator.code_exchanges) == (0, 0)
        assert any(secret.startswith("Atza|") for secret in emulator.issued_secrets)


async def test_signing_in_opens_the_connect_screen_and_escape_leaves() -> None:
    seed_us_connected_and_ca_waiting()
    app = make_app(sandbox=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_choice(pilot)
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConnectScreen), "the connect screen")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConnectScreen), "the home")

        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConnectChoiceScreen), "the choice")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConnectChoiceScreen), "the home")
        with saved_registry(sandbox=True) as registry:
            assert registry.stores.find("Shop CA").status == StoreStatus.NOT_CONNECTED.value
