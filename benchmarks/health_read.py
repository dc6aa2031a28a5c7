"""How fast the home reads every store's health, for the two ways of keeping 30 daily points (issue 21).

`python -m benchmarks.health_read [--db URL] [--stores N] [--runs R] [--wipe]` fills a scratch registry
(a temporary SQLite file unless --db names one, e.g. an empty PostgreSQL database; one that holds stores is
refused unless --wipe says to delete them) with N stores, each with a health row and 30 days, and prints
medians of R runs of:
- the daily points as one text column (what the app stores): HealthService.health_for_home (one query,
  each card's points left as text until it is painted), and the same with every store's points decoded;
- the same points as a child table of one row a day (a scratch table made and dropped here): the health
  rows and 300,000 day rows in two queries, grouped into the same summaries;
- one store's health saved (the refresh's write) each way.
No timing is asserted anywhere: the figures depend on the machine; they are read here.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

DAYS = 30


def _median_seconds(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a database URL (default: a temporary SQLite file)")
    parser.add_argument("--stores", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--wipe", action="store_true", help="empty a --db that already holds stores")
    args = parser.parse_args(argv)

    from sqlalchemy import text

    from asc_tui.domain.health import (
        DailySales,
        Money,
        StoreHealth,
        encode_daily,
        encode_daily_sales,
        sum_daily,
    )
    from asc_tui.services.health import HealthService
    from asc_tui.storage.database import open_database
    from asc_tui.storage.models import Store, StoreHealthRecord

    with tempfile.TemporaryDirectory() as folder:
        db = open_database(args.db or str(Path(folder) / "health.sqlite3"))
        now = datetime.now(UTC)
        first = date(2026, 11, 1)

        def days_of(i: int) -> tuple[DailySales, ...]:
            return tuple(
                DailySales(
                    first + timedelta(days=d), i % 7, i % 11, Decimal(f"{(i * 31 + d) % 5000}.{d:02d}")
                )
                for d in range(DAYS)
            )

        store, health = Store.__table__, StoreHealthRecord.__table__  # type: ignore[attr-defined]
        with db.engine.connect() as conn:
            if conn.execute(text("SELECT count(*) FROM store")).scalar() and not args.wipe:
                raise SystemExit(f"{db.url} holds stores; give an empty database, or --wipe to delete them")
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS bench_health_day"))
            conn.execute(health.delete())
            conn.execute(store.delete())
            ids = list(
                conn.execute(
                    store.insert().returning(store.c.id, sort_by_parameter_order=True),
                    [
                        {
                            "name": f"S{i}",
                            "name_key": f"s{i}",
                            "email": "a@b.co",
                            "country": "US",
                            "website": "base",
                            "status": "active",
                            "auth_revoked": False,
                            "version": 1,
                            "created_at": now,
                            "updated_at": now,
                        }
                        for i in range(args.stores)
                    ],
                ).scalars()
            )
            rows, day_rows = [], []
            for i, store_id in enumerate(ids):
                days = days_of(i)
                orders, units, sales = sum_daily(days, "USD")
                rows.append(
                    {
                        "store_id": store_id,
                        "revision": i + 1,
                        "checked_at": now,
                        "orders_30d": orders,
                        "units_30d": units,
                        "sales_30d": str(sales.amount),
                        "currency": "USD",
                        "is_participating": True,
                        "has_suspended_listings": False,
                        "listings_with_errors": 0,
                        "daily": encode_daily(days),
                        "daily_sales": encode_daily_sales(days),
                    }
                )
                day_rows += [
                    {"s": store_id, "d": d.date, "o": d.orders, "u": d.units, "a": str(d.sales)} for d in days
                ]
            conn.execute(health.insert(), rows)
            conn.execute(
                text(
                    "CREATE TABLE bench_health_day (store_id INTEGER NOT NULL REFERENCES store (id) ON DELETE "
                    "CASCADE, day DATE NOT NULL, orders INTEGER NOT NULL, units INTEGER NOT NULL, "
                    "sales VARCHAR(40) NOT NULL, PRIMARY KEY (store_id, day))"
                )
            )
            conn.execute(text("INSERT INTO bench_health_day VALUES (:s, :d, :o, :u, :a)"), day_rows)
        if db.backend == "postgresql":
            with db.engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()

        service = HealthService(db)

        def child_table_read() -> dict[int, tuple[Decimal, ...]]:
            with db.engine.connect() as conn:
                heads = conn.execute(
                    text(
                        "SELECT store_id, checked_at, sales_30d, currency, is_participating, "
                        "has_suspended_listings, listings_with_errors, problem FROM store_health"
                    )
                ).all()
                points: dict[int, list[Decimal]] = {}
                for store_id, sales in conn.execute(
                    text("SELECT store_id, sales FROM bench_health_day ORDER BY store_id, day")
                ):
                    points.setdefault(store_id, []).append(Decimal(sales))
            return {head[0]: tuple(points.get(head[0], ())) for head in heads}

        assert len(service.health_for_home()) == len(child_table_read()) == args.stores
        one = StoreHealth(ids[0], now, days_of(1), 1, 1, Money(Decimal("1.00"), "USD"), True, False, 0)

        def child_table_save() -> None:
            with db.engine.begin() as conn:
                conn.execute(text("DELETE FROM bench_health_day WHERE store_id = :s"), {"s": ids[0]})
                conn.execute(
                    text("INSERT INTO bench_health_day VALUES (:s, :d, :o, :u, :a)"),
                    [
                        {"s": ids[0], "d": d.date, "o": d.orders, "u": d.units, "a": str(d.sales)}
                        for d in one.daily
                    ],
                )
                conn.execute(
                    text("UPDATE store_health SET checked_at = :t WHERE store_id = :s"),
                    {"t": now, "s": ids[0]},
                )

        def text_read_decoded() -> list[tuple[Decimal, ...]]:
            return [card.daily_sales for card in service.health_for_home().values()]

        n = f"{args.stores:,} stores"
        figures = [
            (f"home read, {n}, text (as the app does)", _median_seconds(service.health_for_home, args.runs)),
            (f"home read, {n}, text, all decoded", _median_seconds(text_read_decoded, args.runs)),
            (f"home read, {n}, child table", _median_seconds(child_table_read, args.runs)),
            (
                "save one store, text column",
                _median_seconds(lambda: service.save_health(ids[0], one), args.runs),
            ),
            ("save one store, child table", _median_seconds(child_table_save, args.runs)),
        ]
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE bench_health_day"))
        db.close()
    print(f"| {'figure (' + db.backend + ')':<50} | median    |")
    print(f"|{'-' * 52}|-----------|")
    for name, seconds in figures:
        print(f"| {name:<50} | {seconds * 1000:6.1f} ms |")


if __name__ == "__main__":
    main()
