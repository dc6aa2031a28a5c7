"""Settings: the Amazon app's credentials, the Commerce connection and the keyring in use.

Everything but the secrets is saved to the TOML config file (`ctrl+s`), keeping the admin's comments. The
LWA client secret and the Magento credentials (the integration's four OAuth 1.0a values, or a bearer token,
per the chosen authentication) go only to the keyring, from a thread (a keyring call can block for
seconds); an empty secret field keeps the stored one. When Magento credentials are saved, the app uses the
new settings once they are in the keyring, so the catalog refresh that follows reads them. `ctrl+t` asks
Login with Amazon (or the sandbox's) whether the client ID and secret are right. In `--sandbox` the Amazon
fields show the demo app's values and cannot be changed.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING, NamedTuple, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Header, Input, Label, Select, Static, Switch

from asc_tui.commerce.credentials import CredentialField, credential_fields
from asc_tui.errors import AscError
from asc_tui.i18n import AUTO, LANGUAGE_NAMES, N_, _, language_from_environment, ngettext
from asc_tui.settings.checks import (
    SettingsValidationError,
    check_client_id,
    parse_timeout,
    redirect_uri_note,
    validate_amazon_settings,
    validate_commerce_settings,
)
from asc_tui.settings.config import Config
from asc_tui.settings.secret_hosts import foreign_secret_hosts
from asc_tui.settings.secret_store import CLIENT_SECRET_ENV, CLIENT_SECRET_KEY
from asc_tui.settings.writer import save_language, save_settings
from asc_tui.ui.text import VisibleControls, literal, plain
from asc_tui.ui.widgets.footer import Footer

if TYPE_CHECKING:
    from asc_tui.ui.app import AscApp

AMAZON_TEXT = (
    "application_id",
    "client_id",
    "redirect_uri",
    "callback_listen",
    "callback_tls_cert",
    "callback_tls_key",
)
# In screen order: the first field with an error gets the focus.
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
    "base_url",
    "auth",
)
AMAZON_FIELDS = FIELDS[:9]
CHECKED_FIELDS = tuple(key for key in FIELDS if key != "draft_app")  # a switch cannot be wrong

# Translated where shown (the language can change while the app runs).
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
    "base_url": N_("Commerce base URL"),
    "auth": N_("Commerce API authentication"),
}
HELP = {
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
    "draft_app": N_("On while your app is a draft (not yet published): the consent link adds version=beta."),
    "connect_timeout_minutes": N_("How long a connect attempt waits for Amazon's answer, 1 to 120 minutes."),
    "base_url": N_(
        "Empty: the embedded default catalog. Otherwise your shop's address, e.g. https://shop.example.com."
    ),
    "auth": N_(
        "OAuth 1.0a signing with an integration's four credentials (Magento 2.4.4+ default), or a "
        "bearer token."
    ),
}
PLACEHOLDERS = {
    "application_id": "amzn1.sp.solution.…",
    "client_id": "amzn1.application-oa2-client.…",
    "client_secret": N_("Leave empty to keep the current one"),
    "redirect_uri": "https://admin.example.com/amazon/callback",
    "callback_listen": "127.0.0.1:8976",
    "callback_tls_cert": "/etc/ssl/certs/admin.example.com.pem",
    "callback_tls_key": "/etc/ssl/private/admin.example.com.key",
    "connect_timeout_minutes": "10",
    "base_url": "https://shop.example.com",
}
AUTH_OPTIONS = [(N_("OAuth 1.0a (integration credentials)"), "oauth1"), (N_("Bearer token"), "bearer")]
SANDBOX_NOTE = N_(
    "Sandbox: the built-in emulator uses a demo app with demo credentials, so the Amazon fields are fixed "
    "here and not saved. Start asc-tui without --sandbox to set your own app."
)
CREDENTIALS_HELP = N_(
    "From System › Extensions › Integrations › your integration › Integration Info (the bearer token: its "
    "Access Token). Stored only in the keyring; leave a field empty to keep the stored one."
)


class Pending(NamedTuple):
    """A secret to store: its keyring key, the value typed, and what it is (the Magento credential's label)."""

    key: str
    value: str
    what: str


def _language_in_force() -> str:
    """Which language is in use now, and why: --lang overrides the setting for this run."""
    from asc_tui.i18n import current_language, language_source

    language = LANGUAGE_NAMES[current_language()]
    reasons = {
        "cli": _(
            "In use now: {language}, from --lang, which overrides this setting until asc-tui starts without it."
        ),
        "config": _("In use now: {language}, from this setting."),
        "locale": _("In use now: {language}, from the locale (LANG)."),
    }
    return reasons.get(language_source(), _("In use now: {language}.")).format(language=language)


class SettingsScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "leave", N_("Back"), tooltip=N_("Leave without saving")),
        Binding(
            "ctrl+s", "save", N_("Save"), tooltip=N_("Save (the client secret to the keyring)"), priority=True
        ),
        Binding(
            "ctrl+t",
            "test",
            N_("Test credentials"),
            tooltip=N_("Check the LWA client ID and secret"),
            priority=True,
        ),
    ]
    # Focus is set after the first layout (see on_mount): focusing earlier scrolls the intro out of view.
    AUTO_FOCUS = ""
    DEFAULT_CSS = """
    SettingsScreen .credential-field {
        height: auto;
    }
    """

    def __init__(self, config: Config, *, sandbox: bool) -> None:
        super().__init__(id="settings")
        self._config = config
        self.sandbox = sandbox
        self._touched: set[str] = set()
        self._initial: dict[str, str] = {}

    @property
    def asc(self) -> AscApp:
        # A cast, not an import: the app imports this module, and screens never import the app.
        return cast("AscApp", self.app)

    # --- layout -----------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        config = self._config
        amazon = config.amazon
        yield Header()
        with VerticalScroll(id="settings-body"):
            yield Static(self._intro(), id="settings-intro", classes="help")
            yield from self._language_field()
            yield Static(literal(_("Amazon app")), classes="section-title")
            values = {key: str(getattr(amazon, key)) for key in AMAZON_TEXT}
            if self.sandbox:
                yield Static(literal(_(SANDBOX_NOTE)), id="sandbox-note", classes="settings-warning")
                values.update(_sandbox_values())
            elif foreign := foreign_secret_hosts(amazon):
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
                yield from self._field(key, self._input(key, values[key]))
            secret = Input(
                id="client_secret",
                password=True,
                placeholder=_("built-in demo secret") if self.sandbox else _(PLACEHOLDERS["client_secret"]),
                compact=True,
                disabled=self.sandbox,
            )
            yield from self._field("client_secret", secret)
            yield Static(literal(_("Checking the keyring…")), id="client_secret-state", classes="read-only")
            yield Static("", id="test-result")
            for key in ("redirect_uri", "callback_listen", "callback_tls_cert", "callback_tls_key"):
                yield from self._field(key, self._input(key, values[key]))
            with Horizontal(classes="settings-switch"):
                yield Switch(
                    True if self.sandbox else amazon.draft_app,
                    id="draft_app",
                    animate=False,
                    disabled=self.sandbox,
                    tooltip=_(HELP["draft_app"]),
                )
                yield Label(id="draft_app-label", classes="switch-label")
            yield Static(literal(_(HELP["draft_app"])), classes="help")
            yield from self._field(
                "connect_timeout_minutes",
                self._input("connect_timeout_minutes", str(amazon.connect_timeout_minutes)),
            )
            yield Static(literal(_("Commerce")), classes="section-title")
            yield from self._field(
                "base_url",
                Input(
                    config.commerce.base_url,
                    id="base_url",
                    placeholder=PLACEHOLDERS["base_url"],
                    compact=True,
                    tooltip=_(HELP["base_url"]),
                    highlighter=VisibleControls(),
                ),
            )
            auth = config.commerce.auth if config.commerce.auth in ("oauth1", "bearer") else "oauth1"
            # What each field starts with, as its Changed event will say it (widgets announce it too).
            self._initial = {
                **values,
                "client_secret": "",
                "draft_app": str(True if self.sandbox else amazon.draft_app),
                "connect_timeout_minutes": str(amazon.connect_timeout_minutes),
                "base_url": config.commerce.base_url,
                "auth": auth,
            }
            yield from self._field(
                "auth",
                Select(
                    [(_(label), value) for label, value in AUTH_OPTIONS],
                    value=auth,
                    allow_blank=False,
                    id="auth",
                    compact=True,
                ),
            )
            yield Static(literal(_(CREDENTIALS_HELP)), id="credentials-help", classes="help")
            shown = credential_fields(auth)
            for cred in credential_fields():
                with Vertical(id=f"{cred.attribute}-field", classes="credential-field") as box:
                    box.display = cred in shown
                    yield Label(literal(_(cred.label)), classes="field-label")
                    yield Input(
                        id=cred.attribute,
                        password=True,
                        placeholder=_("Leave empty to keep the stored one"),
                        compact=True,
                        tooltip=_("{label}: stored only in the keyring; {variable} wins over it.").format(
                            label=_(cred.label), variable=cred.env
                        ),
                    )
                    yield Static(
                        literal(_("Checking the keyring…")), id=f"{cred.attribute}-state", classes="read-only"
                    )
            yield Static(literal(_("Secrets")), classes="section-title")
            yield Label(literal(_("Keyring in use")), classes="field-label")
            yield Static(literal(_("Checking the keyring…")), id="secrets-backend", classes="read-only")
            yield Static("", id="secrets-warning", classes="field-error")
            yield Static("", id="settings-status")
            with Horizontal(classes="buttons"):
                yield Button(_("Back"), id="leave")
                yield Button(_("Test credentials"), id="test")
                yield Button(_("Save"), id="save", variant="primary")
        yield Footer()

    def _language_field(self) -> ComposeResult:
        # The word "Language" stays readable to someone who switched to a language they cannot read.
        title = _("Language")
        label = title if title == "Language" else f"{title} · Language"  # i18n: English on purpose
        yield Label(label, classes="field-label")
        detected = LANGUAGE_NAMES[language_from_environment()]
        options = [
            (_("Automatic: {language}, from the locale (LANG)").format(language=detected), AUTO),
            *((name, code) for code, name in LANGUAGE_NAMES.items()),
        ]
        yield Select(
            options, value=self._config.ui.language or AUTO, allow_blank=False, id="language", compact=True
        )
        yield Static(
            literal(_("Switches at once, and is saved to the config file as [ui] language.")), classes="help"
        )
        yield Static(literal(_language_in_force()), id="language-in-force", classes="help")

    @on(Select.Changed, "#language")
    def _language_changed(self, event: Select.Changed) -> None:
        choice = None if event.value == AUTO else str(event.value)
        if choice == self._config.ui.language:
            return
        try:
            saved = save_language(self._config.path, choice)
        except AscError as exc:
            self._status(_("Not saved: {problem}").format(problem=exc), ok=False)
            return
        self._config = replace(self._config, ui=saved.ui)
        self.asc.config = replace(self.asc.config, ui=saved.ui)
        self.app.call_later(self.asc.use_language, choice)

    async def retranslate(self) -> None:
        """The language changed: compose again, keeping what was typed, then redo what mounting did."""
        from asc_tui.ui.retranslate import rebuild

        await rebuild(self)
        if self.sandbox:  # the fixed demo values include words, said again in the new language
            for key, value in _sandbox_values().items():
                self.query_one(f"#{key}", Input).value = value
        for line_id in ("#secrets-warning", "#test-result", "#settings-status"):
            self.query_one(line_id).display = False
        self._show_notes()
        self._show_switch()
        self._show_credentials()
        self._recheck()
        self._read_keyring()

    def _intro(self) -> Text:
        path = self._config.path
        sentence = (
            _(
                "Saved to {path} with ctrl+s; secrets go only to the keyring. ctrl+t tests the LWA "
                "credentials; escape leaves without saving."
            )
            if path.exists()
            else _(
                "Saved to {path} (saving creates it) with ctrl+s; secrets go only to the keyring. ctrl+t "
                "tests the LWA credentials; escape leaves without saving."
            )
        )
        # The path in bold, wherever the sentence puts it.
        before, _sep, after = sentence.partition("{path}")
        return Text.assemble(before, literal(path, "bold"), after)

    def _input(self, key: str, value: str) -> Input:
        fixed = self.sandbox and key in AMAZON_FIELDS
        return Input(
            value,
            id=key,
            placeholder=_("not used in the sandbox") if fixed else PLACEHOLDERS.get(key, ""),
            compact=True,
            disabled=fixed,
            tooltip=_(HELP[key]),
            highlighter=VisibleControls(),
        )

    @staticmethod
    def _field(key: str, widget: Widget) -> ComposeResult:
        """As in the add-store form: label, control, what it is for, and its error (or note) if any."""
        yield Label(literal(_(LABELS[key])), classes="field-label")
        yield widget
        yield Static(literal(_(HELP[key])), classes="help")
        for kind in ("error", "note") if key in CHECKED_FIELDS else ():
            line = Static("", id=f"{key}-{kind}", classes=f"field-{kind}")
            line.display = False
            yield line

    def on_mount(self) -> None:
        for line_id in ("#secrets-warning", "#test-result", "#settings-status"):
            self.query_one(line_id).display = False
        self._show_notes()
        self._show_switch()
        self._read_keyring()
        self.call_after_refresh(self._focus_first_field)

    def _focus_first_field(self) -> None:
        # The application ID, or in the sandbox (Amazon fields fixed) the Commerce base URL.
        first = next((w for w in self.query(Input) if w.focusable), None)
        if first is not None:
            first.focus(scroll_visible=False)

    # --- reading and checking the form ------------------------------------------------------------------

    def _text(self, key: str) -> str:
        return self.query_one(f"#{key}", Input).value.strip()

    def amazon_form(self) -> dict[str, str | bool]:
        """The Amazon fields as typed (the timeout still text, so a bad one can be named)."""
        form: dict[str, str | bool] = {key: self._text(key) for key in AMAZON_TEXT}
        form["connect_timeout_minutes"] = self._text("connect_timeout_minutes")
        form["draft_app"] = self.query_one("#draft_app", Switch).value
        return form

    def commerce_form(self) -> dict[str, str]:
        auth = self.query_one("#auth", Select).value
        return {"base_url": self._text("base_url"), "auth": "" if auth is Select.NULL else str(auth)}

    def errors(self) -> dict[str, str]:
        behind = self.asc.config.amazon.callback_behind_tls_proxy
        errors = {} if self.sandbox else validate_amazon_settings(self.amazon_form(), behind_tls_proxy=behind)
        errors.update(validate_commerce_settings(self.commerce_form()))
        return errors

    def show_errors(self, errors: dict[str, str], *, only_touched: bool) -> None:
        for key in CHECKED_FIELDS:
            message = errors.get(key, "")
            if only_touched and key not in self._touched:
                message = ""
            line = self.query_one(f"#{key}-error", Static)
            line.update(literal(message))
            line.display = bool(message)
            self.query_one(f"#{key}").set_class(bool(message), "-invalid")

    def _show_notes(self) -> None:
        note = None if self.sandbox else redirect_uri_note(self._text("redirect_uri"))
        line = self.query_one("#redirect_uri-note", Static)
        line.update(literal(note or ""))
        line.display = bool(note)

    def _show_switch(self) -> None:
        # Said in words too: a switch's colours alone do not survive a monochrome terminal.
        on = self.query_one("#draft_app", Switch).value
        self.query_one("#draft_app-label", Label).update(
            literal((_("{label}: on") if on else _("{label}: off")).format(label=_(LABELS["draft_app"])))
        )

    def _recheck(self) -> dict[str, str]:
        self._show_switch()
        errors = self.errors()
        self.show_errors(errors, only_touched=True)
        self._show_notes()
        return errors

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Switch.Changed)
    def _field_changed(self, event: Input.Changed | Select.Changed | Switch.Changed) -> None:
        key = event.control.id
        if key == "language":
            return  # applied at once by _language_changed, not part of the form saved with ctrl+s
        # A field counts as touched once it differs from what it started with.
        if key and (key in self._touched or str(event.value) != self._initial.get(key)):
            self._touched.add(key)
            # The pair is checked together: a certificate without its key is worth saying at once.
            if key in ("callback_tls_cert", "callback_tls_key"):
                self._touched.update(("callback_tls_cert", "callback_tls_key"))
        if key == "auth":
            self._show_credentials()
        self._recheck()

    def _auth(self) -> str:
        return self.commerce_form()["auth"] or "oauth1"

    def _show_credentials(self) -> None:
        """Only the credentials the chosen authentication needs (OAuth 1.0a: four; bearer: one)."""
        shown = credential_fields(self._auth())
        for cred in credential_fields():
            self.query_one(f"#{cred.attribute}-field").display = cred in shown

    def credentials_form(self) -> list[tuple[CredentialField, str]]:
        """The Magento credentials typed for the chosen authentication (empty fields keep the stored ones)."""
        typed = ((cred, self._text(cred.attribute)) for cred in credential_fields(self._auth()))
        return [(cred, value) for cred, value in typed if value]

    # --- saving ------------------------------------------------------------------------------------------

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self._touched.update(FIELDS)
        errors = self._recheck()
        if errors:
            first = next(key for key in FIELDS if key in errors)
            self.query_one(f"#{first}").focus()
            self._status(_("Not saved: fix the marked fields first."), ok=False)
            return
        form = self.amazon_form()
        amazon: dict[str, str | bool | int] | None = None
        if not self.sandbox:
            amazon = {key: value for key, value in form.items() if key != "connect_timeout_minutes"}
            amazon["connect_timeout_minutes"] = parse_timeout(str(form["connect_timeout_minutes"])) or 0
        path = self.asc.config.path
        try:
            config = save_settings(path, amazon=amazon, commerce=self.commerce_form())
        except SettingsValidationError as exc:
            self.show_errors(exc.errors, only_touched=False)
            self._status(_("Not saved: {error}").format(error=exc), ok=False)
            return
        except AscError as exc:
            self._status(_("Not saved: {error}").format(error=exc), ok=False)
            self.notify(str(exc), title=_("Settings not saved"), severity="error", markup=False, timeout=15)
            return
        self._config = config
        self.query_one("#settings-intro", Static).update(self._intro())
        pending: list[Pending] = []
        secret = self.query_one("#client_secret", Input).value.strip()
        if secret and not self.sandbox:
            pending.append(Pending(CLIENT_SECRET_KEY, secret, "client secret"))
        credentials = self.credentials_form()
        pending += [Pending(cred.key, value, cred.label) for cred, value in credentials]
        storing = _("Saved to {path}. Storing {what} in the keyring…")
        if credentials:
            # Applied once they are stored: the catalog refresh that a changed [commerce] starts reads them.
            self._status(storing.format(path=path, what=_what(pending)), ok=True)
            self._store_secrets(pending, config)
            return
        self.asc.apply_config(config)
        if pending:
            self._status(storing.format(path=path, what=_what(pending)), ok=True)
            self._store_secrets(pending, None)
        else:
            self._status(_("Saved to {path}.").format(path=path), ok=True)
            self.notify(_("Settings saved to {path}.").format(path=plain(path)), markup=False)

    @work(thread=True, exclusive=True, group="settings-secret", exit_on_error=False)
    def _store_secrets(self, pending: list[Pending], config: Config | None) -> None:
        """Store each secret; then apply `config` (when the Magento credentials waited for the keyring)."""
        # Off the UI thread: a keyring call can block for up to its timeout.
        secrets = self.asc.registry_when_open().secrets
        try:
            if secrets.needs_setup or secrets.locked:
                self.app.call_from_thread(self._make_secrets_ready, pending, config, secrets.needs_setup)
                return
            for item in pending:
                secrets.set(item.key, item.value)
        except AscError as exc:
            self.app.call_from_thread(self._secrets_not_stored, pending, config, str(exc))
            return
        self.app.call_from_thread(self._secrets_stored, pending, config)

    def _make_secrets_ready(self, pending: list[Pending], config: Config | None, setup: bool) -> None:
        """No keyring here, or the encrypted file is locked: the app's own modal first, then store."""
        from asc_tui.ui.screens.secrets_setup import SetUpSecretsModal, UnlockSecretsModal

        secrets = self.asc.registry.secrets

        def then_store(ready: bool | None) -> None:
            if ready:
                self._store_secrets(pending, config)
            else:
                self._secrets_not_stored(pending, config, _("the secrets file was not set up or unlocked."))

        if setup:
            reason = ngettext(
                "{what} needs a safe place: secrets never go in the config file.",
                "{what} need a safe place: secrets never go in the config file.",
                len(pending),
            ).format(what=_capital(_what(pending)))
            self.app.push_screen(SetUpSecretsModal(secrets, reason), then_store)
        else:
            self.app.push_screen(UnlockSecretsModal(secrets), then_store)

    def _apply(self, config: Config | None, credentials_stored: bool) -> None:
        """Use the saved settings now; new Magento credentials mean reading the catalog again."""
        if config is None:
            return
        refreshes = config.commerce != self.asc.config.commerce  # apply_config then refreshes the catalog
        self.asc.apply_config(config)
        if credentials_stored and config.commerce.base_url and not refreshes:
            self.asc.refresh_catalog()

    def _secrets_stored(self, pending: list[Pending], config: Config | None) -> None:
        self._apply(config, credentials_stored=any(item.key != CLIENT_SECRET_KEY for item in pending))
        what, count = _what(pending), len(pending)
        if not self.is_attached:
            stored = ngettext("{what} is stored in the keyring.", "{what} are stored in the keyring.", count)
            self.app.notify(stored.format(what=_capital(what)), markup=False)
            return
        stored_keys = {item.key for item in pending}
        if CLIENT_SECRET_KEY in stored_keys:
            self.query_one("#client_secret", Input).value = ""
        for cred in credential_fields():
            if cred.key in stored_keys:
                self.query_one(f"#{cred.attribute}", Input).value = ""
        self._status(
            ngettext(
                "Saved to {path}, and {what} is in the keyring.",
                "Saved to {path}, and {what} are in the keyring.",
                count,
            ).format(path=self._config.path, what=what),
            ok=True,
        )
        self.notify(
            ngettext(
                "Settings saved; {what} is in the keyring.",
                "Settings saved; {what} are in the keyring.",
                count,
            ).format(what=what),
            markup=False,
        )
        self._read_keyring()

    def _secrets_not_stored(self, pending: list[Pending], config: Config | None, message: str) -> None:
        self._apply(config, credentials_stored=False)
        what, count = _what(pending), len(pending)
        self.app.notify(
            ngettext(
                "The settings were saved, but {what} was not stored: {message}",
                "The settings were saved, but {what} were not stored: {message}",
                count,
            ).format(what=what, message=message),
            title=_("Secrets not stored"),
            severity="error",
            markup=False,
            timeout=20,
        )
        if self.is_attached:
            self._status(
                ngettext(
                    "Settings saved; {what} was NOT stored: {message}",
                    "Settings saved; {what} were NOT stored: {message}",
                    count,
                ).format(what=what, message=message),
                ok=False,
            )

    # --- the keyring --------------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="settings-keyring", exit_on_error=False)
    def _read_keyring(self) -> None:
        secrets = self.asc.registry_when_open().secrets
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
        self.app.call_from_thread(self._show_keyring, backend, unprotected, state, credentials)

    def _show_keyring(self, backend: str, unprotected: bool, state: str, credentials: dict[str, str]) -> None:
        if not self.is_attached:
            return
        self.query_one("#secrets-backend", Static).update(literal(backend))
        self.query_one("#client_secret-state", Static).update(literal(state))
        for attribute, text in credentials.items():
            self.query_one(f"#{attribute}-state", Static).update(literal(text))
        warning = self.query_one("#secrets-warning", Static)
        warning.update(
            literal(
                _("Secrets are NOT encrypted with this backend: anyone who can read the file can read them.")
            )
        )
        warning.display = unprotected

    # --- testing the credentials --------------------------------------------------------------------------

    @on(Button.Pressed, "#test")
    def action_test(self) -> None:
        client_id = self._text("client_id")
        if not self.sandbox:
            problem = check_client_id(client_id) if client_id else _("Enter the LWA client ID first.")
            if problem:
                self._touched.add("client_id")
                self.show_errors({"client_id": problem}, only_touched=True)
                self.query_one("#client_id").focus()
                self._show_test(False, problem)
                return
        where = _("the sandbox's Login with Amazon") if self.sandbox else self.asc.config.amazon.lwa_token_url
        result = self.query_one("#test-result", Static)
        result.update(literal(_("Asking {where}…").format(where=where)))
        result.set_classes("-busy")
        result.display = True
        secret = self.query_one("#client_secret", Input).value.strip()
        self._run_test(self.asc.config.amazon.lwa_token_url, client_id, secret)

    @work(thread=True, exclusive=True, group="settings-test", exit_on_error=False)
    def _run_test(self, token_url: str, client_id: str, typed_secret: str) -> None:
        from asc_tui.services.credentials import check_lwa_credentials

        if self.sandbox:
            ok, message = self._test_sandbox()
        else:
            secret = typed_secret
            if not secret:
                try:
                    secret = self.asc.registry_when_open().secrets.client_secret() or ""
                except AscError as exc:
                    self.app.call_from_thread(self._show_test, False, str(exc))
                    return
            if not secret:
                ok, message = (
                    False,
                    _("There is no client secret to test: type it in the client secret field."),
                )
            else:
                ok, message = check_lwa_credentials(token_url, client_id, secret)
        self.app.call_from_thread(self._show_test, ok, message)

    def _test_sandbox(self) -> tuple[bool, str]:
        from asc_tui.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SandboxEmulator
        from asc_tui.services.credentials import check_lwa_credentials

        emulator = self.asc.registry_when_open().emulator
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

    def _show_test(self, ok: bool, message: str) -> None:
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

    # --- leaving ------------------------------------------------------------------------------------------

    def _status(self, message: str, *, ok: bool) -> None:
        status = self.query_one("#settings-status", Static)
        status.update(literal(message))
        status.set_classes("-ok" if ok else "-failed")
        status.display = True

    @on(Button.Pressed, "#leave")
    def action_leave(self) -> None:
        self.dismiss(None)


def _what(pending: list[Pending]) -> str:
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


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


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
