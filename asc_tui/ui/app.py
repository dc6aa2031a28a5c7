"""The application: opens the registry after the first frame and routes every store action."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from asc_tui.domain import StoreDraft, StoreEdit, StoreStatus
from asc_tui.errors import AscError, StoreChanged, StoreNameTaken, StoreValidationError
from asc_tui.i18n import N_, _
from asc_tui.settings.config import Config
from asc_tui.system import paths
from asc_tui.system.timing import record
from asc_tui.ui import linebreak
from asc_tui.ui.commands import AscCommandPalette, StoreCommands
from asc_tui.ui.messages import RefreshCatalog

# Only the home is imported here: every other screen is imported where it opens, off the first frame.
from asc_tui.ui.screens.home import HomeScreen
from asc_tui.ui.text import catalog_source, fill, literal, local_time, plain

if TYPE_CHECKING:
    from asc_tui.commerce.model import Catalog

    # Types only: the registry and its tables (SQLModel) are imported by the worker, after the first frame.
    from asc_tui.services.connect import ConnectService, ConnectSession, Outcome
    from asc_tui.services.first_screen import StoreRow
    from asc_tui.services.registry import Registry
    from asc_tui.storage.models import Store

T = TypeVar("T")
FIRST_SCREENFUL = 120  # more cards than fit on any screen: shown before the rest are read

# Keys that never wait for the registry, even behind held keys: leaving the app is always at once.
AT_ONCE_KEYS = frozenset({"ctrl+c", "ctrl+q"})

# How often the home asks the registry whether anything changed (another admin, the CLI): one tiny query.
POLL_SECONDS = 2.0

# What a Magento shop's progress reports as it reads the catalog (asc_tui.commerce.magento PROGRESS_*).
PROGRESS_WORDS = (N_("websites"), N_("store groups"), N_("store views"), N_("attributes"))


class AscApp(App[None]):
    CSS_PATH = str(paths.stylesheet())
    TITLE = N_("Amazon Sales Channel")
    SUB_TITLE = N_("Adobe Commerce stores on Amazon")
    COMMANDS = App.COMMANDS | {StoreCommands}
    BINDINGS = [
        Binding("q", "quit", N_("Quit"), id="quit", tooltip=N_("Quit asc-tui")),
    ]

    def __init__(self, config: Config, db: str | None = None, *, sandbox: bool = False) -> None:
        super().__init__()
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
        # What the home's banner says while the database cannot be reached (None while it answers).
        self.db_notice: str | None = None
        self.poll_seconds = POLL_SECONDS
        self._seen_revision: int | None = None
        self._polling = False
        self._quick_shown = False  # the first cards came from the file before the registry opened
        self._registry_opened = threading.Event()  # for worker threads that need the registry
        # Keys typed before the registry opened, from the first one that needs it: replayed in order.
        self._held_keys: list[events.Key] = []
        self._holding = False
        self._replaying: events.Key | None = None
        self._replay_running = False
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
        if isinstance(event, events.Key) and not event.is_forwarded and self._hold(event):
            return
        await super().on_event(event)

    def _hold(self, event: events.Key) -> bool:
        """Keep a key for later when it (or a key before it) needs the registry that is still opening."""
        if event is self._replaying or event.key in AT_ONCE_KEYS:
            return False
        if not self._holding:
            needs_registry = (
                not self.ready
                and self.screen is self.home
                and not isinstance(self.focused, Input)
                and event.key in HomeScreen.REGISTRY_KEYS
                # The add form opens on the catalog alone, read from the file before the registry opens.
                and not (event.key in HomeScreen.ADD_KEYS and self.catalog is not None)
            )
            if not needs_registry:
                return False
            self._holding = True
        self._held_keys.append(event)
        return True

    def _start_replay(self) -> None:
        if not self._replay_running:
            self._replay_running = True
            self.run_worker(self._replay_held_keys(), group="typed-ahead", exit_on_error=False)

    async def _replay_held_keys(self) -> None:
        """Each held key, in order, as if typed now: each one's screen settles before the next one."""
        try:
            while self._held_keys:
                held = self._held_keys.pop(0)
                key = events.Key(held.key, held.character)
                self._replaying = key
                self.post_message(key)
                await self._settle()
        finally:
            self._replaying = None
            self._held_keys.clear()
            self._holding = False
            self._replay_running = False

    async def _settle(self) -> None:
        """Until the app and the screen on top have handled what is queued: the same screen and focus
        after two rounds in a row, and a screen that focuses a widget when shown has done so."""
        seen: tuple[object, object] | None = None
        for _round in range(50):
            await self._drain()
            top = self.screen_stack[-1] if self.screen_stack else None
            now = (top, self.focused)
            waits_for_focus = top is not None and bool(top.AUTO_FOCUS) and self.focused is None
            if now == seen and not waits_for_focus:
                return
            seen = now
            if waits_for_focus:
                await asyncio.sleep(0.005)  # its children are still being mounted

    async def _drain(self) -> None:
        """Wait until the app and every widget of the top screen have handled what was queued so far."""
        done = asyncio.Event()
        pending = 0

        def one_done() -> None:
            nonlocal pending
            pending -= 1
            if pending == 0:
                done.set()

        pumps: list[Any] = [self]
        if self.screen_stack:
            pumps.extend(self.screen_stack[-1].walk_children(with_self=True))
        for pump in pumps:
            if pump.call_later(one_done):
                pending += 1
        if pending:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), timeout=10)

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

    def on_mount(self) -> None:
        if self.sandbox:
            self.add_class("-sandbox")
        self.push_screen(self.home)
        self._open_registry()

    def on_ready(self) -> None:
        # Textual posts Ready right after the first frame is written (call_after_refresh waits for idle).
        record("first_frame")

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
            self.call_from_thread(self._quick_home, quick.stores, quick.catalog)
            if len(quick.stores) == FIRST_SCREENFUL:
                quick = read_home(self.db, self.sandbox)
                if quick is not None:
                    self.call_from_thread(self._quick_home, quick.stores, quick.catalog)
        from asc_tui.services.registry import open_registry

        try:
            registry = open_registry(self.db, self.config, sandbox=self.sandbox)
            catalog = registry.catalog.current()
            revision = registry.stores.revision()
            # The same rows twice would be the memory peak at 10,000 stores: read again only on a change.
            if quick is not None and quick.stores and revision == quick.revision:
                stores: list[Store] = quick.stores  # type: ignore[assignment]
            else:
                stores = registry.stores.list_rows()  # type: ignore[assignment]
        except AscError as exc:
            # Reported by run_app after the terminal is restored, as the CLI reports every error.
            self.fatal_error = exc
            self.call_from_thread(self.exit, None, exc.exit_code)
            return
        self.call_from_thread(self._registry_ready, registry, catalog, stores, revision)

    def _early_catalog(self, catalog: Catalog) -> None:
        if self.catalog is None:
            self.catalog = catalog
        # `a` typed before the catalog was known waits no longer for the whole registry.
        if self._held_keys and self._held_keys[0].key in HomeScreen.ADD_KEYS:
            self._start_replay()

    def _quick_home(self, stores: list[StoreRow], catalog: Catalog | None) -> None:
        if self.ready:
            return
        if catalog is not None:
            self.catalog = catalog
        first = not self._quick_shown and not self.home.typing_filter
        # Same attributes as the storage rows; the cursor stays where the admin may already have moved it.
        self.home.show_stores(stores, focus_id=stores[0].id if first else None)  # type: ignore[arg-type]
        if not self._quick_shown:
            self.call_after_refresh(record, "cards_shown")
        self._quick_shown = True

    def _registry_ready(
        self, registry: Registry, catalog: Catalog, stores: list[Store], revision: int
    ) -> None:
        self._stores_registry = registry
        self._registry_opened.set()
        # What the stores shown are as of: the poll reads them again once the registry moves on.
        self._seen_revision = revision
        self.catalog = catalog
        if self._quick_shown:
            self.home.show_stores(stores)  # the same stores, now the registry's rows; the cursor stays
        else:
            first = stores[0].id if stores and not self.home.typing_filter else None
            self.home.show_stores(stores, focus_id=first)
            self.call_after_refresh(record, "cards_shown")
        self._clean_up_attempts()
        self._check_secrets(stores)
        self.set_interval(self.poll_seconds, self._poll_registry, name="registry-poll")
        if registry.config is not self.config:
            registry.reload(self.config)  # Settings, open at once, saved while the registry opened
        if registry.catalog.is_stale(catalog):
            self.refresh_catalog()  # e.g. the config now names a Magento shop: read it in the background
        deferred, self._deferred = self._deferred, []
        for action in deferred:
            action()
        if self._held_keys:
            self._start_replay()

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

    def _attempt(self, action: Callable[[], T]) -> T | None:
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
        stores = self._attempt(self.registry.stores.list_rows)
        if stores is None:
            return
        # Light rows with the storage model's attributes: what the home keeps, even for 10,000 stores.
        self._show_stores(stores, focus_id)  # type: ignore[arg-type]

    def _show_stores(self, stores: list[Store], focus_id: int | None = None) -> None:
        from asc_tui.ui.screens.store_view import StoreViewScreen

        self.home.show_stores(stores, focus_id)
        by_id = {s.id: s for s in stores}
        for screen in self.screen_stack:
            if isinstance(screen, StoreViewScreen):
                fresh = by_id.get(screen.store.id)
                if fresh is not None:
                    screen.show(fresh)

    def _form_save(self, save: Callable[[], T]) -> T | None:
        """A form's save: errors per field stay in the form; anything else is one notification.

        A store someone else changed meanwhile closes the form (None) and reloads; a database problem
        keeps the form open with what was typed, to save again once the database answers.
        """
        try:
            return save()
        except StoreValidationError:
            raise
        except StoreNameTaken as exc:  # another admin took the name a moment ago
            raise StoreValidationError({"name": str(exc)}) from None
        except StoreChanged as exc:
            self.notify(str(exc), severity="warning", markup=False, timeout=10)
            self.reload()
            return None
        except AscError as exc:
            self.notify(str(exc), severity="error", markup=False, timeout=10)
            raise StoreValidationError({}) from None

    # --- other admins' changes, and a database that goes away ---------------------------------------

    def _poll_registry(self) -> None:
        if self.ready and not self._polling:
            self._polling = True
            self._read_revision(self._seen_revision, force=self.db_notice is not None)

    @work(thread=True, exit_on_error=False, group="registry-poll")
    def _read_revision(self, seen: int | None, force: bool) -> None:
        """Off the UI thread: the registry's revision and, when it moved, the stores as they are now."""
        try:
            try:
                revision = self.registry.stores.revision()
                stores = self.registry.stores.list_rows() if force or revision != seen else None
            except AscError as exc:
                self.call_from_thread(self._registry_unreachable, exc.message)
                return
            self.call_from_thread(self._registry_read, revision, stores)
        finally:
            self._polling = False  # only once the answer is on screen: answers never arrive out of order

    def _registry_read(self, revision: int, stores: list[Store] | None) -> None:
        if self.db_notice is not None:
            self.db_notice = None
            self.home.show_banner()
            self.notify(_("The database answers again."), markup=False)
        if stores is None:
            return
        if isinstance(self.screen, ModalScreen):
            return  # not under an open form: its own save refuses a stale change; read again after
        self._seen_revision = revision
        if list(map(_shown_key, stores)) != list(map(_shown_key, self.home.stores)):
            self._show_stores(stores)  # (not when this app's own change already reloaded them)

    def _registry_unreachable(self, problem: str) -> None:
        reason = problem.rstrip(".")
        self.db_notice = _(
            "The database cannot be reached ({reason}); retrying every few seconds. Nothing you saved is lost."
        ).format(reason=f"{reason[:1].lower()}{reason[1:]}")
        self.home.show_banner()

    def defer_until_ready(self, then: Callable[[], None]) -> bool:
        """While the registry opens: do `then` as soon as it is open (a palette command chosen early)."""
        if not self.ready:
            self._deferred.append(then)
            return True
        return False

    def _website_name(self, store: Store) -> str | None:
        website = self.catalog.website(store.website) if self.catalog else None
        return website.name if website else None

    # --- store actions (shared by the home, the store view and the palette) --------------------------

    def add_store(self) -> None:
        from asc_tui.ui.screens.add_store import AddStoreModal

        if self.catalog is None:
            self.defer_until_ready(self.add_store)
            return

        def save(draft: StoreDraft) -> Store:
            if not self.ready:  # the form opened on the catalog alone; what was typed stays in it
                self.notify(
                    _("Still opening the store registry; press ctrl+s again in a moment."), severity="warning"
                )
                raise StoreValidationError({})
            store = self._form_save(lambda: self.registry.stores.add(draft))
            if store is None:  # only an edit meets a store changed meanwhile; the form stays open
                raise StoreValidationError({})
            return store

        def done(store: Store | None) -> None:
            if store is None:
                return
            self.reload(focus_id=store.id)
            self.notify(
                _("Store “{name}” added. Next: connect it to Amazon Seller Central (c).").format(
                    name=plain(store.name)
                ),
                title=_("Store added"),
                markup=False,
            )

        self.push_screen(AddStoreModal(self.catalog, save), done)

    def view_store(self, store: Store) -> None:
        from asc_tui.ui.screens.store_view import StoreViewScreen

        self.push_screen(StoreViewScreen(store))

    def edit_store(self, store: Store) -> None:
        from asc_tui.ui.screens.edit_store import EditStoreModal

        def save(change: StoreEdit) -> Store | None:
            return self._form_save(lambda: self.registry.stores.edit(store.id or 0, change, store.version))

        def done(updated: Store | None) -> None:
            if updated is not None:
                self.reload(focus_id=updated.id)
                self.notify(_("Store “{name}” saved.").format(name=plain(updated.name)), markup=False)

        self.push_screen(EditStoreModal(store, self._website_name(store), save), done)

    def toggle_store(self, store: Store) -> None:
        activate = store.status != StoreStatus.ACTIVE.value
        updated = self._attempt(
            lambda: self.registry.stores.set_active(store.id or 0, activate, store.version)
        )
        if updated is not None:
            self.reload(focus_id=updated.id)
            message = (
                _("Store “{name}” activated.")
                if updated.status == StoreStatus.ACTIVE.value
                else _("Store “{name}” deactivated.")
            )
            self.notify(message.format(name=plain(updated.name)), markup=False)

    def delete_store(self, store: Store) -> None:
        from asc_tui.ui.screens.confirm import ConfirmModal
        from asc_tui.ui.screens.store_view import StoreViewScreen

        question = fill(
            _(
                "Delete the store “{name}” ({country}, website {website})?\n\n"
                "This cannot be undone: its activity log and its saved Amazon authorization are removed too."
            ),
            name=literal(store.name, "bold"),
            country=store.country,
            website=store.website,
        )

        def done(confirmed: bool | None) -> None:
            if not confirmed:
                return
            deleted = self._attempt(lambda: self.registry.delete_store(store.id or 0, store.version))
            if deleted is None:
                return
            if isinstance(self.screen, StoreViewScreen):
                self.pop_screen()
            self.reload()
            self.notify(_("Store “{name}” deleted.").format(name=plain(store.name)), markup=False)

        self.push_screen(ConfirmModal(_("Delete store"), question, _("Delete")), done)

    def connect_store(self, store: Store) -> None:
        if self.defer_until_ready(lambda: self.connect_store(store)):
            return
        self._start_connect(store)

    def _make_secrets_ready(self, store: Store, setup: bool) -> None:
        """Set up or unlock the secrets file in the app's own modal, then go on connecting."""
        from asc_tui.ui.screens.secrets_setup import SetUpSecretsModal, UnlockSecretsModal

        secrets = self.registry.secrets

        def then_connect(ready: bool | None) -> None:
            if ready:
                self._start_connect(store)

        if setup:
            reason = _("Connecting “{name}” needs a place for its Amazon token.").format(
                name=plain(store.name)
            )
            self.push_screen(SetUpSecretsModal(secrets, reason), then_connect)
        else:
            self.push_screen(UnlockSecretsModal(secrets), then_connect)

    @work(thread=True, exclusive=True, exit_on_error=False, group="connect-start")
    def _start_connect(self, store: Store) -> None:
        # Off the UI thread: binding the port, the keyring and (in the sandbox) starting the emulator.
        try:
            service = self.registry.connect
            missing = service.missing_settings()
            secrets = self.registry.secrets
            if not missing and (secrets.needs_setup or secrets.locked):
                self.call_from_thread(self._make_secrets_ready, store, secrets.needs_setup)
                return
            attempt = service.start(store.id or 0)
        except AscError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", markup=False, timeout=15)
            return
        self.call_from_thread(self._show_connect, service, attempt)

    def _show_connect(self, service: ConnectService, attempt: ConnectSession) -> None:
        from asc_tui.ui.screens.connect import ConnectScreen

        def done(outcome: Outcome | None) -> None:
            if outcome is not None and outcome.connected:
                self.missing_secrets.discard(attempt.store_id)
            self.reload(focus_id=attempt.store_id)
            if outcome is None:
                return
            if outcome.connected:
                title = _("Renewed") if attempt.renewal else _("Connected")
                self.notify(outcome.message, title=title, markup=False, timeout=10)
            elif outcome.cancelled:
                self.notify(outcome.message, markup=False)
            else:
                self.notify(
                    outcome.message, title=_("Not connected"), severity="error", markup=False, timeout=20
                )

        self.push_screen(ConnectScreen(service, attempt, sandbox=self.sandbox), done)

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

    @work(thread=True, exit_on_error=False, group="cleanup")
    def _clean_up_attempts(self) -> None:
        # Attempts a crash or kill left behind: their locks and any secret they wrote and never used.
        import socket

        from asc_tui.services.attempts import cleanup_stale

        cleanup_stale(self.registry.database, self.registry.secrets, socket.gethostname())

    def learn_and_prepare(self) -> None:
        from asc_tui.ui.screens.learn import LearnPrepareScreen

        if self.defer_until_ready(self.learn_and_prepare):
            return
        self.push_screen(LearnPrepareScreen(self.registry.presetup.done(), self.save_presetup))

    def save_presetup(self, key: str, done: bool) -> None:
        self._attempt(lambda: self.registry.presetup.set_done(key, done))

    # --- the Commerce catalog ---------------------------------------------------------------------------

    @on(RefreshCatalog)
    def _refresh_catalog_asked(self, _message: RefreshCatalog) -> None:
        self.refresh_catalog()

    def refresh_catalog(self) -> None:
        if self.defer_until_ready(self.refresh_catalog):
            return
        self.home.show_catalog_status(
            _("Reading the catalog from {source}…").format(
                source=catalog_source(self.registry.catalog.source_name)
            )
        )
        self._refresh_catalog()

    @work(thread=True, exclusive=True, exit_on_error=False, group="catalog-refresh")
    def _refresh_catalog(self) -> None:
        service = self.registry.catalog
        source = service.source

        def progress(what: str, done: int, total: int) -> None:
            self.call_from_thread(
                self.home.show_catalog_status,
                _("Reading the catalog from {source}: {what} {done}/{total}").format(
                    source=catalog_source(source.name), what=_(what), done=done, total=total
                ),
            )

        if hasattr(source, "progress"):
            source.progress = progress
        try:
            catalog = service.refresh()
        except AscError as exc:
            self.call_from_thread(self._catalog_failed, exc.message)
            return
        self.call_from_thread(self._catalog_refreshed, catalog)

    def _catalog_refreshed(self, catalog: Catalog) -> None:
        from asc_tui.ui.screens.add_store import AddStoreModal

        self.catalog = catalog
        self.home.show_catalog_status(None)
        for screen in self.screen_stack:
            if isinstance(screen, AddStoreModal):
                screen.use_catalog(catalog)
        self.reload()
        self.notify(
            _("Catalog read from {source}: {websites} website(s), {attributes} attribute(s).").format(
                source=catalog_source(catalog.source),
                websites=len(catalog.websites),
                attributes=len(catalog.attributes),
            ),
            title=_("Catalog"),
            markup=False,
        )

    def _catalog_failed(self, message: str) -> None:
        from asc_tui.ui.screens.add_store import AddStoreModal

        self.home.show_catalog_status(None)
        for screen in self.screen_stack:
            if isinstance(screen, AddStoreModal):
                screen.catalog_not_refreshed()
        kept = self.catalog
        still = (
            _(" The catalog from {source} (read {time}) stays in use.").format(
                source=catalog_source(kept.source), time=local_time(kept.fetched_at)
            )
            if kept
            else ""
        )
        self.notify(
            f"{message}{still}", title=_("Catalog not refreshed"), severity="error", markup=False, timeout=20
        )

    def apply_config(self, config: Config) -> None:
        """Settings were saved: connect and the catalog use them from now on."""
        commerce_changed = config.commerce != self.config.commerce
        self.config = config
        if not self.ready:
            return
        self.registry.reload(config)
        if commerce_changed:
            self.refresh_catalog()

    # --- Textual's own words, in the app's language ----------------------------------------------------

    def action_command_palette(self) -> None:
        if self.use_command_palette and not AscCommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(AscCommandPalette(id="--command-palette"))

    def search_themes(self) -> None:
        from textual.theme import ThemeProvider

        self.push_screen(AscCommandPalette(providers=[ThemeProvider], placeholder=_("Search for themes…")))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands, translated. Its "Keys" panel is left out: the palette's own "Keys" opens the
        help screen, which lists every key in the app's language."""
        yield SystemCommand(_("Theme"), _("Change the current theme"), self.action_change_theme)
        yield SystemCommand(_("Quit"), _("Quit the application as soon as possible"), self.action_quit)
        if screen.maximized is not None:
            yield SystemCommand(
                _("Minimize"), _("Minimize the widget and restore to normal size"), screen.action_minimize
            )
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(_("Maximize"), _("Maximize the focused widget"), screen.action_maximize)
        yield SystemCommand(
            _("Screenshot"),
            _("Save an SVG 'screenshot' of the current screen"),
            lambda: self.set_timer(0.1, self.deliver_screenshot),
        )

    def _waiting_attempt(self) -> ConnectSession | None:
        """A connect or renewal attempt still waiting for Amazon on an open connect screen."""
        for screen in self.screen_stack:
            attempt = getattr(screen, "attempt", None)
            if screen.id == "connect" and attempt is not None and not attempt.ended:
                return attempt  # type: ignore[no-any-return]
        return None

    async def action_quit(self) -> None:
        if not self._ask_before_abandoning():
            await super().action_quit()

    def _ask_before_abandoning(self) -> bool:
        """Quitting would abandon a waiting attempt: ask first (True: asked, or already asking)."""
        from asc_tui.ui.screens.confirm import ConfirmModal

        attempt = self._waiting_attempt()
        if attempt is None:
            return False
        if isinstance(self.screen, ConfirmModal) and self.screen.id == "confirm-quit":
            return True
        question = fill(
            _(
                "Connecting “{name}” is still waiting for Amazon. Quit and stop it?\n\n"
                "The store stays as it was; you can connect it again later."
            )
            if not attempt.renewal
            else _(
                "Renewing “{name}” is still waiting for Amazon. Quit and stop it?\n\n"
                "The store keeps its current authorization; you can renew it again later."
            ),
            name=literal(attempt.store_name, "bold"),
        )

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self.exit()

        self.push_screen(ConfirmModal(_("Quit?"), question, _("Quit"), id="confirm-quit"), done)
        return True

    def action_help_quit(self) -> None:
        if self._ask_before_abandoning():
            return
        # ctrl+c no longer quits (it copies): say which key does.
        for key, active_binding in self.active_bindings.items():
            if active_binding.binding.action in ("quit", "app.quit"):
                self.notify(
                    _("Press [b]{key}[/b] to quit the app").format(key=key), title=_("Do you want to quit?")
                )
                return

    @on(events.DeliveryComplete)
    def _screenshot_saved(self, event: events.DeliveryComplete) -> None:
        if event.name != "screenshot":
            return
        event.prevent_default()  # instead of Textual's English notice
        if event.path is None:
            self.notify(_("Saved screenshot"), title=_("Screenshot"))
        else:
            where = repr(str(event.path))
            self.notify(
                _("Saved screenshot to {path}").format(path=where), title=_("Screenshot"), markup=False
            )

    @on(events.DeliveryFailed)
    def _screenshot_failed(self, event: events.DeliveryFailed) -> None:
        if event.name != "screenshot":
            return
        event.prevent_default()
        self.notify(_("Failed to save screenshot"), title=_("Screenshot"), severity="error")

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


def _shown_key(store: Store | StoreRow) -> tuple[object, ...]:
    """What a card shows of a store, to tell whether a fresh read differs from the home."""
    return (
        store.id, store.version, store.updated_at, store.name, store.email, store.status, store.seller_id,
        store.authorized_at, store.auth_revoked, store.token_ref,
    )  # fmt: skip


def run_app(config: Config, db: str | None, sandbox: bool) -> int:
    app = AscApp(config, db, sandbox=sandbox)
    app.run()
    if app.fatal_error is not None:
        raise app.fatal_error
    return app.return_code or 0
