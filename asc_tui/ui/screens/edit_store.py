"""Edit a store: name and email change; website and marketplace are fixed, as in Adobe's product."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from asc_tui.domain import MARKETPLACES, StoreEdit
from asc_tui.errors import StoreValidationError
from asc_tui.i18n import N_, _
from asc_tui.ui.text import VisibleControls, country_name, literal
from asc_tui.ui.widgets.footer import Footer

if TYPE_CHECKING:
    from asc_tui.storage.models import Store

FIXED_REASON = N_(
    "Website and marketplace are fixed once a store exists; to change them, delete the store and add it again."
)
EXAMPLE_EMAIL = "seller@example.com"  # an address: the same in every language


class EditStoreModal(ModalScreen["Store | None"]):
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), tooltip=N_("Close without saving")),
        Binding("ctrl+s", "submit", N_("Save"), tooltip=N_("Save the changes"), priority=True),
    ]
    AUTO_FOCUS = "#name"

    def __init__(
        self, store: Store, website_name: str | None, save: Callable[[StoreEdit], Store | None]
    ) -> None:
        """`save` returns the saved store, or None when the form should close unsaved (already said why)."""
        super().__init__()
        self._store = store
        self._website_name = website_name
        self._save = save

    def compose(self) -> ComposeResult:
        store = self._store
        with VerticalScroll(id="dialog", classes="form-dialog") as dialog:
            dialog.border_title = _("Edit store")
            yield Label(_("Store Name *"), classes="field-label")
            yield Input(
                store.name,
                id="name",
                placeholder=_("For internal reference only"),
                compact=True,
                highlighter=VisibleControls(),
                # The cursor at the end of the name: the first key typed must not erase it.
                select_on_focus=False,
            )
            yield Static("", id="name-error", classes="field-error")
            yield Label(_("Email Address *"), classes="field-label")
            yield Input(
                store.email,
                id="email",
                placeholder=EXAMPLE_EMAIL,
                compact=True,
                highlighter=VisibleControls(),
                select_on_focus=False,
            )
            yield Static("", id="email-error", classes="field-error")
            website = f"{self._website_name} ({store.website})" if self._website_name else store.website
            marketplace = MARKETPLACES.get(store.country)
            yield Label(_("Magento Website to use for Amazon Listing"), classes="field-label")
            yield Static(literal(website), id="website", classes="read-only")
            yield Label(_("Amazon Marketplace Country"), classes="field-label")
            yield Static(
                country_name(store.country) if marketplace else store.country,
                id="country",
                classes="read-only",
            )
            yield Static(_(FIXED_REASON), classes="help")
            with Horizontal(classes="buttons"):
                yield Button(_("Cancel"), id="cancel")
                yield Button(_("Save"), id="submit", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        name = self.query_one("#name", Input)
        name.cursor_position = len(name.value)

    @on(Input.Submitted)
    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        change = StoreEdit(
            name=self.query_one("#name", Input).value, email=self.query_one("#email", Input).value
        )
        try:
            store = self._save(change)
        except StoreValidationError as exc:
            for field in ("name", "email"):
                message = exc.errors.get(field, "")
                error = self.query_one(f"#{field}-error", Static)
                error.update(literal(message))  # messages quote what was typed: never markup
                error.display = bool(message)
                self.query_one(f"#{field}", Input).set_class(bool(message), "-invalid")
            return
        self.dismiss(store)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
