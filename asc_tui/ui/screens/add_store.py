"""Add Amazon store: the seed page's "Add Amazon sales channel" form, field for field, in its order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from asc_tui.commerce.model import Catalog, Website
from asc_tui.domain import ProductIdType, StoreDraft, validate_draft
from asc_tui.errors import StoreValidationError
from asc_tui.i18n import N_, _
from asc_tui.ui.messages import RefreshCatalog
from asc_tui.ui.text import VisibleControls, catalog_source, country_choices, literal, local_time
from asc_tui.ui.widgets.attribute_picker import AttributePicker
from asc_tui.ui.widgets.footer import Footer

if TYPE_CHECKING:
    from asc_tui.storage.models import Store

FIELDS = ("website", "email", "name", "country", "product_id_type", "attribute")

# What each field is for: translated where the form shows it.
HELP = {
    "website": N_(
        "The Commerce website whose catalog is listed on Amazon; Amazon orders are imported "
        "into its default store view."
    ),
    "email": N_("Where you want to be contacted about this Amazon store."),
    "name": N_("For internal reference only; it names the store card. Any language, up to 80 characters."),
    "country": N_("The Amazon marketplace this store sells in. Fixed once the store exists."),
    "product_id_type": N_("Optional: the kind of product ID used to match Amazon listings to your products."),
    "attribute": N_(
        "Optional: the Commerce product attribute that holds that ID, e.g. amazon_asin. Type part "
        "of its code or label to narrow the list; enter or a click picks one."
    ),
}

EXAMPLE_EMAIL = "seller@example.com"  # an address: the same in every language


def website_options(websites: Sequence[Website]) -> list[tuple[Text, str]]:
    return [(literal(f"{w.name} ({w.code})"), w.code) for w in websites]


class AddStoreModal(ModalScreen["Store | None"]):
    """Returns the new store, or None when cancelled (then nothing was saved)."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), tooltip=N_("Close without saving")),
        # Priority: the next field has the focus before the keys typed after the tab are sent on (bound
        # plainly, tab went round the focused field first, and an address typed at once went to the first).
        Binding("tab", "app.focus_next", N_("Next field"), show=True, priority=True),
        Binding("ctrl+s", "submit", N_("Save store"), tooltip=N_("Save the new store"), priority=True),
        Binding(
            "ctrl+r",
            "refresh_catalog",
            N_("Refresh catalog"),
            tooltip=N_("Read websites and attributes again"),
        ),
    ]
    AUTO_FOCUS = "#website"

    def __init__(self, catalog: Catalog, save: Callable[[StoreDraft], Store]) -> None:
        super().__init__()
        self._catalog = catalog
        self._save = save
        self._touched: set[str] = set()

    def on_mount(self) -> None:
        # Opens at its top: the first field's label must be in view, not scrolled past by the focus.
        self.call_after_refresh(self.query_one("#dialog", VerticalScroll).scroll_home, animate=False)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # A Select's list takes the focus as it opens: its field (label first) goes to the top of the form,
        # as far as the form scrolls, so the list (23 countries) drops below the field instead of being
        # pushed up over it and over the keys at the bottom of a small terminal.
        select = event.widget.parent
        if isinstance(select, Select) and select.expanded:
            dialog = self.query_one("#dialog", VerticalScroll)
            fields = list(dialog.children)
            at = fields.index(select) if select in fields else 0
            label = fields[at - 1] if at and isinstance(fields[at - 1], Label) else select
            dialog.scroll_to_widget(label, top=True, animate=False)

    def compose(self) -> ComposeResult:
        catalog = self._catalog
        with VerticalScroll(id="dialog", classes="form-dialog") as dialog:
            dialog.border_title = _("Add Amazon sales channel")
            yield from self._field(
                _("Magento Website to use for Amazon Listing *"),
                self._select("website", website_options(catalog.websites), _("Choose a website")),
            )
            yield from self._field(_("Email Address *"), self._input("email", EXAMPLE_EMAIL))
            yield from self._field(
                _("New Store Name *"), self._input("name", _("For internal reference only"))
            )
            yield from self._field(
                _("Amazon Marketplace Country *"),
                self._select("country", country_choices(), _("Choose a country")),
            )
            yield Static(_("Map your Magento attributes to Amazon"), classes="section-title")
            yield from self._field(
                _("Product ID on the Amazon market"),
                self._select("product_id_type", [(t.value, t.value) for t in ProductIdType], _("None")),
            )
            yield from self._field(
                _("Map a Magento attribute"),
                AttributePicker(catalog.attributes, id="attribute", tooltip=_(HELP["attribute"])),
            )
            yield Static(self._catalog_age(catalog), classes="help catalog-age")
            with Horizontal(classes="buttons"):
                yield Button(_("Cancel"), id="cancel", variant="default")
                yield Button(_("Save store"), id="submit", variant="primary", disabled=True)
        yield Footer()  # the form's keys stay in view while it is open

    async def retranslate(self) -> None:
        """The language changed: compose again, keeping the chosen attribute and what was typed."""
        from asc_tui.ui.retranslate import rebuild

        picker = self.query_one("#attribute", AttributePicker)
        chosen, narrowed = picker.value, picker.filter_text
        await rebuild(self)
        picker = self.query_one("#attribute", AttributePicker)
        with self.prevent(AttributePicker.Changed):
            picker.value = chosen
        picker.query_one(Input).value = narrowed  # narrows the list again, as typing did
        self._recheck()

    @staticmethod
    def _catalog_age(catalog: Catalog) -> str:
        return _("Catalog: {source}, read {time} (ctrl+r reads it again)").format(
            source=catalog_source(catalog.source), time=local_time(catalog.fetched_at)
        )

    def action_refresh_catalog(self) -> None:
        self.query_one(".catalog-age", Static).update(_("Reading the catalog again…"))
        self.post_message(RefreshCatalog())

    def use_catalog(self, catalog: Catalog) -> None:
        """A refreshed catalog: offer its websites and attributes, keeping what was chosen when still there."""
        self._catalog = catalog
        select: Select[str] = self.query_one("#website", Select)
        chosen = select.value
        select.set_options(website_options(catalog.websites))
        if chosen is not Select.NULL and chosen in catalog.website_codes:
            select.value = chosen
        self.query_one("#attribute", AttributePicker).set_attributes(catalog.attributes)
        self.query_one(".catalog-age", Static).update(self._catalog_age(catalog))

    def catalog_not_refreshed(self) -> None:
        self.query_one(".catalog-age", Static).update(
            self._catalog_age(self._catalog) + " · " + _("refresh failed")
        )

    @staticmethod
    def _select(field: str, options: Sequence[tuple[str | Text, str]], prompt: str) -> Select[str]:
        return Select(
            options, id=field, prompt=prompt, tooltip=_(HELP[field]), compact=True, type_to_search=True
        )

    @staticmethod
    def _input(field: str, placeholder: str) -> Input:
        return Input(
            placeholder=placeholder,
            id=field,
            tooltip=_(HELP[field]),
            compact=True,
            highlighter=VisibleControls(),
        )

    @staticmethod
    def _field(label: str, widget: Widget) -> ComposeResult:
        """A field as the seed page lays it out: label, control, what it is for, and its error when it has one."""
        yield Label(label, classes="field-label")
        yield widget
        yield Static(_(HELP[str(widget.id)]), classes="help")
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
            attribute=self.query_one("#attribute", AttributePicker).value,
        )

    def show_errors(self, errors: dict[str, str], *, only_touched: bool) -> None:
        for field in FIELDS:
            message = errors.get(field, "")
            if only_touched and field not in self._touched:
                message = ""
            error = self.query_one(f"#{field}-error", Static)
            error.update(literal(message))  # messages quote what was typed: never markup
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
    @on(AttributePicker.Changed)
    def _field_changed(self, event: Input.Changed | Select.Changed | AttributePicker.Changed) -> None:
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
