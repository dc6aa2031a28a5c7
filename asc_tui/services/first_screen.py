"""The home's first screenful, read straight from the SQLite file while the registry is still opening.

The UI asks here rather than the storage: `read_home` needs neither SQLModel nor migrations, so the cards
show before the registry is open (storage/quick_read.py does the reading).
"""

from __future__ import annotations

from asc_tui.commerce.catalog import EmbeddedCatalogSource
from asc_tui.commerce.model import Catalog
from asc_tui.settings.config import CommerceConfig
from asc_tui.storage.quick_read import HomeRead, StoreRow, read_home

__all__ = ["HomeRead", "StoreRow", "first_catalog", "read_home"]


def first_catalog(read: HomeRead | None, commerce: CommerceConfig) -> Catalog | None:
    """What the add form offers before the registry opens, or None when only the registry can say.

    Without a Magento shop the registry's catalog is the embedded one (it replaces its cache with it), so
    it is known at once, even before a database exists; with a shop, the file's cached copy serves, as the
    registry's would.
    """
    if not commerce.base_url:
        return EmbeddedCatalogSource(commerce).fetch()
    return read.catalog if read is not None else None
