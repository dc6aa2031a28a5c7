"""A yes/no question that names exactly what will happen."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from asc_tui.i18n import N_, _
from asc_tui.ui.widgets.footer import Footer


class ConfirmModal(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", N_("Cancel")), Binding("n", "cancel", N_("No"), show=False)]
    AUTO_FOCUS = "#cancel"

    def __init__(self, title: str, question: Text, confirm_label: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._title = title
        self._question = question
        self._confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="confirm-dialog") as dialog:
            dialog.border_title = self._title
            yield Static(self._question, id="question")
            with Horizontal(classes="buttons"):
                yield Button(_("Cancel"), id="cancel")
                yield Button(self._confirm_label, id="confirm", variant="error")
        yield Footer()

    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
