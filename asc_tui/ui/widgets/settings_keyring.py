"""The settings form's keyring section: which keyring is in use, what it holds, and storing the secrets
typed in the form.

Every keyring call runs in a thread: one can block for up to its timeout. Where no keyring service runs,
or the encrypted secrets file is locked, storing first opens the app's own modal to set it up or unlock it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import NamedTuple

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, Static

from asc_tui.commerce.credentials import credential_fields
from asc_tui.errors import AscError
from asc_tui.i18n import _, ngettext
from asc_tui.settings.secret_store import CLIENT_SECRET_ENV, CLIENT_SECRET_KEY
from asc_tui.ui.app_reach import asc_app
from asc_tui.ui.text import literal


class Pending(NamedTuple):
    """A secret to store: its keyring key, the value typed, and what it is (the Magento credential's label)."""

    key: str
    value: str
    what: str


class KeyringSection(Vertical):
    """The keyring in use (and whether it encrypts); reads what each secret's line in the form says."""

    DEFAULT_CSS = """
    KeyringSection {
        height: auto;
    }
    """

    class Read(Message):
        """What the keyring holds, for the lines under the secrets' fields (which other sections show)."""

        def __init__(self, client_secret: str, credentials: dict[str, str]) -> None:
            super().__init__()
            self.client_secret = client_secret
            self.credentials = credentials  # by credential attribute

    def __init__(self, *, sandbox: bool) -> None:
        super().__init__()
        self.sandbox = sandbox

    def compose(self) -> ComposeResult:
        yield Static(literal(_("Secrets")), classes="section-title")
        yield Label(literal(_("Keyring in use")), classes="field-label")
        yield Static(literal(_("Checking the keyring…")), id="secrets-backend", classes="read-only")
        warning = Static("", id="secrets-warning", classes="field-error")
        warning.display = False
        yield warning

    def on_mount(self) -> None:
        self.read()

    # --- reading ------------------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="settings-keyring", exit_on_error=False)
    def read(self) -> None:
        secrets = asc_app(self.app).registry_when_open().secrets
        unprotected = False
        state = ""
        failed: str | None = None  # a keyring that does not answer: say so once, do not ask again
        try:
            backend = secrets.describe()
            unprotected = secrets.unprotected
        except AscError as exc:
            backend = state = failed = str(exc)
        if self.sandbox:
            state = _("The sandbox uses its built-in demo secret; nothing is read from your keyring.")
        elif os.environ.get(CLIENT_SECRET_ENV, "").strip():
            state = _("In use: the one in {variable}, which wins over the keyring.").format(
                variable=CLIENT_SECRET_ENV
            )
        elif state:
            pass
        elif secrets.needs_setup:
            state = _(
                "None stored: no keyring service runs here. Type the secret and save (ctrl+s): asc-tui "
                "first offers to keep secrets in an encrypted file."
            )
        else:
            try:
                stored = secrets.has(CLIENT_SECRET_KEY)
            except AscError as exc:
                state = _("Not known: {error}").format(error=exc)
                failed = str(exc)
            else:
                state = (
                    _("A client secret is stored in the keyring.")
                    if stored
                    else _("None stored yet: type it above and save (ctrl+s).")
                )
        credentials: dict[str, str] = {}
        for cred in credential_fields():
            if os.environ.get(cred.env, "").strip():
                credentials[cred.attribute] = _(
                    "In use: the one from {variable}, which wins over the keyring."
                ).format(variable=cred.env)
            elif failed is not None:
                credentials[cred.attribute] = _("Not known: {error}").format(error=failed)
            elif secrets.needs_setup:
                credentials[cred.attribute] = _(
                    "Not stored: no keyring service runs here; type it and save (ctrl+s) to set up an "
                    "encrypted secrets file."
                )
            else:
                try:
                    stored = secrets.has(cred.key)
                except AscError as exc:
                    failed = str(exc)
                    credentials[cred.attribute] = _("Not known: {error}").format(error=failed)
                else:
                    credentials[cred.attribute] = (
                        _("Stored in the keyring.")
                        if stored
                        else _("Not stored yet: type it above and save (ctrl+s).")
                    )
        self.app.call_from_thread(self._show, backend, unprotected, state, credentials)

    def _show(self, backend: str, unprotected: bool, state: str, credentials: dict[str, str]) -> None:
        if not self.is_attached:
            return
        self.query_one("#secrets-backend", Static).update(literal(backend))
        warning = self.query_one("#secrets-warning", Static)
        warning.update(
            literal(
                _("Secrets are NOT encrypted with this backend: anyone who can read the file can read them.")
            )
        )
        warning.display = unprotected
        self.post_message(self.Read(state, credentials))

    # --- storing ------------------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="settings-secret", exit_on_error=False)
    def store(self, pending: list[Pending], then: Callable[[str | None], None]) -> None:
        """Store each secret, then call `then` on the UI thread: with None, or why they were not stored.

        A callback, not a message: the answer counts even once the admin has left the screen (the saved
        settings are applied then).
        """
        secrets = asc_app(self.app).registry_when_open().secrets
        try:
            if secrets.needs_setup or secrets.locked:
                self.app.call_from_thread(self._make_ready, pending, then, secrets.needs_setup)
                return
            for item in pending:
                secrets.set(item.key, item.value)
        except AscError as exc:
            self.app.call_from_thread(then, str(exc))
            return
        self.app.call_from_thread(then, None)

    def _make_ready(self, pending: list[Pending], then: Callable[[str | None], None], setup: bool) -> None:
        """No keyring here, or the encrypted file is locked: the app's own modal first, then store."""
        from asc_tui.ui.screens.secrets_setup import SetUpSecretsModal, UnlockSecretsModal

        secrets = asc_app(self.app).registry.secrets

        def then_store(ready: bool | None) -> None:
            if ready:
                self.store(pending, then)
            else:
                then(_("the secrets file was not set up or unlocked."))

        if setup:
            reason = ngettext(
                "{what} needs a safe place: secrets never go in the config file.",
                "{what} need a safe place: secrets never go in the config file.",
                len(pending),
            ).format(what=capitalized(secrets_in_words(pending)))
            self.app.push_screen(SetUpSecretsModal(secrets, reason), then_store)
        else:
            self.app.push_screen(UnlockSecretsModal(secrets), then_store)


def secrets_in_words(pending: list[Pending]) -> str:
    """What is being stored, in words: "the client secret", "the Magento Consumer Key", "the client secret
    and the Magento credentials"…"""
    magento = [item.what for item in pending if item.key != CLIENT_SECRET_KEY]
    parts = [_("the client secret")] if len(magento) < len(pending) else []
    if len(magento) == 1:
        parts.append(_("the Magento {label}").format(label=_(magento[0])))
    elif magento:
        parts.append(_("the Magento credentials"))
    if len(parts) == 2:
        return _("{first} and {second}").format(first=parts[0], second=parts[1])
    return "".join(parts)


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]
