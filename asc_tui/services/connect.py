"""Connecting a store to Amazon Seller Central: one attempt, every way back armed, the first valid one wins.

An attempt claims the store in the database (a colleague trying at the same time is told who holds it),
binds the callback worker before the consent link is shown, and ends in exactly one way: connected,
failed (the store unchanged), cancelled or timed out. The refresh token goes to the keyring under a fresh
reference first and the store points at it in one transaction after, so a crash at any moment leaves
either the old connection or the new one, and the cleanup at the next start removes what a dead attempt
wrote.

`ConnectService` is what the screen, the CLI and the tests hold; each part lives in a module of its own,
sharing one `ConnectContext`: starting (`connect_start`), completing (`connect_complete`), ending
(`connect_end`), saving (`connect_outcome`), the claim and the cleanup (`attempts`) and the online check
(`online_check`). It also makes the store-health refresh (`health_refresh`), which needs the same app,
endpoints and keyring.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asc_tui.amazon.lwa import LwaClient
from asc_tui.amazon.redirect import RedirectQuery
from asc_tui.domain import AuthHealth
from asc_tui.services.attempts import cleanup_stale
from asc_tui.services.connect_complete import AttemptCompletion
from asc_tui.services.connect_context import ConnectContext
from asc_tui.services.connect_end import AttemptEnd
from asc_tui.services.connect_outcome import OutcomeWriter
from asc_tui.services.connect_reuse import AuthorizationReuse, Reusable
from asc_tui.services.connect_session import ConnectSession, Outcome
from asc_tui.services.connect_start import SANDBOX_REDIRECT_PATH, AttemptStart
from asc_tui.services.online_check import OnlineCheck
from asc_tui.settings.config import AmazonConfig
from asc_tui.settings.secret_store import SecretStore
from asc_tui.storage.database import Database
from asc_tui.storage.models import Store

if TYPE_CHECKING:
    from asc_tui.services.health import HealthService
    from asc_tui.services.health_refresh import HealthRefresh

# The attempt and its outcome are part of what ConnectService.start and complete hand back.
__all__ = ["SANDBOX_REDIRECT_PATH", "ConnectService", "ConnectSession", "Outcome", "Reusable"]


class ConnectService:
    """What the screen, the CLI and the tests call to connect a store; each call goes to the part doing it."""

    def __init__(
        self,
        database: Database,
        amazon: AmazonConfig,
        secrets: SecretStore,
        *,
        client_secret: Callable[[], str | None] | None = None,
        sandbox: bool = False,
        host: str | None = None,
        user: str | None = None,
        config_path: Path | None = None,
    ) -> None:
        self._context = ConnectContext.of(
            database,
            amazon,
            secrets,
            client_secret=client_secret,
            sandbox=sandbox,
            host=host,
            user=user,
            config_path=config_path,
        )
        self._start = AttemptStart(self._context)
        self._end = AttemptEnd(self._context)
        self._completion = AttemptCompletion(self._context, self._end)
        self._online = OnlineCheck(database, secrets, self._completion.lwa_client)
        self._reuse = AuthorizationReuse(self._context, self._completion.lwa_client)

    # The settings this service connects with, as the screen, the CLI and doctor read them.

    @property
    def amazon(self) -> AmazonConfig:
        return self._context.amazon

    @property
    def host(self) -> str:
        return self._context.host

    @property
    def user(self) -> str:
        return self._context.user

    @property
    def writer(self) -> OutcomeWriter:
        return self._completion.writer

    def close(self) -> None:
        self._completion.close()

    # --- starting ---------------------------------------------------------------------------------

    def missing_settings(self) -> list[str]:
        """What connecting needs and the config lacks, each as the setting's name."""
        return self._context.missing_settings()

    def start(self, store_id: int, *, listen: bool = True) -> ConnectSession:
        """Claim the store, bind the callback worker and build the consent link; nothing else changes."""
        return self._start.start(store_id, listen=listen)

    def cleanup_stale(self) -> int:
        """End attempts whose time ran out or whose process on this machine is gone; remove their secrets."""
        return cleanup_stale(self._context.database, self._context.secrets, self._context.host)

    # --- an authorization the seller already gave in the region ----------------------------------------

    def reusable_authorizations(self, store_id: int) -> list[Reusable]:
        """The healthy authorizations in the store's region this machine holds the token of; none for a
        store already connected (renewing goes through consent)."""
        return self._reuse.reusable(store_id)

    def use_authorization(self, store_id: int, authorization_id: int) -> Outcome:
        """Connect a store with one of `reusable_authorizations`: no browser, no consent, no renewal."""
        return self._reuse.use(store_id, authorization_id)

    # --- ways back --------------------------------------------------------------------------------

    def complete_from_paste(
        self, attempt: ConnectSession, text: str, seller_id: str | None = None
    ) -> Outcome:
        """The paste box: the address Amazon redirected to, its query, or a self-authorization token."""
        return self._completion.complete_from_paste(attempt, text, seller_id)

    def complete(self, attempt: ConnectSession, query: RedirectQuery) -> Outcome:
        """Amazon's redirect: a wrong state is refused and the attempt keeps waiting; a right one ends it."""
        return self._completion.complete(attempt, query)

    def complete_self_authorized(
        self, attempt: ConnectSession, refresh_token: str, seller_id: str | None = None
    ) -> Outcome:
        """A private app's refresh token from Seller Central's "Authorize app"; a bad token keeps waiting."""
        return self._completion.complete_self_authorized(attempt, refresh_token, seller_id)

    async def serve_callbacks(self, attempt: ConnectSession) -> None:
        """Run the callback worker until the attempt ends; each redirect completes it or is refused."""
        await self._completion.serve_callbacks(attempt)

    # --- ending -----------------------------------------------------------------------------------

    def cancel(self, attempt: ConnectSession, *, timed_out: bool = False) -> Outcome | None:
        """End the attempt unchanged; None while Amazon's answer is being saved (it ends by itself)."""
        return self._end.cancel(attempt, timed_out=timed_out)

    def expire_if_due(self, attempt: ConnectSession) -> Outcome | None:
        return self._end.expire_if_due(attempt)

    # --- after connecting -------------------------------------------------------------------------

    def verify_online(self, store: Store) -> tuple[AuthHealth, str]:
        """Ask Login with Amazon whether the store's authorization still works; record a revocation."""
        return self._online.verify_online(store)

    def check_online(self, store: Store) -> tuple[AuthHealth, str, bool]:
        """`verify_online`, and whether Amazon answered (False: a fault on the way, nothing was learned)."""
        return self._online.check_online(store)

    def health_refresh(self, health: HealthService, **options: Any) -> HealthRefresh:
        """Asking Amazon about the stores' health with this service's app, endpoints and keyring (`options`:
        HealthRefresh's waits and clock, which tests shorten)."""
        from asc_tui.services.health_refresh import HealthRefresh

        return HealthRefresh(
            health,
            self.amazon,
            self._context.secrets,
            self._context.require_ready,
            self._online.mark_revoked,
            **options,
        )

    def _lwa_client(self) -> LwaClient:
        # The one client completing and the online check share: a test forgets its cached access token there.
        return self._completion.lwa_client()
