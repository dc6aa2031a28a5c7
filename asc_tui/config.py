"""Settings: the TOML config file, overridden by the environment. Secrets never live here."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from asc_tui import paths
from asc_tui.domain import MARKETPLACES
from asc_tui.errors import ConfigProblem
from asc_tui.i18n import AUTO, parse_language

DEFAULT_ENDPOINTS = {
    "NA": "https://sellingpartnerapi-na.amazon.com",
    "EU": "https://sellingpartnerapi-eu.amazon.com",
    "FE": "https://sellingpartnerapi-fe.amazon.com",
}


@dataclass(frozen=True)
class AmazonConfig:
    application_id: str = ""
    client_id: str = ""
    redirect_uri: str = ""
    callback_listen: str = "127.0.0.1:8976"
    callback_tls_cert: str = ""
    callback_tls_key: str = ""
    draft_app: bool = True
    lwa_token_url: str = "https://api.amazon.com/auth/o2/token"
    connect_timeout_minutes: int = 10
    seller_central: dict[str, str] = field(
        default_factory=lambda: {code: m.seller_central for code, m in MARKETPLACES.items()}
    )
    endpoints: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_ENDPOINTS))


@dataclass(frozen=True)
class CatalogWebsiteConfig:
    code: str
    name: str
    default_store_view: str = "default"


@dataclass(frozen=True)
class CatalogAttributeConfig:
    code: str
    label: str


@dataclass(frozen=True)
class CommerceConfig:
    base_url: str = ""
    auth: str = "oauth1"
    websites: tuple[CatalogWebsiteConfig, ...] = ()
    attributes: tuple[CatalogAttributeConfig, ...] = ()


SECRET_BACKENDS = ("auto", "system", "encrypted-file", "plaintext-file")


@dataclass(frozen=True)
class SecretsConfig:
    # auto: the platform keyring where one works, else the encrypted file once the admin set it up.
    # system | encrypted-file | plaintext-file, or a keyring backend class ("package.module.Class").
    backend: str = "auto"
    # A keyring call that takes longer is abandoned with an error (a hung D-Bus must not freeze the app).
    timeout_seconds: int = 10


@dataclass(frozen=True)
class UiConfig:
    # "en", "zh-Hant", or None to follow LANGUAGE/LC_ALL/LC_MESSAGES/LANG ("auto" in the file).
    language: str | None = None


@dataclass(frozen=True)
class Config:
    path: Path
    exists: bool = False
    amazon: AmazonConfig = field(default_factory=AmazonConfig)
    commerce: CommerceConfig = field(default_factory=CommerceConfig)
    secrets: SecretsConfig = field(default_factory=SecretsConfig)
    ui: UiConfig = field(default_factory=UiConfig)


def config_path(explicit: str | None) -> tuple[Path, bool]:
    """The config file to read, and whether the user named it (then it must exist)."""
    if explicit:
        return Path(explicit).expanduser(), True
    env = os.environ.get("ASC_TUI_CONFIG", "").strip()
    if env:
        return Path(env).expanduser(), True
    return paths.default_config_file(), False


def load_config(explicit: str | None = None) -> Config:
    path, named = config_path(explicit)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if named:
            raise ConfigProblem(
                f"The config file {path} does not exist; create it or leave out --config / ASC_TUI_CONFIG."
            ) from None
        return Config(path=path)
    except IsADirectoryError:
        raise ConfigProblem(f"The config path {path} is a folder; point it at a TOML file.") from None
    except OSError as exc:
        raise ConfigProblem(f"The config file {path} cannot be read ({exc.strerror}).") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigProblem(f"The config file {path} is not UTF-8 text; save it as UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigProblem(f"The config file {path} is not valid TOML: {exc}; fix that line.") from None
    return parse_config(data, path)


def _line_of(path: Path, key: str) -> str:
    """' (line N)' for the first line that sets `key`, to point the admin at it."""
    try:
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if re.match(rf"\s*\[*\s*{re.escape(key)}\s*[\]=]", line):
                return f" (line {number})"
    except OSError:
        pass
    return ""


def _section(data: dict[str, Any], name: str, path: Path, allowed: set[str]) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigProblem(f"In {path}{_line_of(path, name)}, [{name}] must be a table.")
    for key in value:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise ConfigProblem(
                f"In {path}{_line_of(path, key)}, {name}.{key} is not a known setting; use one of: {known}."
            )
    return value


_KIND_WORDS = {bool: "true or false", int: "a whole number", str: "a quoted string"}


def _typed(value: Any, kind: type, path: Path, dotted: str) -> Any:
    # bool is an int in Python, but `port = true` is not a number an admin meant.
    fits = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if not fits:
        where = _line_of(path, dotted.rsplit(".", 1)[-1])
        raise ConfigProblem(f"In {path}{where}, {dotted} must be {_KIND_WORDS[kind]}.")
    return value


def parse_config(data: dict[str, Any], path: Path) -> Config:
    for key in data:
        if key not in ("amazon", "commerce", "secrets", "ui"):
            raise ConfigProblem(
                f"In {path}{_line_of(path, key)}, [{key}] is not a known section; use [amazon], [commerce], "
                "[secrets] or [ui]."
            )
    scalar_amazon = {
        f.name: f.type for f in fields(AmazonConfig) if f.name not in ("seller_central", "endpoints")
    }
    amazon_raw = _section(data, "amazon", path, set(scalar_amazon) | {"seller_central", "endpoints"})
    amazon = AmazonConfig()
    updates: dict[str, Any] = {}
    for key, value in amazon_raw.items():
        if key in ("seller_central", "endpoints"):
            continue
        kind = {"bool": bool, "int": int, "str": str}[str(scalar_amazon[key])]
        updates[key] = _typed(value, kind, path, f"amazon.{key}")
    if "seller_central" in amazon_raw:
        hosts = _section(amazon_raw, "seller_central", path, set(MARKETPLACES))
        updates["seller_central"] = {
            **amazon.seller_central,
            **{k: _typed(v, str, path, f"amazon.seller_central.{k}") for k, v in hosts.items()},
        }
    if "endpoints" in amazon_raw:
        ends = _section(amazon_raw, "endpoints", path, set(DEFAULT_ENDPOINTS))
        updates["endpoints"] = {
            **amazon.endpoints,
            **{k: _typed(v, str, path, f"amazon.endpoints.{k}") for k, v in ends.items()},
        }
    amazon = replace(amazon, **updates)
    if amazon.connect_timeout_minutes < 1:
        raise ConfigProblem(f"In {path}, amazon.connect_timeout_minutes must be at least 1.")

    commerce_raw = _section(data, "commerce", path, {"base_url", "auth", "websites", "attributes"})
    base_url = _typed(commerce_raw.get("base_url", ""), str, path, "commerce.base_url")
    auth = _typed(commerce_raw.get("auth", "oauth1"), str, path, "commerce.auth")
    if auth not in ("oauth1", "bearer"):
        raise ConfigProblem(f'In {path}{_line_of(path, "auth")}, commerce.auth must be "oauth1" or "bearer".')
    websites = tuple(
        CatalogWebsiteConfig(
            **_entry(item, path, "commerce.websites", ("code", "name"), ("default_store_view",))
        )
        for item in _list(commerce_raw.get("websites", []), path, "commerce.websites")
    )
    attributes = tuple(
        CatalogAttributeConfig(**_entry(item, path, "commerce.attributes", ("code", "label"), ()))
        for item in _list(commerce_raw.get("attributes", []), path, "commerce.attributes")
    )
    commerce = CommerceConfig(base_url=base_url.strip(), auth=auth, websites=websites, attributes=attributes)
    secrets_raw = _section(data, "secrets", path, {"backend", "timeout_seconds"})
    timeout = _typed(secrets_raw.get("timeout_seconds", 10), int, path, "secrets.timeout_seconds")
    if not 1 <= timeout <= 300:
        raise ConfigProblem(
            f"In {path}{_line_of(path, 'timeout_seconds')}, secrets.timeout_seconds must be 1 to 300."
        )
    backend = _typed(secrets_raw.get("backend", "auto"), str, path, "secrets.backend").strip()
    if backend not in SECRET_BACKENDS and not re.fullmatch(r"[A-Za-z_][\w.]*\.[A-Za-z_]\w*", backend):
        raise ConfigProblem(
            f"In {path}{_line_of(path, 'backend')}, secrets.backend must be one of {', '.join(SECRET_BACKENDS)} "
            "or a keyring backend class such as keyring.backends.SecretService.Keyring."
        )
    ui_raw = _section(data, "ui", path, {"language"})
    language_text = _typed(ui_raw.get("language", AUTO), str, path, "ui.language")
    try:
        language = parse_language(language_text)
    except ValueError:
        raise ConfigProblem(
            f'In {path}{_line_of(path, "language")}, ui.language must be "auto", "en" or "zh-Hant".'
        ) from None
    return Config(
        path=path,
        exists=True,
        amazon=amazon,
        commerce=commerce,
        secrets=SecretsConfig(backend=backend, timeout_seconds=timeout),
        ui=UiConfig(language=language),
    )


def _list(value: Any, path: Path, dotted: str) -> list[Any]:
    if not isinstance(value, list):
        raise ConfigProblem(f"In {path}, {dotted} must be a list of tables ([[{dotted}]]).")
    return value


def _entry(
    item: Any, path: Path, dotted: str, required: tuple[str, ...], optional: tuple[str, ...]
) -> dict[str, str]:
    if not isinstance(item, dict):
        raise ConfigProblem(f"In {path}, each {dotted} entry must be a table ([[{dotted}]]).")
    for key in item:
        if key not in required + optional:
            raise ConfigProblem(f"In {path}{_line_of(path, key)}, {dotted}.{key} is not a known setting.")
    out: dict[str, str] = {}
    for key in required:
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ConfigProblem(f"In {path}, each {dotted} entry needs a non-empty {key}.")
        out[key] = value.strip()
    for key in optional:
        if key in item:
            out[key] = _typed(item[key], str, path, f"{dotted}.{key}").strip()
    return out
