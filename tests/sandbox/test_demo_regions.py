"""A demo Seller Central account in every region: a store in any of the 23 marketplaces connects in the
sandbox, and the connect steps name the account to sign in with."""

from __future__ import annotations

import pytest

from asc_tui.domain import MARKETPLACES
from asc_tui.sandbox.demo import DEMO_SELLERS, demo_seller_for, marketplace_json
from asc_tui.sandbox.order_metrics import DEMO_RATES
from asc_tui.services.connect_steps import consent_steps
from asc_tui.services.registry import open_registry
from tests.support.connect import add_store


def test_every_marketplace_has_a_demo_account_and_each_region_its_own() -> None:
    accounts = {code: demo_seller_for(m.marketplace_id) for code, m in MARKETPLACES.items()}
    assert None not in accounts.values()
    emails = {code: seller.email for code, seller in accounts.items() if seller}
    assert {emails[c] for c in ("US", "CA", "MX", "BR")} == {"seller-na@sandbox.example"}
    assert emails["UK"] == "seller-uk@sandbox.example"
    assert {emails[c] for c in ("IE", "DE", "FR", "TR", "AE", "IN", "ZA")} == {"seller-eu@sandbox.example"}
    assert {emails[c] for c in ("JP", "AU", "SG")} == {"seller-fe@sandbox.example"}
    # One account never spans regions: Amazon authorizes a seller per region.
    for seller in DEMO_SELLERS:
        regions = {m.region for m in MARKETPLACES.values() if m.marketplace_id in seller.marketplaces}
        assert len(regions) == 1, seller.email


def test_the_sellers_api_describes_a_new_marketplace_as_amazon_does() -> None:
    assert marketplace_json(MARKETPLACES["DE"].marketplace_id) == {
        "id": "A1PA6795UKMFR9",
        "name": "Amazon.de",
        "countryCode": "DE",
        "defaultCurrencyCode": "EUR",
        "defaultLanguageCode": "de_DE",
        "domainName": "www.amazon.de",
    }
    uk = marketplace_json(MARKETPLACES["UK"].marketplace_id)
    assert uk is not None and uk["countryCode"] == "GB"  # ISO 3166, as the Sellers API writes it
    jp = marketplace_json(MARKETPLACES["JP"].marketplace_id)
    assert jp is not None and (jp["name"], jp["defaultCurrencyCode"]) == ("Amazon.co.jp", "JPY")


def test_every_currency_has_a_demo_rate() -> None:
    # Figures in yen or rupees look like yen or rupees, not like dollars with another code.
    assert {m.currency for m in MARKETPLACES.values()} <= set(DEMO_RATES)


@pytest.mark.parametrize(
    ("country", "email"),
    [
        ("BR", "seller-na@sandbox.example"),
        ("DE", "seller-eu@sandbox.example"),
        ("ZA", "seller-eu@sandbox.example"),
        ("JP", "seller-fe@sandbox.example"),
    ],
)
def test_a_store_in_each_region_connects_through_the_sandbox_pages(country: str, email: str) -> None:
    from tests.support.consent_forms import approve

    registry = open_registry(sandbox=True)
    try:
        store = add_store(registry, f"Shop {country}", country)
        attempt = registry.connect.start(store.id or 0, listen=False)
        assert f"/sc/{country}/apps/authorize/consent?" in attempt.consent_url
        hint = consent_steps(attempt, sandbox=True)[-1]
        assert f"sign in as {email}, password sandbox, code 123456" in hint
        seller = demo_seller_for(MARKETPLACES[country].marketplace_id)
        assert seller is not None and seller.email == email
        assert registry.connect.complete_from_paste(attempt, approve(attempt.consent_url, seller)).connected
        (saved,) = registry.stores.list_stores()
        assert (saved.status, saved.seller_id, saved.marketplace_id) == (
            "active",
            seller.selling_partner_id,
            MARKETPLACES[country].marketplace_id,
        )
    finally:
        registry.close()
