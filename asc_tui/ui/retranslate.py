"""Switching the language while the app runs: each open screen is composed again in the new language.

`AscApp.use_language` calls a screen's own `retranslate()` when it has one (to redo what it did once when
mounted, or to keep more than typed values), and `rebuild()` alone otherwise.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Checkbox, Input, Select, Switch

_KEPT = (Input, Select, Switch, Checkbox)


async def rebuild(screen: Screen[Any]) -> None:
    """Compose `screen` again (its words are read anew), keeping what was typed and where the focus was."""
    values: dict[str, Any] = {}
    for widget in screen.query("*"):
        if isinstance(widget, _KEPT) and widget.id:
            values[widget.id] = widget.value
    focused = screen.focused.id if screen.focused is not None else None
    await screen.recompose()
    # The values were typed once already: setting them back is not a change the screen should react to.
    with screen.prevent(Input.Changed, Select.Changed, Switch.Changed, Checkbox.Changed):
        for widget_id, value in values.items():
            found = screen.query(f"#{widget_id}")
            if found:
                widget = found.first()
                if isinstance(widget, _KEPT):
                    widget.value = value
    if focused:
        found = screen.query(f"#{focused}")
        if found and found.first().focusable:
            found.first().focus(scroll_visible=False)
