"""Magento's answers read into the catalog: lists, search results, and each website's default store view."""

from __future__ import annotations

from typing import Any

from asc_tui.commerce.errors import MagentoProtocolError
from asc_tui.commerce.magento_endpoints import Endpoint
from asc_tui.commerce.model import StoreView, Website
from asc_tui.i18n import _


def list_of_objects(body: Any, name: str, endpoint: Endpoint) -> list[dict[str, Any]]:
    if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
        raise MagentoProtocolError(
            _(
                "{shop} answered {path} with JSON that is not Magento's list of {what}; check commerce.base_url."
            ).format(shop=name, path=f"/rest{endpoint.path}", what=endpoint.what)
        )
    return body


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def search_results(body: Any, name: str) -> tuple[list[dict[str, Any]], int]:
    items = body.get("items") if isinstance(body, dict) else None
    total = _int(body.get("total_count")) if isinstance(body, dict) else None
    if items is None and total == 0:
        items = []  # Magento leaves out an empty list when `fields` trims the answer
    if not isinstance(items, list) or total is None or total < 0:
        raise MagentoProtocolError(
            _(
                "{shop} answered /rest/V1/products/attributes with JSON that is not Magento's search result "
                "(items and total_count); check commerce.base_url."
            ).format(shop=name)
        )
    return [item for item in items if isinstance(item, dict)], total


def websites_and_views(
    websites: list[dict[str, Any]],
    groups: list[dict[str, Any]],
    views: list[dict[str, Any]],
    name: str,
) -> tuple[tuple[Website, ...], tuple[StoreView, ...]]:
    def is_admin(item: dict[str, Any]) -> bool:
        return _int(item.get("id")) == 0 or item.get("code") == "admin"

    site_by_id: dict[int, dict[str, Any]] = {}
    for site in websites:
        site_id = _int(site.get("id"))
        code = site.get("code")
        if site_id is None or not isinstance(code, str) or not code:
            raise MagentoProtocolError(
                _("{shop} listed a website without an id or code; check commerce.base_url.").format(shop=name)
            )
        if not is_admin(site):
            site_by_id[site_id] = site
    group_by_id = {gid: g for g in groups if (gid := _int(g.get("id"))) is not None}
    view_rows: list[tuple[int, dict[str, Any]]] = []
    for view in views:
        view_id = _int(view.get("id"))
        if view_id is None or is_admin(view) or not isinstance(view.get("code"), str) or not view.get("code"):
            continue
        if _int(view.get("website_id")) in site_by_id:
            view_rows.append((view_id, view))
    view_by_id = dict(view_rows)

    store_views = tuple(
        StoreView(
            code=str(view["code"]),
            name=_text(view.get("name")) or str(view["code"]),
            website=str(site_by_id[_int(view.get("website_id")) or 0]["code"]),
        )
        for _view_id, view in view_rows
    )

    result: list[Website] = []
    for site_id, site in site_by_id.items():
        chosen: dict[str, Any] | None = None
        group = group_by_id.get(_int(site.get("default_group_id")) or -1)
        if group is not None:
            candidate = view_by_id.get(_int(group.get("default_store_id")) or -1)
            if candidate is not None and _int(candidate.get("website_id")) == site_id:
                chosen = candidate
        if chosen is None:  # no default group/store: the website's first active store view, else its first
            own = [
                v
                for _view_id, v in sorted(view_rows, key=lambda row: row[0])
                if _int(v.get("website_id")) == site_id
            ]
            active = [v for v in own if v.get("is_active") in (1, True, "1")]
            chosen = next(iter(active or own), None)
        result.append(
            Website(
                code=str(site["code"]),
                name=_text(site.get("name")) or str(site["code"]),
                default_store_view=str(chosen["code"]) if chosen else "",
            )
        )
    return tuple(result), store_views


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
