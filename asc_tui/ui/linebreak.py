"""Line breaks in Chinese text: Textual and Rich wrap only at spaces, and Chinese has no spaces between words.

Without this, a Chinese sentence is one long "word": a line breaks only at the space around a Latin word
("請確認 Commerce" and then the rest), leaving ragged lines, or it is cut in the middle of a line. Here a
line may break between any two Chinese characters, as Chinese is typeset, except that closing punctuation
（，。、」）never starts a line and opening punctuation（「（）never ends one; a Latin word stays whole.
Text without Chinese, Japanese or Korean characters is split exactly as before (English is unchanged).
"""

from __future__ import annotations

import re

# Ideographs, kana, hangul, CJK punctuation and full-width forms: each may stand on a line by itself.
_CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_OPENING = "「『（〈《【〔［｛"
_CLOSING = "，。、；：？！」』）〉》】〕］｝…"
# One unbreakable piece: opening punctuation, then a Latin word or one CJK character, then closing
# punctuation. For text with no CJK character this is `\S+`, as in Textual and Rich.
# Numbers with their units stay whole: a date such as 2027年11月27日 is one piece, never "2027年11" + "月…".
_UNIT = "年月日時分秒天週個家筆項"
_PIECE = f"(?:[{_OPENING}]*(?:(?:\\d+[{_UNIT}])+|[^\\s{_CJK}]+|[{_CJK}])[{_CLOSING}]*|\\S)"

# Textual's chunks and Rich's words (their patterns are in asc_tui.ui.textual_internals): the same pieces,
# each with the spaces that follow (and for Rich, precede) it.
TEXTUAL_CHUNK = re.compile(f"{_PIECE}\\s*|\\s+")
RICH_WORD = re.compile(f"\\s*{_PIECE}\\s*")


def install() -> None:
    """Let Textual's and Rich's wrapping break between CJK characters (idempotent)."""
    from asc_tui.ui.textual_internals import replace_word_patterns

    replace_word_patterns(TEXTUAL_CHUNK, RICH_WORD)
