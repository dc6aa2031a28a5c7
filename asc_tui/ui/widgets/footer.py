"""The key bar at the bottom, in the app's language.

Binding descriptions and tooltips are class attributes, defined before a language is chosen: they are
marked with N_() where they are written and translated here, each time the footer is composed (Textual
composes it again whenever the bindings change, and the language switch composes every screen again).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer as TextualFooter

from asc_tui.i18n import N_, _
from asc_tui.ui.textual_internals import FooterKey, FooterLabel

# Textual's own bindings that can show in the footer: the command palette key and its tooltip, and the key
# that closes an open Select's list (the add form's countries).
TEXTUAL_WORDS = (N_("palette"), N_("Open the command palette"), N_("Dismiss menu"))


def _translated(text: object) -> object:
    # "" is gettext's catalog header: never look it up. A Text or Content tooltip is left as it is.
    return _(text) if isinstance(text, str) and text else text


class Footer(TextualFooter):
    """Textual's footer, with each key's description and tooltip (and a binding group's label) translated."""

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.description = str(_translated(widget.description))
                if widget.tooltip is not None:
                    widget.tooltip = _translated(widget.tooltip)  # type: ignore[assignment]
            elif isinstance(widget, FooterLabel):
                widget.update(str(_translated(str(widget.content))))
            yield widget
