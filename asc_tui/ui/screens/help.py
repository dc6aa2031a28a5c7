"""Every key, on one screen."""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from asc_tui.i18n import N_, _
from asc_tui.ui.widgets.footer import Footer

# (where, key, what it does): translated where the help screen shows them; key names stay as they are.
KEYS: tuple[tuple[str, str, str], ...] = (
    (N_("Home"), "a", N_("Add an Amazon store")),
    (N_("Home"), "← ↓ ↑ → / h j k l", N_("Move between store cards")),
    (N_("Home"), "enter", N_("View the focused store")),
    (N_("Home"), "c", N_("Connect the store to Amazon, or renew its authorization")),
    (N_("Home"), "e", N_("Edit name and email")),
    (N_("Home"), "t", N_("Activate or deactivate a connected store")),
    (N_("Home"), "d", N_("Delete the store (asks first)")),
    (N_("Home"), "/", N_("Filter cards by name, country, website or status")),
    (N_("Home"), "p", N_("Learn and prepare: the pre-setup tasks")),
    (
        N_("Home"),
        "s",
        N_("Settings: Amazon app credentials, Commerce, keyring (ctrl+t tests the credentials)"),
    ),
    (N_("Home"), "?", N_("This help")),
    (N_("Home"), "q", N_("Quit")),
    (N_("Anywhere"), "ctrl+p", N_("Command palette: every action by name")),
    (N_("Forms"), "tab / shift+tab", N_("Next / previous field")),
    (N_("Forms"), "ctrl+s", N_("Submit")),
    (N_("Forms"), "escape", N_("Cancel; nothing is saved")),
    (N_("Add store"), "ctrl+r", N_("Read the catalog (websites, attributes) again")),
    (N_("Store view"), "e / c / t / d", N_("Edit / connect / activate-deactivate / delete")),
    (N_("Store view"), "r", N_("Ask Amazon about the store's health now")),
    (N_("Store view"), "← →", N_("Move over the days of the sales chart")),
    (N_("Store view"), "escape", N_("Back to the home")),
    (
        N_("Connect"),
        N_("paste, enter"),
        N_("Complete with the address the browser ended on (or a refresh token)"),
    ),
    (N_("Connect"), "ctrl+y", N_("Copy the consent link to the clipboard (works over SSH)")),
    (N_("Connect"), "ctrl+o", N_("Open the consent link in a browser, where one can open")),
    (N_("Connect"), "escape", N_("Cancel; the store stays as it was")),
)


class KeysTable(DataTable[str]):
    """Every key; the last column wraps to the table's width, so no description runs off the screen."""

    def __init__(self) -> None:
        super().__init__(id="keys", cursor_type="none", zebra_stripes=True)
        self._room = -1

    def on_mount(self) -> None:
        self._fill()

    def on_resize(self, _event: events.Resize) -> None:
        if self.scrollable_content_region.width != self._room:
            self._fill()

    def _fill(self) -> None:
        self._room = self.scrollable_content_region.width
        headers = (_("Where"), _("Key"), _("Does"))
        rows = [(_(where), _(key), _(does)) for where, key, does in KEYS]
        where, key, does = (max(map(cell_len, column)) for column in zip(headers, *rows, strict=True))
        # Each column is padded by cell_padding on both sides; the descriptions get what is left.
        room = self._room - where - key - 6 * self.cell_padding
        self.clear(columns=True)
        self.add_column(headers[0], width=where)
        self.add_column(headers[1], width=key)
        self.add_column(headers[2], width=min(does, room) if room >= 20 else does)
        for row in rows:
            self.add_row(*row, height=None)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", N_("Close"))]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="help-dialog") as dialog:
            dialog.border_title = _("Keys")
            yield KeysTable()
            yield Static(_("Press escape to close."), classes="help")
        yield Footer()  # "esc Close" stays in view however long the table is

    def action_close(self) -> None:
        self.dismiss(None)
