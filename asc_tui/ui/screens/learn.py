"""Learn and prepare: the pre-setup tasks, reachable after the first store exists."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from asc_tui.i18n import N_, _
from asc_tui.ui.widgets.footer import Footer
from asc_tui.ui.widgets.presetup import PreSetupChecklist


class LearnPrepareScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", N_("Close"))]
    AUTO_FOCUS = "PreSetupChecklist"

    def __init__(self, done: set[str], save: Callable[[str, bool], None]) -> None:
        super().__init__()
        self._done = done
        self._save = save

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="learn-dialog") as dialog:
            dialog.border_title = _("Learn and prepare")
            yield Static(
                _(
                    "Before and after adding stores, make sure your Commerce shop and Seller Central account "
                    "are ready. Tick each task when it is done (space); ticks are saved."
                ),
                classes="help",
            )
            yield PreSetupChecklist(self._done, self._save)
        yield Footer()  # how to leave: esc Close

    def action_close(self) -> None:
        self.dismiss(None)
