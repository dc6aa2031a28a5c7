"""Every key, on one screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

KEYS: tuple[tuple[str, str, str], ...] = (
    ("Home", "a", "Add an Amazon store"),
    ("Home", "← ↓ ↑ → / h j k l", "Move between store cards"),
    ("Home", "enter", "View the focused store"),
    ("Home", "c", "Connect the store to Amazon, or renew its authorization"),
    ("Home", "e", "Edit name and email"),
    ("Home", "t", "Activate or deactivate a connected store"),
    ("Home", "d", "Delete the store (asks first)"),
    ("Home", "/", "Filter cards by name, country, website or status"),
    ("Home", "p", "Learn and prepare: the pre-setup tasks"),
    ("Home", "s", "Settings: Amazon app credentials, Commerce, keyring (ctrl+t tests the credentials)"),
    ("Home", "?", "This help"),
    ("Home", "q", "Quit"),
    ("Anywhere", "ctrl+p", "Command palette: every action by name"),
    ("Forms", "tab / shift+tab", "Next / previous field"),
    ("Forms", "ctrl+s", "Submit"),
    ("Forms", "escape", "Cancel; nothing is saved"),
    ("Add store", "ctrl+r", "Read the catalog (websites, attributes) again"),
    ("Store view", "e / c / t / d", "Edit / connect / activate-deactivate / delete"),
    ("Store view", "escape", "Back to the home"),
    ("Connect", "paste, enter", "Complete with the address the browser ended on (or a refresh token)"),
    ("Connect", "ctrl+y", "Copy the consent link to the clipboard (works over SSH)"),
    ("Connect", "ctrl+o", "Open the consent link in a browser, where one can open"),
    ("Connect", "escape", "Cancel; the store stays as it was"),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="help-dialog") as dialog:
            dialog.border_title = "Keys"
            table: DataTable[str] = DataTable(id="keys", cursor_type="none", zebra_stripes=True)
            table.add_columns("Where", "Key", "Does")
            table.add_rows(KEYS)
            yield table
            yield Static("Press escape to close.", classes="help")

    def action_close(self) -> None:
        self.dismiss(None)
