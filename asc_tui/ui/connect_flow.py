"""Connecting (or renewing) a store from the TUI: the secrets made ready first, the attempt started off the
UI thread, the connect screen, the notification of how it ended, and a quit that would abandon it asked."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from asc_tui.errors import AscError
from asc_tui.i18n import _
from asc_tui.ui.text import fill, literal, plain

if TYPE_CHECKING:
    from asc_tui.services.connect import ConnectService, ConnectSession, Outcome, Reusable
    from asc_tui.storage.models import Store
    from asc_tui.ui.app import AscApp


class ConnectFlow:
    def __init__(self, app: AscApp) -> None:
        self.app = app

    def clean_up_stale(self) -> None:
        """Attempts a crash or kill left behind: their locks and any secret they wrote and never used."""
        self.app.run_worker(self._clean_up, thread=True, exit_on_error=False, group="cleanup")

    def _clean_up(self) -> None:
        import socket

        from asc_tui.services.attempts import cleanup_stale

        registry = self.app.registry
        cleanup_stale(registry.database, registry.secrets, socket.gethostname())

    def connect(self, store: Store) -> None:
        if self.app.defer_until_ready(lambda: self.connect(store)):
            return
        self._start(store)

    def _start(self, store: Store, *, offer_reuse: bool = True) -> None:
        self.app.run_worker(
            partial(self._start_attempt, store, offer_reuse),
            thread=True,
            exclusive=True,
            exit_on_error=False,
            group="connect-start",
        )

    def _start_attempt(self, store: Store, offer_reuse: bool = True) -> None:
        # Off the UI thread: binding the port, the keyring and (in the sandbox) starting the emulator.
        app = self.app
        try:
            service = app.registry.connect
            missing = service.missing_settings()
            secrets = app.registry.secrets
            if not missing and (secrets.needs_setup or secrets.locked):
                app.call_from_thread(self._make_secrets_ready, store, secrets.needs_setup)
                return
            if offer_reuse and not missing:
                # A seller's consent covers its region: a store not connected yet may use one given before.
                offers = service.reusable_authorizations(store.id or 0)
                if offers:
                    app.call_from_thread(self._choose, service, store, offers)
                    return
            attempt = service.start(store.id or 0)
        except AscError as exc:
            app.call_from_thread(app.notify, str(exc), severity="error", markup=False, timeout=15)
            return
        app.call_from_thread(self._show, service, attempt)

    def _choose(self, service: ConnectService, store: Store, offers: list[Reusable]) -> None:
        """Use an authorization the seller gave in the region, or sign in (the connect screen)."""
        from asc_tui.domain import MARKETPLACES
        from asc_tui.ui.screens.connect_choice import CONSENT, ConnectChoiceScreen

        def chosen(choice: int | str | None) -> None:
            if choice == CONSENT:
                self._start(store, offer_reuse=False)
            elif isinstance(choice, int):
                self.app.notify(_("Checking with Amazon…"), markup=False)
                self.app.run_worker(
                    partial(self._use, service, store.id or 0, choice),
                    thread=True,
                    exclusive=True,
                    exit_on_error=False,
                    group="connect-start",
                )

        country = MARKETPLACES[store.country].country
        self.app.push_screen(ConnectChoiceScreen(store.name, country, offers), chosen)

    def _use(self, service: ConnectService, store_id: int, authorization_id: int) -> None:
        # Off the UI thread: Login with Amazon, the Sellers API and the database.
        app = self.app
        try:
            outcome = service.use_authorization(store_id, authorization_id)
        except AscError as exc:
            app.call_from_thread(app.notify, str(exc), severity="error", markup=False, timeout=15)
            return
        app.call_from_thread(self._report, store_id, outcome, False)

    def _make_secrets_ready(self, store: Store, setup: bool) -> None:
        """Set up or unlock the secrets file in the app's own modal, then go on connecting."""
        from asc_tui.ui.screens.secrets_setup import SetUpSecretsModal, UnlockSecretsModal

        secrets = self.app.registry.secrets

        def then_connect(ready: bool | None) -> None:
            if ready:
                self._start(store)

        if setup:
            reason = _("Connecting “{name}” needs a place for its Amazon token.").format(
                name=plain(store.name)
            )
            self.app.push_screen(SetUpSecretsModal(secrets, reason), then_connect)
        else:
            self.app.push_screen(UnlockSecretsModal(secrets), then_connect)

    def _show(self, service: ConnectService, attempt: ConnectSession) -> None:
        from asc_tui.ui.screens.connect import ConnectScreen

        app = self.app

        def done(outcome: Outcome | None) -> None:
            self._report(attempt.store_id, outcome, attempt.renewal)

        app.push_screen(ConnectScreen(service, attempt, sandbox=app.sandbox), done)

    def _report(self, store_id: int, outcome: Outcome | None, renewal: bool) -> None:
        app = self.app
        if outcome is not None and outcome.connected:
            app.missing_secrets.discard(store_id)
        app.reload(focus_id=store_id)
        if outcome is None:
            return
        if outcome.connected:
            title = _("Renewed") if renewal else _("Connected")
            app.notify(outcome.message, title=title, markup=False, timeout=10)
        elif outcome.cancelled:
            app.notify(outcome.message, markup=False)
        else:
            app.notify(outcome.message, title=_("Not connected"), severity="error", markup=False, timeout=20)

    def waiting_attempt(self) -> ConnectSession | None:
        """A connect or renewal attempt still waiting for Amazon on an open connect screen."""
        for screen in self.app.screen_stack:
            attempt = getattr(screen, "attempt", None)
            if screen.id == "connect" and attempt is not None and not attempt.ended:
                return attempt  # type: ignore[no-any-return]
        return None

    def ask_before_abandoning(self) -> bool:
        """Quitting would abandon a waiting attempt: ask first (True: asked, or already asking)."""
        from asc_tui.ui.screens.confirm import ConfirmModal

        app = self.app
        attempt = self.waiting_attempt()
        if attempt is None:
            return False
        if isinstance(app.screen, ConfirmModal) and app.screen.id == "confirm-quit":
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
                app.exit()

        app.push_screen(ConfirmModal(_("Quit?"), question, _("Quit"), id="confirm-quit"), done)
        return True
