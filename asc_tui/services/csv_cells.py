"""CSV cells a spreadsheet cannot run: OWASP's rule for formula injection, reversible for the round trip.

A cell that begins with =, +, -, @, a tab or a carriage return is read by Excel, LibreOffice and Google
Sheets as a formula (=HYPERLINK(…), @SUM(…)*cmd|…); a single quote before it makes it text. A cell that
really begins with a quote gets one more, so that import can take exactly one quote off wherever export
added one, and `stores export` → `stores import` gives back every value as it was.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise(value: str) -> str:
    """The cell as written to CSV: a quote before a formula start (or before a quote)."""
    return QUOTE + value if value.startswith((*FORMULA_STARTS, QUOTE)) else value


def restore(cell: str) -> str:
    """The value `neutralise` was given: its added quote removed; any other cell as it is (a quote typed
    by hand before ordinary text stays)."""
    if cell.startswith(QUOTE) and cell[1:].startswith((*FORMULA_STARTS, QUOTE)):
        return cell[1:]
    return cell
