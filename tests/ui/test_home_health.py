"""Store health on the home's cards: 30 days of sales as bars with their total, and what needs the admin,
read from the registry (the cards never call Amazon); a check saved by anyone redraws just those cards."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from asc_tui.domain.health import DailySales, StoreHealth
from tests.support.health import checked_health

from .helpers import make_app, ready_home, registry_held_back, saved_registry, seed, until, until_ready

CHECKED = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def health(
    store_id: int, *, errors: int = 0, suspended: bool = False, problem: str | None = None
) -> StoreHealth:
    first = date(2026, 11, 7)
    daily = tuple(
        DailySales(first + timedelta(days=i), orders=i % 5, units=i % 7, sales=Decimal(f"{(i % 9) * 10}.25"))
        for i in range(30)
    )
    return checked_health(
        store_id,
        CHECKED,
        daily,
        has_suspended_listings=suspended,
        listings_with_errors=errors,
        problem=problem,
        problem_code="QuotaExceeded" if problem else None,
    )


def save(store_name: str, **kwargs: object) -> StoreHealth:
    with saved_registry() as registry:
        store = registry.stores.find(store_name)
        checked = health(store.id or 0, **kwargs)  # type: ignore[arg-type]
        registry.health.save_health(store.id or 0, checked)
        return checked


async def test_cards_show_sales_and_what_needs_the_admin() -> None:
    seed(("Shop Fine", "US"), ("Shop Errors", "US"), ("Shop Never", "CA"))
    fine = save("Shop Fine")
    save("Shop Errors", errors=7, suspended=True)
    async with ready_home() as (app, pilot):
        deck = app.home.deck
        await until(pilot, lambda: "in 30 days" in deck.card_text(0) + deck.card_text(1))
        cards = {deck.rows[i].name: deck.card_text(i) for i in range(len(deck.rows))}
        assert fine.sales_30d is not None
        assert f"US${fine.sales_30d.amount:,.2f} in 30 days" in cards["Shop Fine"]
        assert any(bar in cards["Shop Fine"] for bar in "▁▂▃▄▅▆▇█")
        assert "⚠" not in cards["Shop Fine"] and "Seller ID" in cards["Shop Fine"]
        assert "⚠ listings suspended · 7 listings with errors" in cards["Shop Errors"]
        # Never checked: the card is as it always was, with its dates.
        assert "in 30 days" not in cards["Shop Never"] and "Created" in cards["Shop Never"]


async def test_a_check_saved_elsewhere_redraws_the_card_without_reading_the_stores_again() -> None:
    async with ready_home(("Shop One", "US"), ("Shop Two", "UK")) as (app, pilot):
        stores_before = app.home.stores
        save("Shop Two", problem="Amazon is throttling the calls; try again later.")  # as cron would
        deck = app.home.deck
        index = next(i for i, s in enumerate(deck.rows) if s.name == "Shop Two")
        await until(pilot, lambda: "⚠" in deck.card_text(index), "the card to show the failed check")
        assert "⚠ last check failed" in deck.card_text(index)
        assert app.home.stores is stores_before  # the stores were not read again for it


async def test_the_first_cards_come_with_their_health(monkeypatch: pytest.MonkeyPatch) -> None:
    # Read from the file with the stores, before the registry opens: not drawn bare first, then again.
    seed(("Shop One", "US"))
    save("Shop One", errors=2)
    with registry_held_back(monkeypatch) as opened:
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: bool(app.home.deck.rows), "the first cards, from the file")
            assert not app.ready
            assert "⚠ 2 listings with errors" in app.home.deck.card_text(0)
            opened.set()
            await until_ready(pilot)


async def test_the_banner_names_authorizations_by_how_soon_they_end() -> None:
    seed(("Shop Soon", "US"), ("Shop Later", "CA"), ("Shop Fine", "UK"))
    now = datetime.now(UTC)
    with saved_registry() as registry:
        from sqlalchemy import text

        for name, days_left in (("Shop Soon", 5), ("Shop Later", 20), ("Shop Fine", 200)):
            store = registry.stores.find(name)
            authorized = now - timedelta(days=365 - days_left, hours=1)
            with registry.database.engine.begin() as conn:
                conn.execute(
                    text("UPDATE store SET status='active', seller_id=:s, authorized_at=:a WHERE id=:i"),
                    {"s": f"A1{store.id}", "a": authorized, "i": store.id},
                )
    async with ready_home() as (app, _):
        banner = str(app.home.query_one("#banner").render())
        assert "Authorization ends within 7 days: Shop Soon." in banner
        assert "Authorization ends within 30 days: Shop Later." in banner
        assert "Shop Fine" not in banner


async def test_the_banner_names_one_authorization_once_for_all_its_stores() -> None:
    # A seller's US, Canada and Mexico stores share one North America authorization: one renewal serves
    # all three, so the banner names them together instead of asking for c on each.
    seed(("Shop US", "US"), ("Shop CA", "CA"), ("Shop MX", "MX"), ("Shop UK", "UK"))
    authorized = datetime.now(UTC) - timedelta(days=360, hours=1)
    with saved_registry() as registry:
        from sqlalchemy import text

        for name in ("Shop US", "Shop CA", "Shop MX", "Shop UK"):
            seller = "A1OTHERSELLER" if name == "Shop UK" else "A1SAMESELLER"
            with registry.database.engine.begin() as conn:
                conn.execute(
                    text("UPDATE store SET status='active', seller_id=:s, authorized_at=:a WHERE name=:n"),
                    {"s": seller, "a": authorized, "n": name},
                )
    async with ready_home() as (app, _):
        banner = str(app.home.query_one("#banner").render())
        assert (
            "Authorization ends within 7 days: Shop US and 2 more on one North America authorization, "
            "Shop UK. Press c on one store of each to renew."
        ) in banner.replace("\n", " ")


def test_bars_follow_the_sales_and_a_day_of_refunds_is_the_lowest_bar() -> None:
    from asc_tui.ui.widgets.store_card import sparkline

    assert sparkline([Decimal(-5), Decimal(0), Decimal(10), Decimal(3)], 30) == "▁▁█▃"
    assert sparkline([Decimal(1)] * 30, 15) == "█" * 15  # two days a bar on a narrow card
    assert sparkline([Decimal(0)] * 30, 30) == "▁" * 30


async def test_a_store_the_refresh_would_skip_is_never_due_in_the_background() -> None:
    # Active with a token reference but no seller ID: the refresh skips it, so the minute's look must not
    # wake a worker for it again and again.
    seed(("Shop Half", "US"))
    with saved_registry() as registry:
        from sqlalchemy import text

        with registry.database.engine.begin() as conn:
            conn.execute(text("UPDATE store SET status='active', token_ref='half', seller_id=NULL"))
    async with ready_home() as (app, _):
        assert app.health_checks.due() == []
