"""Every SP-API marketplace, checked against the research it was taken from (reference/spapi.md and the 2021
developer guide beside it); the few it lacks are pinned here with their source."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from asc_tui.domain import (
    CHOICE_ORDER,
    MARKETPLACE_BY_ID,
    MARKETPLACES,
    REGION_NAMES,
    matches_filter,
    parse_country,
)
from asc_tui.i18n import set_language
from asc_tui.settings.config import AmazonConfig
from asc_tui.settings.secret_hosts import foreign_secret_hosts
from tests.conftest import SHARED

REFERENCE = SHARED / "reference"
SPAPI = REFERENCE / "spapi.md"
DEVGUIDE = REFERENCE / "amazon" / "devguide_2021.md"
needs_reference = pytest.mark.skipif(not SPAPI.exists(), reason="the research notes are not on this machine")

# What the research lacks, from Amazon's current pages (developer-docs.amazon.com/sp-api/docs/marketplace-ids
# for the IDs; the Seller Central hosts as Apideck's connector and @bizon/amazon-ids list them).
NOT_IN_THE_RESEARCH = {
    "BE": ("AMEN7PMS3EDWL", "https://sellercentral.amazon.com.be"),
    "ZA": ("AE08WJ6YKNBMC", "https://sellercentral.amazon.co.za"),
    "IE": (None, "https://sellercentral.amazon.ie"),
    "SA": (None, "https://sellercentral.amazon.sa"),
    "EG": (None, "https://sellercentral.amazon.eg"),
}
REGIONS = {"North America": "NA", "Europe": "EU", "Far East": "FE"}


def section(text: str, heading: str) -> str:
    """The text under a markdown heading, up to the next heading."""
    start = text.index(heading)
    following = re.search(r"^#", text[start + len(heading) :], re.MULTILINE)
    return text[start : start + len(heading) + following.start()] if following else text[start:]


def table_rows(text: str) -> list[list[str]]:
    """The cells of each markdown table row (without the header's divider), markup and links stripped."""
    rows = []
    for line in text.splitlines():
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        rows.append([re.sub(r"[`*<>]", "", cell).strip() for cell in line.strip().strip("|").split("|")])
    return rows


def by_country() -> dict[str, str]:
    return {m.country: code for code, m in MARKETPLACES.items()}


@needs_reference
def test_each_marketplace_id_is_the_one_amazon_lists() -> None:
    countries = by_country() | {"United States of America": "US"}
    found: dict[str, str] = {}
    # spapi.md §4.1 puts several countries in one row: "Germany / France / …" with their IDs in that order.
    for row in table_rows(section(SPAPI.read_text(encoding="utf-8"), "### 4.1"))[1:]:
        for country, marketplace_id in zip(row[0].split(" / "), row[1].split(" / "), strict=True):
            found[countries[country]] = marketplace_id
    # The guide's full tables hold the European marketplaces that §4.1 leaves out (NL, SE, PL, …).
    for row in table_rows(section(DEVGUIDE.read_text(encoding="utf-8"), "# marketplaceId values")):
        if row[0] in countries and re.fullmatch(r"A[0-9A-Z]{8,}", row[1]):
            found.setdefault(countries[row[0]], row[1])
    pinned = {code: ids[0] for code, ids in NOT_IN_THE_RESEARCH.items() if ids[0]}
    assert set(found) | set(pinned) == set(MARKETPLACES)
    assert {code: m.marketplace_id for code, m in MARKETPLACES.items()} == found | pinned
    assert len(MARKETPLACE_BY_ID) == len(MARKETPLACES)


@needs_reference
def test_each_marketplace_is_in_the_region_whose_endpoint_serves_it() -> None:
    regions: dict[str, str] = {}
    for row in table_rows(section(SPAPI.read_text(encoding="utf-8"), "### 4.2"))[1:]:
        named = re.fullmatch(r"(.+?) \((.+)\)", row[0])
        assert named, row
        name, codes = named.groups()
        regions |= {code.strip(): REGIONS[name] for code in codes.split(",")}
    assert {code: m.region for code, m in MARKETPLACES.items()} == regions
    assert len(regions) == 23


@needs_reference
def test_each_seller_central_host_is_the_one_in_the_research() -> None:
    names = by_country() | {"Canada": "CA", "Mexico": "MX", "Brazil": "BR"}
    hosts: dict[str, str] = {}
    for row in table_rows(section(SPAPI.read_text(encoding="utf-8"), "### 1.2"))[1:]:
        countries = re.split(r"\s*[,/]\s*", row[0])
        urls = [url.strip() for url in row[1].split(" / ")]
        if len(urls) == 1:
            urls *= len(countries)
        for country, url in zip(countries, urls, strict=True):
            # ".nl", ".com.au": sellercentral.amazon with that ending; a host without a scheme is https.
            url = "sellercentral.amazon" + url if url.startswith(".") else url
            hosts[names.get(country, country)] = url if url.startswith("https://") else "https://" + url
    # spapi.md §1.2's caveat: for the UK it prefers sellercentral.amazon.co.uk (what current integrations use).
    assert hosts.pop("UK") == "https://sellercentral-europe.amazon.com"
    hosts["UK"] = "https://sellercentral.amazon.co.uk"
    hosts |= {code: host for code, (_id, host) in NOT_IN_THE_RESEARCH.items()}
    assert {code: m.seller_central for code, m in MARKETPLACES.items()} == hosts


def test_every_default_host_is_amazons_so_doctor_flags_none() -> None:
    assert foreign_secret_hosts(AmazonConfig()) == []


def test_the_form_offers_the_seed_four_first_then_each_region_in_turn() -> None:
    assert CHOICE_ORDER[:4] == ("US", "CA", "MX", "UK")
    assert sorted(CHOICE_ORDER) == sorted(MARKETPLACES)
    rest = [MARKETPLACES[code].region for code in CHOICE_ORDER[4:]]
    assert rest == sorted(rest, key=list(REGION_NAMES).index)
    assert CHOICE_ORDER[4:7] == ("BR", "IE", "DE") and CHOICE_ORDER[-3:] == ("JP", "AU", "SG")


@pytest.mark.parametrize(
    ("typed", "code"), [("de", "DE"), (" jp ", "JP"), ("GB", "UK"), ("gb", "UK"), ("CH", None)]
)
def test_a_country_is_its_iso_code_in_any_case(typed: str, code: str | None) -> None:
    assert parse_country(typed) == code


def test_every_country_and_region_reads_in_chinese() -> None:
    set_language("zh-Hant")
    try:
        assert MARKETPLACES["DE"].country_name == "德國"
        assert MARKETPLACES["AE"].country_name == "阿拉伯聯合大公國"
        assert MARKETPLACES["JP"].region_name == "遠東"
        untranslated = [m.country for m in MARKETPLACES.values() if m.country_name == m.country]
        assert untranslated == []
    finally:
        set_language("en")


def test_the_home_filter_finds_a_new_marketplaces_store_by_its_country_in_either_language() -> None:
    store = SimpleNamespace(
        name="Shop",
        country="JP",
        website="base",
        status="not_connected",
        authorized_at=None,
        auth_revoked=False,
    )
    assert matches_filter(store, "japan") and matches_filter(store, "jp")
    set_language("zh-Hant")
    try:
        assert matches_filter(store, "日本") and matches_filter(store, "Japan")
    finally:
        set_language("en")
    assert not matches_filter(store, "germany")


def test_currencies_and_domains_are_each_countrys_own() -> None:
    euro = {code for code, m in MARKETPLACES.items() if m.currency == "EUR"}
    assert euro == {"IE", "DE", "FR", "IT", "ES", "NL", "BE"}
    assert {MARKETPLACES[c].currency for c in ("JP", "AU", "SG", "BR", "IN", "ZA")} == {
        "JPY", "AUD", "SGD", "BRL", "INR", "ZAR",
    }  # fmt: skip
    assert MARKETPLACES["DE"].domain == "www.amazon.de" and MARKETPLACES["ZA"].domain == "www.amazon.co.za"
    assert len({m.domain for m in MARKETPLACES.values()}) == len(MARKETPLACES)
