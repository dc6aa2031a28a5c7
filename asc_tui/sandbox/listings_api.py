"""The sandbox's SP-API Listings Items API: `GET /listings/2021-08-01/items/{sellerId}` (searchListingsItems).

The filters a dashboard uses work (`withIssueSeverity`, `withStatus` / `withoutStatus`, `identifiers` by SKU
or ASIN, the created / last-updated bounds), with sorting and paging (`pageSize` at most 20, opaque page
tokens), so `withIssueSeverity=ERROR&pageSize=1` counts the listings with errors in one call, as on Amazon.
A sellerId other than the token's seller is refused with 403 Unauthorized.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from asc_tui.domain import MARKETPLACE_BY_ID
from asc_tui.sandbox.demo import SandboxSeller
from asc_tui.sandbox.listings_demo import Listing, listings_of
from asc_tui.sandbox.responses import listed, one_marketplace, sp_api_route, sp_error, sp_json
from asc_tui.sandbox.state import DENIED, SandboxState

LISTINGS_RATE_LIMIT = "5"  # searchListingsItems usage plan (listingsItems_2021-08-01.json): 5/s, burst 5
MAX_PAGE_SIZE = 20
DEFAULT_PAGE_SIZE = 10
INCLUDED_DATA = (
    "summaries",
    "attributes",
    "issues",
    "offers",
    "fulfillmentAvailability",
    "procurement",
    "relationships",
    "productTypes",
)
SEVERITIES = ("WARNING", "ERROR")
STATUSES = ("BUYABLE", "DISCOVERABLE")
_SORT_KEYS: dict[str, Callable[[Listing], str | datetime]] = {
    "sku": lambda item: item.sku,
    "createdDate": lambda item: item.created,
    "lastUpdatedDate": lambda item: item.updated,
}
_DATE_FILTERS: dict[str, Callable[[Listing, datetime], bool]] = {
    "createdAfter": lambda item, moment: item.created >= moment,
    "createdBefore": lambda item, moment: item.created <= moment,
    "lastUpdatedAfter": lambda item, moment: item.updated >= moment,
    "lastUpdatedBefore": lambda item, moment: item.updated <= moment,
}


class ListingsApi:
    def __init__(self, state: SandboxState) -> None:
        self._state = state

    def routes(self) -> list[Route]:
        return [sp_api_route(self._state, "/listings/2021-08-01/items/{seller_id}", self._search)]

    async def _search(self, request: Request, region: str, seller: SandboxSeller) -> Response:
        if request.path_params["seller_id"] != seller.selling_partner_id:
            return sp_error(403, "Unauthorized", DENIED, "")  # another seller's listings
        result = search(seller, request.query_params, region)
        if isinstance(result, str):
            return sp_error(
                400, "InvalidInput", result, "", **{"x-amzn-RateLimit-Limit": LISTINGS_RATE_LIMIT}
            )
        return sp_json(result, LISTINGS_RATE_LIMIT)


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"sandbox-page:{offset}".encode()).decode().rstrip("=")


def _offset(token: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
        return None
    prefix, _, number = text.partition(":")
    return int(number) if prefix == "sandbox-page" and number.isdigit() else None


def _item(listing: Listing, marketplace_id: str, included: list[str]) -> dict[str, object]:
    currency = MARKETPLACE_BY_ID[marketplace_id].currency
    item: dict[str, object] = {"sku": listing.sku}
    if "summaries" in included:
        item["summaries"] = [
            {
                "marketplaceId": marketplace_id,
                "asin": listing.asin,
                "productType": listing.product_type,
                "conditionType": "new_new",
                "status": list(listing.status),
                "itemName": listing.name,
                "createdDate": listing.created.isoformat().replace("+00:00", "Z"),
                "lastUpdatedDate": listing.updated.isoformat().replace("+00:00", "Z"),
            }
        ]
    if "issues" in included:
        item["issues"] = [dict(issue) for issue in listing.issues]
    if "offers" in included:
        price = {"currencyCode": currency, "amount": format(listing.price.normalize(), "f")}
        item["offers"] = [{"marketplaceId": marketplace_id, "offerType": "B2C", "price": price}]
    if "fulfillmentAvailability" in included:
        item["fulfillmentAvailability"] = [{"fulfillmentChannelCode": "DEFAULT", "quantity": 25}]
    if "productTypes" in included:
        item["productTypes"] = [{"marketplaceId": marketplace_id, "productType": listing.product_type}]
    return item  # attributes, procurement and relationships: the demo listings have none to show


def search(seller: SandboxSeller, params: QueryParams, region: str) -> dict[str, object] | str:
    """searchListingsItems' body, or the message of Amazon's 400."""
    marketplace = one_marketplace(params, region)
    if isinstance(marketplace, str):
        return marketplace
    included = listed(params, "includedData") or ["summaries"]
    severities = listed(params, "withIssueSeverity")
    with_status, without_status = listed(params, "withStatus"), listed(params, "withoutStatus")
    for name, values, allowed in (
        ("includedData", included, INCLUDED_DATA),
        ("withIssueSeverity", severities, SEVERITIES),
        ("withStatus", with_status, STATUSES),
        ("withoutStatus", without_status, STATUSES),
    ):
        wrong = [v for v in values if v not in allowed]
        if wrong:
            return f"Invalid {name}: {', '.join(wrong)}. Allowed: {', '.join(allowed)}."

    items = list(listings_of(seller, marketplace.marketplace_id))
    if severities:
        items = [i for i in items if i.severities() & set(severities)]
    if with_status:
        items = [i for i in items if set(i.status) & set(with_status)]
    if without_status:
        items = [i for i in items if not set(i.status) & set(without_status)]
    identifiers, identifiers_type = listed(params, "identifiers"), params.get("identifiersType")
    if identifiers and identifiers_type is None:
        return "identifiersType is required with identifiers."
    if identifiers:
        by = {"SKU": lambda i: i.sku, "ASIN": lambda i: i.asin}.get(str(identifiers_type))
        items = [i for i in items if by is not None and by(i) in identifiers]
    if params.get("variationParentSku") or params.get("packageHierarchySku"):
        items = []  # the demo listings have no variations or packages
    for name, keep in _DATE_FILTERS.items():
        if name in params:
            try:
                moment = datetime.fromisoformat(params[name])
            except ValueError:
                return f"{name} must be an ISO 8601 date-time."
            if moment.tzinfo is None:
                return f"{name} must be an ISO 8601 date-time with Z or an offset."
            items = [i for i in items if keep(i, moment)]

    sort_by, order = params.get("sortBy", "lastUpdatedDate"), params.get("sortOrder", "DESC")
    if sort_by not in _SORT_KEYS or order not in ("ASC", "DESC"):
        return "sortBy must be sku, createdDate or lastUpdatedDate, and sortOrder ASC or DESC."
    items.sort(key=_SORT_KEYS[sort_by], reverse=order == "DESC")

    size_text = params.get("pageSize", str(DEFAULT_PAGE_SIZE))
    if not size_text.isdigit() or not 1 <= int(size_text) <= MAX_PAGE_SIZE:
        return f"pageSize must be a whole number from 1 to {MAX_PAGE_SIZE}."
    size = int(size_text)
    offset = 0
    if "pageToken" in params:
        parsed = _offset(params["pageToken"])
        if parsed is None:
            return "Invalid pageToken."
        offset = parsed
    pagination: dict[str, str] = {}
    if offset + size < len(items):
        pagination["nextToken"] = _token(offset + size)
    if offset > 0:
        pagination["previousToken"] = _token(max(0, offset - size))
    return {
        "numberOfResults": len(items),
        "pagination": pagination,
        "items": [_item(i, marketplace.marketplace_id, included) for i in items[offset : offset + size]],
    }
