"""What every part of connecting shares (the database, the Amazon settings, the keyring, who connects from
where), and whether those settings let an attempt begin, said before any consent link is shown."""

from __future__ import annotations

import getpass
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from asc_tui.errors import ConnectNotReady
from asc_tui.i18n import _, ngettext
from asc_tui.settings.config import AmazonConfig
from asc_tui.settings.secret_store import SecretStore
from asc_tui.storage.database import Database


@dataclass(frozen=True)
class ConnectContext:
    """The one state the starting, completing and ending of attempts read; none of them changes it."""

    database: Database
    amazon: AmazonConfig
    secrets: SecretStore
    client_secret: Callable[[], str | None]
    sandbox: bool
    host: str  # with `user`, what a colleague is told when this machine holds a store's attempt
    user: str
    config_path: Path | None  # named with the line of a setting connecting refuses

    @classmethod
    def of(
        cls,
        database: Database,
        amazon: AmazonConfig,
        secrets: SecretStore,
        *,
        client_secret: Callable[[], str | None] | None,
        sandbox: bool,
        host: str | None,
        user: str | None,
        config_path: Path | None,
    ) -> ConnectContext:
        """The context with this machine's name and this account's user where none is given."""
        return cls(
            database=database,
            amazon=amazon,
            secrets=secrets,
            client_secret=client_secret or secrets.client_secret,
            sandbox=sandbox,
            host=host or socket.gethostname(),
            user=user or _user_name(),
            config_path=config_path,
        )

    def missing_settings(self) -> list[str]:
        """What connecting needs and the config lacks, each as the setting's name."""
        missing = []
        if not self.amazon.application_id.strip():
            missing.append("amazon.application_id")  # i18n: not shown (setting names stay as they are)
        if not self.amazon.client_id.strip():
            missing.append("amazon.client_id")  # i18n: not shown (setting names stay as they are)
        if not self.sandbox and not self.amazon.redirect_uri.strip():
            missing.append("amazon.redirect_uri")  # i18n: not shown (setting names stay as they are)
        return missing

    def require_ready(self) -> str:
        """The LWA client secret, once every setting connecting needs is there and usable."""
        missing = self.missing_settings()
        if missing:
            raise ConnectNotReady(
                ngettext(
                    "Connecting needs {settings}: set it to your SP-API app's value in Settings (s on the "
                    "home) or the config file. To try the whole flow offline first, run `asc-tui --sandbox`.",
                    "Connecting needs {settings}: set them to your SP-API app's values in Settings (s on the "
                    "home) or the config file. To try the whole flow offline first, run `asc-tui --sandbox`.",
                    len(missing),
                ).format(settings=", ".join(missing))
            )
        self._check_redirect_uri()
        secret = self.client_secret()
        if not secret:
            raise ConnectNotReady(
                _(
                    "The LWA client secret is not set; store it in the keyring (Settings) or set "
                    "ASC_TUI_LWA_CLIENT_SECRET."
                )
            )
        return secret

    def _check_redirect_uri(self) -> None:
        """A redirect URI Amazon would refuse (plain http off loopback, a #fragment…) stops us here, in one
        sentence naming the file and the line, instead of in the seller's browser (MD5101)."""
        if self.sandbox:
            return
        from asc_tui.settings.checks import check_redirect_uri  # the settings screen's own check

        wrong = check_redirect_uri(self.amazon.redirect_uri)
        if wrong is None:
            return
        from asc_tui.settings.config_file import setting_line

        if self.config_path is None:
            where = _("the config file")
        else:
            where = f"{self.config_path}{setting_line(self.config_path, 'amazon.redirect_uri')}"
        raise ConnectNotReady(
            _(
                "{problem} It is set in {where}; correct it there (or in Settings), then connect again."
            ).format(problem=wrong, where=where)
        )


def _user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
