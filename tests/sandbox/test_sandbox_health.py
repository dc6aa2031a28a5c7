"""The sandbox's store-health calls over real HTTP (Sales, Sellers and Listings Items), held against the facts
of Amazon's published models (tests/sandbox/spapi_models.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from asc_tui.domain import MARKETPLACES
from asc_tui.sandbox import (
    DEMO_SELLERS,
    HEALTH_DEMO_SELLERS,
    SandboxEmulator,
    SandboxSeller,
)
from tests.sandbox import spapi_models as model
from tests.support.connect import seller_token

NA, UK, US_ONLY = DEMO_SELLERS[:3]
SUSPENDED, ERRORS, BUSY = HEALTH_DEMO_SELLERS
US = MARKETPLACES["US"].marketplace_id
CA = MARKETPLACES["CA"].marketplace_id
GB = MARKETPLACES["UK"].marketplace_id
NOW = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)  # the emulator's calendar: fixed, so the answers are too
WEEK = "2026-11-30T00:00:00-08:00--2026-12-07T00:00:00-08:00"  # seven whole Pacific days before NOW
DENIED = "Access to requested resource is denied."


@pytest.fixture(scope="module")
def emu() -> Iterator[SandboxEmulator]:
    with SandboxEmulator(now=lambda: NOW) as emulator:
        yield emulator


@pytest.fixture
def client(emu: SandboxEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emu.base_url, timeout=10) as c:
        yield c


def call(
    client: httpx.Client,
    emu: SandboxEmulator,
    path: str,
    access: str | None,
    region: str = "NA",
    **query: Any,
) -> httpx.Response:
    headers = {"x-amz-access-token": access} if access is not None else {}
    return client.get(f"{emu.sp_api_endpoint(region)}{path}", params=query, headers=headers)


def metrics(
    client: httpx.Client, emu: SandboxEmulator, access: str | None, region: str = "NA", **query: Any
) -> httpx.Response:
    defaults = {
        "marketplaceIds": US,
        "interval": WEEK,
        "granularity": "Day",
        "granularityTimeZone": "US/Pacific",
    }
    params = {k: v for k, v in {**defaults, **query}.items() if v is not None}
    return call(client, emu, model.SALES_PATH, access, region, **params)


def listings(
    client: httpx.Client, emu: SandboxEmulator, access: str, seller: SandboxSeller, **query: Any
) -> httpx.Response:
    path = model.LISTINGS_PATH.format(sellerId=seller.selling_partner_id)
    return call(client, emu, path, access, **{"marketplaceIds": US, **query})


def conforms(body: Any, schema: model.Schema) -> None:
    assert model.problems(body, schema) == []


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, str]:
    assert response.status_code == status, response.text
    conforms(response.json(), model.ERROR_LIST)
    error: dict[str, str] = response.json()["errors"][0]
    assert error["code"] == code
    return error


# --- Sales API: getOrderMetrics -------------------------------------------------------------------


def test_order_metrics_day_by_day_as_the_sales_model_says(client: httpx.Client, emu: SandboxEmulator) -> None:
    access = seller_token(client, emu, NA)
    response = metrics(client, emu, access)
    assert response.status_code == 200
    assert response.headers[model.RATE_LIMIT_HEADER] == model.SALES_RATE
    assert response.headers[model.REQUEST_ID_HEADER]
    body = response.json()
    conforms(body, model.GET_ORDER_METRICS_RESPONSE)
    days = body["payload"]
    assert [d["interval"] for d in days] == [
        f"2026-{m:02d}-{d:02d}T00:00-08:00--2026-{m2:02d}-{d2:02d}T00:00-08:00"
        for (m, d), (m2, d2) in zip(
            [(11, 30), (12, 1), (12, 2), (12, 3), (12, 4), (12, 5), (12, 6)],
            [(12, 1), (12, 2), (12, 3), (12, 4), (12, 5), (12, 6), (12, 7)],
            strict=True,
        )
    ]
    for day in days:
        assert day["orderCount"] <= day["orderItemCount"] <= day["unitCount"]
        assert day["orderCount"] > 0  # a demo seller sells every day
        total, average = Decimal(day["totalSales"]["amount"]), Decimal(day["averageUnitPrice"]["amount"])
        assert average == (total / day["unitCount"]).quantize(Decimal("0.01"))  # the model's formula
        assert {day["totalSales"]["currencyCode"], day["averageUnitPrice"]["currencyCode"]} == {"USD"}

    # Deterministic per seller and date: asked again, the same; another seller, other figures.
    assert metrics(client, emu, access).json() == body
    other = metrics(client, emu, seller_token(client, emu, US_ONLY)).json()["payload"]
    assert [d["totalSales"] for d in other] != [d["totalSales"] for d in days]

    # Every granularity sums the same sales: the Total is the days' sum.
    total = metrics(client, emu, access, granularity="Total").json()["payload"]
    assert len(total) == 1 and total[0]["interval"] == "2026-11-30T00:00-08:00--2026-12-07T00:00-08:00"
    assert total[0]["orderCount"] == sum(d["orderCount"] for d in days)
    assert Decimal(total[0]["totalSales"]["amount"]) == sum(Decimal(d["totalSales"]["amount"]) for d in days)


def test_order_metrics_granularities_partial_steps_and_currency(
    client: httpx.Client, emu: SandboxEmulator
) -> None:
    access = seller_token(client, emu, NA)
    hours = metrics(
        client,
        emu,
        access,
        granularity="Hour",
        granularityTimeZone=None,
        interval="2026-12-06T00:00:00Z--2026-12-07T00:00:00Z",
    ).json()["payload"]
    assert len(hours) == 24 and hours[0]["interval"] == "2026-12-06T00:00Z--2026-12-06T01:00Z"
    day = metrics(
        client, emu, access, granularityTimeZone="UTC", interval="2026-12-06T00:00:00Z--2026-12-07T00:00:00Z"
    ).json()["payload"]
    assert day[0]["unitCount"] == sum(h["unitCount"] for h in hours)

    # Week steps start on firstDayOfWeek; the first and last steps are whole weeks with partial data.
    weeks = metrics(client, emu, access, granularity="Week", firstDayOfWeek="Sunday").json()["payload"]
    assert [w["interval"][:16] for w in weeks] == ["2026-11-29T00:00", "2026-12-06T00:00"]
    months = metrics(
        client,
        emu,
        access,
        granularity="Month",
        interval="2026-01-01T00:00:00-08:00--2026-12-01T00:00:00-08:00",
    ).json()["payload"]
    assert len(months) == 11 and months[6]["interval"].startswith("2026-07-01T00:00-07:00")  # summer time

    # Hours not over yet (by the emulator's calendar) sold nothing; the current day is partial.
    future = metrics(
        client, emu, access, granularityTimeZone="UTC", interval="2026-12-07T00:00:00Z--2026-12-09T00:00:00Z"
    ).json()["payload"]
    assert future[0]["orderCount"] > 0 and future[1]["orderCount"] == 0
    assert future[1]["totalSales"] == {"amount": "0", "currencyCode": "USD"}

    # The marketplace's currency; filters the demo sellers have no sales under find nothing.
    canada = metrics(client, emu, access, marketplaceIds=CA).json()["payload"]
    assert {d["totalSales"]["currencyCode"] for d in canada} == {"CAD"}
    uk = metrics(
        client,
        emu,
        seller_token(client, emu, UK, "EU"),
        "EU",
        marketplaceIds=GB,
        granularityTimeZone="Europe/London",
        interval="2026-11-30T00:00:00Z--2026-12-07T00:00:00Z",
    ).json()["payload"]
    assert {d["averageUnitPrice"]["currencyCode"] for d in uk} == {"GBP"}
    business = metrics(client, emu, access, buyerType="B2B", granularity="Total").json()["payload"]
    assert business[0]["orderCount"] == 0


@pytest.mark.parametrize(
    "query",
    [
        {"granularityTimeZone": None},  # required above Hour
        {"granularityTimeZone": "Europe/Paris"},  # does not agree with -08:00
        {"granularityTimeZone": "Not/AZone"},
        {"granularity": "Fortnight"},
        {"granularity": None},
        {"marketplaceIds": f"{US},{CA}"},  # only one marketplace
        {"marketplaceIds": None},
        {"marketplaceIds": GB},  # not a marketplace of the NA endpoint
        {"interval": "2026-11-30T00:00:00--2026-12-07T00:00:00"},  # no offset: not absolute time
        {"interval": "2026-12-07T00:00:00Z--2026-11-30T00:00:00Z"},
        {"interval": "yesterday"},
        {"granularity": "Hour", "interval": "2026-10-01T00:00:00Z--2026-10-02T00:00:00Z"},  # over 30 days
        {"interval": "2024-11-30T00:00:00-08:00--2024-12-07T00:00:00-08:00"},  # over 2 years
        {"firstDayOfWeek": "Wednesday"},
        {"buyerType": "Retail"},
        {"asin": "B000000001", "sku": "SKU-1"},
    ],
)
def test_order_metrics_rejects_what_the_model_forbids(
    client: httpx.Client, emu: SandboxEmulator, query: dict[str, Any]
) -> None:
    response = metrics(client, emu, seller_token(client, emu, NA), **query)
    assert_error(response, 400, "InvalidInput")
    assert response.headers[model.RATE_LIMIT_HEADER] == model.SALES_RATE  # the model declares it on 400


def test_busy_seller_first_sales_call_is_throttled_then_answered(
    client: httpx.Client, emu: SandboxEmulator
) -> None:
    access = seller_token(client, emu, BUSY)
    throttled = metrics(client, emu, access)
    assert throttled.status_code == 429
    assert throttled.json() == {
        "errors": [
            {
                "code": "QuotaExceeded",
                "message": "You exceeded your quota for the requested resource.",
                "details": "",
            }
        ]
    }
    # The models: with 429 "the rate limit header is deprecated and no longer returned".
    assert model.RATE_LIMIT_HEADER not in throttled.headers and throttled.headers[model.REQUEST_ID_HEADER]
    answered = metrics(client, emu, access)
    assert answered.status_code == 200 and answered.headers[model.RATE_LIMIT_HEADER] == model.SALES_RATE
    assert (
        metrics(client, emu, seller_token(client, emu, BUSY)).status_code == 200
    )  # once per seller, not per token


# --- Sellers API: participation flags --------------------------------------------------------------


def test_participation_flags_vary_by_demo_seller(client: httpx.Client, emu: SandboxEmulator) -> None:
    def flags(seller: SandboxSeller, region: str = "NA") -> dict[str, dict[str, bool]]:
        response = call(client, emu, model.SELLERS_PATH, seller_token(client, emu, seller, region), region)
        assert response.status_code == 200
        assert response.headers[model.RATE_LIMIT_HEADER] == model.SELLERS_RATE
        conforms(response.json(), model.GET_MARKETPLACE_PARTICIPATIONS_RESPONSE)
        return {p["marketplace"]["id"]: p["participation"] for p in response.json()["payload"]}

    assert flags(SUSPENDED) == {
        US: {"isParticipating": True, "hasSuspendedListings": True},
        CA: {"isParticipating": False, "hasSuspendedListings": False},  # it no longer sells there
    }
    for seller, region in ((NA, "NA"), (UK, "EU"), (US_ONLY, "NA"), (ERRORS, "NA"), (BUSY, "NA")):
        assert set(map(tuple, map(dict.values, flags(seller, region).values()))) == {(True, False)}


# --- Listings Items API: searchListingsItems -------------------------------------------------------


def test_listings_with_errors_as_the_listings_model_says(client: httpx.Client, emu: SandboxEmulator) -> None:
    access = seller_token(client, emu, ERRORS)
    count = listings(client, emu, access, ERRORS, withIssueSeverity="ERROR", pageSize=1)
    assert count.status_code == 200 and count.headers[model.RATE_LIMIT_HEADER] == model.LISTINGS_RATE
    conforms(count.json(), model.ITEM_SEARCH_RESULTS)
    assert count.json()["numberOfResults"] == ERRORS.listing_errors == 7
    assert len(count.json()["items"]) == 1 and "nextToken" in count.json()["pagination"]
    assert set(count.json()["items"][0]) == {"sku", "summaries"}  # includedData defaults to summaries

    # Paged through with issues included: seven listings, each with an ERROR, none buyable.
    seen: list[dict[str, Any]] = []
    page_token: str | None = None
    while True:
        query: dict[str, Any] = {
            "withIssueSeverity": "ERROR",
            "includedData": "summaries,issues",
            "pageSize": 3,
        }
        if page_token:
            query["pageToken"] = page_token
        page = listings(client, emu, access, ERRORS, **query).json()
        conforms(page, model.ITEM_SEARCH_RESULTS)
        assert page["numberOfResults"] == 7
        seen += page["items"]
        page_token = page["pagination"].get("nextToken")
        if page_token is None:
            break
    assert len({item["sku"] for item in seen}) == 7
    for item in seen:
        assert any(issue["severity"] == "ERROR" for issue in item["issues"])
        assert "BUYABLE" not in item["summaries"][0]["status"]
        for moment in (item["summaries"][0]["createdDate"], item["summaries"][0]["lastUpdatedDate"]):
            assert datetime.fromisoformat(moment).tzinfo is not None

    warnings = listings(client, emu, access, ERRORS, withIssueSeverity="WARNING").json()
    assert warnings["numberOfResults"] == 3
    everything = listings(
        client, emu, access, ERRORS, includedData=",".join(model.INCLUDED_DATA), pageSize=20
    )
    conforms(everything.json(), model.ITEM_SEARCH_RESULTS)
    assert everything.json()["numberOfResults"] > 10


def test_listings_of_healthy_and_suspended_sellers(client: httpx.Client, emu: SandboxEmulator) -> None:
    for seller in (NA, US_ONLY, SUSPENDED, BUSY):
        access = seller_token(client, emu, seller)
        errors = listings(client, emu, access, seller, withIssueSeverity="ERROR", pageSize=1).json()
        assert errors == {"numberOfResults": 0, "pagination": {}, "items": []}
    access = seller_token(client, emu, SUSPENDED)
    total = listings(client, emu, access, SUSPENDED).json()["numberOfResults"]
    assert (
        listings(client, emu, access, SUSPENDED, withoutStatus="BUYABLE").json()["numberOfResults"] == total
    )
    assert listings(client, emu, access, SUSPENDED, marketplaceIds=CA).json()["numberOfResults"] == 0
    access = seller_token(client, emu, NA)
    buyable = listings(client, emu, access, NA, withStatus="BUYABLE", sortBy="sku", sortOrder="ASC").json()
    skus = [item["sku"] for item in buyable["items"]]
    assert skus == sorted(skus) and len(skus) == model.PAGE_SIZE_DEFAULT


@pytest.mark.parametrize(
    "query",
    [
        {"pageSize": model.PAGE_SIZE_MAXIMUM + 1},
        {"pageSize": 0},
        {"pageToken": "not-a-token"},
        {"withIssueSeverity": "FATAL"},
        {"includedData": "everything"},
        {"marketplaceIds": f"{US},{CA}"},  # maxItems 1
        {"sortBy": "price"},
    ],
)
def test_listings_rejects_what_the_model_forbids(
    client: httpx.Client, emu: SandboxEmulator, query: dict[str, Any]
) -> None:
    response = listings(client, emu, seller_token(client, emu, NA), NA, **query)
    assert_error(response, 400, "InvalidInput")


# --- who may ask ----------------------------------------------------------------------------------


def test_foreign_seller_and_bad_tokens_are_refused(client: httpx.Client, emu: SandboxEmulator) -> None:
    access = seller_token(client, emu, NA)
    foreign = listings(client, emu, access, ERRORS)  # NA's token, the errors seller's listings
    assert foreign.status_code == 403
    assert foreign.json() == {"errors": [{"code": "Unauthorized", "message": DENIED, "details": ""}]}
    assert model.RATE_LIMIT_HEADER not in foreign.headers  # 403 declares only x-amzn-RequestId

    paths = (model.SALES_PATH, model.SELLERS_PATH, model.LISTINGS_PATH.format(sellerId=NA.selling_partner_id))
    for path in paths:
        missing = assert_error(call(client, emu, path, None, marketplaceIds=US), 403, "Unauthorized")
        assert missing["details"] == "Access token is missing in the request header."
        unknown = assert_error(
            call(client, emu, path, "Atza|made-up", marketplaceIds=US), 403, "Unauthorized"
        )
        assert unknown["details"] == "The access token you provided is revoked, malformed or invalid."
        other_region = call(client, emu, path, access, "EU", marketplaceIds=GB)
        assert assert_error(other_region, 403, "Unauthorized") == {
            "code": "Unauthorized",
            "message": DENIED,
            "details": "",
        }


def test_expired_token_is_refused_by_the_health_calls() -> None:
    clock = [1000.0]
    with (
        SandboxEmulator(clock=lambda: clock[0], now=lambda: NOW) as emu,
        httpx.Client(base_url=emu.base_url, timeout=10) as client,
    ):
        access = seller_token(client, emu, NA)
        assert metrics(client, emu, access).status_code == 200
        clock[0] += 3600
        for response in (
            metrics(client, emu, access),
            listings(client, emu, access, NA),
        ):
            error = assert_error(response, 403, "Unauthorized")
            assert error["details"] == "The access token you provided has expired."


def test_sales_history_window_follows_the_emulator_calendar() -> None:
    later = NOW + timedelta(days=365 * 3)
    with (
        SandboxEmulator(now=lambda: later) as emu,
        httpx.Client(base_url=emu.base_url, timeout=10) as client,
    ):
        assert (
            metrics(client, emu, seller_token(client, emu, NA)).status_code == 400
        )  # WEEK is now over 2 years old


def test_the_model_checker_finds_what_breaks_a_schema() -> None:
    good = {"amount": "12.5", "currencyCode": "USD"}
    assert model.problems(good, model.MONEY) == []
    assert model.problems({"amount": 12.5, "currencyCode": "USD"}, model.MONEY) == [
        "$.amount: expected string, got float"
    ]
    assert model.problems({"amount": "twelve"}, model.MONEY) == [
        "$: missing currencyCode",
        "$.amount: 'twelve' is not a decimal",
    ]
    interval = {"interval": "x", "unitCount": True}
    assert "$.unitCount: expected integer, got bool" in model.problems(interval, model.ORDER_METRICS_INTERVAL)
    assert model.problems({"countryCode": "GBR"}, model.MARKETPLACE)[-1].endswith(
        "does not match ^([A-Z]{2})$"
    )
    assert model.problems({"severity": "FATAL"}, model.ISSUE)[0] == "$: missing code"
    assert "$.severity: 'FATAL' not in ['ERROR', 'WARNING', 'INFO']" in model.problems(
        {"severity": "FATAL"}, model.ISSUE
    )
