"""Checking each setting before it is saved: pure functions, no Textual, no file.

Each `check_*` returns None or one sentence naming the setting; `validate_*` check a whole section and map
each refused setting to its sentence. The settings screen checks as the admin types, the writer before it
saves, and doctor the file as it is.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from asc_tui.errors import InvalidInput
from asc_tui.i18n import _
from asc_tui.settings.hosts import is_loopback, listen_host, listen_problem, parse_listen

# The [amazon] settings the settings screen saves, with their TOML types.
AMAZON_KEYS: dict[str, type] = {
    "application_id": str,
    "client_id": str,
    "redirect_uri": str,
    "callback_listen": str,
    "callback_tls_cert": str,
    "callback_tls_key": str,
    "draft_app": bool,
    "connect_timeout_minutes": int,
}
COMMERCE_KEYS: dict[str, type] = {"base_url": str, "auth": str}
COMMERCE_AUTH = ("oauth1", "bearer")
APPLICATION_ID_PREFIXES = ("amzn1.sp.solution.", "amzn1.sellerapps.app.")
CLIENT_ID_PREFIX = "amzn1.application-oa2-client."
TIMEOUT_MINUTES = (1, 120)
SECRET_WORDS = ("secret", "token")
NOT_SECRETS = {"lwa_token_url"}  # the address of Login with Amazon's token endpoint, not a token
_SECRET_MARKERS = ("amzn1.oa2-cs.", "Atza|", "Atzr|")


class SettingsValidationError(InvalidInput):
    """One or more settings were refused; `errors` maps each setting to its sentence."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


class SecretNotAllowed(InvalidInput):
    def __init__(self, key: str) -> None:
        super().__init__(
            _(
                "{key} looks like a secret, and secrets never go in the config file; store it in the keyring "
                "(the settings screen or asc-tui doctor) or set it in the environment."
            ).format(key=key)
        )


# --- checking each setting -----------------------------------------------------------------------------


def _looks_like_id(value: str, prefixes: tuple[str, ...]) -> bool:
    for prefix in prefixes:
        rest = value[len(prefix) :] if value.startswith(prefix) else ""
        # "amzn1." twice: two values pasted into one field.
        if rest and "amzn1." not in rest and all(ch.isalnum() or ch in "._-" for ch in rest):
            return True
    return False


def holds_a_secret(value: str) -> bool:
    """An LWA client secret (amzn1.oa2-cs.…) or an LWA token (Atza|…, Atzr|…) pasted where it must not go."""
    return any(marker in value for marker in _SECRET_MARKERS)


def _secret_in(setting: str) -> str:
    return _(
        "The value for {setting} looks like a secret (an LWA client secret or token); secrets never go in "
        "the config file, so type the client secret in its own field."
    ).format(setting=setting)


def check_application_id(value: str) -> str | None:
    text = value.strip()
    if not text or _looks_like_id(text, APPLICATION_ID_PREFIXES):
        return None
    if text.startswith(CLIENT_ID_PREFIX):
        return _(
            "The application ID (amazon.application_id) holds an LWA client ID; that one goes in the client "
            "ID field."
        )
    return _(
        "The application ID (amazon.application_id) must look like amzn1.sp.solution.… (or "
        "amzn1.sellerapps.app.… for older apps); copy it from your app in Seller Central's Develop Apps."
    )


def check_client_id(value: str) -> str | None:
    text = value.strip()
    if not text or _looks_like_id(text, (CLIENT_ID_PREFIX,)):
        return None
    if text.startswith(APPLICATION_ID_PREFIXES):
        return _(
            "The LWA client ID (amazon.client_id) holds the application ID; that one goes in the application "
            "ID field."
        )
    return _(
        "The LWA client ID (amazon.client_id) must look like {prefix}…; copy it from the LWA "
        "credentials of your app in Seller Central's Develop Apps."
    ).format(prefix=CLIENT_ID_PREFIX)


