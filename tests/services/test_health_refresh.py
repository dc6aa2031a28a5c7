"""The store-health refresh against the sandbox emulator over real HTTP, on SQLite and PostgreSQL: stores
connected through the consent pages, the figures Amazon gave kept exactly, and each failure landing on the
store it belongs to (or once, for the app). Backoff waits are recorded, never slept through."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx

from asc_tui.amazon.http import RetryPolicy
from asc_tui.amazon.order_metrics import format_interval, last_whole_days
from asc_tui.amazon.token_cache import AccessTokenCache
from asc_tui.amazon.usage_plans import UsagePlans
from asc_tui.domain import MARKETPLACES
from asc_tui.sandbox import (
    HEALTH_DEMO_SELLERS,
    SandboxEmulator,
)
from asc_tui.services.connect import ConnectService
from asc_tui.services.health_refresh import HealthRefresh
from asc_tui.services.registry import Registry
from asc_tui.settings.secret_store import refresh_token_key
from asc_tui.storage.models import Store
from tests.support.connect import NA, access_token, add_store, connected

SUSPENDED, ERRORS, BUSY = HEALTH_DEMO_SELLERS
SALES = "/sales/v1/orderMetrics"
FAST = RetryPolicy(
    max_attempts=3, initial_wait=0.01, max_wait=0.02, jitter=0.0, max_retry_after=0.05, deadline_seconds=30
)


def refresher(registry: Registry, service: ConnectService, slept: list[float]) -> HealthRefresh:
    # Its own token cache and usage plans: tests must not share the process's buckets.
    return service.health_refresh(
        registry.health,
        tokens=AccessTokenCache(retry_policy=FAST),
        plans=UsagePlans(sleep=slept.append),
        retry_policy=FAST,
        sleep=slept.append,
    )


def refresh_token(registry: Registry, store: Store) -> str:
    token = registry.secrets.get(refresh_token_key(store.token_ref or ""))
    assert token is not None
    return token


def amazon_total(emulator: SandboxEmulator, token: str) -> tuple[int, int, Decimal]:
    """The 30 days' orders, units and sales as Amazon totals them itself (granularity=Total)."""
    us = MARKETPLACES["US"]
    start, end = last_whole_days(us.time_zone, 30, datetime.now(UTC))
    with httpx.Client(timeout=10) as http:
        access = access_token(http, emulator, token)
        answer = http.get(
            emulator.sp_api_endpoint("NA") + SALES,
            params={
                "marketplaceIds": us.marketplace_id,
                "interval": format_interval(start, end),
                "granularity": "Total",
                "granularityTimeZone": us.time_zone,
            },
            headers={"x-amz-access-token": access},
        ).json()["payload"][0]
    return answer["orderCount"], answer["unitCount"], Decimal(answer["totalSales"]["amount"])


def test_each_store_keeps_what_amazon_said_about_it(
    sandbox: Registry, service: ConnectService, emulator: SandboxEmulator
) -> None:
    stores = [
        connected(sandbox, NA, "Healthy"),
        connected(sandbox, SUSPENDED, "Suspended"),
        connected(sandbox, ERRORS, "Errors"),
        connected(sandbox, BUSY, "Busy"),  # its first Sales call is answered 429
    ]
    slept: list[float] = []
    done: list[tuple[int, int]] = []
    report = refresher(sandbox, service, slept).refresh(
        stores, progress=lambda n, total, _store: done.append((n, total))
    )
    assert report.app_problem is None
    assert done == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    health = {r.name: r.health for r in report.results}
    assert all(h is not None and h.problem is None for h in health.values()), health
    assert slept, "the throttled Sales call was retried after a wait"

    healthy = health["Healthy"]
    assert healthy is not None and len(healthy.daily) == 30
    assert [d.date for d in healthy.daily] == sorted(d.date for d in healthy.daily)
    orders, units, sales = amazon_total(emulator, refresh_token(sandbox, stores[0]))
    assert (healthy.orders_30d, healthy.units_30d) == (orders, units)
    assert healthy.sales_30d is not None and healthy.sales_30d.amount == sales  # exactly, as Decimal
    assert healthy.sales_30d.currency == "USD"
    assert (healthy.is_participating, healthy.has_suspended_listings, healthy.listings_with_errors) == (
        True,
        False,
        0,
    )
    suspended, errors = health["Suspended"], health["Errors"]
    assert suspended is not None and suspended.has_suspended_listings is True
    assert errors is not None and errors.listings_with_errors == 7
    # Kept: what the registry reads back is what the refresh found.
    assert sandbox.health.health_of(stores[0].id or 0) == healthy
    assert sandbox.health.log_of(stores[3].id or 0) == []  # a retried 429 is no problem to log


