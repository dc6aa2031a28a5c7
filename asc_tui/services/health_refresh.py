"""Asking Amazon how each connected store is doing, and keeping the answer (reference/spapi-health.md).

For every Active store whose refresh token this machine has: 30 days of sales, its standing in its
marketplace, and how many of its listings have errors, each call within its usage plan and retried as
Amazon asks (amazon/spapi_call.py). One store's failure never stops the others; a part that failed keeps
its last good value and the store's problem says why. Two answers reach beyond the store: invalid_grant
marks the store Revoked (as check-auth does), and invalid_client (the app's secret) stops the whole refresh,
since every store would fail alike: it is reported once, for the app.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TypeVar

import httpx

from asc_tui.amazon.health_calls import HealthClient, MarketplaceStanding
from asc_tui.amazon.health_errors import AuthorizationRevoked, HealthCallError
from asc_tui.amazon.http import RetryPolicy
from asc_tui.amazon.order_metrics import OrderMetrics
from asc_tui.amazon.spapi_call import HEALTH_RETRY, SpApiCaller, StoreAccess
from asc_tui.amazon.token_cache import SHARED_ACCESS_TOKENS, AccessTokenCache, LwaApp
from asc_tui.amazon.usage_plans import SHARED_USAGE_PLANS, UsagePlans
from asc_tui.domain import MARKETPLACES
from asc_tui.domain.health import (
    DailySales,
    StoreHealth,
    health_warnings,
    sum_daily,
    why_not_asked,
)
from asc_tui.errors import AscError
from asc_tui.i18n import _
from asc_tui.services.health import HealthService
from asc_tui.settings.config import AmazonConfig
from asc_tui.settings.secret_store import SecretStore, refresh_token_key
from asc_tui.storage.models import Store

T = TypeVar("T")

# progress(done, total, store): called before each store, and once more with done == total.
Progress = Callable[[int, int, Store | None], None]


@dataclass
class StoreResult:
    store_id: int
    name: str
    health: StoreHealth | None = None  # None: the store was not asked (see `skipped`)
    skipped: str | None = None  # why it was not asked, one sentence
    app_wide: bool = False  # its failure was the app's (invalid_client): every store would fail alike


@dataclass
class RefreshReport:
    results: list[StoreResult] = field(default_factory=list)
    # Every store fails alike until the app's settings are fixed (invalid_client, no client secret).
    app_problem: str | None = None

    @property
    def asked(self) -> list[StoreResult]:
        """The stores Amazon was asked about (the others were skipped, each saying why)."""
        return [r for r in self.results if r.health is not None]

    @property
    def needing(self) -> list[StoreResult]:
        """The stores asked whose health now needs the admin (a failed check, a warning)."""
        return [r for r in self.asked if health_warnings(r.health)]


class HealthRefresh:
    def __init__(
        self,
        health: HealthService,
        amazon: AmazonConfig,
        secrets: SecretStore,
        client_secret: Callable[[], str],
        mark_revoked: Callable[[Store], None],
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        # The process's shared token cache and usage plans, Amazon's backoff: tests shorten the waits.
        tokens: AccessTokenCache = SHARED_ACCESS_TOKENS,
        plans: UsagePlans = SHARED_USAGE_PLANS,
        retry_policy: RetryPolicy = HEALTH_RETRY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._health = health
        self._amazon = amazon
        self._secrets = secrets
        self._client_secret = client_secret  # raises ConnectNotReady when settings are missing
        self._mark_revoked = mark_revoked
        self._now = now
        self._tokens = tokens
        self._plans = plans
        self._retry_policy = retry_policy
        self._sleep = sleep
        self._one_at_a_time = threading.Lock()  # the background refresh and `r` never ask twice at once

    def refresh(self, stores: Sequence[Store], progress: Progress | None = None) -> RefreshReport:
        """Ask Amazon about each of these stores that can be asked; keep and return what it said."""
        report = RefreshReport()
        with self._one_at_a_time:
            asked = []
            for store in stores:
                reason = why_not_asked(store)
                if reason is None:
                    asked.append(store)
                else:
                    report.results.append(StoreResult(store.id or 0, store.name, skipped=reason))
            if not asked:
                return report
            try:
                app = LwaApp(self._amazon.lwa_token_url, self._amazon.client_id, self._client_secret())
            except AscError as exc:
                report.app_problem = exc.message
                return report
            with httpx.Client(follow_redirects=False) as http:
                for done, store in enumerate(asked):
                    if progress is not None:
                        progress(done, len(asked), store)
                    result = self._refresh_one(store, app, http)
                    report.results.append(result)
                    if result.app_wide and result.health is not None:
                        report.app_problem = result.health.problem
                        break
            if progress is not None:
                progress(len(asked), len(asked), None)
        return report

    def _refresh_one(self, store: Store, app: LwaApp, http: httpx.Client) -> StoreResult:
        store_id = store.id or 0
        token = self._secrets.get(refresh_token_key(store.token_ref or ""))
        if token is None:
            return StoreResult(
                store_id,
                store.name,
                skipped=_("This machine has no refresh token for it; reconnect it here."),
            )
        marketplace = MARKETPLACES[store.country]
        access = StoreAccess(
            app,
            token,
            self._amazon.endpoints.get(marketplace.region, ""),
            # Amazon meters per selling partner and app: stores of one seller in one region share buckets.
            store_key=f"{store.seller_id}:{marketplace.region}",
        )
        caller = SpApiCaller(
            access,
            tokens=self._tokens,
            plans=self._plans,
            http=http,
            retry_policy=self._retry_policy,
            sleep=self._sleep,
            now=self._now,
        )
        client = HealthClient(caller)
        failures: list[HealthCallError] = []

        def ask(call: Callable[[], T]) -> T | None:
            """The call's answer; None when it failed (kept in `failures`) or an earlier failure ends the
            store's check: a revoked authorization or the app's own secret fails every other call alike."""
            if failures and (isinstance(failures[-1], AuthorizationRevoked) or failures[-1].app_wide):
                return None
            try:
                return call()
            except HealthCallError as exc:
                failures.append(exc)
                if isinstance(exc, AuthorizationRevoked):
                    self._mark_revoked(store)
                return None

        metrics = ask(lambda: client.order_metrics(marketplace, now=self._now()))
        standing = ask(lambda: client.participation(marketplace))
        with_errors = ask(lambda: client.listings_with_errors(store.seller_id or "", marketplace))
        previous = self._health.health_of(store_id) or StoreHealth(store_id, None)
        health = _merged(
            previous, self._now(), marketplace.currency, metrics, standing, with_errors, failures
        )
        self._health.save_health(store_id, health)
        if failures:
            self._health.append_log(store_id, [exc.log_entry for exc in failures])
        app_wide = any(exc.app_wide for exc in failures)
        return StoreResult(store_id, store.name, health=health, app_wide=app_wide)


def _merged(
    previous: StoreHealth,
    checked_at: datetime,
    currency: str,
    metrics: OrderMetrics | None,
    standing: MarketplaceStanding | None,
    with_errors: int | None,
    failures: Sequence[HealthCallError],
) -> StoreHealth:
    """This check's answers over the last good ones: a call that failed keeps what it said before."""
    health = replace(previous, checked_at=checked_at, problem=None, problem_code=None)
    if metrics is not None:
        daily = tuple(DailySales(p.day, p.orders, p.units, p.sales) for p in metrics.points)
        currency = metrics.points[0].currency if metrics.points else currency
        orders, units, total = sum_daily(daily, currency)
        health = replace(health, daily=daily, orders_30d=orders, units_30d=units, sales_30d=total)
    if standing is not None:
        health = replace(
            health,
            is_participating=standing.is_participating,
            has_suspended_listings=standing.has_suspended_listings,
        )
    if with_errors is not None:
        health = replace(health, listings_with_errors=with_errors)
    if failures:
        first = failures[0]
        health = replace(health, problem=first.message, problem_code=first.code or type(first).__name__)
    return health
