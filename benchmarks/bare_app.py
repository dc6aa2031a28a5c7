"""The baseline: a bare Textual app with a Header and a Footer, started and measured like asc-tui.

`python -m benchmarks.bare_app` runs it in the terminal (the benchmark starts it in tmux); it records
`first_frame` through benchmarks.instrument once its first frame is painted (Textual's Ready event).
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header

from benchmarks.instrument import record

TITLE = "Bare Textual baseline"


class BareApp(App[None]):
    TITLE = TITLE
    BINDINGS = [Binding("q", "quit", "Quit")]

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
