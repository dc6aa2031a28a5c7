"""The sandbox's store-health calls over real HTTP (Sales, Sellers and Listings Items), held against the facts
of Amazon's published models (tests/amazon/spapi_models.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from asc_tui.domain import MARKETPLACES
from asc_tui.sandbox import (
    DEMO_SELLERS,
    HEALTH_DEMO_SELLERS,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SandboxEmulator,
    SandboxSeller,
)
from tests.amazon import spapi_models as model

NA, UK, US_ONLY = DEMO_SELLERS
SUSPENDED, ERRORS, BUSY = HEALTH_DEMO_SELLERS
US = MARKETPLACES["US"].marketplace_id
CA = MARKETPLACES["CA"].marketplace_id
GB = MARKETPLACES["UK"].marketplace_id
NOW = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)  # the emulator's calendar: fixed, so the answers are too
WEEK = "2026-11-30T00:00:00-08:00--2026-12-07T00:00:00-08:00"  # seven whole Pacific days before NOW
DENIED = "Access to requested resource is denied."


@pytest.fixture(scope="module")
def emu() -> Iterator[SandboxEmulator]:
    with SandboxEmulator() as emulator:
        yield emulator


@pytest.fixture
def client(emu: SandboxEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emu.base_url, timeout=10) as c:
        yield c


def token(client: httpx.Client, emu: SandboxEmulator, seller: SandboxSeller, region: str = "NA") -> str:
    data = {
        "grant_type": "refresh_token",
        "refresh_token": emu.authorize_directly(seller, region),
        "client_id": SANDBOX_CLIENT_ID,
        "client_secret": SANDBOX_CLIENT_SECRET,
    }
    response = client.post(emu.lwa_token_url, data=data)
    assert response.status_code == 200
    return str(response.json()["access_token"])


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


def conforms(body: Any, schema: model.Schema) -> None:
    assert model.problems(body, schema) == []


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, str]:
    assert response.status_code == status, response.text
    conforms(response.json(), model.ERROR_LIST)
    error: dict[str, str] = response.json()["errors"][0]
    assert error["code"] == code
    return error


# --- Sellers API: participation flags --------------------------------------------------------------


def test_participation_flags_vary_by_demo_seller(client: httpx.Client, emu: SandboxEmulator) -> None:
    def flags(seller: SandboxSeller, region: str = "NA") -> dict[str, dict[str, bool]]:
        response = call(client, emu, model.SELLERS_PATH, token(client, emu, seller, region), region)
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
