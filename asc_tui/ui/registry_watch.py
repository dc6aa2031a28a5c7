"""Other admins' changes, and a database that goes away: the home asks the registry every few seconds
whether anything changed (one tiny query), shows what did, and says so while the database cannot be
reached (nothing saved is lost; the poll goes on).

Store health has a counter of its own: a health check (this app's, another admin's, cron's) redraws the
cards it changed, and never makes the home read every store again."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.screen import ModalScreen

from asc_tui.errors import AscError
from asc_tui.i18n import _

if TYPE_CHECKING:
    from asc_tui.domain.health import HomeHealth
    from asc_tui.services.first_screen import StoreRow
    from asc_tui.storage.models import Store
    from asc_tui.ui.app import AscApp

# How often the home asks the registry whether anything changed (another admin, the CLI): one tiny query.
POLL_SECONDS = 2.0


class RegistryWatch:
    def __init__(self, app: AscApp) -> None:
        self.app = app
        # What the home's banner says while the database cannot be reached (None while it answers).
        self.db_notice: str | None = None
        self._seen_revision: int | None = None  # what the stores shown are as of
        self._polling = False
        # What the cards show of each store's health (by store id), and the health counter it is as of.
        self.health: dict[int, HomeHealth] = {}
        self._seen_health = 0

    def start(self, revision: int, health: dict[int, HomeHealth], health_revision: int) -> None:
        """The registry is open and the home shows its stores as of `revision` and their health as of
        `health_revision`: watch from now on."""
        self._seen_revision = revision
        self.health, self._seen_health = health, health_revision
        self.app.set_interval(POLL_SECONDS, self._poll, name="registry-poll")

    def _poll(self) -> None:
        if self.app.ready and not self._polling:
            self._polling = True
            read = partial(
                self._read, self._seen_revision, self._seen_health, force=self.db_notice is not None
            )
            self.app.run_worker(read, thread=True, exit_on_error=False, group="registry-poll")

    def _read(self, seen: int | None, seen_health: int, force: bool) -> None:
        """Off the UI thread: the registry's revision and, when it moved, the stores as they are now; the
        same for store health."""
        app = self.app
        try:
            try:
                revision = app.registry.stores.revision()
                stores = app.registry.stores.list_rows() if force or revision != seen else None
                health_revision = app.registry.health.revision()
                changed = (
                    app.registry.health.changed_since(seen_health) if health_revision != seen_health else {}
                )
            except AscError as exc:
                app.call_from_thread(self._unreachable, exc.message)
                return
            if changed:
                app.call_from_thread(self.show_health, health_revision, changed)
            app.call_from_thread(self.show_read, revision, stores)
        finally:
            self._polling = False  # only once the answer is on screen: answers never arrive out of order

    def show_read(self, revision: int, stores: list[Store] | None) -> None:
        app = self.app
        if self.db_notice is not None:
            self.db_notice = None
            app.home.show_banner()
            app.notify(_("The database answers again."), markup=False)
        if stores is None:
            return
        if isinstance(app.screen, ModalScreen):
            return  # not under an open form: its own save refuses a stale change; read again after
        self._seen_revision = revision
        if list(map(_shown_key, stores)) != list(map(_shown_key, app.home.stores)):
            app.show_stores(stores)  # (not when this app's own change already reloaded them)

    def show_health(self, revision: int, changed: dict[int, HomeHealth]) -> None:
        """New health for these stores: their cards are drawn again, no other."""
        self._seen_health = max(self._seen_health, revision)
        self.health.update(changed)
        if self.app.home.query("#cards"):  # not while the home is composed again (a language switch)
            self.app.home.deck.refresh()  # each card's cache key holds its health: only changed cards redraw

    def _unreachable(self, problem: str) -> None:
        reason = problem.rstrip(".")
        self.db_notice = _(
            "The database cannot be reached ({reason}); retrying every few seconds. Nothing you saved is lost."
        ).format(reason=f"{reason[:1].lower()}{reason[1:]}")
        self.app.home.show_banner()


def _shown_key(store: Store | StoreRow) -> tuple[object, ...]:
    """What a card shows of a store, to tell whether a fresh read differs from the home."""
    return (
        store.id, store.version, store.updated_at, store.name, store.email, store.status, store.seller_id,
        store.authorized_at, store.auth_revoked, store.token_ref,
    )  # fmt: skip
