"""The demo sellers' listings, as searchListingsItems describes them: stable, a dozen or two per marketplace.

A seller's first `listing_errors` listings carry an ERROR issue (Amazon suppresses them: not buyable, not
discoverable), and one that has them also has a few listings with only a WARNING, so that filtering by
severity is visible. Where the seller's listings are suspended (`suspended_listings_in`), none is buyable.
The issue codes and messages of the errors are those of Amazon's own examples in the Listings Items model.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from asc_tui.domain import MARKETPLACE_BY_ID
from asc_tui.sandbox.demo import SandboxSeller
from asc_tui.sandbox.order_metrics import _RATES  # the prices of both look like their currency's alike

_PRODUCTS = (
    ("SHIRT", "Organic Cotton T-Shirt", "19.99"),
    ("SHOES", "Trail Running Shoes", "89.00"),
    ("BACKPACK", "Daypack 20 L", "49.95"),
    ("HAT", "Wool Beanie", "14.50"),
    ("WATER_BOTTLE", "Insulated Bottle 750 ml", "24.00"),
    ("SUNGLASSES", "Polarized Sunglasses", "34.99"),
)
_ERRORS: tuple[dict[str, object], ...] = (
    {
        "code": "90220",
        "message": "'size' is required but not supplied.",
        "severity": "ERROR",
        "attributeNames": ["size"],
        "categories": ["MISSING_ATTRIBUTE"],
    },
    {
        "code": "18027",
        "message": "We believe the main image has text, logo, graphic or watermark which is not permitted "
        "for this product type. Submit a compliant image to lift the suppression. Also refer to Product "
        "image requirements.",
        "severity": "ERROR",
        "categories": ["INVALID_IMAGE"],
        "enforcements": {"actions": [{"action": "SEARCH_SUPPRESSED"}], "exemption": {"status": "NOT_EXEMPT"}},
    },
    {
        "code": "18155",
        "message": "The 'minimum price' is greater than the selling price (excluding shipping) for the "
        "listing. Review and update your price and/or minimum price.",
        "severity": "ERROR",
        "categories": ["INVALID_PRICE"],
        "enforcements": {
            "actions": [{"action": "LISTING_SUPPRESSED"}],
            "exemption": {"status": "NOT_EXEMPT"},
        },
    },
)
# Made up for the sandbox (the model's examples have no WARNING): a recommended attribute left out.
_WARNING: dict[str, object] = {
    "code": "99022",
    "message": "'bullet_point' is recommended but not supplied.",
    "severity": "WARNING",
    "attributeNames": ["bullet_point"],
    "categories": ["MISSING_ATTRIBUTE"],
}
_WARNINGS_BESIDE_ERRORS = 3
_EPOCH = datetime(2025, 1, 6, 9, 30, tzinfo=UTC)  # listings were created from here on, a few days apart


@dataclass(frozen=True)
class Listing:
    sku: str
    asin: str
    product_type: str
    name: str
    price: Decimal
    created: datetime
    updated: datetime
    status: tuple[str, ...]
    issues: tuple[dict[str, object], ...]

    def severities(self) -> set[str]:
        return {str(issue["severity"]) for issue in self.issues}


def listings_of(seller: SandboxSeller, marketplace_id: str) -> tuple[Listing, ...]:
    """Every listing the seller has in the marketplace (none where it does not sell)."""
    if not seller.sells_in(marketplace_id) or marketplace_id not in MARKETPLACE_BY_ID:
        return ()
    return _listings(
        seller.selling_partner_id,
        marketplace_id,
        seller.listing_errors,
        marketplace_id in seller.suspended_listings_in,
    )


@lru_cache(maxsize=64)
def _listings(seller_id: str, marketplace_id: str, errors: int, suspended: bool) -> tuple[Listing, ...]:
    seed = hashlib.sha256(f"{seller_id}|{marketplace_id}".encode()).digest()
    count = max(12 + seed[0] % 9, errors + (_WARNINGS_BESIDE_ERRORS if errors else 0))
    rate = _RATES.get(MARKETPLACE_BY_ID[marketplace_id].currency, Decimal(1))
    out = []
    for i in range(count):
        digest = hashlib.sha256(f"{seller_id}|{marketplace_id}|{i}".encode()).digest()
        product_type, name, price = _PRODUCTS[digest[0] % len(_PRODUCTS)]
        issues: tuple[dict[str, object], ...] = ()
        if i < errors:
            issues = (_ERRORS[i % len(_ERRORS)],)
        elif errors and i < errors + _WARNINGS_BESIDE_ERRORS:
            issues = (_WARNING,)
        status: tuple[str, ...] = ("BUYABLE", "DISCOVERABLE")
        if i < errors:
            status = ()  # suppressed by the error
        elif suspended:
            status = ("DISCOVERABLE",)  # the seller's listings are inactive: shown, not for sale
        created = _EPOCH + timedelta(days=3 * i, minutes=digest[1])
        out.append(
            Listing(
                sku=f"SBX-{seller_id[-5:]}-{i + 1:04d}",
                asin="B0" + digest[2:6].hex().upper(),
                product_type=product_type,
                name=f"Sandbox {name}",
                price=(Decimal(price) * rate).quantize(Decimal("0.01")),
                created=created,
                updated=created + timedelta(days=30 + digest[7] % 60, minutes=digest[8]),
                status=status,
                issues=issues,
            )
        )
    return tuple(out)
