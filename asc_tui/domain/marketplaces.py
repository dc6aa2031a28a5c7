"""Every Amazon SP-API marketplace the product knows: its ID, region, Seller Central host, currency and day.

Plain Python, re-exported by `asc_tui.domain`; everything that lists countries reads this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from asc_tui.i18n import N_, _


@dataclass(frozen=True)
class Marketplace:
    code: str  # the product's country code (UK, not GB, as Adobe and Amazon's current docs write it)
    country: str  # in English; `country_name` is what people read
    marketplace_id: str
    region: str  # NA | EU | FE: which SP-API endpoint and which refresh token
    seller_central: str
    currency: str
    flag: str
    domain: str
    # The IANA zone getOrderMetrics cuts this marketplace's days in (its granularityTimeZone). Amazon
    # publishes no zone per marketplace, so this is the zone of the marketplace's home city (Seattle for
    # amazon.com, Toronto, Mexico City, London), where its sellers' business day turns: a day's sales then
    # end at that market's midnight, not at UTC's.
    time_zone: str

    @property
    def country_name(self) -> str:
        """The country in the current language."""
        return _(self.country)


MARKETPLACES: dict[str, Marketplace] = {
    m.code: m
    for m in (
        Marketplace(
            "US",
            N_("United States"),
            "ATVPDKIKX0DER",
            "NA",
            "https://sellercentral.amazon.com",
            "USD",
            "🇺🇸",
            "www.amazon.com",
            "America/Los_Angeles",
        ),
        Marketplace(
            "CA",
            N_("Canada"),
            "A2EUQ1WTGCTBG2",
            "NA",
            "https://sellercentral.amazon.ca",
            "CAD",
            "🇨🇦",
            "www.amazon.ca",
            "America/Toronto",
        ),
        Marketplace(
            "MX",
            N_("Mexico"),
            "A1AM78C64UM0Y8",
            "NA",
            "https://sellercentral.amazon.com.mx",
            "MXN",
            "🇲🇽",
            "www.amazon.com.mx",
            "America/Mexico_City",
        ),
        Marketplace(
            "UK",
            N_("United Kingdom"),
            "A1F83G8C2ARO7P",
            "EU",
            "https://sellercentral.amazon.co.uk",
            "GBP",
            "🇬🇧",
            "www.amazon.co.uk",
            "Europe/London",
        ),
    )
}
MARKETPLACE_BY_ID: dict[str, Marketplace] = {m.marketplace_id: m for m in MARKETPLACES.values()}
COUNTRY_ALIASES = {"GB": "UK"}


def parse_country(country: str) -> str | None:
    code = country.strip().upper()
    code = COUNTRY_ALIASES.get(code, code)
    return code if code in MARKETPLACES else None
