"""Saving settings to the TOML config file, and checking each setting before it is saved.

The file is edited with tomlkit, so the admin's comments, key order and any layout we do not know survive:
only the keys being saved change. A missing file (and its folder) is created private to the user. The new
text is parsed with the same rules as at start-up before it replaces the old file (a temporary file beside
it, then `os.replace`), so a save either leaves a valid file or leaves the old one untouched.

Secrets never go here: a key that looks like one (``secret``, ``token``) is refused outright.

The `check_*` functions are pure (no Textual): each returns None or one sentence naming the setting.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import stat
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Table

from asc_tui.config import Config, load_config, parse_config, toml_limit_problem
from asc_tui.errors import ConfigProblem, InvalidInput
from asc_tui.hosts import is_loopback, listen_host
from asc_tui.i18n import AUTO, _

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
_SECRET_WORDS = ("secret", "token")
_NOT_SECRETS = {"lwa_token_url"}  # the address of Login with Amazon's token endpoint, not a token
_SECRET_MARKERS = ("amzn1.oa2-cs.", "Atza|", "Atzr|")
_NEW_FILE_HEADER = (
    "asc-tui settings. Secrets (the LWA client secret, refresh tokens, Commerce credentials) are never\n"
    "stored here: they live in the keyring, or come from ASC_TUI_* environment variables."
)


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


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
    if scheme == "http" and not _is_loopback(parts.hostname):
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
    # Imported here: the callback module brings the HTTP server, which the settings screen never needs.
    from asc_tui.amazon.callback import CallbackBindError, parse_listen

    try:
        parse_listen(value)
    except CallbackBindError as exc:
        return str(exc)
    return None


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


# --- saving --------------------------------------------------------------------------------------------


def save_amazon_settings(path: str | Path, values: Mapping[str, str | bool | int]) -> Config:
    """Update these keys in [amazon]; returns the file as the app will read it."""
    return save_settings(path, amazon=values)


def save_commerce_settings(path: str | Path, base_url: str, auth: str) -> Config:
    return save_settings(path, commerce={"base_url": base_url, "auth": auth})


def save_settings(
    path: str | Path,
    *,
    amazon: Mapping[str, str | bool | int] | None = None,
    commerce: Mapping[str, str] | None = None,
) -> Config:
    """Update [amazon] and [commerce] in one atomic write; raises SettingsValidationError, ConfigProblem."""
    path = Path(path).expanduser()
    amazon_values = _clean("amazon", amazon or {}, AMAZON_KEYS)
    commerce_values = _clean("commerce", commerce or {}, COMMERCE_KEYS)
    document = _read_document(path)
    if amazon_values and ("callback_tls_cert" in amazon_values or "callback_tls_key" in amazon_values):
        # The pair is checked together: a key saved alone must match the certificate already in the file.
        current = document.get("amazon", {})
        for name in ("callback_tls_cert", "callback_tls_key"):
            if name not in amazon_values:
                existing = current.get(name, "") if isinstance(current, Mapping) else ""
                amazon_values[name] = str(existing)
    current_amazon = document.get("amazon", {})
    behind = isinstance(current_amazon, Mapping) and current_amazon.get("callback_behind_tls_proxy") is True
    errors = {
        **validate_amazon_settings(amazon_values, behind_tls_proxy=behind),
        **validate_commerce_settings(commerce_values),
    }
    if errors:
        raise SettingsValidationError(errors)
    for section, values in (("amazon", amazon_values), ("commerce", commerce_values)):
        if values:
            for key, value in values.items():
                _set(document, section, key, value, path)
    text = tomlkit.dumps(document)
    _check_saved_text(text, path, {"amazon": amazon_values, "commerce": commerce_values})
    _write_atomically(path, text)
    return load_config(str(path))


def save_language(path: str | Path, language: str | None) -> Config:
    """Set [ui] language ("en", "zh-Hant", or None for "auto") in one atomic write."""
    path = Path(path).expanduser()
    value = language or AUTO
    document = _read_document(path)
    _set(document, "ui", "language", value, path)
    text = tomlkit.dumps(document)
    _check_saved_text(text, path, {"ui": {"language": value}})
    _write_atomically(path, text)
    return load_config(str(path))


def _clean(section: str, values: Mapping[str, object], known: dict[str, type]) -> dict[str, Any]:
    """Refuse secrets, unknown keys and wrong types; strip text."""
    for key in values:
        if key not in _NOT_SECRETS and any(word in key.lower() for word in _SECRET_WORDS):
            raise SecretNotAllowed(key)
    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        kind = known.get(key)
        if kind is None:
            names = ", ".join(known)
            raise InvalidInput(
                _("{section}.{key} is not a setting saved here; use one of: {names}.").format(
                    section=section, key=key, names=names
                )
            )
        if kind is int:
            minutes = parse_timeout(value) if isinstance(value, str | int) else None
            if minutes is None:
                raise SettingsValidationError({key: check_connect_timeout("") or ""})
            cleaned[key] = minutes
        elif kind is bool:
            if not isinstance(value, bool):
                raise InvalidInput(
                    _("{section}.{key} must be true or false.").format(section=section, key=key)
                )
            cleaned[key] = value
        else:
            if not isinstance(value, str):
                raise InvalidInput(_("{section}.{key} must be text.").format(section=section, key=key))
            cleaned[key] = value.strip()
    return cleaned


def _read_document(path: Path) -> tomlkit.TOMLDocument:
    if path.exists() and not path.is_dir() and not path.is_file():
        # A named pipe would block the save for ever; a device is no settings file.
        raise ConfigProblem(
            _(
                "The config path {path} is not a regular file (a named pipe, socket or device); save the "
                "settings in a TOML file and point at that."
            ).format(path=path)
        )
    try:
        raw = path.read_text("utf-8")
    except FileNotFoundError:
        document = tomlkit.document()
        for line in _NEW_FILE_HEADER.splitlines():
            document.add(tomlkit.comment(line))
        document.add(tomlkit.nl())
        return document
    except IsADirectoryError:
        raise ConfigProblem(
            _("The config path {path} is a folder; point it at a TOML file.").format(path=path)
        ) from None
    except UnicodeDecodeError:
        raise ConfigProblem(
            _("The config file {path} is not UTF-8 text; save it as UTF-8.").format(path=path)
        ) from None
    except OSError as exc:
        raise ConfigProblem(
            _("The config file {path} cannot be read ({reason}).").format(path=path, reason=exc.strerror)
        ) from None
    try:
        return tomlkit.parse(raw)
    except TOMLKitError as exc:
        raise ConfigProblem(
            _("The config file {path} is not valid TOML ({error}); fix that line before saving.").format(
                path=path, error=exc
            )
        ) from None


def _section(document: tomlkit.TOMLDocument, name: str, path: Path) -> Any:
    if name not in document:
        document.add(name, tomlkit.table())
    table = document[name]
    if not isinstance(table, Mapping) or isinstance(table, AoT):
        raise ConfigProblem(
            _("In {path}, [{name}] must be a table; fix it before saving.").format(path=path, name=name)
        )
    return table


def _set(document: tomlkit.TOMLDocument, name: str, key: str, value: object, path: Path) -> None:
    """Change one value, keeping its comment; a new key goes after the table's last key.

    Appending would put it after any comment lines that end the table, which usually describe the
    next table. tomlkit has no public "insert after", so the table is rebuilt item by item with its public
    API (`body`, `append` while `parsing`, which adds no layout of its own) and put back in its place.
    """
    table = _section(document, name, path)
    if key in table:
        current = table[key]
        current = current.unwrap() if hasattr(current, "unwrap") else current
        if current != value or type(current) is not type(value):
            table[key] = value  # tomlkit keeps the line's comment
        return
    if not isinstance(table, Table):
        table[key] = value
        return
    body = table.value.body
    plain = [
        index
        for index, (item_key, item) in enumerate(body)
        if item_key is not None and not isinstance(item, Table | AoT)
    ]
    if not plain or plain[-1] == len(body) - 1:
        table[key] = value  # nothing follows the last key: appending is already in the right place
        return
    rebuilt = tomlkit.table(is_super_table=table.is_super_table())
    trivia, source = rebuilt.trivia, table.trivia
    trivia.indent, trivia.comment_ws, trivia.comment, trivia.trail = (
        source.indent,
        source.comment_ws,
        source.comment,
        source.trail,
    )
    rebuilt.value.parsing(True)
    for index, (item_key, item) in enumerate(body):
        rebuilt.append(item_key, item)
        if index == plain[-1]:
            rebuilt.append(key, tomlkit.item(value))
    rebuilt.value.parsing(False)
    document[name] = rebuilt


def _check_saved_text(text: str, path: Path, expected: dict[str, dict[str, Any]]) -> None:
    """Parse the new text with the start-up rules, and make sure it says what we meant to save."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # pragma: no cover - tomlkit wrote invalid TOML
        raise ConfigProblem(
            _("Saving would make {path} invalid TOML ({error}); nothing was changed.").format(
                path=path, error=exc
            )
        ) from None
    except (RecursionError, ValueError) as exc:  # tomllib's limits, which tomlkit's are not: say where
        raise ConfigProblem(toml_limit_problem(path, text, exc)) from None
    # Raises ConfigProblem for anything start-up would refuse. Its line numbers are the file's on disk, on
    # purpose: what it finds was already there (the values saved are checked above), and stays there.
    parse_config(data, path)
    for section, values in expected.items():
        saved = data.get(section, {})
        for key, value in values.items():
            if saved.get(key) != value:  # pragma: no cover - a tomlkit layout we do not handle
                raise ConfigProblem(
                    _(
                        "Saving {section}.{key} to {path} did not come out as intended; nothing was changed. "
                        "Edit that setting in the file by hand."
                    ).format(section=section, key=key, path=path)
                )


def _write_atomically(path: Path, text: str) -> None:
    target = path.resolve() if path.is_symlink() else path  # keep a symlinked config a symlink
    folder = target.parent
    try:
        if not folder.exists():
            os.makedirs(folder, mode=0o700, exist_ok=True)
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o600
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ConfigProblem(
            _("The config file {path} cannot be written ({reason}).").format(path=path, reason=exc.strerror)
        ) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise ConfigProblem(
            _("The config file {path} cannot be written ({reason}).").format(path=path, reason=exc.strerror)
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable where the platform allows it
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
