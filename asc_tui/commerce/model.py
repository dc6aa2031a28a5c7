"""The Commerce catalog asc-tui maps stores to: websites, store views and product attributes."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Website:
    code: str
    name: str
    default_store_view: str


@dataclass(frozen=True)
class StoreView:
    code: str
    name: str
    website: str


@dataclass(frozen=True)
class Attribute:
    code: str
    label: str


@dataclass(frozen=True)
class Catalog:
    source: str
    fetched_at: datetime
    websites: tuple[Website, ...]
    store_views: tuple[StoreView, ...]
    attributes: tuple[Attribute, ...]

    @property
    def website_codes(self) -> set[str]:
        return {w.code for w in self.websites}

    @property
    def attribute_codes(self) -> set[str]:
        return {a.code for a in self.attributes}

    def website(self, code: str) -> Website | None:
        return next((w for w in self.websites if w.code == code), None)

    def store_view(self, code: str) -> StoreView | None:
        return next((v for v in self.store_views if v.code == code), None)

    def to_json(self) -> dict[str, object]:
        from asc_tui.domain import iso_utc

        return {
            "source": self.source,
            "fetched_at": iso_utc(self.fetched_at),
            "websites": [asdict(w) for w in self.websites],
            "attributes": [asdict(a) for a in self.attributes],
        }

    def encode(self) -> tuple[str, str, str]:
        return (
            json.dumps([asdict(w) for w in self.websites], ensure_ascii=False),
            json.dumps([asdict(v) for v in self.store_views], ensure_ascii=False),
            json.dumps([asdict(a) for a in self.attributes], ensure_ascii=False),
        )

    @classmethod
    def decode(cls, source: str, fetched_at: datetime, websites: str, views: str, attributes: str) -> Catalog:
        return cls(
            source=source,
            fetched_at=fetched_at,
            websites=tuple(Website(**w) for w in json.loads(websites)),
            store_views=tuple(StoreView(**v) for v in json.loads(views)),
            attributes=tuple(Attribute(**a) for a in json.loads(attributes)),
        )


class CatalogSource(Protocol):
    """Where a fresh catalog comes from. `fetch` may block and raise a user-facing error."""

    name: str
    offline: bool  # True when fetching needs no network and costs nothing

    def fetch(self) -> Catalog: ...
