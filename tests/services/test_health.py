"""Store health as stored, on SQLite and PostgreSQL: what is saved reads back exactly, the log keeps the
last 100 entries, a deleted store takes its health and log along, and the home reads every store's health
in one query without the registry's revision moving."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, text

from asc_tui.domain import StoreDraft
from asc_tui.domain.health import (
    CommunicationEntry,
    DailySales,
    Money,
    StoreHealth,
    encode_daily,
    encode_daily_sales,
    sum_daily,
)
from asc_tui.errors import StoreNotFound
from asc_tui.services.health import LOG_KEPT
from asc_tui.services.health_record import health_json
from asc_tui.services.registry import Registry
from asc_tui.storage.models import StoreHealthRecord
from tests.support.health import checked_health

CHECKED = datetime(2026, 12, 6, 8, 30, 15, tzinfo=UTC)


def add_store(registry: Registry, name: str = "Amazon Store USA") -> int:
    store = registry.stores.add(StoreDraft(name, "seller@example.com", "US", "base"))
    assert store.id is not None
    return store.id


def days(*amounts: str) -> tuple[DailySales, ...]:
    return tuple(
        DailySales(date(2026, 11, 6) + timedelta(days=i), i + 1, i + 2, Decimal(a))
        for i, a in enumerate(amounts)
    )


def full_health(store_id: int) -> StoreHealth:
    daily = days("0.10", "0.20", "1234567.89")
    # Totals of the first two days only: 0.10 + 0.20 must read back as 0.30, exactly.
    two_days = checked_health(
        store_id,
        CHECKED,
        daily[:2],
        has_suspended_listings=True,
        listings_with_errors=7,
        problem="Amazon throttled the sales figures; they are from the last check.",
        problem_code="QuotaExceeded",
    )
    return replace(two_days, daily=daily)


def test_saved_health_reads_back_exactly(registry: Registry) -> None:
    store_id = add_store(registry)
    assert registry.health.health_of(store_id) is None  # never checked
    saved = full_health(store_id)
    registry.health.save_health(store_id, saved)
    read = registry.health.health_of(store_id)
    assert read == saved
    assert read is not None and read.sales_30d is not None
    # "0.10" + "0.20" is "0.30", not 0.30000000000000004, and the days keep their two decimals.
    assert str(read.sales_30d.amount) == "0.30" and [str(d.sales) for d in read.daily][:2] == ["0.10", "0.20"]
    assert read.checked_at == CHECKED and read.checked_at.tzinfo is not None

    # A later check replaces the whole row; what Amazon did not say this time is None again.
    later = StoreHealth(
        store_id, CHECKED + timedelta(hours=1), problem="Amazon says the authorization was revoked."
    )
    registry.health.save_health(store_id, later)
    assert registry.health.health_of(store_id) == later


def test_health_for_a_deleted_store_is_refused(registry: Registry) -> None:
    store_id = add_store(registry)
    registry.stores.delete(store_id)
    with pytest.raises(StoreNotFound):
        registry.health.save_health(store_id, full_health(store_id))
    with pytest.raises(StoreNotFound):
        registry.health.append_log(store_id, [CommunicationEntry(CHECKED, "getOrderMetrics", "X", "x")])
    with pytest.raises(ValueError, match="given for store"):
        registry.health.save_health(store_id + 1, full_health(store_id))


def test_the_log_keeps_the_last_100_entries_newest_first(registry: Registry) -> None:
    store_id, other = add_store(registry), add_store(registry, "Other")

    def entry(i: int) -> CommunicationEntry:
        return CommunicationEntry(CHECKED + timedelta(seconds=i), "getOrderMetrics", "QuotaExceeded", f"#{i}")

    registry.health.append_log(other, [entry(0)])
    for start in range(0, 130, 13):  # appended a few at a time, as refreshes do
        registry.health.append_log(store_id, [entry(i) for i in range(start, start + 13)])
    log = registry.health.log_of(store_id)
    assert len(log) == LOG_KEPT == 100
    assert [e.message for e in log] == [f"#{i}" for i in range(129, 29, -1)]
    assert log[0] == entry(129) and log[0].at.tzinfo is not None
    assert [e.message for e in registry.health.log_of(store_id, limit=3)] == ["#129", "#128", "#127"]
    assert registry.health.log_of(other) == [entry(0)]  # another store's log is its own
    registry.health.append_log(store_id, [entry(i) for i in range(1000, 1250)])  # more than kept, at once
    assert [e.message for e in registry.health.log_of(store_id)][::99] == ["#1249", "#1150"]
    with registry.database.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM communication_log")).scalar() == 101
    registry.health.append_log(store_id, [CommunicationEntry(CHECKED, "o" * 99, "c" * 99, "m" * 5000)])
    longest = registry.health.log_of(store_id, limit=1)[0]
    assert (len(longest.operation), len(longest.code), len(longest.message)) == (64, 64, 1000)


def test_deleting_a_store_deletes_its_health_and_log(registry: Registry) -> None:
    store_id, kept = add_store(registry), add_store(registry, "Kept")
    for sid in (store_id, kept):
        registry.health.save_health(sid, full_health(sid))
        registry.health.append_log(
            sid, [CommunicationEntry(CHECKED, "getOrderMetrics", "InternalFailure", "x")]
        )
    registry.delete_store(store_id)
    with registry.database.engine.connect() as conn:
        for table in ("store_health", "communication_log"):
            ids = conn.execute(text(f"SELECT store_id FROM {table}")).scalars().all()
            assert ids == [kept], table
    assert registry.health.health_of(store_id) is None and registry.health.log_of(store_id) == []
    assert set(registry.health.health_for_home()) == {kept}


def test_health_writes_move_their_own_revision_not_the_registrys(registry: Registry) -> None:
    """The home reloads every store when the registry's revision moves: a refresh of 10,000 stores must
    not make it do that 10,000 times. It reads only the health saved since the revision it has seen."""
    first, second = add_store(registry), add_store(registry, "Second")
    stores_seen, health_seen = registry.stores.revision(), registry.health.revision()
    registry.health.save_health(first, full_health(first))
    registry.health.append_log(first, [CommunicationEntry(CHECKED, "getOrderMetrics", "X", "x")])
    assert registry.stores.revision() == stores_seen
    assert registry.health.revision() == health_seen + 1
    assert set(registry.health.changed_since(health_seen)) == {first}
    registry.health.save_health(second, StoreHealth(second, CHECKED))
    assert set(registry.health.changed_since(health_seen + 1)) == {second}
    assert registry.health.changed_since(registry.health.revision()) == {}
    registry.health.health_of(first), registry.health.health_for_home(), registry.health.log_of(first)
    assert registry.health.revision() == health_seen + 2  # reading changes nothing


def test_the_home_reads_10000_stores_health_in_one_query(registry: Registry) -> None:
    drafts = [StoreDraft(f"Store {i:05d}", "s@example.com", "US", "base") for i in range(10_000)]
    ids = registry.stores.import_many(drafts)
    health = StoreHealthRecord.__table__  # type: ignore[attr-defined]
    rows = []
    for n, store_id in enumerate(ids[:-1]):  # the last store was never checked
        daily = days(*(f"{n % 97}.{d:02d}" for d in range(30)))
        rows.append(
            {
                "store_id": store_id,
                "revision": 1,
                "checked_at": CHECKED,
                "sales_30d": str(sum_daily(daily, "USD")[2].amount),
                "currency": "USD",
                "is_participating": n % 2 == 0,
                "has_suspended_listings": n == 5,
                "listings_with_errors": n % 3,
                "problem": "Throttled." if n == 7 else None,
                "daily": encode_daily(daily),
                "daily_sales": encode_daily_sales(daily),
            }
        )
    with registry.database.engine.begin() as conn:
        conn.execute(health.insert(), rows)

    statements: list[str] = []

    def listener(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(registry.database.engine, "before_cursor_execute", listener)
    try:
        cards = registry.health.health_for_home()
    finally:
        event.remove(registry.database.engine, "before_cursor_execute", listener)
    assert len([s for s in statements if "store_health" in s]) == 1, statements
    assert len(cards) == 9_999 and ids[-1] not in cards
    card = cards[ids[5]]
    assert card.daily_sales[:2] == (Decimal("5.00"), Decimal("5.01")) and len(card.daily_sales) == 30
    assert card.sales_30d == Money(sum((Decimal(f"5.{d:02d}") for d in range(30)), Decimal(0)), "USD")
    assert (card.is_participating, card.has_suspended_listings, card.listings_with_errors) == (False, True, 2)
    assert card.checked_at == CHECKED and cards[ids[7]].problem == "Throttled." and card.problem is None


# Issue 21's contract for scripts, in its order (plus problem_code): written out, not read from the code.
CONTRACT_KEYS = (
    "name", "status", "auth_health", "checked_at", "orders_30d", "units_30d", "sales_30d", "daily",
    "has_suspended_listings", "is_participating", "listings_with_errors", "problem", "problem_code",
)  # fmt: skip


def test_health_json_is_the_stores_health_contract(registry: Registry) -> None:
    store_id = add_store(registry)
    registry.health.save_health(store_id, full_health(store_id))
    store = registry.stores.get(store_id)
    record = health_json(store, registry.health.health_of(store_id))
    assert tuple(record) == CONTRACT_KEYS
    assert record == {
        "name": "Amazon Store USA",
        "status": "not_connected",
        "auth_health": "none",
        "checked_at": "2026-12-06T08:30:15Z",
        "orders_30d": 3,
        "units_30d": 5,
        "sales_30d": {"amount": "0.30", "currency": "USD"},
        "daily": [
            {"date": "2026-11-06", "orders": 1, "units": 2, "sales": "0.10"},
            {"date": "2026-11-07", "orders": 2, "units": 3, "sales": "0.20"},
            {"date": "2026-11-08", "orders": 3, "units": 4, "sales": "1234567.89"},
        ],
        "has_suspended_listings": True,
        "is_participating": True,
        "listings_with_errors": 7,
        "problem": "Amazon throttled the sales figures; they are from the last check.",
        "problem_code": "QuotaExceeded",
    }
    never = health_json(store, None)
    assert never["daily"] == [] and never["name"] == "Amazon Store USA"
    assert all(
        never[key] is None for key in CONTRACT_KEYS if key not in ("name", "status", "auth_health", "daily")
    )
