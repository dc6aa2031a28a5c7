"""The benchmark's own registries: an ASC_TUI_HOME per size, filled through the service layer.

`python -m benchmarks.seed HOME N` makes HOME/data/stores.sqlite3 with N stores in one transaction
(run in a child process so the benchmark's own process never imports SQLModel or changes its env).
"""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

COUNTRIES = ("US", "CA", "MX", "UK")
IMPORT_COLUMNS = ("name", "email", "country", "website", "product_id_type", "attribute")


def store_name(index: int, prefix: str = "Bench Store") -> str:
    """Zero-padded, so the first store's name never occurs inside another store's name."""
    return f"{prefix} {index:05d}"


def database_file(home: Path) -> Path:
    return home / "data" / "stores.sqlite3"


def seed(home: Path, count: int) -> Path:
    """Create the registry under `home` with `count` stores; return the database file."""
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
    finally:
        registry.close()
    return db


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
    seed(home, count)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
