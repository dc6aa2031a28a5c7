"""The settings screen: the form's sections one under another, and saving and leaving.

The sections are widgets of their own (`ui/widgets/settings_*.py`): the language (saved as soon as it is
chosen), the Amazon app (and `ctrl+t`, which asks Login with Amazon whether the client ID and secret are
right), Commerce, and the keyring. The screen checks them as one form and saves them with `ctrl+s`.

Everything but the secrets is saved to the TOML config file, keeping the admin's comments. The LWA client
secret and the Magento credentials (the integration's four OAuth 1.0a values, or a bearer token, per the
chosen authentication) go only to the keyring, from a thread (a keyring call can block for seconds); an
empty secret field keeps the stored one. When Magento credentials are saved, the app uses the new settings
once they are in the keyring, so the catalog refresh that follows reads them.
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Select, Static, Switch

from asc_tui.errors import AscError
from asc_tui.i18n import N_, _, ngettext
from asc_tui.settings.checks import SettingsValidationError, parse_timeout
from asc_tui.settings.config import Config
from asc_tui.settings.secret_store import CLIENT_SECRET_KEY
from asc_tui.settings.writer import save_settings
from asc_tui.ui.app_reach import asc_app
from asc_tui.ui.text import literal, plain
from asc_tui.ui.widgets.footer import Footer
from asc_tui.ui.widgets.settings_amazon import AmazonSection
from asc_tui.ui.widgets.settings_commerce import CommerceSection
from asc_tui.ui.widgets.settings_form import FormSection
from asc_tui.ui.widgets.settings_keyring import KeyringSection, Pending, capitalized, secrets_in_words
from asc_tui.ui.widgets.settings_language import LanguageSection


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

    def __init__(self, config: Config, *, sandbox: bool) -> None:
        super().__init__(id="settings")
        self._config = config
        self.sandbox = sandbox

    # --- layout -----------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="settings-body"):
            yield Static(self._intro(), id="settings-intro", classes="help")
            yield LanguageSection(self._config)
            yield AmazonSection(self._config, sandbox=self.sandbox)
            yield CommerceSection(self._config)
            yield KeyringSection(sandbox=self.sandbox)
            status = Static("", id="settings-status")
            status.display = False
            yield status
            with Horizontal(classes="buttons"):
                yield Button(_("Back"), id="leave")
                yield Button(_("Test credentials"), id="test")
                yield Button(_("Save"), id="save", variant="primary")
        yield Footer()

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

    def on_mount(self) -> None:
        self.call_after_refresh(self._focus_first_field)

    def _focus_first_field(self) -> None:
        # The application ID, or in the sandbox (Amazon fields fixed) the Commerce base URL.
        first = next((w for w in self.query(Input) if w.focusable), None)
        if first is not None:
            first.focus(scroll_visible=False)

    async def retranslate(self) -> None:
        """The language changed: compose again, keeping what was typed and touched, then redo what mounting
        did."""
        from asc_tui.ui.retranslate import rebuild

        touched = [key for section in self._sections() for key in section.touched]
        await rebuild(self)
        for section in self._sections():
            section.touch(*touched)
        self.query_one(AmazonSection).retranslated()
        self.query_one(CommerceSection).show_credentials()
        self._recheck()

    @on(LanguageSection.Saved)
    def _use_language(self, event: LanguageSection.Saved) -> None:
        self._config = replace(self._config, ui=event.ui)
        app = asc_app(self.app)
        app.config = replace(app.config, ui=event.ui)
        self.app.call_later(app.use_language, event.language)

    @on(LanguageSection.NotSaved)
    def _language_not_saved(self, event: LanguageSection.NotSaved) -> None:
        self._status(_("Not saved: {problem}").format(problem=event.problem), ok=False)

    @on(KeyringSection.Read)
    def _show_secret_states(self, event: KeyringSection.Read) -> None:
        # Each secret's line is under its field: the client secret's in the Amazon app, the Magento ones in
        # Commerce.
        self.query_one(AmazonSection).show_secret_state(event.client_secret)
        self.query_one(CommerceSection).show_credential_states(event.credentials)

    # --- checking the form ------------------------------------------------------------------------------

    def _sections(self) -> list[FormSection]:
        """The sections saved with ctrl+s, in screen order."""
        return list(self.query(FormSection))

    def errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        for section in self._sections():
            errors.update(section.errors())
        return errors

    def show_errors(self, errors: dict[str, str], *, only_touched: bool) -> None:
        for section in self._sections():
            section.show_errors(errors, only_touched=only_touched)

    def _recheck(self) -> dict[str, str]:
        errors = self.errors()
        self.show_errors(errors, only_touched=True)
        self.query_one(AmazonSection).show_notes()
        return errors

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Switch.Changed)
    def _field_changed(self) -> None:
        # The section the field is in has counted it as touched on the event's way up.
        self._recheck()

    # --- testing the credentials --------------------------------------------------------------------------

    @on(Button.Pressed, "#test")
    def action_test(self) -> None:
        amazon = self.query_one(AmazonSection)
        problem = amazon.untestable()
        if problem:
            amazon.touch("client_id")
            self.show_errors({"client_id": problem}, only_touched=True)
            self.query_one("#client_id").focus()
            amazon.show_test(False, problem)
            return
        amazon.test_credentials()

    # --- saving ------------------------------------------------------------------------------------------

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        sections = self._sections()
        for section in sections:
            section.touch(*section.FIELDS)
        errors = self._recheck()
        if errors:
            first = next(key for section in sections for key in section.FIELDS if key in errors)
            self.query_one(f"#{first}").focus()
            self._status(_("Not saved: fix the marked fields first."), ok=False)
            return
        amazon_section, commerce_section = self.query_one(AmazonSection), self.query_one(CommerceSection)
        form = amazon_section.form()
        amazon: dict[str, str | bool | int] | None = None
        if not self.sandbox:
            amazon = {key: value for key, value in form.items() if key != "connect_timeout_minutes"}
            amazon["connect_timeout_minutes"] = parse_timeout(str(form["connect_timeout_minutes"])) or 0
        path = asc_app(self.app).config.path
        try:
            config = save_settings(path, amazon=amazon, commerce=commerce_section.form())
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
        secret = amazon_section.secret()
        if secret and not self.sandbox:
            pending.append(Pending(CLIENT_SECRET_KEY, secret, "client secret"))
        credentials = commerce_section.credentials()
        pending += [Pending(cred.key, value, cred.label) for cred, value in credentials]
        storing = _("Saved to {path}. Storing {what} in the keyring…")
        if credentials:
            # Applied once they are stored: the catalog refresh that a changed [commerce] starts reads them.
            self._status(storing.format(path=path, what=secrets_in_words(pending)), ok=True)
            self._store_secrets(pending, config)
            return
        asc_app(self.app).apply_config(config)
        if pending:
            self._status(storing.format(path=path, what=secrets_in_words(pending)), ok=True)
            self._store_secrets(pending, None)
        else:
            self._status(_("Saved to {path}.").format(path=path), ok=True)
            self.notify(_("Settings saved to {path}.").format(path=plain(path)), markup=False)

    def _store_secrets(self, pending: list[Pending], config: Config | None) -> None:
        """Store the secrets; then apply `config` (when the Magento credentials waited for the keyring)."""

        def then(problem: str | None) -> None:
            if problem is None:
                self._secrets_stored(pending, config)
            else:
                self._secrets_not_stored(pending, config, problem)

        self.query_one(KeyringSection).store(pending, then)

    def _apply(self, config: Config | None, credentials_stored: bool) -> None:
        """Use the saved settings now; new Magento credentials mean reading the catalog again."""
        if config is None:
            return
        refreshes = (
            config.commerce != asc_app(self.app).config.commerce
        )  # apply_config then refreshes the catalog
        asc_app(self.app).apply_config(config)
        if credentials_stored and config.commerce.base_url and not refreshes:
            asc_app(self.app).refresh_catalog()

    def _secrets_stored(self, pending: list[Pending], config: Config | None) -> None:
        self._apply(config, credentials_stored=any(item.key != CLIENT_SECRET_KEY for item in pending))
        what, count = secrets_in_words(pending), len(pending)
        if not self.is_attached:
            stored = ngettext("{what} is stored in the keyring.", "{what} are stored in the keyring.", count)
            self.app.notify(stored.format(what=capitalized(what)), markup=False)
            return
        stored_keys = {item.key for item in pending}
        for section in self._sections():
            section.clear_stored(stored_keys)
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
        self.query_one(KeyringSection).read()

    def _secrets_not_stored(self, pending: list[Pending], config: Config | None, message: str) -> None:
        self._apply(config, credentials_stored=False)
        what, count = secrets_in_words(pending), len(pending)
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

    # --- leaving ------------------------------------------------------------------------------------------

    def _status(self, message: str, *, ok: bool) -> None:
        status = self.query_one("#settings-status", Static)
        status.update(literal(message))
        status.set_classes("-ok" if ok else "-failed")
        status.display = True

    @on(Button.Pressed, "#leave")
    def action_leave(self) -> None:
        self.dismiss(None)
