"""One store in full: the card's header, its health (what Amazon last said, with the communication log), its
attribute mapping, order import and its activity log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from asc_tui.domain import MARKETPLACES, StoreStatus
from asc_tui.errors import AscError
from asc_tui.i18n import N_, _
from asc_tui.ui.activity import shown_detail
from asc_tui.ui.app_reach import asc_app
from asc_tui.ui.text import country_name, fill, literal, local_time, plain
from asc_tui.ui.widgets.footer import Footer
from asc_tui.ui.widgets.health_panel import HealthPanel, log_row
from asc_tui.ui.widgets.sales_chart import SalesChart
from asc_tui.ui.widgets.store_card import (
    authorization_line,
    dates_line,
    renewal_line,
    status_line,
    title_line,
    website_line,
)

if TYPE_CHECKING:
    from asc_tui.domain.health import CommunicationEntry, StoreHealth
    from asc_tui.storage.models import Activity, Store

# What the activity log's actions (stored in English) say on screen.
ACTION_WORDS = {
    "created": N_("created"),
    "edited": N_("edited"),
    "activated": N_("activated"),
    "deactivated": N_("deactivated"),
    "connected": N_("connected"),
    "renewed": N_("renewed"),
    "revoked": N_("revoked"),
}


class StoreViewScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "back", N_("Back"), tooltip=N_("Back to the home")),
        Binding("e", "on_store('edit_store')", N_("Edit"), tooltip=N_("Edit name and email")),
        Binding(
            "c",
            "on_store('connect_store')",
            N_("Connect/Renew"),
            tooltip=N_("Connect the store to Amazon or renew it"),
        ),
        Binding("t", "on_store('toggle_store')", N_("Activate/Deactivate")),
        Binding("d", "on_store('delete_store')", N_("Delete")),
        Binding("r", "refresh_health", N_("Refresh health"), tooltip=N_("Ask Amazon about this store now")),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__(id="store-view")
        self.store = store
        self.asking = False  # Amazon is being asked about this store now (ui/health_refresh.py)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="store-view-body"):
            with Vertical(id="store-header", classes="panel"):
                yield Static(id="view-title")
                yield Static(id="view-website")
                yield Static(id="view-status")
                yield Static(id="view-auth")
                yield Static(id="view-renewal")
                yield Static(id="view-dates")
            yield HealthPanel(id="health", classes="panel")
            log: DataTable[Text | str] = DataTable(id="health-log", cursor_type="row", zebra_stripes=True)
            log.border_title = _("Communication log")
            yield log
            yield Static(id="view-details", classes="panel")
            activity: DataTable[Text | str] = DataTable(id="activity", cursor_type="row", zebra_stripes=True)
            activity.border_title = _("Activity")
            yield activity
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#activity", DataTable).add_columns(_("When"), _("What"), _("Details"))
        self.query_one("#health-log", DataTable).add_columns(_("When"), _("Call"), _("Code"), _("Message"))
        self.show(self.store)

    async def retranslate(self) -> None:
        """The language changed: compose again, then the table's columns and the store's lines anew."""
        from asc_tui.ui.retranslate import rebuild

        await rebuild(self)
        self.on_mount()

    def show(self, store: Store) -> None:
        if store.status != self.store.status:
            self.refresh_bindings()  # `r` comes or goes with the connection
        self.store = store
        catalog = asc_app(self.app).catalog
        website = catalog.website(store.website) if catalog else None
        self.title = plain(store.name)  # the header and the terminal's title bar: no control characters
        self.sub_title = _("Store view")
        self.query_one("#view-title", Static).update(title_line(store))
        self.query_one("#view-website", Static).update(website_line(store, website.name if website else None))
        self.query_one("#view-status", Static).update(status_line(store))
        missing = store.id in asc_app(self.app).missing_secrets
        auth = authorization_line(store, missing)
        if missing:
            auth.append(
                "\n"
                + _(
                    "This machine's keyring has no refresh token for this store (it was connected from another "
                    "machine, or the keyring was reset); press c to reconnect it here."
                ),
                style="yellow",
            )
        self.query_one("#view-auth", Static).update(auth)
        self.query_one("#view-renewal", Static).update(renewal_line(store))
        self.query_one("#view-dates", Static).update(dates_line(store))
        self.query_one("#view-details", Static).update(
            self._details(store, website.default_store_view if website else None)
        )
        registry = asc_app(self.app).registry
        try:
            entries = registry.stores.activity(store.id or 0)
            health = registry.health.health_of(store.id or 0)
            log = registry.health.log_of(store.id or 0)
        except AscError as exc:  # the database went away: say so, keep the logs as last read
            self.notify(str(exc), severity="error", markup=False)
            return
        self._show_activity(entries)
        self._show_health(health, log)

    def _show_health(self, health: StoreHealth | None, log: list[CommunicationEntry]) -> None:
        store = self.store
        seller_central = asc_app(self.app).config.amazon.seller_central.get(store.country)
        self.query_one("#health", HealthPanel).show(store, health, seller_central, self.asking)
        table = self.query_one("#health-log", DataTable)
        table.clear()
        for entry in log:
            table.add_row(*log_row(entry))
        table.display = bool(log)  # nothing went wrong yet: no empty table
        chart = self.query_one("#health-chart", SalesChart)
        if chart.display and (self.focused is None or self.focused.id == "store-view-body"):
            # Left and right move over the days at once, up and down still scroll the view.
            self.set_focus(chart, scroll_visible=False)

    def health_asking(self, asking: bool) -> None:
        """Amazon is being asked about this store (or no longer): the health section says so."""
        self.asking = asking
        self.show(self.store)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Amazon is asked only about connected stores: a store not connected yet has no `r` in its footer.
        if action == "refresh_health":
            return self.store.status != StoreStatus.NOT_CONNECTED.value
        return True

    def action_refresh_health(self) -> None:
        asc_app(self.app).health_checks.store(self.store)

    def _details(self, store: Store, default_view: str | None) -> Text:
        marketplace = MARKETPLACES.get(store.country)
        catalog = asc_app(self.app).catalog
        view = catalog.store_view(default_view) if catalog and default_view else None
        view_label = f"{view.name} ({view.code})" if view else (default_view or "—")
        mapping = (
            Text.assemble(
                literal(store.product_id_type or ""),
                " ← " + _("Magento attribute") + " ",
                literal(store.attribute or ""),
            )
            if store.attribute
            else Text(_("not mapped (optional)"), style="dim")
        )
        labels = [_("Marketplace"), _("Contact email"), _("Product ID mapping"), _("Orders imported to")]
        # One column for the values, in cells: Chinese labels are two cells a character.
        width = max(map(cell_len, labels)) + 1
        marketplace_label, email_label, mapping_label, orders_label = (
            label + " " * (width - cell_len(label)) for label in labels
        )
        where = country_name(store.country) if marketplace else store.country
        return Text.assemble(
            (marketplace_label, "dim"),
            f"{where} · {store.marketplace_id or '—'}",
            "\n",
            (email_label, "dim"),
            literal(store.email),
            "\n",
            (mapping_label, "dim"),
            mapping,
            "\n",
            (orders_label, "dim"),
            fill(_("{view} (the website's default store view)"), style="dim", view=literal(view_label)),
        )

    def _show_activity(self, entries: list[Activity]) -> None:
        table = self.query_one("#activity", DataTable)
        table.clear()
        for entry in entries:
            action = ACTION_WORDS.get(entry.action)
            detail = shown_detail(entry.action, entry.detail)
            table.add_row(local_time(entry.at), _(action) if action else entry.action, literal(detail))

    def action_back(self) -> None:
        self.dismiss(None)

    def action_on_store(self, method: str) -> None:
        getattr(asc_app(self.app), method)(self.store)
