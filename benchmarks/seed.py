"""The benchmark's own registries: an ASC_TUI_HOME per size, filled through the service layer.

`python -m benchmarks.seed HOME N` makes HOME/data/stores.sqlite3 with N stores in one transaction
(run in a child process so the benchmark's own process never imports SQLModel or changes its env).
`--health` also gives every store 30 days of store health, saved as a refresh saves it (issue 21: the
home's figures with health next to those without).
"""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path
from typing import Any

COUNTRIES = ("US", "CA", "MX", "UK")
IMPORT_COLUMNS = ("name", "email", "country", "website", "product_id_type", "attribute")


def store_name(index: int, prefix: str = "Bench Store") -> str:
    """Zero-padded, so the first store's name never occurs inside another store's name."""
    return f"{prefix} {index:05d}"


def database_file(home: Path) -> Path:
    return home / "data" / "stores.sqlite3"


def seed(home: Path, count: int, *, health: bool = False) -> Path:
    """Create the registry under `home` with `count` stores (each with its health when `health`); return
    the database file."""
    os.environ["ASC_TUI_HOME"] = str(home)
    from asc_tui.domain import StoreDraft
    from asc_tui.services.registry import open_registry
    from asc_tui.settings.config import load_config

    db = database_file(home)
    db.parent.mkdir(parents=True, exist_ok=True)
    registry = open_registry(str(db), load_config())
    try:
        drafts = [
            StoreDraft(
                name=store_name(i),
                email=f"seller{i:05d}@example.com",
                country=COUNTRIES[i % len(COUNTRIES)],
                website="base",
                product_id_type="",
                attribute="",
            )
            for i in range(1, count + 1)
        ]
        if drafts:
            registry.stores.add_many(drafts)
        registry.catalog.current()  # the catalog snapshot the app would otherwise write on first start
        assert registry.stores.count() == count
        if health:
            save_health(registry)
    finally:
        registry.close()
    return db


def save_health(registry: Any) -> None:
    """30 days of sales, standing and listing counts for every store, varied so no two cards are alike;
    one in ten with a warning, as a real registry might have."""
    from datetime import UTC, date, datetime, timedelta
    from decimal import Decimal

    from asc_tui.domain import MARKETPLACES
    from asc_tui.domain.health import DailySales, StoreHealth, sum_daily

    checked = datetime.now(UTC)
    first = date.today() - timedelta(days=30)
    for store in registry.stores.list_stores():
        i = store.id or 0
        daily = tuple(
            DailySales(first + timedelta(days=d), (i + d) % 9, (i + 2 * d) % 13, Decimal((i * 7 + d * 31) % 400) + Decimal("0.99"))
            for d in range(30)
        )  # fmt: skip
        orders, units, total = sum_daily(daily, MARKETPLACES[store.country].currency)
        registry.health.save_health(
            i,
            StoreHealth(
                i, checked, daily, orders, units, total, is_participating=True,
                has_suspended_listings=i % 10 == 0, listings_with_errors=(i % 7) if i % 10 == 5 else 0,
            ),
        )  # fmt: skip


def write_import_csv(path: Path, count: int) -> Path:
    """A CSV of `count` new stores for `asc-tui stores import` (names differ from the seeded ones)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(IMPORT_COLUMNS)
        for i in range(1, count + 1):
            writer.writerow(
                [
                    store_name(i, "Import Store"),
                    f"import{i:05d}@example.com",
                    COUNTRIES[i % 4],
                    "base",
                    "",
                    "",
                ]
            )
    return path


def main(argv: list[str]) -> int:
    home, count = Path(argv[0]), int(argv[1])
    seed(home, count, health="--health" in argv[2:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
