"""The command palette (ctrl+p): every home action by name, and each action for each store."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

from asc_tui.ui.text import plain

if TYPE_CHECKING:
    from asc_tui.storage.models import Store
    from asc_tui.ui.app import AscApp

STORE_ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("View", "view_store", "Open the store view"),
    ("Connect or renew", "connect_store", "Connect to Amazon Seller Central, or renew"),
    ("Edit", "edit_store", "Edit name and email"),
    ("Activate/deactivate", "toggle_store", "Activate or deactivate a connected store"),
    ("Delete", "delete_store", "Delete the store (asks first)"),
)


class StoreCommands(Provider):
    @property
    def asc(self) -> AscApp:
        from asc_tui.ui.app import AscApp

        assert isinstance(self.app, AscApp)
        return self.app

    def _general(self) -> list[tuple[str, Callable[[], object], str]]:
        app = self.asc
        return [
            ("Add Amazon store", app.add_store, "Open the Add Amazon sales channel form"),
            ("Filter stores", app.home.action_filter, "Filter cards by name, country, website or status"),
            ("Learn and prepare", app.learn_and_prepare, "The pre-setup tasks checklist"),
            ("Keys", app.show_help, "Every key on one screen"),
            ("Settings", app.open_settings, "Amazon app credentials, Commerce connection, keyring in use"),
            ("Refresh catalog", app.refresh_catalog, "Read websites, store views and attributes again"),
        ]

    def _per_store(self) -> list[tuple[str, Callable[[], object], str]]:
        stores: list[Store] = self.asc.home.stores
        commands: list[tuple[str, Callable[[], object], str]] = []
        for store in stores:
            for label, method, help_text in STORE_ACTIONS:
                commands.append(
                    (f"{label}: {plain(store.name)}", partial(getattr(self.asc, method), store), help_text)
                )
        return commands

    async def discover(self) -> Hits:
        for title, callback, help_text in self._general():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, help_text in self._general() + self._per_store():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, _literal_highlight(matcher, title), callback, text=title, help=help_text)


def _literal_highlight(matcher: Matcher, title: str) -> Content:
    """Matcher.highlight parses its text as markup; a store name must stay literal, so style it ourselves."""
    content = Content(title)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, title)
    for offset in offsets:
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
