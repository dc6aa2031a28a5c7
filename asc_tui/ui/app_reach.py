"""The one typed way up from a screen, a widget or the palette to the app they run in.

A cast, not an import: the app imports the screens, so they never import it; only this module names
AscApp, and only for type checking.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from textual.app import App

    from asc_tui.ui.app import AscApp


def asc_app(app: App[Any]) -> AscApp:
    """`app` (a node's or a provider's `.app`) as asc-tui's app."""
    return cast("AscApp", app)
