"""The sandbox's demo Seller Central accounts, and the marketplaces as the Sellers API describes them.

`DEMO_SELLERS` are the accounts the connect flow and its hints name; `HEALTH_DEMO_SELLERS` each show one
thing a store's health view must notice (suspended listings, listings with errors, a throttled Sales call).
The emulator serves both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from asc_tui.domain import COUNTRY_ALIASES, MARKETPLACE_BY_ID, MARKETPLACES
from asc_tui.i18n import _

# The Sellers API writes ISO 3166 codes: GB where the product (and Amazon's docs) write UK.
_ISO_COUNTRY = {code: iso for iso, code in COUNTRY_ALIASES.items()}
# "Non-Amazon" marketplaces used for Multi-Channel Fulfilment show up in real payloads (docs#1260).
NON_AMAZON: dict[str, dict[str, str]] = {
    "A2ZV50J4W1RKNI": {
        "id": "A2ZV50J4W1RKNI",
        "name": "Non-Amazon",
        "countryCode": "US",
        "defaultCurrencyCode": "USD",
        "defaultLanguageCode": "en_US",
        "domainName": "sim1.stores.amazon.com",
    },
}
NON_AMAZON_REGION = {"A2ZV50J4W1RKNI": "NA"}


@dataclass(frozen=True)
class SandboxSeller:
    """A demo Seller Central account."""

    email: str
    phone: str
    password: str
    otp: str  # the two-step verification code
    selling_partner_id: str
    marketplaces: tuple[str, ...]  # marketplace IDs it participates in
    store_name: str = "Sandbox Store"
    # What the health calls answer (defaults: a healthy account). Marketplace IDs, as in `marketplaces`.
    suspended_listings_in: tuple[str, ...] = ()  # participation.hasSuspendedListings is true there
    # Listed by the Sellers API with isParticipating false: the account no longer sells there.
    not_participating_in: tuple[str, ...] = ()
    listing_errors: int = 0  # listings with an ERROR issue, in each marketplace it sells in
    throttle_first_sales_call: bool = False  # its first getOrderMetrics answers 429, as a busy account can

    def sells_in(self, marketplace_id: str) -> bool:
        return marketplace_id in self.marketplaces and marketplace_id not in self.not_participating_in


def _in_region(region: str, *, but: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The marketplace IDs of a region, from the marketplace table (minus the codes in `but`)."""
    return tuple(m.marketplace_id for m in MARKETPLACES.values() if m.region == region and m.code not in but)


# A demo account in each region, so that a store in any marketplace can be connected in the sandbox.
DEMO_SELLERS: tuple[SandboxSeller, ...] = (
    SandboxSeller(
        email="seller-na@sandbox.example",
        phone="+1 206 555 0100",
        password="sandbox",
        otp="123456",
        selling_partner_id="A1SANDBOXNA001",
        marketplaces=(*_in_region("NA"), "A2ZV50J4W1RKNI"),
        store_name="Sandbox Outfitters NA",
    ),
    SandboxSeller(
        email="seller-uk@sandbox.example",
        phone="+44 20 7946 0100",
        password="sandbox",
        otp="123456",
        selling_partner_id="A1SANDBOXUK001",
        marketplaces=(MARKETPLACES["UK"].marketplace_id,),
        store_name="Sandbox Outfitters UK",
    ),
    SandboxSeller(
        email="seller-us-only@sandbox.example",
        phone="+1 206 555 0101",
        password="sandbox",
        otp="123456",
        selling_partner_id="A1SANDBOXUS001",
        marketplaces=(MARKETPLACES["US"].marketplace_id,),
        store_name="Sandbox US-Only Goods",
    ),
    SandboxSeller(
        email="seller-eu@sandbox.example",
        phone="+49 30 5550 0100",
        password="sandbox",
        otp="123456",
        selling_partner_id="A1SANDBOXEU001",
        # Every European marketplace but the UK, which seller-uk shows on its own.
        marketplaces=_in_region("EU", but=("UK",)),
        store_name="Sandbox Outfitters EU",
    ),
    SandboxSeller(
        email="seller-fe@sandbox.example",
        phone="+81 3 5550 0100",
        password="sandbox",
        otp="123456",
        selling_partner_id="A1SANDBOXFE001",
        marketplaces=_in_region("FE"),
        store_name="Sandbox Outfitters FE",
    ),
)


