"""The health calls over real HTTP against the sandbox emulator: figures, retries, the token cache and what
each failure means. Backoff waits are injected and recorded, never slept through, so no test is timed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from asc_tui.amazon.health_calls import HealthClient
from asc_tui.amazon.health_errors import (
    AccessDenied,
    AmazonFailing,
    AppCredentialsRejected,
    AuthorizationRevoked,
    HealthCallError,
    NetworkFailed,
    QuotaExhausted,
)
from asc_tui.amazon.http import RetryPolicy
from asc_tui.amazon.spapi_call import SpApiCaller, StoreAccess
from asc_tui.amazon.token_cache import AccessTokenCache, LwaApp
from asc_tui.amazon.usage_plans import (
    GET_MARKETPLACE_PARTICIPATIONS,
    GET_ORDER_METRICS,
    UsagePlan,
    UsagePlans,
)
from asc_tui.domain import MARKETPLACES
from asc_tui.sandbox import (
    DEMO_SELLERS,
    HEALTH_DEMO_SELLERS,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SandboxEmulator,
    SandboxSeller,
)
from tests.hardening.faulty_amazon import refused_url
from tests.support.connect import access_token
from tests.support.threads import at_once

NA, UK_SELLER, US_ONLY = DEMO_SELLERS[:3]
SUSPENDED, ERRORS, BUSY = HEALTH_DEMO_SELLERS
US, CA, UK = MARKETPLACES["US"], MARKETPLACES["CA"], MARKETPLACES["UK"]
NOW = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)  # the emulator's calendar, fixed so its figures are
SALES = "/sales/v1/orderMetrics"
# Short, recorded waits: three tries, Retry-After capped far below a second, a deadline that is never met.
FAST = RetryPolicy(
    max_attempts=3, initial_wait=0.01, max_wait=0.02, jitter=0.0, max_retry_after=0.05, deadline_seconds=30
)


@pytest.fixture(scope="module")
def emu() -> Iterator[SandboxEmulator]:
    with SandboxEmulator(now=lambda: NOW) as emulator:
        yield emulator


@dataclass
class Store:
    """A store connected to the emulator, with its own cache and buckets (so tests do not share them)."""

    emu: SandboxEmulator
    seller: SandboxSeller
    region: str = "NA"
    secret: str = SANDBOX_CLIENT_SECRET
    tokens: AccessTokenCache = field(default_factory=lambda: AccessTokenCache(retry_policy=FAST))
    plans: UsagePlans | None = None
    slept: list[float] = field(default_factory=list)  # the retries' backoff
    bucket_waits: list[float] = field(default_factory=list)  # the usage plans' waits
    refresh_token: str = ""
    endpoint: str = ""
    http: httpx.Client = field(default_factory=lambda: httpx.Client(follow_redirects=False))

    def __post_init__(self) -> None:
        if self.plans is None:
            self.plans = UsagePlans(sleep=self.bucket_waits.append)
        self.refresh_token = self.refresh_token or self.emu.authorize_directly(self.seller, self.region)
        self.endpoint = self.endpoint or self.emu.sp_api_endpoint(self.region)

    def client(self) -> HealthClient:
        app = LwaApp(self.emu.lwa_token_url, SANDBOX_CLIENT_ID, self.secret)
        access = StoreAccess(app, self.refresh_token, self.endpoint, store_key=self.seller.selling_partner_id)
        caller = SpApiCaller(
            access,
            http=self.http,
            tokens=self.tokens,
            plans=self.plans or UsagePlans(),
            retry_policy=FAST,
            sleep=self.slept.append,
            now=lambda: NOW,
        )
        return HealthClient(caller)


def exchanges(emu: SandboxEmulator) -> int:
    """Access tokens the emulator's Login with Amazon has handed out: one per refresh-token exchange."""
    return sum(secret.startswith("Atza|") for secret in emu.issued_secrets)


def raw_metrics(emu: SandboxEmulator, store: Store, interval: str, granularity: str, zone: str) -> list[dict]:
    """The emulator's own answer, asked directly: what the client's figures must equal."""
    with httpx.Client(timeout=10) as http:
        token = access_token(http, emu, store.refresh_token)
        marketplace = US if store.region == "NA" else UK
        response = http.get(
            store.endpoint + SALES,
            params={
                "marketplaceIds": marketplace.marketplace_id,
                "interval": interval,
                "granularity": granularity,
                "granularityTimeZone": zone,
            },
            headers={"x-amz-access-token": token},
        )
    assert response.status_code == 200, response.text
    payload: list[dict] = response.json()["payload"]
    return payload


