"""A store as a card on the home grid: Adobe's store card, in a terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from asc_tui.domain import MARKETPLACES, AuthHealth, StoreStatus, store_health
from asc_tui.ui.text import literal, local_time

if TYPE_CHECKING:
    # Only for types: importing the tables would pull SQLModel into the first frame.
    from asc_tui.storage.models import Store

STATUS_STYLE = {
    StoreStatus.NOT_CONNECTED: "dim",
    StoreStatus.ACTIVE: "bold green",
    StoreStatus.INACTIVE: "yellow",
}
HEALTH_STYLE = {
    AuthHealth.NONE: "dim",
    AuthHealth.OK: "green",
    AuthHealth.RENEW_SOON: "bold yellow",
    AuthHealth.EXPIRED: "bold red",
    AuthHealth.REVOKED: "bold red",
}


def status_line(store: Store) -> Text:
    status = StoreStatus(store.status)
    line = Text.assemble(("● ", STATUS_STYLE[status]), (status.label, STATUS_STYLE[status]))
    if status is StoreStatus.NOT_CONNECTED:
        line.append("   next: Connect (c)", style="italic")
    return line


def authorization_line(store: Store, secret_missing: bool = False) -> Text:
    health, days = store_health(store)
    seller = store.seller_id or "—"
    line = Text.assemble(("Seller ID ", "dim"), literal(seller), ("   Authorization ", "dim"))
    if health is AuthHealth.NONE:
        line.append("—", style="dim")
    else:
        label = (
            health.label
            if days is None or health is AuthHealth.EXPIRED
            else f"{health.label}, {days} days left"
        )
        line.append(label, style=HEALTH_STYLE[health])
    if secret_missing and health is not AuthHealth.NONE:
        line.append("   Reconnect needed", style="bold yellow")
    return line


def title_line(store: Store) -> Text:
    return Text.assemble((f" {store.country} ", "reverse bold"), " ", literal(store.name, "bold"))


def website_line(store: Store, website_name: str | None) -> Text:
    marketplace = MARKETPLACES.get(store.country)
    where = marketplace.domain if marketplace else store.country
    if website_name is None:
        # The catalog no longer has this website: flagged, never silently changed.
        return Text.assemble(
            ("Website ", "dim"),
            literal(store.website),
            (" ⚠ not in the catalog any more", "bold yellow"),
            ("   ", ""),
            (where, "dim"),
        )
    label = f"{website_name} ({store.website})"
    return Text.assemble(("Website ", "dim"), literal(label), ("   ", ""), (where, "dim"))


def dates_line(store: Store) -> Text:
    return Text.assemble(
        ("Updated ", "dim"),
        local_time(store.updated_at),
        ("   Created ", "dim"),
        local_time(store.created_at),
    )


class StoreCard(Vertical, can_focus=True, can_focus_children=False):
    """One store; focus it with the arrows and act on it with the home's keys."""

    def __init__(self, store: Store, website_name: str | None) -> None:
        super().__init__(id=f"store-{store.id}", classes="store-card")
        self.store = store
        self.website_name = website_name

    def compose(self) -> ComposeResult:
        yield Static(classes="card-title")
        yield Static(classes="card-website")
        yield Static(classes="card-status")
        yield Static(classes="card-auth")
        yield Static(classes="card-dates")

    def on_mount(self) -> None:
        self.show(self.store, self.website_name)

    def show(self, store: Store, website_name: str | None) -> None:
        self.store, self.website_name = store, website_name
        self.query_one(".card-title", Static).update(title_line(store))
        self.query_one(".card-website", Static).update(website_line(store, website_name))
        self.query_one(".card-status", Static).update(status_line(store))
        missing = store.id in getattr(self.app, "missing_secrets", ())
        self.query_one(".card-auth", Static).update(authorization_line(store, missing))
        self.query_one(".card-dates", Static).update(dates_line(store))
        self.set_class(store.status == StoreStatus.NOT_CONNECTED.value, "-not-connected")
        self.set_class(store_health(store)[0].needs_action, "-needs-renewal")
