"""The connect screen in the sandbox: the link, the paste box, cancel, and a real browser coming back."""

from __future__ import annotations

import asyncio

from textual.pilot import Pilot
from textual.widgets import Input, Static

from asc_tui.domain import StoreStatus
from asc_tui.ui.app import AscApp
from asc_tui.ui.screens.connect import ConnectScreen
from asc_tui.ui.screens.connect_choice import ConnectChoiceScreen
from tests.support.browser import consent_in_browser
from tests.support.connect import NA, secret_keys

from .helpers import (
    card_texts,
    make_app,
    open_connect,
    paste_approval,
    sandbox_connect,
    saved_registry,
    seed,
    shown_notifications,
    type_into,
    until_closed,
    until_ready,
    wait_until,
)


async def checked(pilot: Pilot[None]) -> None:
    """Wait for the paste check; the callback worker keeps running, so not every worker."""
    for _ in range(400):
        if not any(w.group == "connect-paste" and w.is_running for w in pilot.app.workers):
            break
        await pilot.pause(0.025)
    await pilot.pause()


def text_of(app: AscApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def card_text(app: AscApp) -> str:
    return card_texts(app)[0]


async def test_screen_shows_steps_link_time_and_focuses_the_paste_box() -> None:
    async with sandbox_connect() as (app, pilot, screen):
        assert app.focused is not None and app.focused.id == "connect-paste"
        steps = text_of(app, "#connect-steps")
        assert "primary user of the Seller Central account" in steps and "I understand" in steps
        link = text_of(app, "#connect-link")
        assert link.replace("\n", "") == screen.attempt.consent_url
        assert "left" in text_of(app, "#connect-waiting") and "9:5" in text_of(app, "#connect-waiting")
        assert "Browser not opened" in text_of(app, "#connect-browser")

        type_into(app, "#connect-paste", screen.attempt.consent_url)
        await pilot.press("enter")
        await checked(pilot)
        assert "consent link" in text_of(app, "#connect-error")
        assert isinstance(app.screen, ConnectScreen)  # still waiting

        await pilot.press("escape")
        await until_closed(pilot)
        assert "Not connected" in card_text(app)
        with saved_registry(sandbox=True) as registry:
            assert registry.stores.find("Shop US").status == StoreStatus.NOT_CONNECTED.value


async def test_pasting_the_address_connects_and_the_card_updates() -> None:
    async with sandbox_connect(notifications=True) as (app, pilot, _):
        await paste_approval(pilot)
        await until_closed(pilot)
        assert "A1SANDBOXNA001" in card_text(app) and "Active" in card_text(app)
        assert any("is connected" in str(n.message) for n in shown_notifications(app))
        with saved_registry(sandbox=True) as registry:
            store = registry.stores.find("Shop US")
            assert store.status == StoreStatus.ACTIVE.value and len(secret_keys(registry)) == 1


async def test_a_real_browser_comes_back_through_the_callback_worker() -> None:
    async with sandbox_connect(notifications=True) as (app, pilot, screen):
        result = await asyncio.to_thread(consent_in_browser, screen.attempt.consent_url, email=NA.email)
        assert result.next_was_gated
        assert "Connected" in result.text and "A1SANDBOXNA001" in result.text
        await until_closed(pilot)
        assert "A1SANDBOXNA001" in card_text(app)
        with saved_registry(sandbox=True) as registry:
            store = registry.stores.find("Shop US")
            assert store.status == StoreStatus.ACTIVE.value
            assert registry.secrets.get(f"refresh-token/{store.token_ref}") is not None


async def test_self_authorization_asks_for_the_seller_id() -> None:
    async with sandbox_connect() as (app, pilot, _):
        emulator = app.registry.emulator
        assert emulator is not None
        token = emulator.authorize_directly(NA, "NA")
        type_into(app, "#connect-paste", token)
        await pilot.pause()
        paste = app.screen.query_one("#connect-paste", Input)
        shown = paste.render_line(0).text
        assert paste.password and "•••" in shown and "Atzr" not in shown  # the token is never on screen
        await pilot.press("enter")
        await checked(pilot)
        seller = app.screen.query_one("#connect-seller", Input)
        assert seller.display and app.focused is seller
        assert "Merchant Token" in text_of(app, "#connect-error")
        type_into(app, "#connect-seller", NA.selling_partner_id)
        await pilot.press("enter")
        await until_closed(pilot)
        assert "A1SANDBOXNA001" in card_text(app)


async def test_a_newcomer_connects_all_four_sandbox_stores() -> None:
    """US and UK by consent; Canada and Mexico with the US store's authorization (issue 22 §2)."""
    from asc_tui.sandbox import DEMO_SELLERS

    by_country = {"US": NA, "CA": NA, "MX": NA, "UK": DEMO_SELLERS[1]}
    seed(*((f"Shop {c}", c) for c in by_country), sandbox=True)
    app = make_app(sandbox=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        for country, seller in by_country.items():
            app.home.focus_store(next(s.id for s in app.home.stores if s.country == country) or 0)
            await pilot.pause()
            if country in ("CA", "MX"):
                # The US store's consent covers North America: Canada and Mexico use it, with no consent.
                await pilot.press("c")
                await wait_until(pilot, lambda: isinstance(app.screen, ConnectChoiceScreen), "the choice")
                await pilot.press("enter")
                await wait_until(pilot, lambda: not isinstance(app.screen, ConnectChoiceScreen), "the home")
                await wait_until(
                    pilot,
                    lambda: not any(w.group == "connect-start" and w.is_running for w in app.workers),
                    "the authorization used",
                )
                await pilot.pause()
                continue
            screen = await open_connect(pilot)
            assert screen.attempt.marketplace.code == country
            await paste_approval(pilot, seller)
            await until_closed(pilot)
        cards = " ".join(card_texts(app))
        assert cards.count("Active") == 4 and cards.count("Not connected") == 0
    with saved_registry(sandbox=True) as registry:
        assert {s.country: s.seller_id for s in registry.stores.list_stores()} == {
            c: s.selling_partner_id for c, s in by_country.items()
        }
