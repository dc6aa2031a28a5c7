"""Add Amazon store: the seed page's "Add Amazon sales channel" form, field for field, in its order."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from asc_tui.commerce.catalog import Catalog
from asc_tui.domain import MARKETPLACES, ProductIdType, StoreDraft, validate_draft
from asc_tui.errors import StoreValidationError
from asc_tui.ui.text import local_time

if TYPE_CHECKING:
    from asc_tui.storage.models import Store

FIELDS = ("website", "email", "name", "country", "product_id_type", "attribute")

HELP = {
    "website": "The Commerce website whose catalog is listed on Amazon; Amazon orders are imported "
    "into its default store view.",
    "email": "Where you want to be contacted about this Amazon store.",
    "name": "For internal reference only; it names the store card. Any language, up to 80 characters.",
    "country": "The Amazon marketplace this store sells in. Fixed once the store exists.",
    "product_id_type": "Optional: the kind of product ID used to match Amazon listings to your products.",
    "attribute": "Optional: the Commerce product attribute that holds that ID, e.g. amazon_asin.",
}


class AddStoreModal(ModalScreen["Store | None"]):
    """Returns the new store, or None when cancelled (then nothing was saved)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without saving"),
        Binding("ctrl+s", "submit", "Connect", tooltip="Save the new store", priority=True),
        Binding("ctrl+r", "refresh_catalog", "Refresh catalog", tooltip="Read websites and attributes again"),
    ]
    AUTO_FOCUS = "#website"

    def __init__(self, catalog: Catalog, save: Callable[[StoreDraft], Store]) -> None:
        super().__init__()
        self._catalog = catalog
        self._save = save
        self._touched: set[str] = set()

    def compose(self) -> ComposeResult:
        catalog = self._catalog
        with VerticalScroll(id="dialog", classes="form-dialog") as dialog:
            dialog.border_title = "Add Amazon sales channel"
            yield from self._field(
                "Magento Website to use for Amazon Listing *",
                self._select(
                    "website",
                    [(f"{w.name} ({w.code})", w.code) for w in catalog.websites],
                    "Choose a website",
                ),
            )
            yield from self._field("Email Address *", self._input("email", "seller@example.com"))
            yield from self._field("New Store Name *", self._input("name", "For internal reference only"))
            yield from self._field(
                "Amazon Marketplace Country *",
                self._select(
                    "country", [(m.country, code) for code, m in MARKETPLACES.items()], "Choose a country"
                ),
            )
            yield Static("Map your Magento attributes to Amazon", classes="section-title")
            yield from self._field(
                "Product ID on the Amazon market",
                self._select("product_id_type", [(t.value, t.value) for t in ProductIdType], "None"),
            )
            yield from self._field(
                "Map a Magento attribute",
                self._select(
                    "attribute", [(f"{a.label} ({a.code})", a.code) for a in catalog.attributes], "None"
                ),
            )
            yield Static(self._catalog_age(catalog), classes="help catalog-age")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel", variant="default")
                yield Button("Connect", id="submit", variant="primary", disabled=True)

    @staticmethod
    def _catalog_age(catalog: Catalog) -> str:
        return f"Catalog: {catalog.source}, read {local_time(catalog.fetched_at)} (ctrl+r reads it again)"

    def action_refresh_catalog(self) -> None:
        self.query_one(".catalog-age", Static).update("Reading the catalog again…")
        from asc_tui.ui.app import AscApp

        if isinstance(self.app, AscApp):
            self.app.refresh_catalog()

    def use_catalog(self, catalog: Catalog) -> None:
        """A refreshed catalog: offer its websites and attributes, keeping what was chosen when still there."""
        self._catalog = catalog
        for field, options in (
            ("website", [(f"{w.name} ({w.code})", w.code) for w in catalog.websites]),
            ("attribute", [(f"{a.label} ({a.code})", a.code) for a in catalog.attributes]),
        ):
            select = self.query_one(f"#{field}", Select)
            chosen = select.value
            select.set_options(options)
            if chosen is not Select.NULL and chosen in {code for _label, code in options}:
                select.value = chosen
        self.query_one(".catalog-age", Static).update(self._catalog_age(catalog))

    def catalog_not_refreshed(self) -> None:
        self.query_one(".catalog-age", Static).update(self._catalog_age(self._catalog) + " · refresh failed")

    @staticmethod
    def _select(field: str, options: list[tuple[str, str]], prompt: str) -> Select[str]:
        return Select(
            options, id=field, prompt=prompt, tooltip=HELP[field], compact=True, type_to_search=True
        )

    @staticmethod
    def _input(field: str, placeholder: str) -> Input:
        return Input(placeholder=placeholder, id=field, tooltip=HELP[field], compact=True)

    @staticmethod
    def _field(label: str, widget: Input | Select[str]) -> ComposeResult:
        """A field as the seed page lays it out: label, control, what it is for, and its error when it has one."""
        yield Label(label, classes="field-label")
        yield widget
        yield Static(HELP[str(widget.id)], classes="help")
        error = Static("", id=f"{widget.id}-error", classes="field-error")
        error.display = False
        yield error

    # --- reading and checking the form ------------------------------------------------------------

    def draft(self) -> StoreDraft:
        def select_value(widget_id: str) -> str:
            value = self.query_one(f"#{widget_id}", Select).value
            return "" if value is Select.NULL else str(value)

        return StoreDraft(
            name=self.query_one("#name", Input).value,
            email=self.query_one("#email", Input).value,
            country=select_value("country"),
            website=select_value("website"),
            product_id_type=select_value("product_id_type"),
            attribute=select_value("attribute"),
        )

    def show_errors(self, errors: dict[str, str], *, only_touched: bool) -> None:
        for field in FIELDS:
            message = errors.get(field, "")
            if only_touched and field not in self._touched:
                message = ""
            error = self.query_one(f"#{field}-error", Static)
            error.update(message)
            error.display = bool(message)
            self.query_one(f"#{field}").set_class(bool(message), "-invalid")

    def _recheck(self) -> None:
        _valid, errors = validate_draft(
            self.draft(), self._catalog.website_codes, self._catalog.attribute_codes
        )
        self.show_errors(errors.errors, only_touched=True)
        self.query_one("#submit", Button).disabled = bool(errors)

    @on(Input.Changed)
    @on(Select.Changed)
    def _field_changed(self, event: Input.Changed | Select.Changed) -> None:
        if event.control.id:
            self._touched.add(event.control.id)
            # The pair is checked together: touching one makes a missing other worth saying.
            if event.control.id in ("product_id_type", "attribute"):
                self._touched.update(("product_id_type", "attribute"))
        self._recheck()

    @on(Input.Submitted)
    def _input_submitted(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_submit(self) -> None:
        self._touched.update(FIELDS)
        try:
            store = self._save(self.draft())
        except StoreValidationError as exc:
            self.show_errors(exc.errors, only_touched=False)
            first = next((f for f in FIELDS if f in exc.errors), None)
            if first:
                self.query_one(f"#{first}").focus()
            self.query_one("#submit", Button).disabled = True
            return
        self.dismiss(store)

    def action_cancel(self) -> None:
        self.dismiss(None)
