"""The baseline: a bare Textual app with a Header and a Footer, started and measured like asc-tui.

`python -m benchmarks.bare_app` runs it in the terminal (the benchmark starts it in tmux); it records
`first_frame` through benchmarks.instrument once its first frame is painted (Textual's Ready event).
Its `a` opens a modal form: the baseline of the typed-ahead figure (`a` sent at the first frame).
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Footer, Header, Input, Label

from benchmarks.instrument import record

TITLE = "Bare Textual baseline"
FORM_TITLE = "Bare add form"


class BareForm(ModalScreen[None]):
    """What `a` opens: a modal with a label and a field, the baseline of the typed-ahead figure."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Close")]

    def compose(self) -> ComposeResult:
        yield Label(FORM_TITLE)
        yield Input(placeholder="Name")


class BareApp(App[None]):
    TITLE = TITLE
    BINDINGS = [Binding("q", "quit", "Quit"), Binding("a", "add", "Add")]

    def action_add(self) -> None:
        self.push_screen(BareForm())

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        yield Footer()

    def on_ready(self) -> None:
        # Textual posts Ready right after the first frame has been handed to the terminal.
        record("first_frame")


def main() -> None:
    BareApp().run()


if __name__ == "__main__":
    main()
