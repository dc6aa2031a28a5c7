"""Saving settings to the TOML config file, after the checks in `asc_tui.settings.checks`.

The file is edited with tomlkit, so the admin's comments, key order and any layout we do not know survive:
only the keys being saved change. A missing file (and its folder) is created private to the user. The new
text is parsed with the same rules as at start-up before it replaces the old file (a temporary file beside
it, then `os.replace`), so a save either leaves a valid file or leaves the old one untouched.

Secrets never go here: a key that looks like one (``secret``, ``token``) is refused outright.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Table

from asc_tui.errors import ConfigProblem, InvalidInput
from asc_tui.i18n import AUTO, _
from asc_tui.settings.checks import (
    AMAZON_KEYS,
    COMMERCE_KEYS,
    NOT_SECRETS,
    SECRET_WORDS,
    SecretNotAllowed,
    SettingsValidationError,
    check_connect_timeout,
    parse_timeout,
    validate_amazon_settings,
    validate_commerce_settings,
)
from asc_tui.settings.config import Config, load_config, parse_config
from asc_tui.settings.config_file import toml_limit_problem

_NEW_FILE_HEADER = (
    "asc-tui settings. Secrets (the LWA client secret, refresh tokens, Commerce credentials) are never\n"
    "stored here: they live in the keyring, or come from ASC_TUI_* environment variables."
)


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
        if key not in NOT_SECRETS and any(word in key.lower() for word in SECRET_WORDS):
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
