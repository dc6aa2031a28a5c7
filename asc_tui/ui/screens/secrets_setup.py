"""Where no keyring service runs: set up the encrypted secrets file, or unlock it, in the app's own modal.

Never a getpass prompt fighting the TUI. Both modals work off the UI thread: deriving the key (Argon2)
takes a few hundred milliseconds, and a keyring call may take up to its timeout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from asc_tui.errors import AscError
from asc_tui.i18n import N_, _
from asc_tui.settings.secret_store import ENCRYPTED_FILE, MIN_PASSPHRASE, PASSPHRASE_ENV
from asc_tui.ui.text import literal

if TYPE_CHECKING:
    from asc_tui.settings.secret_store import SecretStore


class _PassphraseModal(ModalScreen[bool]):
    """A passphrase dialog: focus on the passphrase, the work off the UI thread, its error under the fields,
    and True once the work succeeded (False when the admin chose Not now)."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, secrets: SecretStore) -> None:
        super().__init__()
        self.secrets = secrets

    def on_mount(self) -> None:
        self.query_one("#passphrase", Input).focus()

    @work(thread=True, exclusive=True, exit_on_error=False, group="secrets")
    def _run(self, task: Callable[[], None]) -> None:
        try:
            task()
        except AscError as exc:
            self.app.call_from_thread(self._error, exc.message)
            return
        self.app.call_from_thread(self.dismiss, True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)

    def _error(self, message: str) -> None:
        self.query_one("#secrets-error", Static).update(literal(message))


class SetUpSecretsModal(_PassphraseModal):
    """Ask the admin to agree to an encrypted file and choose its passphrase."""

    BINDINGS = [Binding("ctrl+s", "create", N_("Create"), show=False)]

    def __init__(self, secrets: SecretStore, reason: str = "") -> None:
        super().__init__(secrets)
        self.reason = reason

    def compose(self) -> ComposeResult:
        where = (self.secrets.data_dir / ENCRYPTED_FILE) if self.secrets.data_dir else ENCRYPTED_FILE
        with VerticalScroll(id="dialog", classes="secrets-dialog") as dialog:
            dialog.border_title = _("Keep secrets in an encrypted file?")
            if self.reason:
                yield Static(literal(self.reason), classes="help")
            yield Static(
                literal(
                    _(
                        "No keyring service runs on this machine (usual on a server reached over SSH), so the "
                        "Amazon refresh tokens and the LWA client secret have nowhere safe to go. asc-tui can "
                        "keep them in an encrypted file, {where}, locked with a passphrase you choose (Argon2 "
                        "key derivation, AES encryption). asc-tui asks for it when it needs a secret; for cron, "
                        "set {variable}. Without the passphrase the file cannot be read, by anyone."
                    ).format(where=where, variable=PASSPHRASE_ENV)
                )
            )
            yield Static(
                _("Passphrase (at least {count} characters)").format(count=MIN_PASSPHRASE),
                classes="field-label",
            )
            yield Input(id="passphrase", password=True)
            yield Static(_("The same passphrase again"), classes="field-label")
            yield Input(id="repeat", password=True)
            yield Static(id="secrets-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button(_("Create encrypted file"), id="create", variant="primary")
                yield Button(_("Not now"), id="cancel")

    @on(Input.Submitted, "#passphrase")
    def _next(self) -> None:
        self.query_one("#repeat", Input).focus()

    @on(Input.Submitted, "#repeat")
    @on(Button.Pressed, "#create")
    def action_create(self) -> None:
        passphrase = self.query_one("#passphrase", Input).value
        repeat = self.query_one("#repeat", Input).value
        if len(passphrase) < MIN_PASSPHRASE:
            self._error(_("Choose a passphrase of at least {count} characters.").format(count=MIN_PASSPHRASE))
            return
        if passphrase != repeat:
            self._error(_("The two passphrases differ; type the same one twice."))
            return
        self._error(_("Creating the encrypted file…"))
        self._run(lambda: self.secrets.set_up_encrypted_file(passphrase))


class UnlockSecretsModal(_PassphraseModal):
    """Ask for the passphrase of the existing encrypted file."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="secrets-dialog") as dialog:
            dialog.border_title = _("Unlock the secrets file")
            yield Static(
                literal(
                    _(
                        "asc-tui keeps secrets in an encrypted file here ({where}). Enter its passphrase to use "
                        "them (or set {variable} before starting asc-tui)."
                    ).format(where=self.secrets.describe(), variable=PASSPHRASE_ENV)
                )
            )
            yield Static(_("Passphrase"), classes="field-label")
            yield Input(id="passphrase", password=True)
            yield Static(id="secrets-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button(_("Unlock"), id="unlock", variant="primary")
                yield Button(_("Not now"), id="cancel")

    @on(Input.Submitted, "#passphrase")
    @on(Button.Pressed, "#unlock")
    def _submit(self) -> None:
        passphrase = self.query_one("#passphrase", Input).value
        if not passphrase:
            self._error(_("Type the passphrase first."))
            return
        self._error(_("Unlocking…"))
        self._run(lambda: self.secrets.unlock(passphrase))