def check_redirect_uri(value: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    what = _("The redirect URI (amazon.redirect_uri)")
    if any(ch.isspace() for ch in text):
        return _("{what} must not contain spaces.").format(what=what)
    parts = urlsplit(text)
    try:
        parts.port  # noqa: B018  (raises for a port that is not a number)
    except ValueError:
        return _("{what} has a port that is not a number from 0 to 65535.").format(what=what)
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.hostname:
        return _(
            "{what} must be a full https:// address registered with your app, e.g. "
            "https://admin.example.com/amazon/callback."
        ).format(what=what)
    if "#" in text:
        return _(
            "{what} must not have a #fragment; Amazon appends its answer to the address as it is registered."
        ).format(what=what)
    if scheme == "http" and not is_loopback(parts.hostname):
        return _(
            "{what} must start with https:// (plain http is accepted only for a loopback address such as "
            "127.0.0.1)."
        ).format(what=what)
    return None


def redirect_uri_note(value: str) -> str | None:
    """A warning for a valid but unusual redirect URI: plain http works only with the sandbox."""
    text = value.strip()
    if text and check_redirect_uri(text) is None and urlsplit(text).scheme.lower() == "http":
        return _(
            "Note: Amazon accepts only https:// redirect URIs for real apps; a plain http loopback address "
            "works with the sandbox and local tests only."
        )
    return None


def check_callback_listen(value: str) -> str | None:
    return listen_problem(value) if parse_listen(value) is None else None


def _check_tls_file(value: str, what: str) -> str | None:
    path = Path(value)
    if not path.is_absolute():
        return _(
            "{what} must be an absolute path (starting with /): the callback worker does not expand ~ or "
            "relative paths."
        ).format(what=what)
    if not path.exists():
        return _("{what} {path} does not exist; give the path of the PEM file.").format(what=what, path=value)
    if not path.is_file():
        return _("{what} {path} is not a file; give the path of the PEM file.").format(what=what, path=value)
    if not os.access(path, os.R_OK):
        return _("{what} {path} cannot be read by this user; fix its permissions.").format(
            what=what, path=value
        )
    return None


def check_tls_files(cert: str, key: str) -> dict[str, str]:
    """Both or neither, and each an existing readable file; errors keyed by setting name."""
    cert, key = cert.strip(), key.strip()
    errors: dict[str, str] = {}
    if cert and not key:
        errors["callback_tls_key"] = _(
            "The TLS key (amazon.callback_tls_key) is needed with a TLS certificate: set both or neither."
        )
    if key and not cert:
        errors["callback_tls_cert"] = _(
            "The TLS certificate (amazon.callback_tls_cert) is needed with a TLS key: set both or neither."
        )
    if cert:
        problem = _check_tls_file(cert, _("The TLS certificate (amazon.callback_tls_cert)"))
        if problem:
            errors["callback_tls_cert"] = problem
    if key:
        problem = _check_tls_file(key, _("The TLS key (amazon.callback_tls_key)"))
        if problem:
            errors["callback_tls_key"] = problem
    return errors


def parse_timeout(value: str | int) -> int | None:
    """The connect timeout as a whole number of minutes, or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = value.strip()
    return int(text) if text.isdigit() else None


def check_connect_timeout(value: str | int) -> str | None:
    low, high = TIMEOUT_MINUTES
    minutes = parse_timeout(value)
    if minutes is None or not low <= minutes <= high:
        return _(
            "The connect timeout (amazon.connect_timeout_minutes) must be a whole number of minutes from "
            "{low} to {high}."
        ).format(low=low, high=high)
    return None


def check_base_url(value: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    what = _("The Commerce base URL (commerce.base_url)")
    parts = urlsplit(text)
    try:
        parts.port  # noqa: B018
    except ValueError:
        return _("{what} has a port that is not a number from 0 to 65535.").format(what=what)
    if (
        any(ch.isspace() for ch in text)
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
    ):
        return _(
            "{what} must be empty (the embedded default catalog) or your shop's address, e.g. "
            "https://shop.example.com."
        ).format(what=what)
    return None


def check_auth(value: str) -> str | None:
    if value not in COMMERCE_AUTH:
        return _('The Commerce authentication (commerce.auth) must be "oauth1" or "bearer".')
    return None


_AMAZON_CHECKS = {
    "application_id": check_application_id,
    "client_id": check_client_id,
    "redirect_uri": check_redirect_uri,
    "callback_listen": check_callback_listen,
}


def validate_amazon_settings(
    values: Mapping[str, object], *, behind_tls_proxy: bool = False
) -> dict[str, str]:
    """Every problem in these [amazon] values, keyed by setting; the TLS pair is checked together.
    `behind_tls_proxy` is callback_behind_tls_proxy as the file says (the form does not edit it)."""
    errors: dict[str, str] = {}
    for key, check in _AMAZON_CHECKS.items():
        if key in values:
            problem = check(str(values[key]))
            if problem:
                errors[key] = problem
    if "callback_listen" in values and "callback_listen" not in errors and not behind_tls_proxy:
        host = listen_host(str(values["callback_listen"]))
        tls = bool(
            str(values.get("callback_tls_cert", "")).strip()
            and str(values.get("callback_tls_key", "")).strip()
        )
        if host is not None and not is_loopback(host) and not tls:
            errors["callback_listen"] = _(
                "The callback address (amazon.callback_listen) lets other computers reach the callback worker "
                "over plain http; give it a TLS certificate and key, or set callback_behind_tls_proxy = true "
                "in the config file if only your TLS proxy can reach it."
            )
    if "callback_tls_cert" in values or "callback_tls_key" in values:
        errors.update(
            check_tls_files(str(values.get("callback_tls_cert", "")), str(values.get("callback_tls_key", "")))
        )
    if "connect_timeout_minutes" in values:
        raw = values["connect_timeout_minutes"]
        problem = check_connect_timeout(raw if isinstance(raw, str | int) else str(raw))
        if problem:
            errors["connect_timeout_minutes"] = problem
    errors.update(_secrets_in(values, "amazon"))
    return errors


def _secrets_in(values: Mapping[str, object], section: str) -> dict[str, str]:
    """Whatever else is wrong with a value, a pasted secret is the thing to say (and never to save)."""
    return {
        key: _secret_in(f"{section}.{key}")
        for key, value in values.items()
        if isinstance(value, str) and holds_a_secret(value)
    }


def validate_commerce_settings(values: Mapping[str, object]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if "base_url" in values:
        problem = check_base_url(str(values["base_url"]))
        if problem:
            errors["base_url"] = problem
    if "auth" in values:
        problem = check_auth(str(values["auth"]))
        if problem:
            errors["auth"] = problem
    errors.update(_secrets_in(values, "commerce"))
    return errors