# --- figures ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("seller", "region", "code"), [(NA, "NA", "US"), (UK_SELLER, "EU", "UK")])
def test_thirty_daily_points_equal_what_amazon_answered(
    emu: SandboxEmulator, seller: SandboxSeller, region: str, code: str
) -> None:
    store = Store(emu, seller, region)
    marketplace = MARKETPLACES[code]
    metrics = store.client().order_metrics(marketplace, now=NOW)

    assert len(metrics.points) == 30
    assert [p.day for p in metrics.points] == [date(2026, 11, 7) + timedelta(days=i) for i in range(30)]
    assert {p.currency for p in metrics.points} == {marketplace.currency}
    days = raw_metrics(emu, store, metrics.interval, "Day", marketplace.time_zone)
    assert [(p.orders, p.units, p.sales) for p in metrics.points] == [
        (d["orderCount"], d["unitCount"], Decimal(d["totalSales"]["amount"])) for d in days
    ]
    # The sum of the days is exact: Amazon's own Total of the same interval, to the cent.
    (total,) = raw_metrics(emu, store, metrics.interval, "Total", marketplace.time_zone)
    assert metrics.sales == Decimal(total["totalSales"]["amount"])
    assert metrics.orders == total["orderCount"] > 0
    assert metrics.units == total["unitCount"]


def test_participation_reads_the_stores_own_marketplace_only(emu: SandboxEmulator) -> None:
    client = Store(emu, SUSPENDED).client()
    us = client.participation(US)
    assert (us.is_participating, us.has_suspended_listings) == (True, True)
    ca = client.participation(CA)  # listed, but the account left it
    assert (ca.is_participating, ca.has_suspended_listings) == (False, False)

    healthy = Store(emu, US_ONLY).client()
    assert healthy.participation(US).has_suspended_listings is False
    never = healthy.participation(CA)  # never listed for this account
    assert (never.is_participating, never.has_suspended_listings) == (False, False)


def test_listings_with_errors_counts_in_one_call(emu: SandboxEmulator) -> None:
    assert Store(emu, ERRORS).client().listings_with_errors(ERRORS.selling_partner_id, US) == 7
    assert Store(emu, US_ONLY).client().listings_with_errors(US_ONLY.selling_partner_id, US) == 0


# --- throttling and outages ---------------------------------------------------------------------------


def test_the_busy_sellers_first_429_is_retried_and_the_call_completes() -> None:
    with SandboxEmulator(now=lambda: NOW) as fresh:  # the busy seller is throttled once per emulator
        store = Store(fresh, BUSY)
        metrics = store.client().order_metrics(US, now=NOW)
    assert len(metrics.points) == 30
    assert store.slept == [0.01]  # one backoff (Amazon sent no Retry-After with its 429)
    # And the bucket, emptied by the 429, waited for its next token (2 s at 0.5/s, less what went by).
    assert len(store.bucket_waits) == 1 and 0 < store.bucket_waits[0] <= 2.0


def test_retry_after_is_honoured_and_amazons_rate_retunes_the_bucket(emu: SandboxEmulator) -> None:
    plans = UsagePlans({GET_ORDER_METRICS: UsagePlan(rate=3.0, burst=15)}, sleep=lambda _s: None)
    store = Store(emu, NA, plans=plans)
    emu.throttle_next(store.endpoint + SALES, count=1, retry_after=0.03)
    store.client().order_metrics(US, now=NOW)
    assert store.slept == [0.03]
    assert plans.bucket(GET_ORDER_METRICS, NA.selling_partner_id).rate == 0.5  # x-amzn-RateLimit-Limit


def test_a_429_on_every_try_is_quota_exhausted_with_amazons_words(emu: SandboxEmulator) -> None:
    store = Store(emu, NA)
    emu.throttle_next(store.endpoint + SALES, count=3, retry_after=None)
    with pytest.raises(QuotaExhausted) as failed:
        store.client().order_metrics(US, now=NOW)
    assert emu.pending_faults == 0  # three tries, then the clear error
    entry = failed.value.log_entry
    assert (entry.operation, entry.code, failed.value.status, entry.at) == (
        GET_ORDER_METRICS,
        "QuotaExceeded",
        429,
        NOW,
    )
    assert entry.message == "You exceeded your quota for the requested resource."


