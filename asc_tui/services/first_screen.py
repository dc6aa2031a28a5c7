"""The home's first screenful, read straight from the SQLite file while the registry is still opening.

The UI asks here rather than the storage: `read_home` needs neither SQLModel nor migrations, so the cards
show before the registry is open (storage/quick_read.py does the reading).
"""

from asc_tui.storage.quick_read import HomeRead, StoreRow, read_home

__all__ = ["HomeRead", "StoreRow", "read_home"]
