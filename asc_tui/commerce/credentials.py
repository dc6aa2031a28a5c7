"""A Magento integration's credentials: OAuth 1.0a's four values, or a bearer token, from the environment or
the keyring. Never printed: a repr says only which are set."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from asc_tui.commerce.errors import MagentoNotConfigured
from asc_tui.i18n import N_, _

AUTH_OAUTH1 = "oauth1"
AUTH_BEARER = "bearer"
AUTH_MODES = (AUTH_OAUTH1, AUTH_BEARER)

# Keyring keys (the caller's `get_secret` reads them) and the environment variables that win over them.
KEY_CONSUMER_KEY = "magento-consumer-key"
KEY_CONSUMER_SECRET = "magento-consumer-secret"
KEY_ACCESS_TOKEN = "magento-access-token"
KEY_ACCESS_TOKEN_SECRET = "magento-access-token-secret"
KEY_BEARER_TOKEN = "magento-bearer-token"
ENV_CONSUMER_KEY = "ASC_TUI_MAGENTO_CONSUMER_KEY"
ENV_CONSUMER_SECRET = "ASC_TUI_MAGENTO_CONSUMER_SECRET"
ENV_ACCESS_TOKEN = "ASC_TUI_MAGENTO_ACCESS_TOKEN"
ENV_ACCESS_TOKEN_SECRET = "ASC_TUI_MAGENTO_ACCESS_TOKEN_SECRET"
ENV_BEARER_TOKEN = "ASC_TUI_MAGENTO_BEARER_TOKEN"


@dataclass(frozen=True)
class CredentialField:
    attribute: str  # on MagentoCredentials
    key: str  # keyring key
    env: str  # environment variable that wins over the keyring
    label: str  # as Magento's integration page names it; marked for translation, shown through _()


CREDENTIAL_FIELDS = (
    CredentialField("consumer_key", KEY_CONSUMER_KEY, ENV_CONSUMER_KEY, N_("Consumer Key")),
    CredentialField("consumer_secret", KEY_CONSUMER_SECRET, ENV_CONSUMER_SECRET, N_("Consumer Secret")),
    CredentialField("access_token", KEY_ACCESS_TOKEN, ENV_ACCESS_TOKEN, N_("Access Token")),
    CredentialField(
        "access_token_secret", KEY_ACCESS_TOKEN_SECRET, ENV_ACCESS_TOKEN_SECRET, N_("Access Token Secret")
    ),
    CredentialField("bearer_token", KEY_BEARER_TOKEN, ENV_BEARER_TOKEN, N_("Bearer token")),
)


def credential_fields(auth: str | None = None) -> tuple[CredentialField, ...]:
    """The credentials an auth mode needs (all five for None), in the order the settings screen shows them."""
    if auth is None:
        return CREDENTIAL_FIELDS
    mode = auth_mode(auth)
    if mode == AUTH_BEARER:
        return tuple(f for f in CREDENTIAL_FIELDS if f.attribute == "bearer_token")
    return tuple(f for f in CREDENTIAL_FIELDS if f.attribute != "bearer_token")


@dataclass(frozen=True)
class MagentoCredentials:
    """An integration's OAuth 1.0a credentials, or a bearer token. Never printed: repr says only what is set."""

    consumer_key: str | None = field(default=None, repr=False)
    consumer_secret: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    access_token_secret: str | None = field(default=None, repr=False)
    bearer_token: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{f.attribute}={'[set]' if getattr(self, f.attribute) else None}" for f in CREDENTIAL_FIELDS
        )
        return f"MagentoCredentials({shown})"

    __str__ = __repr__

    def secrets(self) -> tuple[str, ...]:
        """Every value that is set, for redaction."""
        values = (getattr(self, f.attribute) for f in CREDENTIAL_FIELDS)
        return tuple(v for v in values if v)


def credentials_from(
    get_secret: Callable[[str], str | None],
    environ: Mapping[str, str] | None = None,
    *,
    auth: str | None = None,
) -> MagentoCredentials:
    """The Magento credentials: each `ASC_TUI_MAGENTO_*` variable wins over its keyring key.

    `get_secret(key)` reads the keyring (the caller's, with its timeouts and errors); it is asked only for
    what the environment does not give, and with `auth` only for what that mode needs. Blank values count
    as missing; surrounding whitespace (a pasted newline) is dropped.
    """
    env = os.environ if environ is None else environ
    values: dict[str, str | None] = {}
    for f in credential_fields(auth):
        value = (env.get(f.env) or "").strip()
        if not value:
            value = (get_secret(f.key) or "").strip()
        values[f.attribute] = value or None
    return MagentoCredentials(**values)


def missing_credentials(credentials: MagentoCredentials, auth: str) -> tuple[str, ...]:
    """Keyring keys of the credentials `auth` needs that are not set (empty when nothing is missing)."""
    return tuple(f.key for f in credential_fields(auth) if not getattr(credentials, f.attribute))


def auth_mode(auth: str) -> str:
    mode = (auth or "").strip().lower()
    if mode not in AUTH_MODES:
        raise MagentoNotConfigured(
            _(
                'commerce.auth is {auth!r}; set it to "oauth1" (the integration\'s four credentials) or "bearer".'
            ).format(auth=auth)
        )
    return mode
