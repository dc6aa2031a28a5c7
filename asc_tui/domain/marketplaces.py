"""Every Amazon SP-API marketplace the product knows: its ID, region, Seller Central host, currency and day.

Plain Python, re-exported by `asc_tui.domain`; everything that lists countries reads this table.
"""

from __future__ import annotations

import functools
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
    # amazon.com, Toronto, Mexico City, London; else the capital or main business city), where its sellers'
    # business day turns: a day's sales then end at that market's midnight, not at UTC's.
    time_zone: str
    language: str  # the Sellers API's defaultLanguageCode there (the sandbox answers with it)

    @property
    def country_name(self) -> str:
        """The country in the current language."""
        return _(self.country)

    @property
    def region_name(self) -> str:
        """The SP-API region in the current language (North America, Europe, Far East)."""
        return region_name(self.region)


# The SP-API selling regions (spapi.md §4.2), in that order: one endpoint and one authorization each.
REGION_NAMES = {"NA": N_("North America"), "EU": N_("Europe"), "FE": N_("Far East")}


def authorization_key(seller_id: str | None, country: str, store_id: int | None) -> object:
    """Which authorization a store is on, from its own columns: a seller's stores in one region share one
    (Amazon's consent covers the region); a store with no seller yet stands alone."""
    marketplace = MARKETPLACES.get(country)
    return (seller_id, marketplace.region) if seller_id and marketplace else store_id


def region_name(region: str) -> str:
    """A region code (NA, EU, FE) in the current language; an unknown code as it is."""
    return _(REGION_NAMES[region]) if region in REGION_NAMES else region


# The four countries of Adobe's seed page: the add form offers them first.
SEED_COUNTRIES = ("US", "CA", "MX", "UK")


# DE, FR, IT and ES share Amazon's European Seller Central (spapi.md §1.2).
_SELLER_CENTRAL_EUROPE = "https://sellercentral-europe.amazon.com"

