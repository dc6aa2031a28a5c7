"""The settings form's Commerce section: the shop's base URL, how asc-tui signs its REST calls, and the
Magento credentials that authentication needs (typed here, stored only in the keyring)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Select, Static

from asc_tui.commerce.credentials import CredentialField, credential_fields
from asc_tui.i18n import N_, _
from asc_tui.settings.checks import validate_commerce_settings
from asc_tui.settings.config import Config
from asc_tui.ui.text import VisibleControls, literal
from asc_tui.ui.widgets.settings_form import FormSection

BASE_URL_PLACEHOLDER = "https://shop.example.com"  # an address, the same in every language
AUTH_OPTIONS = [(N_("OAuth 1.0a (integration credentials)"), "oauth1"), (N_("Bearer token"), "bearer")]
CREDENTIALS_HELP = N_(
    "From System › Extensions › Integrations › your integration › Integration Info (the bearer token: its "
    "Access Token). Stored only in the keyring; leave a field empty to keep the stored one."
)


class CommerceSection(FormSection):
    DEFAULT_CSS = """
    CommerceSection .credential-field {
        height: auto;
    }
    """
    FIELDS = ("base_url", "auth")
    CHECKED = FIELDS
    LABELS = {
        "base_url": N_("Commerce base URL"),
        "auth": N_("Commerce API authentication"),
    }
    FIELD_HELP = {
        "base_url": N_(
            "Empty: the embedded default catalog. Otherwise your shop's address, e.g. https://shop.example.com."
        ),
        "auth": N_(
            "OAuth 1.0a signing with an integration's four credentials (Magento 2.4.4+ default), or a "
            "bearer token."
        ),
    }

    def __init__(self, config: Config) -> None:
        self._base_url = config.commerce.base_url
        self._auth = config.commerce.auth if config.commerce.auth in ("oauth1", "bearer") else "oauth1"
        super().__init__({"base_url": self._base_url, "auth": self._auth})

    def compose(self) -> ComposeResult:
        yield Static(literal(_("Commerce")), classes="section-title")
        yield from self.field(
            "base_url",
            Input(
                self._base_url,
                id="base_url",
                placeholder=BASE_URL_PLACEHOLDER,
                compact=True,
                tooltip=_(self.FIELD_HELP["base_url"]),
                highlighter=VisibleControls(),
            ),
        )
        yield from self.field(
            "auth",
            Select(
                [(_(label), value) for label, value in AUTH_OPTIONS],
                value=self._auth,
                allow_blank=False,
                id="auth",
                compact=True,
            ),
        )
        yield Static(literal(_(CREDENTIALS_HELP)), id="credentials-help", classes="help")
        shown = credential_fields(self._auth)
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

    def form(self) -> dict[str, str]:
        auth = self.query_one("#auth", Select).value
        return {"base_url": self.text("base_url"), "auth": "" if auth is Select.NULL else str(auth)}

    def errors(self) -> dict[str, str]:
        return validate_commerce_settings(self.form())

    def auth(self) -> str:
        return self.form()["auth"] or "oauth1"

    @on(Select.Changed, "#auth")
    def show_credentials(self) -> None:
        """Only the credentials the chosen authentication needs (OAuth 1.0a: four; bearer: one)."""
        shown = credential_fields(self.auth())
        for cred in credential_fields():
            self.query_one(f"#{cred.attribute}-field").display = cred in shown

    def credentials(self) -> list[tuple[CredentialField, str]]:
        """The Magento credentials typed for the chosen authentication (empty fields keep the stored ones)."""
        typed = ((cred, self.text(cred.attribute)) for cred in credential_fields(self.auth()))
        return [(cred, value) for cred, value in typed if value]

    def show_credential_states(self, states: dict[str, str]) -> None:
        """What the keyring holds, by credential (its attribute)."""
        for attribute, text in states.items():
            self.query_one(f"#{attribute}-state", Static).update(literal(text))

    def clear_stored(self, keys: set[str]) -> None:
        for cred in credential_fields():
            if cred.key in keys:
                self.query_one(f"#{cred.attribute}", Input).value = ""
