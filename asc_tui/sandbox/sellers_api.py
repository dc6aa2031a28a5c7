"""The sandbox's SP-API Sellers API: `GET /sellers/v1/marketplaceParticipations`, per region."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from asc_tui.sandbox.demo import SandboxSeller, marketplace_json, marketplace_region
from asc_tui.sandbox.responses import sp_api_route, sp_json
from asc_tui.sandbox.state import SandboxState

SELLERS_RATE_LIMIT = "0.016"  # getMarketplaceParticipations usage plan, requests per second


class SellersApi:
    def __init__(self, state: SandboxState) -> None:
        self._state = state

    def routes(self) -> list[Route]:
        return [sp_api_route(self._state, "/sellers/v1/marketplaceParticipations", self._participations)]

    async def _participations(self, request: Request, region: str, seller: SandboxSeller) -> Response:
        payload = []
        for marketplace_id in seller.marketplaces:
            marketplace = marketplace_json(marketplace_id)
            if marketplace is None or marketplace_region(marketplace_id) != region:
                continue
            payload.append(
                {
                    "marketplace": marketplace,
                    "storeName": seller.store_name,
                    "participation": {
                        "isParticipating": seller.sells_in(marketplace_id),
                        "hasSuspendedListings": marketplace_id in seller.suspended_listings_in,
                    },
                }
            )
        return sp_json({"payload": payload}, SELLERS_RATE_LIMIT)
