"""The sandbox's SP-API Sales API: `GET /sales/v1/orderMetrics` (getOrderMetrics), per region.

Checks the query as Amazon's model describes it (one marketplace; `start--end` instants with Z or an offset;
a granularity; an IANA `granularityTimeZone` above Hour, agreeing with the interval's offsets; Hour only
within the last 30 days, the others within 2 years) and answers 400 InvalidInput otherwise. A seller with
`throttle_first_sales_call` gets Amazon's 429 on its first call, and answers after that.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from asc_tui.sandbox.demo import SandboxSeller
from asc_tui.sandbox.order_metrics import GRANULARITIES, WEEKDAYS, MetricsQuery, order_metrics
from asc_tui.sandbox.responses import one_marketplace, sp_api_route, sp_error, sp_json
from asc_tui.sandbox.state import SandboxState

SALES_RATE_LIMIT = "0.5"  # getOrderMetrics usage plan (sales.json): 0.5 requests per second, burst 15
HOUR_HISTORY = timedelta(days=30)
HISTORY = timedelta(days=2 * 365 + 1)  # "within 2 years", leap day included
QUOTA_EXCEEDED = "You exceeded your quota for the requested resource."
# The filters' values the model lists; the demo sellers sell to consumers, fulfil their orders themselves
# and do not break their sales down by product, so any narrower filter finds nothing.
_BUYER_TYPES = ("B2B", "B2C", "All")
_NETWORKS = ("MFN", "AFN")
_PROGRAMS = ("AmazonHaul",)


class SalesApi:
    def __init__(self, state: SandboxState) -> None:
        self._state = state

    def routes(self) -> list[Route]:
        return [sp_api_route(self._state, "/sales/v1/orderMetrics", self._order_metrics)]

    async def _order_metrics(self, request: Request, region: str, seller: SandboxSeller) -> Response:
        throttle = False
        if seller.throttle_first_sales_call:
            with self._state.lock:
                throttle = seller.selling_partner_id not in self._state.sales_throttled
                self._state.sales_throttled.add(seller.selling_partner_id)
        if throttle:
            # No x-amzn-RateLimit-Limit: Amazon's model says it is no longer returned with a 429.
            return sp_error(429, "QuotaExceeded", QUOTA_EXCEEDED, "")
        now = self._state.now()
        query = parse_query(request.query_params, region, now)
        if isinstance(query, str):
            return sp_error(400, "InvalidInput", query, "", **{"x-amzn-RateLimit-Limit": SALES_RATE_LIMIT})
        if not seller.sells_in(query.marketplace_id):  # another seller's marketplace, or one it left
            query = replace(query, sells=False)
        return sp_json({"payload": order_metrics(seller.selling_partner_id, query, now)}, SALES_RATE_LIMIT)


def _instant(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None  # "must represent absolute time"


def _zone(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # ValueError: a path-like or malformed key
        return None


def parse_query(params: QueryParams, region: str, now: datetime) -> MetricsQuery | str:
    """The checked query, or the message of Amazon's 400."""
    marketplace = one_marketplace(params, region)
    if isinstance(marketplace, str):
        return marketplace

    parts = params.get("interval", "").split("--")
    start, end = (_instant(parts[0]), _instant(parts[1])) if len(parts) == 2 else (None, None)
    if start is None or end is None:
        return "interval must be two ISO 8601 date-times with Z or an offset, joined by '--'."
    if end <= start:
        return "The end of interval must be after its start."

    granularity = params.get("granularity", "")
    if granularity not in GRANULARITIES:
        return f"granularity must be one of {', '.join(GRANULARITIES)}."
    if start < now - (HOUR_HISTORY if granularity == "Hour" else HISTORY):
        limit = "30 days" if granularity == "Hour" else "2 years"
        return f"With granularity {granularity}, interval must start within the last {limit}."

    zone_name = params.get("granularityTimeZone")
    zone: tzinfo | None = start.tzinfo
    if zone_name is not None:
        zone = _zone(zone_name)
        if zone is None:
            return f"granularityTimeZone {zone_name!r} is not an IANA time zone."
        if zone.utcoffset(start) != start.utcoffset() or zone.utcoffset(end) != end.utcoffset():
            return "granularityTimeZone must align with the offsets of interval."
    elif granularity not in ("Hour", "Total"):
        return f"granularityTimeZone is required with granularity {granularity}."

    first_day = params.get("firstDayOfWeek", "Monday")
    buyer_type = params.get("buyerType", "All")
    network = params.get("fulfillmentNetwork")
    program = params.get("amazonProgram")
    asin, sku = params.get("asin"), params.get("sku")
    if first_day not in WEEKDAYS:
        return "firstDayOfWeek must be Monday or Sunday."
    if buyer_type not in _BUYER_TYPES:
        return f"buyerType must be one of {', '.join(_BUYER_TYPES)}."
    if network is not None and network not in _NETWORKS:
        return f"fulfillmentNetwork must be one of {', '.join(_NETWORKS)}."
    if program is not None and program not in _PROGRAMS:
        return f"amazonProgram must be one of {', '.join(_PROGRAMS)}."
    if asin is not None and sku is not None:
        return "Specify asin or sku, not both."
    assert zone is not None  # an aware start has a tzinfo
    return MetricsQuery(
        marketplace_id=marketplace.marketplace_id,
        currency=marketplace.currency,
        start=start,
        end=end,
        granularity=granularity,
        zone=zone,
        first_day_of_week=WEEKDAYS[first_day],
        sells=buyer_type != "B2B" and network != "AFN" and program is None and asin is None and sku is None,
    )
