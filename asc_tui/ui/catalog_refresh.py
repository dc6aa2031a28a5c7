"""Reading the Commerce catalog again, in the background: its progress on the home, the result in every
open add form, and one notification either way (a failed read keeps the catalog in use)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from asc_tui.errors import AscError
from asc_tui.i18n import N_, _
from asc_tui.ui.text import catalog_source, local_time

if TYPE_CHECKING:
    from asc_tui.commerce.model import Catalog
    from asc_tui.ui.app import AscApp

# What a Magento shop's progress reports as it reads the catalog (asc_tui.commerce.magento PROGRESS_*).
PROGRESS_WORDS = (N_("websites"), N_("store groups"), N_("store views"), N_("attributes"))


class CatalogRefresh:
    def __init__(self, app: AscApp) -> None:
        self.app = app

    def start(self) -> None:
        app = self.app
        if app.defer_until_ready(self.start):
            return
        app.home.show_catalog_status(
            _("Reading the catalog from {source}…").format(
                source=catalog_source(app.registry.catalog.source_name)
            )
        )
        app.run_worker(self._read, thread=True, exclusive=True, exit_on_error=False, group="catalog-refresh")

    def _read(self) -> None:
        app = self.app
        service = app.registry.catalog
        source = service.source

        def progress(what: str, done: int, total: int) -> None:
            app.call_from_thread(
                app.home.show_catalog_status,
                _("Reading the catalog from {source}: {what} {done}/{total}").format(
                    source=catalog_source(source.name), what=_(what), done=done, total=total
                ),
            )

        if hasattr(source, "progress"):
            source.progress = progress
        try:
            catalog = service.refresh()
        except AscError as exc:
            app.call_from_thread(self._failed, exc.message)
            return
        app.call_from_thread(self._read_done, catalog)

    def _read_done(self, catalog: Catalog) -> None:
        from asc_tui.ui.screens.add_store import AddStoreModal

        app = self.app
        app.catalog = catalog
        app.home.show_catalog_status(None)
        for screen in app.screen_stack:
            if isinstance(screen, AddStoreModal):
                screen.use_catalog(catalog)
        app.reload()
        app.notify(
            _("Catalog read from {source}: {websites} website(s), {attributes} attribute(s).").format(
                source=catalog_source(catalog.source),
                websites=len(catalog.websites),
                attributes=len(catalog.attributes),
            ),
            title=_("Catalog"),
            markup=False,
        )

    def _failed(self, message: str) -> None:
        from asc_tui.ui.screens.add_store import AddStoreModal

        app = self.app
        app.home.show_catalog_status(None)
        for screen in app.screen_stack:
            if isinstance(screen, AddStoreModal):
                screen.catalog_not_refreshed()
        kept = app.catalog
        still = (
            _(" The catalog from {source} (read {time}) stays in use.").format(
                source=catalog_source(kept.source), time=local_time(kept.fetched_at)
            )
            if kept
            else ""
        )
        app.notify(
            f"{message}{still}", title=_("Catalog not refreshed"), severity="error", markup=False, timeout=20
        )
