"""Requests the screens send up to the app, as Textual messages (the app handles them with @on), so that no
screen imports the app."""

from __future__ import annotations

from textual.message import Message


class RefreshCatalog(Message):
    """Read the Commerce catalog again from its source."""