def test_an_empty_usage_plan_fails_fast_instead_of_waiting(emu: SandboxEmulator) -> None:
    # getMarketplaceParticipations refills one call a minute: the second of a burst of one would wait
    # 62.5 s, longer than the deadline leaves, so it is refused at once and Amazon is not asked.
    plans = UsagePlans({GET_MARKETPLACE_PARTICIPATIONS: UsagePlan(rate=0.016, burst=1)})
    store = Store(emu, NA, plans=plans)
    client = store.client()
    client.participation(US)
    with pytest.raises(QuotaExhausted) as failed:
        client.participation(US)
    assert failed.value.log_entry.code == ""  # our own limit: no answer from Amazon to quote
    assert store.slept == []


def test_a_server_error_is_retried_then_a_clear_error(emu: SandboxEmulator) -> None:
    store = Store(emu, NA)
    emu.fail_next(store.endpoint + SALES, status=500, count=1)
    assert len(store.client().order_metrics(US, now=NOW).points) == 30  # one 500, then an answer

    emu.fail_next(store.endpoint + SALES, status=503, count=3)
    with pytest.raises(AmazonFailing) as failed:
        store.client().order_metrics(US, now=NOW)
    assert emu.pending_faults == 0
    entry = failed.value.log_entry
    assert (entry.code, failed.value.status, entry.message) == (
        "ServiceUnavailable",
        503,
        "Service temporarily unavailable.",
    )
    assert "Amazon's side" in failed.value.message


def test_no_answer_at_all_is_a_network_failure(emu: SandboxEmulator) -> None:
    store = Store(emu, NA, endpoint=refused_url())
    with pytest.raises(NetworkFailed) as failed:
        store.client().listings_with_errors(NA.selling_partner_id, US)
    assert failed.value.log_entry.code == ""
    assert "connection refused" in failed.value.message


# --- authorization ------------------------------------------------------------------------------------


def test_a_revoked_authorization_is_invalid_grant(emu: SandboxEmulator) -> None:
    store = Store(emu, NA)
    emu.revoke(store.refresh_token)
    with pytest.raises(AuthorizationRevoked) as failed:
        store.client().order_metrics(US, now=NOW)
    entry = failed.value.log_entry
    assert (entry.code, failed.value.status) == ("invalid_grant", 400)
    assert "invalid grant parameter : refresh_token" in entry.message
    assert not failed.value.app_wide


def test_revoked_after_its_token_was_cached_is_still_invalid_grant_not_a_403(emu: SandboxEmulator) -> None:
    # The seller revokes while the store's access token is cached: Amazon's 403 blames the token, a new
    # exchange says why (invalid_grant).
    store = Store(emu, NA)
    client = store.client()
    client.participation(US)
    emu.revoke(store.refresh_token)
    with pytest.raises(AuthorizationRevoked):
        client.participation(US)


def test_a_wrong_client_secret_is_invalid_client_for_the_whole_app(emu: SandboxEmulator) -> None:
    store = Store(emu, NA, secret="rotated-away")
    with pytest.raises(AppCredentialsRejected) as failed:
        store.client().participation(US)
    assert failed.value.app_wide
    assert (failed.value.log_entry.code, failed.value.status) == ("invalid_client", 401)
    assert "rotated-away" not in failed.value.message + repr(failed.value.log_entry)


def test_another_sellers_listings_are_access_denied(emu: SandboxEmulator) -> None:
    with pytest.raises(AccessDenied) as failed:
        Store(emu, NA).client().listings_with_errors(ERRORS.selling_partner_id, US)
    entry = failed.value.log_entry
    assert (entry.code, failed.value.status) == ("Unauthorized", 403)
    assert entry.message == "Access to requested resource is denied."
    assert isinstance(failed.value, HealthCallError) and not failed.value.app_wide


# --- the token cache ----------------------------------------------------------------------------------


def test_one_exchange_serves_every_call_of_a_store(emu: SandboxEmulator) -> None:
    store = Store(emu, ERRORS)
    before = exchanges(emu)
    client = store.client()
    client.order_metrics(US, now=NOW)
    client.participation(US)
    client.listings_with_errors(ERRORS.selling_partner_id, US)
    store.client().participation(US)  # another client of the same process: the same cache
    assert exchanges(emu) == before + 1

    other = Store(emu, US_ONLY, tokens=store.tokens)  # another store: its own token
    other.client().participation(US)
    assert exchanges(emu) == before + 2


def test_threads_asking_at_once_share_one_exchange(emu: SandboxEmulator) -> None:
    store = Store(emu, SUSPENDED)
    client = store.client()
    before = exchanges(emu)
    at_once(lambda: client.listings_with_errors(SUSPENDED.selling_partner_id, US), 6)
    assert exchanges(emu) == before + 1
