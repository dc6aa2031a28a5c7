"""Asking Amazon about store health from the TUI: one store (`r` in its store view), every store (the
palette), or in the background the stores whose last check is older than `[health] refresh_minutes`; in a
thread worker so keys keep working. The store views say "Asking Amazon…" while their store is asked and
show the new health after; one notification says what came of an asked check (the background stays
quiet), and a problem of the app's own (its client secret) stays in the home's banner until a check works."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from textual.worker import Worker

from asc_tui.domain import utcnow
from asc_tui.domain.health import why_not_asked
from asc_tui.errors import AscError
from asc_tui.i18n import _, format_count, ngettext
from asc_tui.ui.text import plain

if TYPE_CHECKING:
    from asc_tui.services.health_refresh import RefreshReport
    from asc_tui.storage.models import Store
    from asc_tui.ui.app import AscApp
    from asc_tui.ui.screens.store_view import StoreViewScreen


# How often the TUI looks for stores whose health is due (asking Amazon only when some are).
BACKGROUND_TICK_SECONDS = 60.0


class HealthChecks:
    def __init__(self, app: AscApp) -> None:
        self.app = app
        self._worker: Worker[None] | None = None
        # The app's own problem from the last check (a rejected client secret): the home's banner says it.
        self.app_problem: str | None = None

    def start_background(self) -> None:
        """The registry is open: from now on, ask about stores whose health is due, now and then."""
        # The first look a minute after start, not at once: opening the app stays quiet on the wire.
        if self.app.config.health.refresh_minutes:
            self.app.set_interval(BACKGROUND_TICK_SECONDS, self.tick, name="health-background")

    def due(self) -> list[int]:
        """The connected stores whose last check is older than `[health] refresh_minutes` (or never made)."""
        minutes = self.app.config.health.refresh_minutes
        if not minutes:
            return []
        oldest = utcnow() - timedelta(minutes=minutes)
        health = self.app.registry_watch.health
        due = []
        for store in self.app.home.stores:
            if why_not_asked(store) is not None:
                continue  # the refresh would skip it: it is never due
            checked = health.get(store.id or 0)
            if checked is None or checked.checked_at is None or checked.checked_at < oldest:
                due.append(store.id or 0)
        return due

    def tick(self) -> None:
        if self.running or not self.app.ready:
            return
        due = [store_id for store_id in self.due() if store_id not in self.app.missing_secrets]
        if due:
            self._start(due, quiet=True)

    @property
    def running(self) -> bool:
        return self._worker is not None and not self._worker.is_finished

    def store(self, store: Store) -> None:
        """`r` in the store view: this store now."""
        self._start([store.id or 0])

    def every_store(self) -> None:
        """The palette's "Refresh store health": every store Amazon can be asked about."""
        if self.app.defer_until_ready(self.every_store):
            return
        self._start(None)

    def _start(self, store_ids: list[int] | None, *, quiet: bool = False) -> None:
        app = self.app
        if self.running:
            # The service asks one refresh at a time anyway; a second would only wait behind the first.
            if not quiet:
                app.notify(_("Amazon is being asked already; the health shows as soon as it answers."))
            return
        if store_ids is None:
            app.notify(_("Asking Amazon about every connected store…"), title=_("Store health"))
        elif len(store_ids) == 1 and not quiet:
            self._asking(store_ids[0])
        self._worker = app.run_worker(
            lambda: self._ask(store_ids, quiet),
            thread=True,
            exit_on_error=False,
            group="health-refresh",
            description="store health refresh",  # i18n: not shown
        )

    def _ask(self, store_ids: list[int] | None, quiet: bool) -> None:
        """In the worker thread: ask, then hand the report and the stores as they now are to the UI."""
        app = self.app
        try:
            registry = app.registry_when_open()
            if store_ids is None:
                stores = registry.stores.list_stores()
            else:
                stores = [registry.stores.get(store_id) for store_id in store_ids]

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
        app.call_from_thread(self._done, report, fresh, store_ids is None, quiet)

    def _views(self) -> list[StoreViewScreen]:
        from asc_tui.ui.screens.store_view import StoreViewScreen

        return [s for s in self.app.screen_stack if isinstance(s, StoreViewScreen)]

    def _asking(self, store_id: int | None) -> None:
        """Only the store asked now says "Asking Amazon…" (None: no store any more)."""
        for view in self._views():
            asking = view.store.id == store_id
            if view.asking != asking:
                view.health_asking(asking)

    def _done(self, report: RefreshReport, fresh: dict[int, Store], every: bool, quiet: bool) -> None:
        app = self.app
        for view in self._views():
            view.asking = False
            view.show(fresh.get(view.store.id or 0, view.store))
        if report.app_problem != self.app_problem and (report.app_problem or report.asked):
            self.app_problem = report.app_problem  # gone once a check got through
            app.home.show_banner()
        if quiet:
            return
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
