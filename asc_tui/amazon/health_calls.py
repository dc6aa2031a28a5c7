"""The Amazon side of a store's health refresh: three read-only SP-API calls (reference/spapi-health.md).

- `order_metrics`: getOrderMetrics by day over the last whole days in the marketplace's zone;
- `participation`: the store's own marketplace entry from getMarketplaceParticipations;
- `listings_with_errors`: searchListingsItems' count of listings with an ERROR issue, in one call.

Results are this adapter's own dataclasses; the services turn them into the stored health. Every failure
is a `HealthCallError` (`health_errors.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from asc_tui.amazon.errors import AmazonProtocolError
from asc_tui.amazon.order_metrics import OrderMetrics, format_interval, last_whole_days, parse_order_metrics
from asc_tui.amazon.sellers import PARTICIPATIONS_PATH, SERVICE, parse_participations
from asc_tui.amazon.spapi_call import SpApiCaller
from asc_tui.amazon.usage_plans import (
    GET_MARKETPLACE_PARTICIPATIONS,
    GET_ORDER_METRICS,
    SEARCH_LISTINGS_ITEMS,
)
from asc_tui.domain import Marketplace
from asc_tui.i18n import _

ORDER_METRICS_PATH = "/sales/v1/orderMetrics"
LISTINGS_PATH = "/listings/2021-08-01/items/{seller_id}"
DAYS = 30  # the sales a card shows: the last 30 whole days


@dataclass(frozen=True)
class MarketplaceStanding:
    """The store's own marketplace as getMarketplaceParticipations lists it."""

    marketplace_id: str
    is_participating: bool  # False: the account no longer sells there, or Amazon does not list it at all
    has_suspended_listings: bool  # True: some listings are suspended; the seller acts in Seller Central


class HealthClient:
    """The health calls of one store, over an `SpApiCaller` (its token cache, buckets and retries)."""

    def __init__(self, caller: SpApiCaller) -> None:
        self.caller = caller

    def __repr__(self) -> str:
        return f"HealthClient({self.caller!r})"

    def order_metrics(self, marketplace: Marketplace, now: datetime | None = None) -> OrderMetrics:
        """Orders, units and sales of each of the last `DAYS` whole days (today excluded), oldest first."""
        start, end = last_whole_days(marketplace.time_zone, DAYS, now or datetime.now(UTC))
        interval = format_interval(start, end)
        params = {
            "marketplaceIds": marketplace.marketplace_id,
            "interval": interval,
            "granularity": "Day",
            "granularityTimeZone": marketplace.time_zone,
        }
        return self.caller.get_json(
            GET_ORDER_METRICS,
            ORDER_METRICS_PATH,
            params,
            lambda body: parse_order_metrics(body, marketplace.marketplace_id, interval),
        )

    def participation(self, marketplace: Marketplace) -> MarketplaceStanding:
        """Whether the account still sells in the store's marketplace and has suspended listings there
        (Amazon lists the region's other marketplaces too: they are another store's business)."""

        def own(body: Any) -> MarketplaceStanding:
            for part in parse_participations(body):
                if part.marketplace_id == marketplace.marketplace_id:
                    return MarketplaceStanding(
                        marketplace.marketplace_id, part.is_participating, part.has_suspended_listings
                    )
            return MarketplaceStanding(marketplace.marketplace_id, False, False)

        return self.caller.get_json(GET_MARKETPLACE_PARTICIPATIONS, PARTICIPATIONS_PATH, {}, own)

    def listings_with_errors(self, seller_id: str, marketplace: Marketplace) -> int:
        """How many of the seller's listings in the marketplace have an ERROR issue: `numberOfResults`
        counts every match, so one item per page is enough."""
        path = LISTINGS_PATH.format(seller_id=quote(seller_id, safe=""))
        params = {"marketplaceIds": marketplace.marketplace_id, "withIssueSeverity": "ERROR", "pageSize": "1"}
        return self.caller.get_json(SEARCH_LISTINGS_ITEMS, path, params, _number_of_results)


def _number_of_results(body: Any) -> int:
    count = body.get("numberOfResults") if isinstance(body, dict) else None
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise AmazonProtocolError(SERVICE, _("numberOfResults is not a count"), status=200)
    return count
