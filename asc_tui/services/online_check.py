"""Whether a connected store's authorization still works, asked of Login with Amazon; a revocation is
recorded on the store, a fault on the way changes nothing."""

from __future__ import annotations

from collections.abc import Callable

from asc_tui.amazon.errors import AmazonError, RefreshTokenRevoked, redact
from asc_tui.amazon.lwa import LwaClient
from asc_tui.domain import (
    AuthHealth,
    StoreStatus,
    auth_health,
)
from asc_tui.i18n import _
from asc_tui.services import authorizations
from asc_tui.settings.secret_store import (
    SecretStore,
    refresh_token_key,
)
from asc_tui.storage.database import Database
from asc_tui.storage.models import Store


class OnlineCheck:
    def __init__(self, database: Database, secrets: SecretStore, lwa_client: Callable[[], LwaClient]) -> None:
        self._db = database
        self.secrets = secrets
        self._lwa_client = lwa_client

    def verify_online(self, store: Store) -> tuple[AuthHealth, str]:
        """Ask Login with Amazon whether the store's authorization still works; record a revocation."""
        health, note, _answered = self.check_online(store)
        return health, note

    def check_online(self, store: Store) -> tuple[AuthHealth, str, bool]:
        """`verify_online`, and whether Amazon answered (False: a fault on the way, nothing was learned).

        Only Amazon's invalid_grant changes the store (Revoked); a fault leaves it exactly as it was.
        """
        health, _days = auth_health(store.authorized_at, store.auth_revoked)
        if store.status == StoreStatus.NOT_CONNECTED.value:
            return health, _("not connected"), True
        token = self.secrets.get(refresh_token_key(store.token_ref)) if store.token_ref else None
        if token is None:
            return health, _("no refresh token on this machine; reconnect here to manage it"), True
        try:
            self._lwa_client().access_token(token)
        except RefreshTokenRevoked:
            self.mark_revoked(store)
            return AuthHealth.REVOKED, _("Amazon answered invalid_grant: renew the connection"), True
        except AmazonError as exc:
            return health, redact(exc.message, token), False
        return health, _("Amazon accepted the authorization"), True

    def mark_revoked(self, store: Store) -> None:
        """Amazon answered invalid_grant for the store's refresh token: it is Revoked until reconnected, and
        so is every store sharing its authorization (the same token)."""
        with self._db.session() as session:
            current = session.get(Store, store.id)
            if current is None or current.auth_revoked:
                return
            authorizations.mark_revoked(session, current)
            session.commit()
