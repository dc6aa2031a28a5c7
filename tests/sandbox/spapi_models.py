"""What Amazon's published SP-API models say about the three store-health calls, and a small checker.

Transcribed by hand (only what the sandbox serves) from github.com/amzn/selling-partner-api-models:
- `models/sales-api-model/sales.json` @ bb19f0c096d80a0c4cb75c53fd251858ed21710b (getOrderMetrics);
- `models/sellers-api-model/sellers.json` @ 6a74cd37f8c98f63f7365519c1dc6072f3d97574
  (getMarketplaceParticipations; that version has no `storeName`, which /work/shared/reference/spapi.md §5.2
  reports newer versions add as required, so it is checked from there);
- `models/listings-items-api-model/listingsItems_2021-08-01.json` @ e56ecc2c3a1b75d37bb390e38453642308d785fe
  (searchListingsItems).
The schemas keep the models' JSON Schema words (type, required, properties, items, enum, pattern), so a
line here can be compared with the model's definition of the same name. Not from the models: the 400 code
`InvalidInput` (the fact sheet's; the Listings model's static-sandbox example says `BAD_REQUEST`).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

Schema = dict[str, Any]

# --- shared --------------------------------------------------------------------------------------

ERROR: Schema = {  # Error in all three models
    "type": "object",
    "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "string"}},
}
ERROR_LIST: Schema = {  # listings' ErrorList is an object; sales' and sellers' responses carry `errors`
    "type": "object",
    "required": ["errors"],
    "properties": {"errors": {"type": "array", "items": ERROR}},
}
DECIMAL: Schema = {"type": "string", "format": "decimal"}  # "A decimal number with no loss of precision"
MONEY: Schema = {
    "type": "object",
    "required": ["amount", "currencyCode"],
    "properties": {"currencyCode": {"type": "string"}, "amount": DECIMAL},
}
# "The rate limit header is deprecated and no longer returned" with 413/415/429/500/503 (all three models);
# 403 declares only x-amzn-RequestId; 200, 400 and 404 declare x-amzn-RateLimit-Limit.
RATE_LIMIT_HEADER = "x-amzn-RateLimit-Limit"
REQUEST_ID_HEADER = "x-amzn-RequestId"

# --- Sales API: getOrderMetrics -------------------------------------------------------------------

SALES_PATH = "/sales/v1/orderMetrics"
SALES_RATE = "0.5"  # usage plan table: rate .5, burst 15
SALES_REQUIRED_QUERY = ("marketplaceIds", "interval", "granularity")
SALES_OPTIONAL_QUERY = (
    "granularityTimeZone",  # "Required when specifying a granularity value greater than Hour"
    "buyerType",
    "fulfillmentNetwork",
    "firstDayOfWeek",
    "asin",
    "sku",
    "amazonProgram",
)
GRANULARITIES = ("Hour", "Day", "Week", "Month", "Year", "Total")
BUYER_TYPES = ("B2B", "B2C", "All")
FIRST_DAYS_OF_WEEK = ("Monday", "Sunday")
ORDER_METRICS_INTERVAL: Schema = {
    "type": "object",
    "required": ["averageUnitPrice", "interval", "orderCount", "orderItemCount", "totalSales", "unitCount"],
    "properties": {
        "interval": {"type": "string"},
        "unitCount": {"type": "integer"},
        "orderItemCount": {"type": "integer"},
        "orderCount": {"type": "integer"},
        "averageUnitPrice": MONEY,  # "Formula is totalSales/unitCount."
        "totalSales": MONEY,
    },
}
GET_ORDER_METRICS_RESPONSE: Schema = {
    "type": "object",
    "properties": {
        "payload": {"type": "array", "items": ORDER_METRICS_INTERVAL},
        "errors": {"type": "array", "items": ERROR},
    },
}

# --- Sellers API: getMarketplaceParticipations ----------------------------------------------------

SELLERS_PATH = "/sellers/v1/marketplaceParticipations"
SELLERS_RATE = "0.016"  # usage plan table: rate .016, burst 15
MARKETPLACE: Schema = {
    "type": "object",
    "required": ["id", "name", "countryCode", "defaultCurrencyCode", "defaultLanguageCode", "domainName"],
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "countryCode": {"type": "string", "pattern": "^([A-Z]{2})$"},
        "defaultCurrencyCode": {"type": "string"},
        "defaultLanguageCode": {"type": "string"},
        "domainName": {"type": "string"},
    },
}
PARTICIPATION: Schema = {
    "type": "object",
    "required": ["isParticipating", "hasSuspendedListings"],
    "properties": {"isParticipating": {"type": "boolean"}, "hasSuspendedListings": {"type": "boolean"}},
}
MARKETPLACE_PARTICIPATION: Schema = {
    "type": "object",
    "required": ["marketplace", "participation", "storeName"],  # storeName: spapi.md §5.2 (newer model)
    "properties": {
        "marketplace": MARKETPLACE,
        "participation": PARTICIPATION,
        "storeName": {"type": "string"},
    },
}
GET_MARKETPLACE_PARTICIPATIONS_RESPONSE: Schema = {
    "type": "object",
    "properties": {
        "payload": {"type": "array", "items": MARKETPLACE_PARTICIPATION},
        "errors": {"type": "array", "items": ERROR},
    },
}

# --- Listings Items API 2021-08-01: searchListingsItems ------------------------------------------

LISTINGS_PATH = "/listings/2021-08-01/items/{sellerId}"
LISTINGS_RATE = "5"  # usage plan table: rate 5, burst 5
LISTINGS_REQUIRED_QUERY = ("marketplaceIds",)  # array, maxItems 1, csv
LISTINGS_OPTIONAL_QUERY = (
    "issueLocale",
    "includedData",
    "identifiers",
    "identifiersType",
    "variationParentSku",
    "packageHierarchySku",
    "createdAfter",
    "createdBefore",
    "lastUpdatedAfter",
    "lastUpdatedBefore",
    "withIssueSeverity",
    "withStatus",
    "withoutStatus",
    "sortBy",
    "sortOrder",
    "pageSize",
    "pageToken",
)
PAGE_SIZE_MAXIMUM = 20
PAGE_SIZE_DEFAULT = 10
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
ISSUE_SEVERITY_FILTER = ("WARNING", "ERROR")  # withIssueSeverity's items
LISTING_STATUSES = ("BUYABLE", "DISCOVERABLE")
ISSUE: Schema = {
    "type": "object",
    "required": ["code", "message", "severity", "categories"],
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "severity": {"type": "string", "enum": ["ERROR", "WARNING", "INFO"]},
        "attributeNames": {"type": "array", "items": {"type": "string"}},
        "categories": {"type": "array", "items": {"type": "string"}},
        "enforcements": {
            "type": "object",
            "required": ["actions", "exemption"],
            "properties": {
                "actions": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["action"],
                        "properties": {"action": {"type": "string"}},
                    },
                },
                "exemption": {
                    "type": "object",
                    "required": ["status"],
                    "properties": {
                        "status": {
                            "type": "string",
                            "enum": ["EXEMPT", "EXEMPT_UNTIL_EXPIRY_DATE", "NOT_EXEMPT"],
                        },
                        "expiryDate": {"type": "string"},
                    },
                },
            },
        },
    },
}
ITEM_SUMMARY_BY_MARKETPLACE: Schema = {
    "type": "object",
    "required": ["marketplaceId", "productType", "status", "createdDate", "lastUpdatedDate"],
    "properties": {
        "marketplaceId": {"type": "string"},
        "asin": {"type": "string"},
        "productType": {"type": "string"},
        "conditionType": {"type": "string"},  # an enum of 13 in the model; the sandbox says new_new
        "status": {"type": "array", "items": {"type": "string", "enum": list(LISTING_STATUSES)}},
        "itemName": {"type": "string"},
        "createdDate": {"type": "string", "format": "date-time"},
        "lastUpdatedDate": {"type": "string", "format": "date-time"},
    },
}
ITEM: Schema = {
    "type": "object",
    "required": ["sku"],
    "properties": {
        "sku": {"type": "string"},
        "summaries": {"type": "array", "items": ITEM_SUMMARY_BY_MARKETPLACE},
        "issues": {"type": "array", "items": ISSUE},
        "offers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["marketplaceId", "offerType", "price"],
                "properties": {
                    "marketplaceId": {"type": "string"},
                    "offerType": {"type": "string", "enum": ["B2C", "B2B"]},
                    "price": MONEY,
                },
            },
        },
        "productTypes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["marketplaceId", "productType"],
                "properties": {"marketplaceId": {"type": "string"}, "productType": {"type": "string"}},
            },
        },
    },
}
PAGINATION: Schema = {
    "type": "object",
    "properties": {"nextToken": {"type": "string"}, "previousToken": {"type": "string"}},
}
ITEM_SEARCH_RESULTS: Schema = {
    "type": "object",
    "required": ["numberOfResults", "items"],
    "properties": {
        "numberOfResults": {"type": "integer"},
        "pagination": PAGINATION,
        "items": {"type": "array", "items": ITEM},
    },
}

# --- the checker ---------------------------------------------------------------------------------

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
}


def problems(value: Any, schema: Schema, where: str = "$") -> list[str]:
    """Where `value` breaks `schema` (empty when it conforms). Extra properties are allowed, as in the models."""
    kind = schema.get("type")
    wrong_type = kind is not None and not isinstance(value, _TYPES[kind])
    if wrong_type or (kind == "integer" and isinstance(value, bool)):  # bool is an int to Python, not to JSON
        return [f"{where}: expected {kind}, got {type(value).__name__}"]
    found: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{where}: {value!r} not in {schema['enum']}")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        found.append(f"{where}: {value!r} does not match {schema['pattern']}")
    if schema.get("format") == "decimal":
        try:
            Decimal(value)
        except InvalidOperation:
            found.append(f"{where}: {value!r} is not a decimal")
    if isinstance(value, dict):
        found += [f"{where}: missing {name}" for name in schema.get("required", []) if name not in value]
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                found += problems(value[name], sub, f"{where}.{name}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += problems(item, schema["items"], f"{where}[{index}]")
    return found
