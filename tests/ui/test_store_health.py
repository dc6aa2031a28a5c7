"""The store view's health against the sandbox over real HTTP: stores connected through its consent pages
first, then `r` in the store view and the palette's "Refresh store health" in the running app."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import DataTable, Static

from asc_tui.i18n import format_money
from asc_tui.sandbox import HEALTH_DEMO_SELLERS
from asc_tui.ui.app import AscApp
from asc_tui.ui.screens.store_view import StoreViewScreen
from asc_tui.ui.widgets.health_panel import day_line
from asc_tui.ui.widgets.sales_chart import SalesChart
from tests.support.connect import NA, add_store, connect_sandbox_stores

from .helpers import make_app, notifications, press, saved_registry, screen_text, until, until_ready

_SUSPENDED, ERRORS, _BUSY = HEALTH_DEMO_SELLERS
SALES = "/sales/v1/orderMetrics"
ASKED_SECONDS = 60.0


def text_of(app: AscApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def open_view(pilot: Any, name: str) -> StoreViewScreen:
    app = pilot.app
    await until_ready(pilot)
    app.view_store(next(s for s in app.home.stores if s.name == name))
    await until(pilot, lambda: isinstance(app.screen, StoreViewScreen), "the store view")
    await pilot.pause()
    view = app.screen
    assert isinstance(view, StoreViewScreen)
    return view


async def refresh_here(pilot: Any, view: StoreViewScreen) -> None:
    """`r`, then until Amazon has answered and the view shows it."""
    app = pilot.app
    await pilot.press("r")
    await until(
        pilot,
        lambda: (
            not app.health_checks.running and not view.asking and "Checked" in text_of(app, "#health-checked")
        ),
        "the store's health checked and shown",
    )
    await pilot.pause()


async def test_r_asks_amazon_and_the_view_shows_what_it_said(monkeypatch: pytest.MonkeyPatch) -> None:
    ids = connect_sandbox_stores(("Healthy", NA))
    shown_while: list[str] = []  # what the checked line said each time the view was told Amazon is asked
    original = StoreViewScreen.health_asking

    def recorded(self: StoreViewScreen, asking: bool) -> None:
        original(self, asking)
        shown_while.append(str(self.query_one("#health-checked", Static).render()))

    monkeypatch.setattr(StoreViewScreen, "health_asking", recorded)
    app = make_app(sandbox=True)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        view = await open_view(pilot, "Healthy")
        assert "Not checked yet: press r" in text_of(app, "#health-checked")
        await refresh_here(pilot, view)
        assert "Asking Amazon…" in shown_while[0]  # said while the worker asked, keys still working

        with saved_registry(sandbox=True) as registry:
            health = registry.health.health_of(ids["Healthy"])
        assert health is not None and health.sales_30d is not None and len(health.daily) == 30
        figures = text_of(app, "#health-figures")
        assert format_money(health.sales_30d.amount, "USD") in figures
        assert f"Orders {health.orders_30d}" in figures.replace(",", "")
        assert any("Health of “Healthy” checked." in m for m in notifications(app))

        chart = view.query_one("#health-chart", SalesChart)
        assert app.focused is chart  # left and right work at once
        newest = text_of(app, "#health-day")
        assert newest == day_line(health.daily[-1], "USD")
        last = health.daily[-1]  # and in words a person reads, not only what day_line makes of it
        assert f"{last.date.day} {last.date:%b %Y}: " in newest and f"US${last.sales:,.2f}" in newest
        assert f"{last.orders} order" in newest and f"{last.units} unit" in newest
        await pilot.press("left", "left")
        assert text_of(app, "#health-day") == day_line(health.daily[-3], "USD") != newest
        await pilot.press("right")
        assert text_of(app, "#health-day") == day_line(health.daily[-2], "USD")
        assert not view.query_one("#health-log", DataTable).display  # nothing went wrong: no log shown


async def test_a_store_with_listing_errors_is_warned_with_its_seller_central() -> None:
    connect_sandbox_stores(("Errors", ERRORS))
    app = make_app(sandbox=True)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_view(pilot, "Errors")
        await refresh_here(pilot, view)
        warnings = text_of(app, "#health-warnings")
        assert "7 listings have errors: act in Seller Central." in warnings
        assert f"Seller Central: {app.config.amazon.seller_central['US']}" in warnings


async def test_a_failing_call_lands_in_the_communication_log() -> None:
    connect_sandbox_stores(("Healthy", NA))
    app = make_app(sandbox=True)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_view(pilot, "Healthy")
        emulator = app.registry.connect and app.registry.emulator  # the app's own emulator, started
        assert emulator is not None
        # A 403 is not retried: the refresh fails at once instead of after Amazon's backoff.
        emulator.fail_next(emulator.sp_api_endpoint("NA") + SALES, status=403, count=2)
        await refresh_here(pilot, view)
        log = view.query_one("#health-log", DataTable)
        assert log.display and log.row_count >= 1
        _when, call, code, message = (str(cell) for cell in log.get_row_at(0))
        assert (call, code) == ("getOrderMetrics", "InternalFailure")
        assert "internal error" in message
        assert "The last check failed" in text_of(app, "#health-warnings")


async def test_the_palette_refreshes_every_connected_store() -> None:
    ids = connect_sandbox_stores(("Healthy", NA), ("Errors", ERRORS))
    with saved_registry(sandbox=True) as registry:
        add_store(registry, "Not yet", "CA")
    app = make_app(sandbox=True)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await until_ready(pilot)
        await press(pilot, "ctrl+p")
        await pilot.press(*"refresh store health")
        await until(pilot, lambda: "Refresh store health" in screen_text(app), "the command in the palette")
        await pilot.press("enter")
        await until(
            pilot,
            lambda: any("Health checked for" in m for m in notifications(app)),
            "the refresh's summary",
        )
        assert any("Asking Amazon about every connected store" in m for m in notifications(app))
        assert "Health checked for 2 stores; 1 needs you." in notifications(app)
        with saved_registry(sandbox=True) as registry:
            for name in ("Healthy", "Errors"):
                health = registry.health.health_of(ids[name])
                assert health is not None and health.checked_at is not None, name
            not_yet = registry.stores.find("Not yet")
            assert registry.health.health_of(not_yet.id or 0) is None


async def test_stores_whose_health_is_due_are_asked_about_in_the_background() -> None:
    ids = connect_sandbox_stores(("Healthy", NA), ("Errors", ERRORS))
    app = make_app(sandbox=True)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await until_ready(pilot)
        assert sorted(app.health_checks.due()) == sorted(ids.values())  # never checked: both are due
        app.health_checks.tick()  # what the app does every minute
        deck = app.home.deck
        await until(
            pilot,
            lambda: all("in 30 days" in deck.card_text(i) for i in range(len(deck.rows))),
            "both cards showing what Amazon said",
        )
        assert app.health_checks.due() == []  # checked just now: not due again for an hour
        assert not notifications(app)  # the background asks quietly
        errors = next(i for i, s in enumerate(deck.rows) if s.name == "Errors")
        assert "7 listings with errors" in deck.card_text(errors)


async def test_a_rejected_client_secret_is_one_banner_for_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    connect_sandbox_stores(("Healthy", NA), ("Errors", ERRORS))
    monkeypatch.setattr("asc_tui.services.sandbox.sandbox_client_secret", lambda: "rotated-away-Qx7")
    app = make_app(sandbox=True)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await until_ready(pilot)
        app.health_checks.tick()
        await until(pilot, lambda: app.health_checks.app_problem is not None, "the app's problem")
        banner = str(app.home.query_one("#banner", Static).render())
        assert banner.count("client secret") == 1 and "Settings (s)" in banner
        assert "Qx7" not in banner
        deck = app.home.deck
        # Not one error per store: the second store was not asked (it would fail alike).
        with saved_registry(sandbox=True) as registry:
            checked = [registry.health.health_of(s.id or 0) for s in deck.rows]
        assert sum(h is not None for h in checked) == 1