# In the order of spapi.md §4.2's regions; within a region, the seed's country first, then roughly by size.
_TABLE: tuple[Marketplace, ...] = (
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
        "en_US",
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
        "en_CA",
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
        "es_MX",
    ),
    Marketplace(
        "BR",
        N_("Brazil"),
        "A2Q3Y263D00KWC",
        "NA",
        "https://sellercentral.amazon.com.br",
        "BRL",
        "🇧🇷",
        "www.amazon.com.br",
        "America/Sao_Paulo",
        "pt_BR",
    ),
    # spapi.md §1.2: DG2021 lists sellercentral-europe.amazon.com for the UK; current integrations and Amazon's
    # own flows use .co.uk, which spapi.md prefers (either works; [amazon.seller_central] UK overrides it).
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
        "en_GB",
    ),
    # Not in spapi.md's host table (§1.2, from 2021, before these marketplaces opened): IE, BE, SA, EG and
    # ZA take the country's own host, as Apideck's Seller Central connector lists them
    # (developers.apideck.com/connectors/amazon-seller-central) and @bizon/amazon-ids for BE.
    Marketplace(
        "IE",
        N_("Ireland"),
        "A28R8C7NBKEWEA",
        "EU",
        "https://sellercentral.amazon.ie",
        "EUR",
        "🇮🇪",
        "www.amazon.ie",
        "Europe/Dublin",
        "en_IE",
    ),
    Marketplace(
        "DE",
        N_("Germany"),
        "A1PA6795UKMFR9",
        "EU",
        _SELLER_CENTRAL_EUROPE,
        "EUR",
        "🇩🇪",
        "www.amazon.de",
        "Europe/Berlin",
        "de_DE",
    ),
    Marketplace(
        "FR",
        N_("France"),
        "A13V1IB3VIYZZH",
        "EU",
        _SELLER_CENTRAL_EUROPE,
        "EUR",
        "🇫🇷",
        "www.amazon.fr",
        "Europe/Paris",
        "fr_FR",
    ),
    Marketplace(
        "IT",
        N_("Italy"),
        "APJ6JRA9NG5V4",
        "EU",
        _SELLER_CENTRAL_EUROPE,
        "EUR",
        "🇮🇹",
        "www.amazon.it",
        "Europe/Rome",
        "it_IT",
    ),
    Marketplace(
        "ES",
        N_("Spain"),
        "A1RKKUPIHCS9HS",
        "EU",
        _SELLER_CENTRAL_EUROPE,
        "EUR",
        "🇪🇸",
        "www.amazon.es",
        "Europe/Madrid",
        "es_ES",
    ),
    Marketplace(
        "NL",
        N_("Netherlands"),
        "A1805IZSGTT6HS",
        "EU",
        "https://sellercentral.amazon.nl",
        "EUR",
        "🇳🇱",
        "www.amazon.nl",
        "Europe/Amsterdam",
        "nl_NL",
    ),
    Marketplace(
        "SE",
        N_("Sweden"),
        "A2NODRKZP88ZB9",
        "EU",
        "https://sellercentral.amazon.se",
        "SEK",
        "🇸🇪",
        "www.amazon.se",
        "Europe/Stockholm",
        "sv_SE",
    ),
    Marketplace(
        "PL",
        N_("Poland"),
        "A1C3SOZRARQ6R3",
        "EU",
        "https://sellercentral.amazon.pl",
        "PLN",
        "🇵🇱",
        "www.amazon.pl",
        "Europe/Warsaw",
        "pl_PL",
    ),
    # Marketplace IDs of BE and ZA: not in spapi.md §4.1; from Amazon's current Marketplace IDs page
    # (developer-docs.amazon.com/sp-api/docs/marketplace-ids), which also lists every other ID here.
    Marketplace(
        "BE",
        N_("Belgium"),
        "AMEN7PMS3EDWL",
        "EU",
        "https://sellercentral.amazon.com.be",
        "EUR",
        "🇧🇪",
        "www.amazon.com.be",
        "Europe/Brussels",
        "fr_BE",
    ),
    Marketplace(
        "TR",
        N_("Turkey"),
        "A33AVAJ2PDY3EV",
        "EU",
        "https://sellercentral.amazon.com.tr",
        "TRY",
        "🇹🇷",
        "www.amazon.com.tr",
        "Europe/Istanbul",
        "tr_TR",
    ),
    Marketplace(
        "AE",
        N_("United Arab Emirates"),
        "A2VIGQ35RCS4UG",
        "EU",
        "https://sellercentral.amazon.ae",
        "AED",
        "🇦🇪",
        "www.amazon.ae",
        "Asia/Dubai",
        "en_AE",
    ),
    Marketplace(
        "SA",
        N_("Saudi Arabia"),
        "A17E79C6D8DWNP",
        "EU",
        "https://sellercentral.amazon.sa",
        "SAR",
        "🇸🇦",
        "www.amazon.sa",
        "Asia/Riyadh",
        "ar_SA",
    ),
    Marketplace(
        "EG",
        N_("Egypt"),
        "ARBP9OOSHTCHU",
        "EU",
        "https://sellercentral.amazon.eg",
        "EGP",
        "🇪🇬",
        "www.amazon.eg",
        "Africa/Cairo",
        "ar_EG",
    ),
    Marketplace(
        "IN",
        N_("India"),
        "A21TJRUUN4KGV",
        "EU",
        "https://sellercentral.amazon.in",
        "INR",
        "🇮🇳",
        "www.amazon.in",
        "Asia/Kolkata",
        "en_IN",
    ),
    Marketplace(
        "ZA",
        N_("South Africa"),
        "AE08WJ6YKNBMC",
        "EU",
        "https://sellercentral.amazon.co.za",
        "ZAR",
        "🇿🇦",
        "www.amazon.co.za",
        "Africa/Johannesburg",
        "en_ZA",
    ),
    Marketplace(
        "JP",
        N_("Japan"),
        "A1VC38T7YXB528",
        "FE",
        "https://sellercentral.amazon.co.jp",
        "JPY",
        "🇯🇵",
        "www.amazon.co.jp",
        "Asia/Tokyo",
        "ja_JP",
    ),
    Marketplace(
        "AU",
        N_("Australia"),
        "A39IBJ37TRP1C6",
        "FE",
        "https://sellercentral.amazon.com.au",
        "AUD",
        "🇦🇺",
        "www.amazon.com.au",
        "Australia/Sydney",
        "en_AU",
    ),
    Marketplace(
        "SG",
        N_("Singapore"),
        "A19VAU5U5O7RUS",
        "FE",
        "https://sellercentral.amazon.sg",
        "SGD",
        "🇸🇬",
        "www.amazon.sg",
        "Asia/Singapore",
        "en_SG",
    ),
)
MARKETPLACES: dict[str, Marketplace] = {m.code: m for m in _TABLE}
MARKETPLACE_BY_ID: dict[str, Marketplace] = {m.marketplace_id: m for m in MARKETPLACES.values()}
COUNTRY_ALIASES = {"GB": "UK"}  # ISO 3166 writes GB; Amazon's current docs and the product write UK
# The form's order: the seed's four, then every other marketplace region by region.
CHOICE_ORDER: tuple[str, ...] = SEED_COUNTRIES + tuple(
    code
    for region in REGION_NAMES
    for code, m in MARKETPLACES.items()
    if m.region == region and code not in SEED_COUNTRIES
)


def parse_country(country: str) -> str | None:
    """A marketplace's code from what a person typed (any case, GB for UK), or None when there is none."""
    code = country.strip().upper()
    code = COUNTRY_ALIASES.get(code, code)
    return code if code in MARKETPLACES else None


def country_codes() -> str:
    """Every marketplace's code, region by region, for a message or a help line ("US, CA, … or SG")."""
    *codes, last = MARKETPLACES  # the table is in region order
    # Each language its own separator (US, CA / US、CA): the list is joined one code at a time.
    listed = functools.reduce(lambda head, code: _("{head}, {code}").format(head=head, code=code), codes)
    return _("{codes} or {last}").format(codes=listed, last=last)
