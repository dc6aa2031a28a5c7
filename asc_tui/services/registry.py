"""Everything the CLI and the TUI need, opened from the config and the database in one call."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from asc_tui.commerce.catalog import EmbeddedCatalogSource, source_for
from asc_tui.i18n import _
from asc_tui.services.catalog import CatalogService
from asc_tui.services.health import HealthService
from asc_tui.services.presetup import PreSetupService
from asc_tui.services.stores import StoreService
from asc_tui.settings.config import Config, load_config
from asc_tui.settings.secret_store import SecretStore, open_secret_store
from asc_tui.storage.database import Database, open_database
from asc_tui.storage.models import Store
from asc_tui.system import paths

if TYPE_CHECKING:
    from asc_tui.sandbox import SandboxEmulator
    from asc_tui.services.connect import ConnectService
    from asc_tui.services.health_refresh import HealthRefresh


@dataclass
class Registry:
    config: Config
    database: Database
    catalog: CatalogService
    stores: StoreService
    presetup: PreSetupService
    secrets: SecretStore
    health: HealthService
    sandbox: bool = False
    _connect: ConnectService | None = field(default=None, repr=False)
    _emulator: SandboxEmulator | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def connect(self) -> ConnectService:
        """The connect service, made on first use (in the sandbox this starts the Amazon emulator)."""
        with self._lock:
            if self._connect is None:
                from asc_tui.services.connect import ConnectService

                amazon = self.config.amazon
                client_secret = None
                if self.sandbox:
                    from asc_tui.services.sandbox import (
                        sandbox_amazon_config,
                        sandbox_client_secret,
                        start_emulator,
                    )

                    if self._emulator is None:
                        self._emulator = start_emulator(paths.data_dir(), self.config.sandbox)
                    amazon = sandbox_amazon_config(amazon, self._emulator, self.config.sandbox)
                    client_secret = sandbox_client_secret
                self._connect = ConnectService(
                    self.database,
                    amazon,
                    self.secrets,
                    client_secret=client_secret,
                    sandbox=self.sandbox,
                    config_path=self.config.path,
                )
            return self._connect

    def health_refresh(self) -> HealthRefresh:
        """Asking Amazon about the stores' health (in the sandbox, its emulator answers)."""
        return self.connect.health_refresh(self.health)

    def reload(self, config: Config) -> None:
        """Use a changed config from now on; an attempt already running finishes with the old one."""
        self.config = config
        with self._lock:
            if self._connect is not None:
                self._connect.close()
                self._connect = None  # rebuilt on next use (the sandbox keeps its running emulator)
        self.catalog = CatalogService(
            self.database,
            source_for(config.commerce, self.secrets.get),
            fallback=EmbeddedCatalogSource(config.commerce),
        )
        self.stores = StoreService(self.database, self.catalog.current)

    @property
    def emulator(self) -> SandboxEmulator | None:
        return self._emulator

    def delete_store(self, store_id: int, expected_version: int | None = None) -> Store:
        """Delete the store and its refresh token (the database first: a leftover secret is noted, not lost).

        With `expected_version`, a store someone else changed since is not deleted (StoreChanged).
        """
        from sqlmodel import select

        from asc_tui.domain import iso_utc, utcnow
        from asc_tui.errors import ActionNotAllowed
        from asc_tui.storage.models import ConnectAttempt

        with self.database.session() as session:
            held = session.exec(select(ConnectAttempt).where(ConnectAttempt.store_id == store_id)).first()
        if held is not None and held.expires_at > utcnow():
            name = self.stores.get(store_id).name
            raise ActionNotAllowed(
                _(
                    "Store {name!r} is being connected by {who} right now (until {until}); cancel or finish "
                    "that first, then delete it."
                ).format(name=name, who=f"{held.user}@{held.host}", until=iso_utc(held.expires_at))
            )
        store = self.stores.delete(store_id, expected_version)
        if store.token_ref:
            from asc_tui.services.attempts import forget_token

            forget_token(self.database, self.secrets, store.token_ref)
        return store

    def close(self) -> None:
        if self._connect is not None:
            self._connect.close()
        if self._emulator is not None:
            self._emulator.stop()
        self.database.close()


def open_registry(db: str | None = None, config: Config | None = None, *, sandbox: bool = False) -> Registry:
    config = config or load_config()
    database = open_database(db, sandbox=sandbox)
    secrets = open_secret_store(
        sandbox=sandbox,
        data_dir=paths.data_dir(),
        backend=config.secrets.backend,
        timeout=config.secrets.timeout_seconds,
    )
    catalog = CatalogService(
        database, source_for(config.commerce, secrets.get), fallback=EmbeddedCatalogSource(config.commerce)
    )
    return Registry(
        config=config,
        database=database,
        catalog=catalog,
        stores=StoreService(database, catalog.current),
        presetup=PreSetupService(database),
        secrets=secrets,
        health=HealthService(database),
        sandbox=sandbox,
    )