_US = MARKETPLACES["US"].marketplace_id

# Kept apart from DEMO_SELLERS so that the accounts the connect flow names (and the tests that unpack
# them) stay as they are.
HEALTH_DEMO_SELLERS: tuple[SandboxSeller, ...] = (
    SandboxSeller(
        email="seller-suspended@sandbox.example",
        phone="+1 206 555 0102",
        password="sandbox",
        otp="123456",
        selling_partner_id="A1SANDBOXSUS01",
        # Canada is listed but closed: connecting a CA store to it is refused, as Amazon's answer implies.
        marketplaces=(_US, MARKETPLACES["CA"].marketplace_id),
        store_name="Sandbox Suspended Supplies",
        suspended_listings_in=(_US,),
        not_participating_in=(MARKETPLACES["CA"].marketplace_id,),
    ),
    SandboxSeller(
        email="seller-errors@sandbox.example",
        phone="+1 206 555 0103",
        password="sandbox",
        otp="123456",
        selling_partner_id="A1SANDBOXERR01",
        marketplaces=(_US,),
        store_name="Sandbox Listing Troubles",
        listing_errors=7,
    ),
    SandboxSeller(
        email="seller-busy@sandbox.example",
        phone="+1 206 555 0104",
        password="sandbox",
        otp="123456",
        selling_partner_id="A1SANDBOXBSY01",
        marketplaces=(_US,),
        store_name="Sandbox Busy Bazaar",
        throttle_first_sales_call=True,
    ),
)
ALL_DEMO_SELLERS = DEMO_SELLERS + HEALTH_DEMO_SELLERS


def marketplace_region(marketplace_id: str) -> str | None:
    known = MARKETPLACE_BY_ID.get(marketplace_id)
    return known.region if known else NON_AMAZON_REGION.get(marketplace_id)


def marketplace_json(marketplace_id: str) -> dict[str, str] | None:
    if marketplace_id in NON_AMAZON:
        return dict(NON_AMAZON[marketplace_id])
    m = MARKETPLACE_BY_ID.get(marketplace_id)
    if m is None:
        return None
    return {
        "id": m.marketplace_id,
        "name": "Amazon." + m.domain.removeprefix("www.amazon."),
        "countryCode": _ISO_COUNTRY.get(m.code, m.code),
        "defaultCurrencyCode": m.currency,
        "defaultLanguageCode": m.language,
        "domainName": m.domain,
    }


def demo_seller_for(marketplace_id: str) -> SandboxSeller | None:
    """The first demo account that sells in the marketplace: the one the connect steps name."""
    return next((s for s in DEMO_SELLERS if s.sells_in(marketplace_id)), None)


def marketplaces_label(seller: SandboxSeller) -> str:
    codes = [MARKETPLACE_BY_ID[m].code for m in seller.marketplaces if m in MARKETPLACE_BY_ID]
    label = ", ".join(codes) or _("nothing")
    if any(m in NON_AMAZON for m in seller.marketplaces):
        label += " + MCF"
    return label


def mask_phone(phone: str) -> str:
    """ "+1 206 555 0100" → "+1 ••• ••• ••00": the country code and the last two digits."""
    prefix, rest = ("", phone)
    if phone.startswith("+") and " " in phone:
        prefix, rest = phone.split(" ", 1)
        prefix += " "
    total = sum(c.isdigit() for c in rest)
    seen = 0
    out = []
    for c in rest:
        if c.isdigit():
            seen += 1
            out.append(c if seen > total - 2 else "•")
        else:
            out.append(c)
    return prefix + "".join(out)


def phone_key(text: str) -> str:
    return re.sub(r"[^\d]", "", text)
