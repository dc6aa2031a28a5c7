"""The one place asc-tui uses private names of Textual and Rich, for what their public API does not offer.

Both are pinned to exact versions in pyproject.toml, and tests/project/test_dependency_internals.py checks
every name used here against the installed versions, so an upgrade that moves one fails that test by name instead of
breaking the screen quietly.

- The footer's key and group-label widgets (textual.widgets._footer), so that the footer can translate each
  key's description when it is composed: Textual exports only the Footer itself.
- The glyph Textual's SelectionList draws in its boxes (textual.widgets._toggle_button.ToggleButton.BUTTON_INNER),
  so that a ticked pre-setup task differs from an unticked one without colour.
- The command palette's "No matches found" line (CommandPalette._start_no_matches_countdown and the names it
  uses), so that it is in the app's language.
- A widget's scrollbar update (Widget._scroll_update), so that a filter that changes only the number of
  cards updates the scrollbar without laying the whole screen out.
- The flags of Screen.focused (a Reactive that repaints the whole screen when the focus moves), so that a
  screen repaints only the widgets that gain and lose the focus (their own :focus styles already do).
- The word patterns Textual (textual._wrap.re_chunk) and Rich (rich._wrap.re_word) wrap text with, so that
  Chinese can break between characters: neither has a setting for line breaking.
"""

from __future__ import annotations

import re

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.geometry import Size
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets._footer import FooterKey, FooterLabel
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import Option

from asc_tui.i18n import _

__all__ = [
    "RICH_WORD_PATTERN",
    "TEXTUAL_CHUNK_PATTERN",
    "FooterKey",
    "FooterLabel",
    "QuietFocusScreen",
    "ToggleButton",
    "TranslatedCommandPalette",
    "replace_word_patterns",
    "update_scrollbars",
]

# What the pinned versions wrap with; the replacements in asc_tui.ui.linebreak split text without CJK the same.
TEXTUAL_CHUNK_PATTERN = r"\S+\s*|\s+"
RICH_WORD_PATTERN = r"\s*\S+\s*"


def replace_word_patterns(textual_chunk: re.Pattern[str], rich_word: re.Pattern[str]) -> None:
    """Make Textual's and Rich's wrapping split text into these pieces (idempotent)."""
    import rich._wrap
    import textual._wrap

    textual._wrap.re_chunk = textual_chunk
    rich._wrap.re_word = rich_word


class TranslatedCommandPalette(CommandPalette):
    """Textual's command palette with its "No matches found" line in the app's language."""

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual 8.2.8's own, with its one sentence translated.
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(_("No matches found"), style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


def update_scrollbars(widget: Widget, virtual_size: Size) -> None:
    """Update `widget`'s scrollbars for a new virtual size without a layout of the screen."""
    widget._scroll_update(virtual_size)


class QuietFocusScreen(Screen[None]):
    """A screen on which moving the focus repaints the two widgets it moves between, not the whole screen.

    Textual's Screen.focused repaints the screen on every change: 46 KB at 160×48, on the wire over SSH
    each time the filter box opens or closes. The widgets' own focus handling (their :focus styles and
    cursor) repaints them; the focus watcher (the footer's bindings) still runs.
    """

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