def test_invalid_grant_marks_exactly_that_store_revoked(
    sandbox: Registry, service: ConnectService, emulator: SandboxEmulator
) -> None:
    kept = connected(sandbox, NA, "Kept")
    revoked = connected(sandbox, ERRORS, "Revoked")
    emulator.revoke(refresh_token(sandbox, revoked))
    report = refresher(sandbox, service, []).refresh([revoked, kept])
    assert report.app_problem is None
    by_name = {r.name: r.health for r in report.results}
    lost, fine = by_name["Revoked"], by_name["Kept"]
    assert lost is not None and lost.problem_code == "invalid_grant"
    assert lost.problem is not None and "reconnect the store" in lost.problem
    assert sandbox.stores.get(revoked.id or 0).auth_revoked
    assert not sandbox.stores.get(kept.id or 0).auth_revoked
    assert fine is not None and fine.problem is None and len(fine.daily) == 30
    log = sandbox.health.log_of(revoked.id or 0)
    assert [(e.operation, e.code) for e in log] == [("getOrderMetrics", "invalid_grant")]


def test_a_rejected_client_secret_is_one_problem_for_the_app(
    sandbox: Registry, service: ConnectService, emulator: SandboxEmulator
) -> None:
    stores = [connected(sandbox, seller, f"Shop {i}") for i, seller in enumerate((NA, ERRORS))]
    wrong = ConnectService(
        sandbox.database,
        service.amazon,
        sandbox.secrets,
        client_secret=lambda: "not-the-secret-Zq9",
        sandbox=True,
    )
    report = refresher(sandbox, wrong, []).refresh(stores)
    assert report.app_problem is not None and "client secret" in report.app_problem
    assert "Zq9" not in report.app_problem  # the secret itself is never repeated
    asked = [r for r in report.results if r.health is not None]
    assert len(asked) == 1  # the second store would fail alike: it is not asked
    assert not any(sandbox.stores.get(s.id or 0).auth_revoked for s in stores)


def test_amazon_failing_for_one_store_leaves_the_others_refreshed(
    sandbox: Registry, service: ConnectService, emulator: SandboxEmulator
) -> None:
    first = connected(sandbox, NA, "First")
    second = connected(sandbox, ERRORS, "Second")
    emulator.fail_next(emulator.sp_api_endpoint("NA") + SALES, status=503, count=FAST.max_attempts)
    report = refresher(sandbox, service, []).refresh([first, second])
    by_name = {r.name: r.health for r in report.results}
    failed, fine = by_name["First"], by_name["Second"]
    assert failed is not None and failed.problem is not None and "Amazon's side" in failed.problem
    assert failed.daily == () and failed.listings_with_errors == 0  # the calls that answered are kept
    assert fine is not None and fine.problem is None and fine.listings_with_errors == 7
    assert [e.code for e in sandbox.health.log_of(first.id or 0)] == ["ServiceUnavailable"]

    # The next refresh answers: the problem is gone, the figures are there.
    again = refresher(sandbox, service, []).refresh([first])
    healed = again.results[0].health
    assert healed is not None and healed.problem is None and len(healed.daily) == 30


def test_stores_that_cannot_be_asked_are_said_so_and_not_asked(
    sandbox: Registry, service: ConnectService, emulator: SandboxEmulator
) -> None:
    never = add_store(sandbox, "Never connected", "US")
    report = refresher(sandbox, service, []).refresh([never])
    assert report.results[0].health is None
    assert report.results[0].skipped is not None
    assert sandbox.health.health_of(never.id or 0) is None
