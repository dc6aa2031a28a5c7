"""Showing text from users and from Amazon literally: never as markup, never as terminal control."""

from __future__ import annotations

import re
from datetime import datetime

from rich.text import Text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def literal(value: object, style: str = "") -> Text:
    """User or remote text as a Text: markup stays literal and control characters become visible."""
    return Text(_CONTROL.sub("\ufffd", str(value)), style=style)


def plain(value: object) -> str:
    """User text for places that take plain strings (notifications with markup off, titles)."""
    return _CONTROL.sub("\ufffd", str(value))


def local_time(moment: datetime | None) -> str:
    """A stored UTC time in the admin's local time zone, as people write it."""
    if moment is None:
        return "—"
    local = moment.astimezone()
    return f"{local.day} {local:%b %Y %H:%M}"
