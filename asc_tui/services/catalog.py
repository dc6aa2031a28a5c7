"""The catalog the forms offer: cached in the database so the app works offline and opens instantly."""

from __future__ import annotations

from sqlmodel import delete, select

from asc_tui.commerce.catalog import EmbeddedCatalogSource
from asc_tui.commerce.model import Catalog, CatalogSource
from asc_tui.storage.database import Database
from asc_tui.storage.models import CatalogSnapshot


class CatalogService:
    def __init__(
        self, database: Database, source: CatalogSource, fallback: EmbeddedCatalogSource | None = None
    ) -> None:
        self._db = database
        self._source = source
        self._fallback = fallback
        self._memo: Catalog | None = None

    @property
    def source(self) -> CatalogSource:
        return self._source

    @property
    def source_name(self) -> str:
        return self._source.name

    def is_stale(self, catalog: Catalog) -> bool:
        """Whether this catalog came from somewhere else than the configured source (refresh it)."""
        return catalog.source != self._source.name

    def cached(self) -> Catalog | None:
        with self._db.session() as session:
            row = session.exec(select(CatalogSnapshot).order_by(CatalogSnapshot.id.desc()).limit(1)).first()  # type: ignore[union-attr]
        if row is None:
            return None
        return Catalog.decode(
            row.source, row.fetched_at, row.websites_json, row.store_views_json, row.attributes_json
        )

    def current(self) -> Catalog:
        """The cached catalog; the first time (or when the source changed), read from the source."""
        if self._memo is not None:
            return self._memo
        catalog = self.cached()
        if not self._source.offline:
            # A live shop is never asked while opening: the cache (whatever its source) or the embedded
            # defaults serve now, and the app refreshes in the background when they are stale.
            if catalog is None:
                if self._fallback is None:
                    return self.refresh()
                catalog = self._save(self._fallback.fetch())
            self._memo = catalog
            return catalog
        if catalog is None or catalog.source != self._source.name:
            return self.refresh()
        if self._source.offline:
            # Reading the embedded catalog costs nothing, and the config file may have added entries.
            fresh = self._source.fetch()
            if fresh.encode() != catalog.encode():
                return self._save(fresh)
        self._memo = catalog
        return catalog

    def refresh(self) -> Catalog:
        """Fetch anew and replace the cache in one transaction; on failure the old catalog stays."""
        return self._save(self._source.fetch())

    def _save(self, catalog: Catalog) -> Catalog:
        websites, views, attributes = catalog.encode()
        with self._db.session() as session:
            # One statement, not row by row: another copy of the app may be replacing the same rows now.
            session.exec(delete(CatalogSnapshot))
            session.add(
                CatalogSnapshot(
                    source=catalog.source,
                    fetched_at=catalog.fetched_at,
                    websites_json=websites,
                    store_views_json=views,
                    attributes_json=attributes,
                )
            )
            session.commit()
        self._memo = catalog
        return catalog
