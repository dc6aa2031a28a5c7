"""The application: opens the registry after the first frame and routes every store action."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from textual import events, on, work
from textual.app import App
from textual.binding import Binding
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from asc_tui.domain import StoreStatus
from asc_tui.errors import AscError, StoreChanged
from asc_tui.i18n import N_, _
from asc_tui.settings.config import Config
from asc_tui.system import paths
from asc_tui.system.timing import record
from asc_tui.ui import linebreak
from asc_tui.ui.catalog_refresh import CatalogRefresh
from asc_tui.ui.commands import StoreCommands
from asc_tui.ui.connect_flow import ConnectFlow
from asc_tui.ui.health_refresh import HealthChecks
from asc_tui.ui.messages import RefreshCatalog
from asc_tui.ui.quiet_start import QuietStart
from asc_tui.ui.registry_watch import RegistryWatch
from asc_tui.ui.screens.home import HomeScreen  # the one screen imported here: the rest where they open
from asc_tui.ui.store_actions import StoreActions
from asc_tui.ui.translated_app import TranslatedApp
from asc_tui.ui.typed_ahead import TypedAhead
from asc_tui.ui.wire_driver import driver_class

if TYPE_CHECKING:
    from asc_tui.commerce.model import Catalog
    from asc_tui.domain.health import HomeHealth

    # Types only: the registry and its tables (SQLModel) are imported by the worker, after the first frame.
    from asc_tui.services.first_screen import StoreRow
    from asc_tui.services.registry import Registry
    from asc_tui.storage.models import Store

T = TypeVar("T")
# `[ui] theme = "ansi"`: Textual's theme in the terminal's own palette (16-colour codes, its background).
ANSI_THEME = "ansi-dark"
FIRST_SCREENFUL = 120  # more cards than fit on any screen: shown before the rest are read


class AscApp(TranslatedApp):
    CSS_PATH = str(paths.stylesheet())
    TITLE = N_("Amazon Sales Channel")
    SUB_TITLE = N_("Adobe Commerce stores on Amazon")
    COMMANDS = App.COMMANDS | {StoreCommands}
    BINDINGS = [
        Binding("q", "quit", N_("Quit"), id="quit", tooltip=N_("Quit asc-tui")),
    ]

    def __init__(self, config: Config, db: str | None = None, *, sandbox: bool = False) -> None:
        super().__init__(driver_class=driver_class())
        if config.ui.theme == "ansi":
            self.theme = ANSI_THEME
        linebreak.install()  # Chinese lines wrap between characters, not only at spaces
        self.config = config
        self.db = db
        self.sandbox = sandbox
        self._stores_registry: Registry | None = None
        self.fatal_error: AscError | None = None
        self.catalog: Catalog | None = None
        # Connected stores whose refresh token this machine's keyring lacks: cards say "Reconnect needed".
        self.missing_secrets: set[int] = set()
        # What the home's banner says about the keyring: "setup" (no keyring service), "unprotected" or None.
        self._secrets_state: str | None = None
        self._quick_shown = False  # the first cards came from the file before the registry opened
        self._registry_opened = threading.Event()  # for worker threads that need the registry
        self._first_frame = False
        self._exit_after_first_frame: int | None = None  # the exit code of an error found before it
        self.typed_ahead = TypedAhead(self)
        self.quiet_start = QuietStart(self)
        self.catalog_refresh = CatalogRefresh(self)
        self.connect_flow = ConnectFlow(self)
        self.store_actions = StoreActions(self)
        self.registry_watch = RegistryWatch(self)
        self.health_checks = HealthChecks(self)
        self._deferred: list[Callable[[], None]] = []  # palette commands chosen while it opened
        self.home = HomeScreen()
        self._set_titles()

    def _set_titles(self) -> None:
        self.title = _(self.TITLE)
        self.sub_title = _("SANDBOX: emulated Amazon, own database") if self.sandbox else _(self.SUB_TITLE)

    async def use_language(self, language: str | None) -> None:
        """Speak `language` ("en", "zh-Hant"; None: as the locale says) at once, on every open screen."""
        from asc_tui.i18n import choose_language, note_language_source
        from asc_tui.ui.retranslate import rebuild

        choose_language(language, None)
        note_language_source("settings" if language else "locale")
        self._set_titles()
        for screen in list(self.screen_stack):
            retranslate = getattr(screen, "retranslate", None)
            if retranslate is not None:
                await retranslate()
            else:
                await rebuild(screen)

    @property
    def registry(self) -> Registry:
        if self._stores_registry is None:
            raise RuntimeError("the registry is still opening")
        return self._stores_registry

    @property
    def ready(self) -> bool:
        return self._stores_registry is not None

    def registry_when_open(self, timeout: float = 300.0) -> Registry:
        """For worker threads only: the registry, waiting while it still opens (Settings opens at once)."""
        self._registry_opened.wait(timeout)
        return self.registry

    # --- keys typed ahead ---------------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self.quiet_start.key_seen()
            if self.typed_ahead.hold(event):
                return
        await super().on_event(event)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Over SSH a blinking cursor repaints its whole field twice a second for as long as it has focus
        # (about 3.5 KB a second at 160 columns): the cursor stays lit instead.
        if isinstance(event.widget, Input):
            event.widget.cursor_blink = False

    @property
    def secrets_notice(self) -> str | None:
        """What the home's banner says about the keyring, in the current language (None: nothing)."""
        if self._secrets_state == "setup":
            return _(
                "No keyring service runs here, so Amazon secrets cannot be saved yet; connecting a store (c) "
                "offers an encrypted secrets file."
            )
        if self._secrets_state == "unprotected" and self._stores_registry is not None:
            return _("Secrets are UNPROTECTED: {where}.").format(where=self.registry.secrets.describe())
        return None

    def get_default_screen(self) -> HomeScreen:
        # The home is the bottom of the stack: no blank default screen under it, which Textual would lay
        # out and paint again on every resize (two more whole screens on the wire).
        return self.home

    def on_mount(self) -> None:
        if self.sandbox:
            self.add_class("-sandbox")
        self._open_registry()

    def on_ready(self) -> None:
        # Textual posts Ready right after the first frame is written (call_after_refresh waits for idle).
        record("first_frame")
        self._first_frame = True
        self.quiet_start.first_frame()
        if self._exit_after_first_frame is not None:
            self.exit(None, self._exit_after_first_frame)

    def _exit_on_error(self, exit_code: int) -> None:
        # Not before the home is up: exiting while it still mounts left Textual's Header a title to set in
        # a widget already removed, and its traceback on the terminal (seen with a garbage database file).
        if self._first_frame:
            self.exit(None, exit_code)
        else:
            self._exit_after_first_frame = exit_code

    @work(thread=True, exclusive=True, exit_on_error=False, group="registry")
    def _open_registry(self) -> None:
        # Off the first frame: importing SQLModel and opening the database take longer than painting.
        from asc_tui.services.first_screen import first_catalog, read_home

        # The cards first, straight from the file: a screenful, then all of them; the registry (SQLModel,
        # migrations) follows, and replaces them with its own rows only if anything changed meanwhile.
        quick = read_home(self.db, self.sandbox, limit=FIRST_SCREENFUL)
        early = first_catalog(quick, self.config.commerce)
        if early is not None:
            # Ready before it is asked for: `a` typed at the first frame would otherwise import it then.
            import asc_tui.ui.screens.add_store  # noqa: F401

            # The add form needs only the catalog: `a` opens it now, the registry opens meanwhile.
            self.call_from_thread(self._early_catalog, early)
        if quick is not None and quick.stores:
            self.call_from_thread(self._quick_home, quick.stores, quick.catalog, quick.health)
            if len(quick.stores) == FIRST_SCREENFUL:
                self.quiet_start.wait()  # the rest of the cards after the keys typed ahead, see quiet_start
                quick = read_home(self.db, self.sandbox)
                if quick is not None:
                    self.call_from_thread(self._quick_home, quick.stores, quick.catalog, quick.health)
        self.quiet_start.wait()
        from asc_tui.services.registry import open_registry

        try:
            registry = open_registry(self.db, self.config, sandbox=self.sandbox)
            catalog = registry.catalog.current()
            revision = registry.stores.revision()
            health_revision = registry.health.revision()  # first: a check saved meanwhile is read again
            # As the stores: the health already read is kept unless a check was saved since.
            if quick is not None and quick.health_revision == health_revision:
                health = quick.health
            else:
                health = registry.health.health_for_home()
            # The same rows twice would be the memory peak at 10,000 stores: read again only on a change.
            if quick is not None and quick.stores and revision == quick.revision:
                stores: list[Store] = quick.stores  # type: ignore[assignment]
            else:
                stores = registry.stores.list_rows()  # type: ignore[assignment]
        except AscError as exc:
            # Reported by run_app after the terminal is restored, as the CLI reports every error.
            self.fatal_error = exc
            self.call_from_thread(self._exit_on_error, exc.exit_code)
            return
        self.call_from_thread(
            self._registry_ready, registry, catalog, stores, (revision, health_revision), health
        )

    def _early_catalog(self, catalog: Catalog) -> None:
        if self.catalog is None:
            self.catalog = catalog
        self.typed_ahead.catalog_known()

    def _quick_home(
        self, stores: list[StoreRow], catalog: Catalog | None, health: dict[int, HomeHealth]
    ) -> None:
        if self.ready:
            return
        if catalog is not None:
            self.catalog = catalog
        self.registry_watch.health.update(health)  # drawn with the first cards, not after them
        first = not self._quick_shown and not self.home.typing_filter
        # Same attributes as the storage rows; the cursor stays where the admin may already have moved it.
        self.home.show_stores(stores, focus_id=stores[0].id if first else None)  # type: ignore[arg-type]
        if not self._quick_shown:
            self.call_after_refresh(record, "cards_shown")
        self._quick_shown = True

    def _registry_ready(
        self,
        registry: Registry,
        catalog: Catalog,
        stores: list[Store],
        revisions: tuple[int, int],
        health: dict[int, HomeHealth],
    ) -> None:
        self._stores_registry = registry
        # What the stores shown (and their health) are as of: the poll reads again once either moves on.
        self.registry_watch.start(revisions[0], health, revisions[1])
        self._registry_opened.set()
        self.catalog = catalog
        if self._quick_shown:
            self.home.show_stores(stores)  # the same stores, now the registry's rows; the cursor stays
        else:
            first = stores[0].id if stores and not self.home.typing_filter else None
            self.home.show_stores(stores, focus_id=first)
            self.call_after_refresh(record, "cards_shown")
        self.connect_flow.clean_up_stale()
        self.health_checks.start_background()
        self._check_secrets(stores)
        if registry.config is not self.config:
            registry.reload(self.config)  # Settings, open at once, saved while the registry opened
        if registry.catalog.is_stale(catalog):
            self.refresh_catalog()  # e.g. the config now names a Magento shop: read it in the background
        deferred, self._deferred = self._deferred, []
        for action in deferred:
            action()
        self.typed_ahead.registry_open()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            message = (
                str(error)
                if isinstance(error, AscError)
                else _("Unexpected error ({name}).").format(name=type(error).__name__)
            )
            self.log.error(error)
            self.notify(message, severity="error", markup=False)

    def on_unmount(self) -> None:
        self._registry_opened.set()  # a worker thread still waiting for the registry gives up now
        if self._stores_registry is not None:
            self._stores_registry.close()

    # --- helpers ------------------------------------------------------------------------------------

    def service_call(self, action: Callable[[], T]) -> T | None:
        """Run one service call; a refusal or a database problem becomes one notification."""
        try:
            return action()
        except StoreChanged as exc:
            self.notify(str(exc), severity="warning", markup=False)
            self.reload()
        except AscError as exc:
            self.notify(str(exc), severity="error", markup=False)
        return None

    def reload(self, focus_id: int | None = None) -> None:
        if not self.ready:
            return
        stores = self.service_call(self.registry.stores.list_rows)
        if stores is None:
            return
        # Light rows with the storage model's attributes: what the home keeps, even for 10,000 stores.
        self.show_stores(stores, focus_id)  # type: ignore[arg-type]

    def show_stores(self, stores: list[Store], focus_id: int | None = None) -> None:
        from asc_tui.ui.screens.store_view import StoreViewScreen

        self.home.show_stores(stores, focus_id)
        by_id = {s.id: s for s in stores}
        for screen in self.screen_stack:
            if isinstance(screen, StoreViewScreen):
                fresh = by_id.get(screen.store.id)
                if fresh is not None:
                    screen.show(fresh)

    def defer_until_ready(self, then: Callable[[], None]) -> bool:
        """While the registry opens: do `then` as soon as it is open (a palette command chosen early)."""
        if not self.ready:
            self._deferred.append(then)
            return True
        return False

    # --- store actions (shared by the home, the store view and the palette) --------------------------

    def add_store(self) -> None:
        self.store_actions.add()

    def view_store(self, store: Store) -> None:
        self.store_actions.view(store)

    def edit_store(self, store: Store) -> None:
        self.store_actions.edit(store)

    def toggle_store(self, store: Store) -> None:
        self.store_actions.toggle(store)

    def delete_store(self, store: Store) -> None:
        self.store_actions.delete(store)

    def connect_store(self, store: Store) -> None:
        self.connect_flow.connect(store)

    @work(thread=True, exit_on_error=False, group="secrets-check")
    def _check_secrets(self, stores: list[Store]) -> None:
        """Find the keyring (it may touch D-Bus) and which connected stores lack their token here."""
        from asc_tui.settings.secret_store import SecretsUnavailable, refresh_token_key

        secrets = self.registry.secrets
        try:
            secrets.resolve()
            missing = {
                s.id or 0
                for s in stores
                if s.status != StoreStatus.NOT_CONNECTED.value
                and (not s.token_ref or not secrets.has(refresh_token_key(s.token_ref)))
            }
        except SecretsUnavailable as exc:
            self.call_from_thread(self.notify, exc.message, severity="warning", markup=False, timeout=15)
            return
        self.call_from_thread(self._secrets_checked, missing)

    def _secrets_checked(self, missing: set[int]) -> None:
        secrets = self.registry.secrets
        self.missing_secrets = missing
        if secrets.needs_setup:
            self._secrets_state = "setup"
        elif secrets.unprotected:
            self._secrets_state = "unprotected"
        else:
            self._secrets_state = None
        # Nothing in the database changed: redraw the banner and the cards, don't read the stores again.
        self.home.redraw_notices()

    def learn_and_prepare(self) -> None:
        from asc_tui.ui.screens.learn import LearnPrepareScreen

        if self.defer_until_ready(self.learn_and_prepare):
            return
        self.push_screen(LearnPrepareScreen(self.registry.presetup.done(), self.save_presetup))

    def save_presetup(self, key: str, done: bool) -> None:
        self.service_call(lambda: self.registry.presetup.set_done(key, done))

    # --- the Commerce catalog ---------------------------------------------------------------------------

    @on(RefreshCatalog)
    def _refresh_catalog_asked(self, _message: RefreshCatalog) -> None:
        self.refresh_catalog()

    def refresh_catalog(self) -> None:
        self.catalog_refresh.start()

    def apply_config(self, config: Config) -> None:
        """Settings were saved: connect and the catalog use them from now on."""
        commerce_changed = config.commerce != self.config.commerce
        self.config = config
        if not self.ready:
            return
        self.registry.reload(config)
        if commerce_changed:
            self.refresh_catalog()

    # --- leaving ---------------------------------------------------------------------------------------

    async def action_quit(self) -> None:
        if not self.asks_before_quitting():
            await super().action_quit()

    def asks_before_quitting(self) -> bool:
        return self.connect_flow.ask_before_abandoning()

    def show_help(self) -> None:
        from asc_tui.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def open_settings(self) -> None:
        """The settings screen; saving there replaces self.config (see SettingsScreen.action_save)."""
        from asc_tui.ui.screens.settings import SettingsScreen

        if isinstance(self.screen, SettingsScreen):
            return
        self.push_screen(SettingsScreen(self.config, sandbox=self.sandbox), self._settings_closed)

    def _settings_closed(self, _result: None) -> None:
        """What Settings may have fixed is looked at again: the keyring banner, the empty home's hint."""
        if not self.ready:
            return
        self._check_secrets(self.home.stores)
        self.home.show_setup_hint()


def run_app(config: Config, db: str | None, sandbox: bool) -> int:
    app = AscApp(config, db, sandbox=sandbox)
    app.run()
    if app.fatal_error is not None:
        raise app.fatal_error
    return app.return_code or 0
