"""Showing text from users and from Amazon literally: never as markup, never as terminal control."""

from __future__ import annotations

import re
from datetime import datetime

from rich.highlighter import Highlighter
from rich.text import Text

from asc_tui.commerce.catalog import catalog_source as catalog_source  # re-exported for the screens
from asc_tui.domain import CHOICE_ORDER, MARKETPLACES
from asc_tui.i18n import _, format_moment

_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_FIELD = re.compile(r"\{(\w+)\}")

_LINE_BREAK = re.compile(r"[\t\n]")


def literal(value: object, style: str = "") -> Text:
    """User or remote text as a Text: markup stays literal and control characters become visible."""
    return Text(_CONTROL.sub("\ufffd", str(value)), style=style)


class VisibleControls(Highlighter):
    """For an Input: control characters typed or pasted show as U+FFFD and never reach the terminal.

    The value keeps them, so checking it still refuses them with a sentence.
    """

    def highlight(self, text: Text) -> None:
        shown = _CONTROL.sub("\ufffd", text.plain)
        if shown != text.plain:
            text.plain = shown  # as many characters: styles (the cursor, a selection) stay in place


def literal_line(value: object, style: str = "") -> Text:
    """`literal` for one line of a card: tabs and line breaks show as U+FFFD too, so the card keeps its shape."""
    return Text(plain(value), style=style)


def plain(value: object) -> str:
    """User text inside a sentence or a title (notifications with markup off, headers): one line, no controls."""
    return _LINE_BREAK.sub("\ufffd", _CONTROL.sub("\ufffd", str(value)))


def local_time(moment: datetime | None) -> str:
    """A stored UTC time in the admin's local time zone, as people write it."""
    if moment is None:
        return "—"
    return format_moment(moment.astimezone())


def fill(template: str, style: str = "", **values: str | Text) -> Text:
    """A translated sentence as a Text: each {field} becomes its value, a Text keeping its own style.

    For sentences with a styled or literal part (a store name in bold): `_()` translates the whole
    sentence, so the part may move, and the English stays what Text.assemble of the pieces gave.
    `style` is the style of the sentence's own words (e.g. dim labels around plain values).
    """
    text = Text()
    position = 0
    for match in _FIELD.finditer(template):
        text.append(template[position : match.start()], style=style or None)
        text.append(values[match.group(1)])
        position = match.end()
    text.append(template[position:], style=style or None)
    return text


def country_name(code: str) -> str:
    """A marketplace's country in the current language (US → United States), or the code when unknown."""
    marketplace = MARKETPLACES.get(code)
    return marketplace.country_name if marketplace else code


def country_choices() -> list[tuple[Text, str]]:
    """The marketplaces as the add form offers them, the seed's four first and then region by region, each
    with its code and its region dimmed ("Germany (DE) · Europe"): Select has no option groups, so the
    region is on every line; typing a country's name or its code jumps to it."""
    return [
        (
            Text.assemble(
                _("{country} ({code})").format(country=MARKETPLACES[code].country_name, code=code),
                (" · " + MARKETPLACES[code].region_name, "dim"),
            ),
            code,
        )
        for code in CHOICE_ORDER
    ]
