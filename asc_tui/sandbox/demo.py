"""The sandbox's demo Seller Central accounts, and the marketplaces as the Sellers API describes them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from asc_tui.domain import MARKETPLACE_BY_ID, MARKETPLACES
from asc_tui.i18n import _

# The Sellers API's defaultLanguageCode: not part of the product's vocabulary, so it lives here.
_LANGUAGES = {"US": "en_US", "CA": "en_CA", "MX": "es_MX", "UK": "en_GB"}
# The Sellers API writes ISO 3166 codes: GB where the product (and Amazon's docs) write UK.
_ISO_COUNTRY = {"UK": "GB"}
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


DEMO_SELLERS: tuple[SandboxSeller, ...] = (
    SandboxSeller(
        email="seller-na@sandbox.example",
        phone="+1 206 555 0100",
        password="sandbox",
        otp="123456",
        selling_partner_id="A1SANDBOXNA001",
        marketplaces=(
            MARKETPLACES["US"].marketplace_id,
            MARKETPLACES["CA"].marketplace_id,
            MARKETPLACES["MX"].marketplace_id,
            "A2ZV50J4W1RKNI",
        ),
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
)


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
        "defaultLanguageCode": _LANGUAGES.get(m.code, "en_US"),
        "domainName": m.domain,
    }


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
