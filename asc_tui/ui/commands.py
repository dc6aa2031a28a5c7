"""The command palette (ctrl+p): every home action by name, and each action for each store."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import (
    DiscoveryHit,
    Hit,
    Hits,
    Matcher,
    Provider,
    ProviderSource,
)
from textual.content import Content

from asc_tui.i18n import N_, _
from asc_tui.ui.app_reach import asc_app
from asc_tui.ui.text import plain
from asc_tui.ui.textual_internals import TranslatedCommandPalette

if TYPE_CHECKING:
    from asc_tui.storage.models import Store

# (label, app method, help): labels and help are translated where the palette shows them.
STORE_ACTIONS: tuple[tuple[str, str, str], ...] = (
    (N_("View"), "view_store", N_("Open the store view")),
    (N_("Connect or renew"), "connect_store", N_("Connect to Amazon Seller Central, or renew")),
    (N_("Edit"), "edit_store", N_("Edit name and email")),
    (N_("Activate/deactivate"), "toggle_store", N_("Activate or deactivate a connected store")),
    (N_("Delete"), "delete_store", N_("Delete the store (asks first)")),
)


class AscCommandPalette(TranslatedCommandPalette):
    """Textual's command palette, in the app's language (its placeholder and its "no matches" line)."""

    def __init__(
        self,
        providers: ProviderSource | None = None,
        *,
        placeholder: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(providers, placeholder=placeholder or _("Search for commands…"), id=id)


class StoreCommands(Provider):
    def _general(self) -> list[tuple[str, Callable[[], object], str]]:
        app = asc_app(self.app)
        return [
            (_("Add Amazon store"), app.add_store, _("Open the Add Amazon sales channel form")),
            (
                _("Filter stores"),
                app.home.action_filter,
                _("Filter cards by name, country, website or status"),
            ),
            (_("Learn and prepare"), app.learn_and_prepare, _("The pre-setup tasks checklist")),
            (_("Keys"), app.show_help, _("Every key on one screen")),
            (
                _("Settings"),
                app.open_settings,
                _("Amazon app credentials, Commerce connection, keyring in use"),
            ),
            (_("Refresh catalog"), app.refresh_catalog, _("Read websites, store views and attributes again")),
            (
                _("Refresh store health"),
                app.health_checks.every_store,
                _("Ask Amazon about every connected store now"),
            ),
        ]

    def _per_store(self) -> list[tuple[str, Callable[[], object], str]]:
        stores: list[Store] = asc_app(self.app).home.stores
        commands: list[tuple[str, Callable[[], object], str]] = []
        title = _("{action}: {name}")
        actions = [(_(label), method, _(help_text)) for label, method, help_text in STORE_ACTIONS]
        for store in stores:
            for label, method, help_text in actions:
                commands.append(
                    (
                        title.format(action=label, name=plain(store.name)),
                        partial(getattr(asc_app(self.app), method), store),
                        help_text,
                    )
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
