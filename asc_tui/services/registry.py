"""Everything the CLI and the TUI need, opened from the config and the database in one call."""

from __future__ import annotations

from dataclasses import dataclass

from asc_tui.commerce.catalog import source_for
from asc_tui.config import Config, load_config
from asc_tui.services.catalog import CatalogService
from asc_tui.services.presetup import PreSetupService
from asc_tui.services.stores import StoreService
from asc_tui.storage.database import Database, open_database


@dataclass
class Registry:
    config: Config
    database: Database
    catalog: CatalogService
    stores: StoreService
    presetup: PreSetupService

    def close(self) -> None:
        self.database.close()


def open_registry(db: str | None = None, config: Config | None = None, *, sandbox: bool = False) -> Registry:
    config = config or load_config()
    database = open_database(db, sandbox=sandbox)
    catalog = CatalogService(database, source_for(config.commerce))
    return Registry(
        config=config,
        database=database,
        catalog=catalog,
        stores=StoreService(database, catalog.current),
        presetup=PreSetupService(database),
    )
