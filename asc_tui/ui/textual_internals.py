"""The one place asc-tui uses private names of Textual and Rich, for what their public API does not offer.

Both are pinned to exact versions in pyproject.toml, and tests/ui/test_textual_internals.py checks every name
used here against the installed versions, so an upgrade that moves one fails that test by name instead of
breaking the screen quietly.

- The footer's key and group-label widgets (textual.widgets._footer), so that the footer can translate each
  key's description when it is composed: Textual exports only the Footer itself.
- The word patterns Textual (textual._wrap.re_chunk) and Rich (rich._wrap.re_word) wrap text with, so that
  Chinese can break between characters: neither has a setting for line breaking.
"""

from __future__ import annotations

import re

from textual.widgets._footer import FooterKey, FooterLabel

__all__ = ["RICH_WORD_PATTERN", "TEXTUAL_CHUNK_PATTERN", "FooterKey", "FooterLabel", "replace_word_patterns"]

# What the pinned versions wrap with; the replacements in asc_tui.ui.linebreak split text without CJK the same.
TEXTUAL_CHUNK_PATTERN = r"\S+\s*|\s+"
RICH_WORD_PATTERN = r"\s*\S+\s*"


def replace_word_patterns(textual_chunk: re.Pattern[str], rich_word: re.Pattern[str]) -> None:
    """Make Textual's and Rich's wrapping split text into these pieces (idempotent)."""
    import rich._wrap
    import textual._wrap

    textual._wrap.re_chunk = textual_chunk
    rich._wrap.re_word = rich_word
