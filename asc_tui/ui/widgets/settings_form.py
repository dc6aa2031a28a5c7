"""What the settings form's sections share: a field's lines, and which fields the admin has touched.

A field shows its error only once it was touched (changed from what it started with, or saved, or tested),
so an admin who opens the screen is not greeted with errors for fields left for later.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, Switch

from asc_tui.i18n import _
from asc_tui.ui.text import literal


class FormSection(Vertical):
    """A part of the settings form saved with ctrl+s: its fields, their errors, and which were touched."""

    # No box of its own: the sections stack as if their lines were the screen's.
    DEFAULT_CSS = """
    FormSection {
        height: auto;
    }
    """
    # In screen order: the first field with an error gets the focus.
    FIELDS: ClassVar[tuple[str, ...]] = ()
    # The fields that can be wrong (a switch cannot): each has an error line, and a note line.
    CHECKED: ClassVar[tuple[str, ...]] = ()
    # msgids, translated where shown (the language can change while the app runs).
    LABELS: ClassVar[dict[str, str]] = {}
    FIELD_HELP: ClassVar[dict[str, str]] = {}

    def __init__(self, initial: dict[str, str]) -> None:
        """`initial`: what each field starts with, as its Changed event will say it (widgets announce it
        too, when mounted)."""
        super().__init__()
        self._initial = initial
        self.touched: set[str] = set()

    def field(self, key: str, widget: Widget) -> ComposeResult:
        """As in the add-store form: label, control, what it is for, and its error (or note) if any."""
        yield Label(literal(_(self.LABELS[key])), classes="field-label")
        yield widget
        yield Static(literal(_(self.FIELD_HELP[key])), classes="help")
        for kind in ("error", "note") if key in self.CHECKED else ():
            line = Static("", id=f"{key}-{kind}", classes=f"field-{kind}")
            line.display = False
            yield line

    def touch(self, *keys: str) -> None:
        self.touched.update(key for key in keys if key in self.FIELDS)

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Switch.Changed)
    def _touch_changed(self, event: Input.Changed | Select.Changed | Switch.Changed) -> None:
        # A field counts as touched once it differs from what it started with. The screen, next on the
        # event's way up, checks the whole form again.
        key = event.control.id
        if key and (key in self.touched or str(event.value) != self._initial.get(key)):
            self.touch(key)

    def errors(self) -> dict[str, str]:
        """What is wrong with the fields as typed, by field."""
        return {}

    def show_errors(self, errors: dict[str, str], *, only_touched: bool) -> None:
        for key in self.CHECKED:
            message = errors.get(key, "")
            if only_touched and key not in self.touched:
                message = ""
            line = self.query_one(f"#{key}-error", Static)
            line.update(literal(message))
            line.display = bool(message)
            self.query_one(f"#{key}").set_class(bool(message), "-invalid")

    def clear_stored(self, keys: set[str]) -> None:
        """Empty the secret fields whose value is now in the keyring (by keyring key)."""

    def text(self, key: str) -> str:
        return self.query_one(f"#{key}", Input).value.strip()
