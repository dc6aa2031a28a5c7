"""The settings form's Amazon app section: the SP-API app's IDs, the LWA client secret, the callback, the
draft switch and the connect timeout, and `ctrl+t`, which asks Login with Amazon (or the sandbox's) whether
the client ID and secret are right.

In `--sandbox` the fields show the demo app's values and cannot be changed.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, Static, Switch

from asc_tui.errors import AscError
from asc_tui.i18n import N_, _
from asc_tui.settings.checks import check_client_id, redirect_uri_note, validate_amazon_settings
from asc_tui.settings.config import Config
from asc_tui.settings.secret_hosts import foreign_secret_hosts
from asc_tui.settings.secret_store import CLIENT_SECRET_KEY
from asc_tui.ui.app_reach import asc_app
from asc_tui.ui.text import VisibleControls, literal
from asc_tui.ui.widgets.settings_form import FormSection

# The fields saved as typed text (the timeout is text too, but parsed before it is saved).
AMAZON_TEXT = (
    "application_id",
    "client_id",
    "redirect_uri",
    "callback_listen",
    "callback_tls_cert",
    "callback_tls_key",
)
# Examples, the same in every language; the client secret's is words, translated where shown.
PLACEHOLDERS = {
    "application_id": "amzn1.sp.solution.…",
    "client_id": "amzn1.application-oa2-client.…",
    "client_secret": N_("Leave empty to keep the current one"),
    "redirect_uri": "https://admin.example.com/amazon/callback",
    "callback_listen": "127.0.0.1:8976",
    "callback_tls_cert": "/etc/ssl/certs/admin.example.com.pem",
    "callback_tls_key": "/etc/ssl/private/admin.example.com.key",
    "connect_timeout_minutes": "10",
}
SANDBOX_NOTE = N_(
    "Sandbox: the built-in emulator uses a demo app with demo credentials, so the Amazon fields are fixed "
    "here and not saved. Start asc-tui without --sandbox to set your own app."
)
TLS_PAIR = ("callback_tls_cert", "callback_tls_key")


class AmazonSection(FormSection):
    FIELDS = (
        "application_id",
        "client_id",
        "client_secret",
        "redirect_uri",
        "callback_listen",
        "callback_tls_cert",
        "callback_tls_key",
        "draft_app",
        "connect_timeout_minutes",
    )
    CHECKED = tuple(key for key in FIELDS if key != "draft_app")
    LABELS = {
        "application_id": N_("Application ID"),
        "client_id": N_("LWA client ID"),
        "client_secret": N_("LWA client secret"),
        "redirect_uri": N_("Redirect URI"),
        "callback_listen": N_("Callback address"),
        "callback_tls_cert": N_("TLS certificate (optional)"),
        "callback_tls_key": N_("TLS private key (optional)"),
        "draft_app": N_("Draft app"),
        "connect_timeout_minutes": N_("Connect timeout (minutes)"),
    }
    FIELD_HELP = {
        "application_id": N_(
            "Your SP-API app's ID (amzn1.sp.solution.…), from Seller Central's Develop Apps; it "
            "goes in the consent link. Needed to connect."
        ),
        "client_id": N_(
            "From the app's Login with Amazon credentials (amzn1.application-oa2-client.…). Needed to connect."
        ),
        "client_secret": N_("Stored only in the keyring, never in the config file."),
        "redirect_uri": N_(
            "The https:// address registered with your app: Amazon sends the browser back there "
            "after the seller approves."
        ),
        "callback_listen": N_(
            "host:port where the callback worker listens, behind the redirect URI "
            "(e.g. 127.0.0.1:8976 behind your HTTPS proxy)."
        ),
        "callback_tls_cert": N_(
            "Absolute path of a PEM certificate, to serve the callback over HTTPS directly. Set both or neither."
        ),
        "callback_tls_key": N_("Absolute path of the certificate's PEM private key."),
        "draft_app": N_(
            "On while your app is a draft (not yet published): the consent link adds version=beta."
        ),
        "connect_timeout_minutes": N_(
            "How long a connect attempt waits for Amazon's answer, 1 to 120 minutes."
        ),
    }

    def __init__(self, config: Config, *, sandbox: bool) -> None:
        amazon = config.amazon
        self._values = {key: str(getattr(amazon, key)) for key in AMAZON_TEXT}
        if sandbox:
            self._values.update(_sandbox_values())
        self._draft = True if sandbox else amazon.draft_app
        self._timeout = str(amazon.connect_timeout_minutes)
        super().__init__(
            {
                **self._values,
                "client_secret": "",
                "draft_app": str(self._draft),
                "connect_timeout_minutes": self._timeout,
            }
        )
        self._amazon = config.amazon
        self.sandbox = sandbox

    def compose(self) -> ComposeResult:
        yield Static(literal(_("Amazon app")), classes="section-title")
        if self.sandbox:
            yield Static(literal(_(SANDBOX_NOTE)), id="sandbox-note", classes="settings-warning")
        elif foreign := foreign_secret_hosts(self._amazon):
            # Edited in the file only, so said here: the client secret and tokens would go elsewhere.
            yield Static(
                literal(
                    _(
                        "Warning: {settings} in the config file send the client secret or tokens to {hosts}, "
                        "which are not Amazon's hosts; unless they are proxies you run, set them back to "
                        "Amazon's addresses."
                    ).format(
                        settings=", ".join(setting for setting, _host in foreign),
                        hosts=", ".join(sorted({host for _setting, host in foreign})),
                    )
                ),
                id="hosts-warning",
                classes="settings-warning",
            )
        for key in ("application_id", "client_id"):
            yield from self.field(key, self._input(key, self._values[key]))
        secret = Input(
            id="client_secret",
            password=True,
            placeholder=_("built-in demo secret") if self.sandbox else _(PLACEHOLDERS["client_secret"]),
            compact=True,
            disabled=self.sandbox,
        )
        yield from self.field("client_secret", secret)
        yield Static(literal(_("Checking the keyring…")), id="client_secret-state", classes="read-only")
        result = Static("", id="test-result")
        result.display = False
        yield result
        for key in ("redirect_uri", "callback_listen", "callback_tls_cert", "callback_tls_key"):
            yield from self.field(key, self._input(key, self._values[key]))
        with Horizontal(classes="settings-switch"):
            yield Switch(
                self._draft,
                id="draft_app",
                animate=False,
                disabled=self.sandbox,
                tooltip=_(self.FIELD_HELP["draft_app"]),
            )
            yield Label(id="draft_app-label", classes="switch-label")
        yield Static(literal(_(self.FIELD_HELP["draft_app"])), classes="help")
        yield from self.field(
            "connect_timeout_minutes", self._input("connect_timeout_minutes", self._timeout)
        )

    def _input(self, key: str, value: str) -> Input:
        return Input(
            value,
            id=key,
            placeholder=_("not used in the sandbox") if self.sandbox else PLACEHOLDERS.get(key, ""),
            compact=True,
            disabled=self.sandbox,
            tooltip=_(self.FIELD_HELP[key]),
            highlighter=VisibleControls(),
        )

    def on_mount(self) -> None:
        self.show_notes()

    def retranslated(self) -> None:
        """The screen was composed again in another language, with what was typed put back."""
        if self.sandbox:  # the fixed demo values include words, said again in the new language
            for key, value in _sandbox_values().items():
                self.query_one(f"#{key}", Input).value = value

    # --- reading and checking -----------------------------------------------------------------------------

    def form(self) -> dict[str, str | bool]:
        """The fields as typed (the timeout still text, so a bad one can be named)."""
        form: dict[str, str | bool] = {key: self.text(key) for key in AMAZON_TEXT}
        form["connect_timeout_minutes"] = self.text("connect_timeout_minutes")
        form["draft_app"] = self.query_one("#draft_app", Switch).value
        return form

    def secret(self) -> str:
        """The client secret typed (empty: keep the stored one)."""
        return self.text("client_secret")

    def errors(self) -> dict[str, str]:
        if self.sandbox:
            return {}
        behind = asc_app(self.app).config.amazon.callback_behind_tls_proxy
        return validate_amazon_settings(self.form(), behind_tls_proxy=behind)

    def touch(self, *keys: str) -> None:
        super().touch(*keys)
        # The pair is checked together: a certificate without its key is worth saying at once.
        if any(key in TLS_PAIR for key in keys):
            super().touch(*TLS_PAIR)

    def show_notes(self) -> None:
        """The lines that follow what is typed: the draft switch in words, the redirect URI's note."""
        # Said in words too: a switch's colours alone do not survive a monochrome terminal.
        on = self.query_one("#draft_app", Switch).value
        self.query_one("#draft_app-label", Label).update(
            literal((_("{label}: on") if on else _("{label}: off")).format(label=_(self.LABELS["draft_app"])))
        )
        note = None if self.sandbox else redirect_uri_note(self.text("redirect_uri"))
        line = self.query_one("#redirect_uri-note", Static)
        line.update(literal(note or ""))
        line.display = bool(note)

    def show_secret_state(self, state: str) -> None:
        self.query_one("#client_secret-state", Static).update(literal(state))

    def clear_stored(self, keys: set[str]) -> None:
        if CLIENT_SECRET_KEY in keys:
            self.query_one("#client_secret", Input).value = ""

    # --- testing the credentials --------------------------------------------------------------------------

    def untestable(self) -> str:
        """Why the credentials cannot be tested yet (the client ID is missing or wrong), or ""."""
        if self.sandbox:
            return ""
        client_id = self.text("client_id")
        return (check_client_id(client_id) if client_id else _("Enter the LWA client ID first.")) or ""

    def test_credentials(self) -> None:
        where = (
            _("the sandbox's Login with Amazon")
            if self.sandbox
            else asc_app(self.app).config.amazon.lwa_token_url
        )
        result = self.query_one("#test-result", Static)
        result.update(literal(_("Asking {where}…").format(where=where)))
        result.set_classes("-busy")
        result.display = True
        self._run_test(asc_app(self.app).config.amazon.lwa_token_url, self.text("client_id"), self.secret())

    @work(thread=True, exclusive=True, group="settings-test", exit_on_error=False)
    def _run_test(self, token_url: str, client_id: str, typed_secret: str) -> None:
        from asc_tui.services.credentials import check_lwa_credentials

        if self.sandbox:
            ok, message = self._test_sandbox()
        else:
            secret = typed_secret
            if not secret:
                try:
                    secret = asc_app(self.app).registry_when_open().secrets.client_secret() or ""
                except AscError as exc:
                    self.app.call_from_thread(self.show_test, False, str(exc))
                    return
            if not secret:
                ok, message = (
                    False,
                    _("There is no client secret to test: type it in the client secret field."),
                )
            else:
                ok, message = check_lwa_credentials(token_url, client_id, secret)
        self.app.call_from_thread(self.show_test, ok, message)

    def _test_sandbox(self) -> tuple[bool, str]:
        from asc_tui.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SandboxEmulator
        from asc_tui.services.credentials import check_lwa_credentials

        emulator = asc_app(self.app).registry_when_open().emulator
        if emulator is not None and emulator.running:
            ok, message = check_lwa_credentials(
                emulator.lwa_token_url, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
            )
        else:
            with SandboxEmulator() as fresh:
                ok, message = check_lwa_credentials(
                    fresh.lwa_token_url, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
                )
        return ok, _("Sandbox emulator: {message}").format(message=message)

    def show_test(self, ok: bool, message: str) -> None:
        if not self.is_attached:
            return
        result = self.query_one("#test-result", Static)
        result.update(literal(("✓ " if ok else "✗ ") + message))
        result.set_classes("-ok" if ok else "-failed")
        result.display = True
        # Also as a notification: the answer may come while the admin looks at another part of the form.
        self.notify(
            message,
            title=_("Credentials accepted") if ok else _("Credentials not confirmed"),
            severity="information" if ok else "error",
            markup=False,
            timeout=10,
        )


def _sandbox_values() -> dict[str, str]:
    from asc_tui.sandbox import SANDBOX_APPLICATION_ID, SANDBOX_CLIENT_ID

    return {
        "application_id": SANDBOX_APPLICATION_ID,
        "client_id": SANDBOX_CLIENT_ID,
        "redirect_uri": "",
        "callback_listen": _("127.0.0.1, any free port"),
        "callback_tls_cert": "",
        "callback_tls_key": "",
    }
