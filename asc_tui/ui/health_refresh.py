"""Asking Amazon about store health from the TUI: one store (`r` in its store view) or every store (the
palette), in a thread worker so keys keep working; the store views say "Asking Amazon…" while their store
is asked and show the new health after, and one notification says what came of it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.worker import Worker

from asc_tui.errors import AscError
from asc_tui.i18n import _, format_count, ngettext
from asc_tui.ui.text import plain

if TYPE_CHECKING:
    from asc_tui.services.health_refresh import RefreshReport
    from asc_tui.storage.models import Store
    from asc_tui.ui.app import AscApp
    from asc_tui.ui.screens.store_view import StoreViewScreen


class HealthChecks:
    def __init__(self, app: AscApp) -> None:
        self.app = app
        self._worker: Worker[None] | None = None

    @property
    def running(self) -> bool:
        return self._worker is not None and not self._worker.is_finished

    def store(self, store: Store) -> None:
        """`r` in the store view: this store now."""
        self._start(store.id or 0)

    def every_store(self) -> None:
        """The palette's "Refresh store health": every store Amazon can be asked about."""
        if self.app.defer_until_ready(self.every_store):
            return
        self._start(None)

    def _start(self, store_id: int | None) -> None:
        app = self.app
        if self.running:
            # The service asks one refresh at a time anyway; a second would only wait behind the first.
            app.notify(_("Amazon is being asked already; the health shows as soon as it answers."))
            return
        if store_id is None:
            app.notify(_("Asking Amazon about every connected store…"), title=_("Store health"))
        else:
            self._asking(store_id)
        self._worker = app.run_worker(
            lambda: self._ask(store_id),
            thread=True,
            exit_on_error=False,
            group="health-refresh",
            description="store health refresh",  # i18n: not shown
        )

    def _ask(self, store_id: int | None) -> None:
        """In the worker thread: ask, then hand the report and the stores as they now are to the UI."""
        app = self.app
        try:
            registry = app.registry_when_open()
            stores = registry.stores.list_stores() if store_id is None else [registry.stores.get(store_id)]

            def progress(_done: int, _total: int, store: Store | None) -> None:
                app.call_from_thread(self._asking, store.id if store is not None else None)

            report = registry.health_refresh().refresh(stores, progress=progress)
            # A store may be Revoked now (invalid_grant): its views show it so.
            fresh = {s.id or 0: registry.stores.get(s.id or 0) for s in stores}
        except AscError as exc:
            app.call_from_thread(self._failed, exc.message)
            return
        except Exception:
            app.call_from_thread(self._asking, None)  # the app's worker handler says what went wrong
            raise
        app.call_from_thread(self._done, report, fresh, store_id is None)

    def _views(self) -> list[StoreViewScreen]:
        from asc_tui.ui.screens.store_view import StoreViewScreen

        return [s for s in self.app.screen_stack if isinstance(s, StoreViewScreen)]

    def _asking(self, store_id: int | None) -> None:
        """Only the store asked now says "Asking Amazon…" (None: no store any more)."""
        for view in self._views():
            asking = view.store.id == store_id
            if view.asking != asking:
                view.health_asking(asking)

    def _done(self, report: RefreshReport, fresh: dict[int, Store], every: bool) -> None:
        app = self.app
        for view in self._views():
            view.asking = False
            view.show(fresh.get(view.store.id or 0, view.store))
        if report.app_problem:
            app.notify(
                _("{problem} Fix it in Settings (s on the home).").format(problem=report.app_problem),
                title=_("Store health"),
                severity="error",
                markup=False,
                timeout=20,
            )
        if every:
            self._summary(report)
            return
        result = report.results[0] if report.results else None
        if result is not None and result.skipped:
            app.notify(result.skipped, severity="warning", markup=False)
        elif result is not None and result.health is not None and not report.app_problem:
            app.notify(
                _("Health of “{name}” checked.").format(name=plain(result.name)),
                title=_("Store health"),
                markup=False,
            )

    def _summary(self, report: RefreshReport) -> None:
        checked = ngettext(
            "Health checked for {count} store", "Health checked for {count} stores", len(report.asked)
        ).format(count=format_count(len(report.asked)))
        needing = len(report.needing)
        need = ngettext("{count} needs you", "{count} need you", needing).format(count=format_count(needing))
        self.app.notify(
            _("{checked}; {need}.").format(checked=checked, need=need),
            title=_("Store health"),
            severity="warning" if needing else "information",
            markup=False,
        )

    def _failed(self, message: str) -> None:
        for view in self._views():
            if view.asking:
                view.health_asking(False)
        self.app.notify(message, title=_("Store health"), severity="error", markup=False, timeout=20)
