"""Settings: the TOML config file, overridden by the environment. Secrets never live here."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from asc_tui.domain import MARKETPLACES
from asc_tui.errors import ConfigProblem
from asc_tui.i18n import AUTO, _, parse_language
from asc_tui.settings.config_file import (
    SOURCE,
    line_of,
    read_config_bytes,
    section,
    table_entry,
    table_list,
    toml_limit_problem,
    toml_problem,
    typed,
)
from asc_tui.settings.secret_hosts import (
    DEFAULT_ENDPOINTS,
    DEFAULT_LWA_TOKEN_URL,
    check_callback_listen,
    check_secret_hosts,
)
from asc_tui.system import paths
from asc_tui.system.text_files import NotUtf8, decode_utf8


@dataclass(frozen=True)
class AmazonConfig:
    application_id: str = ""
    client_id: str = ""
    redirect_uri: str = ""
    callback_listen: str = "127.0.0.1:8976"
    callback_tls_cert: str = ""
    callback_tls_key: str = ""
    # The admin says a TLS proxy in front is the only way to a non-loopback callback_listen without TLS.
    callback_behind_tls_proxy: bool = False
    draft_app: bool = True
    lwa_token_url: str = DEFAULT_LWA_TOKEN_URL
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
# What amazon.connect_timeout_minutes may be (the settings screen checks the same range).
CONNECT_TIMEOUT_MINUTES = (1, 120)


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
    # "default" (asc-tui's own colours) or "ansi": the terminal's own 16-colour palette, in short codes
    # (about half the bytes on the wire over SSH).
    theme: str = "default"


THEMES = ("default", "ansi")


@dataclass(frozen=True)
class SandboxConfig:
    # Fixed by default, so that over SSH one `ssh -L` set up once serves every attempt; 0 is any free port.
    emulator_port: int = 8977
    callback_port: int = 8978


@dataclass(frozen=True)
class HealthConfig:
    # While the TUI is open, a store whose health is older than this is asked about again (0: never).
    refresh_minutes: int = 60
    # The home's banner and `stores health` name the stores whose authorization ends within these days.
    renew_warn_days: tuple[int, ...] = (30, 14, 7, 1)


@dataclass(frozen=True)
class Config:
    path: Path
    exists: bool = False
    amazon: AmazonConfig = field(default_factory=AmazonConfig)
    commerce: CommerceConfig = field(default_factory=CommerceConfig)
    secrets: SecretsConfig = field(default_factory=SecretsConfig)
    ui: UiConfig = field(default_factory=UiConfig)
    sandbox: SandboxConfig = field(default_factory=SandboxConfig)
    health: HealthConfig = field(default_factory=HealthConfig)


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
    raw = read_config_bytes(path, named, "--config" if explicit else "ASC_TUI_CONFIG")
    if raw is None:
        return Config(path=path)
    try:
        text = decode_utf8(raw)
    except NotUtf8 as bad:
        raise ConfigProblem(
            _("In {path} (line {line}), the file is not UTF-8 text; save it as UTF-8.").format(
                path=path, line=bad.line
            )
        ) from None
    return parse_config(parse_toml(text, path), path, text=text)


def parse_toml(text: str, path: Path) -> dict[str, Any]:
    """`text` parsed as TOML; ConfigProblem (naming `path`, the line and the fix) for anything tomllib refuses."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigProblem(toml_problem(path, str(exc))) from None
    except (RecursionError, ValueError) as exc:
        raise ConfigProblem(toml_limit_problem(path, text, exc)) from None


def parse_config(data: dict[str, Any], path: Path, *, text: str | None = None) -> Config:
    """The settings in `data` (parsed from `path`); `text`, when given, is what line numbers refer to."""
    token = SOURCE.set(text)
    try:
        return _parse_config(data, path)
    finally:
        SOURCE.reset(token)


def _parse_config(data: dict[str, Any], path: Path) -> Config:
    for key in data:
        if key not in ("amazon", "commerce", "sandbox", "secrets", "ui", "health"):
            raise ConfigProblem(
                _(
                    "In {path}{line}, [{key}] is not a known section; use [amazon], [commerce], [sandbox], "
                    "[secrets] or [ui]."
                ).format(path=path, line=line_of(path, key), key=key)
            )
    scalar_amazon = {
        f.name: f.type for f in fields(AmazonConfig) if f.name not in ("seller_central", "endpoints")
    }
    amazon_raw = section(data, "amazon", path, set(scalar_amazon) | {"seller_central", "endpoints"})
    amazon = AmazonConfig()
    updates: dict[str, Any] = {}
    for key, value in amazon_raw.items():
        if key in ("seller_central", "endpoints"):
            continue
        kind = {"bool": bool, "int": int, "str": str}[str(scalar_amazon[key])]
        updates[key] = typed(value, kind, path, f"amazon.{key}")
    if "seller_central" in amazon_raw:
        hosts = section(amazon_raw, "seller_central", path, set(MARKETPLACES), parent="amazon.")
        updates["seller_central"] = {
            **amazon.seller_central,
            **{k: typed(v, str, path, f"amazon.seller_central.{k}") for k, v in hosts.items()},
        }
    if "endpoints" in amazon_raw:
        ends = section(amazon_raw, "endpoints", path, set(DEFAULT_ENDPOINTS), parent="amazon.")
        updates["endpoints"] = {
            **amazon.endpoints,
            **{k: typed(v, str, path, f"amazon.endpoints.{k}") for k, v in ends.items()},
        }
    amazon = replace(amazon, **updates)
    check_secret_hosts(amazon, path)
    check_callback_listen(amazon, path)
    low, high = CONNECT_TIMEOUT_MINUTES
    if not low <= amazon.connect_timeout_minutes <= high:
        raise ConfigProblem(
            _(
                "In {path}{line}, amazon.connect_timeout_minutes must be from {low} to {high} (minutes), for "
                "example connect_timeout_minutes = 10."
            ).format(path=path, line=line_of(path, "amazon.connect_timeout_minutes"), low=low, high=high)
        )

    commerce_raw = section(data, "commerce", path, {"base_url", "auth", "websites", "attributes"})
    base_url = typed(commerce_raw.get("base_url", ""), str, path, "commerce.base_url")
    auth = typed(commerce_raw.get("auth", "oauth1"), str, path, "commerce.auth")
    if auth not in ("oauth1", "bearer"):
        raise ConfigProblem(
            _('In {path}{line}, commerce.auth must be "oauth1" or "bearer".').format(
                path=path, line=line_of(path, "commerce.auth")
            )
        )
    websites = tuple(
        CatalogWebsiteConfig(
            **table_entry(item, index, path, "commerce.websites", ("code", "name"), ("default_store_view",))
        )
        for index, item in enumerate(table_list(commerce_raw.get("websites", []), path, "commerce.websites"))
    )
    attributes = tuple(
        CatalogAttributeConfig(**table_entry(item, index, path, "commerce.attributes", ("code", "label"), ()))
        for index, item in enumerate(
            table_list(commerce_raw.get("attributes", []), path, "commerce.attributes")
        )
    )
    commerce = CommerceConfig(base_url=base_url.strip(), auth=auth, websites=websites, attributes=attributes)
    secrets_raw = section(data, "secrets", path, {"backend", "timeout_seconds"})
    timeout = typed(secrets_raw.get("timeout_seconds", 10), int, path, "secrets.timeout_seconds")
    if not 1 <= timeout <= 300:
        raise ConfigProblem(
            _(
                "In {path}{line}, secrets.timeout_seconds must be from 1 to 300 (seconds), for example "
                "timeout_seconds = 10."
            ).format(path=path, line=line_of(path, "secrets.timeout_seconds"))
        )
    backend = typed(secrets_raw.get("backend", "auto"), str, path, "secrets.backend").strip()
    if backend not in SECRET_BACKENDS and not re.fullmatch(r"[A-Za-z_][\w.]*\.[A-Za-z_]\w*", backend):
        raise ConfigProblem(
            _(
                "In {path}{line}, secrets.backend must be one of {backends} "
                "or a keyring backend class such as keyring.backends.SecretService.Keyring."
            ).format(path=path, line=line_of(path, "secrets.backend"), backends=", ".join(SECRET_BACKENDS))
        )
    ui_raw = section(data, "ui", path, {"language", "theme"})
    language_text = typed(ui_raw.get("language", AUTO), str, path, "ui.language")
    try:
        language = parse_language(language_text)
    except ValueError:
        raise ConfigProblem(
            _('In {path}{line}, ui.language must be "auto", "en" or "zh-Hant".').format(
                path=path, line=line_of(path, "ui.language")
            )
        ) from None
    return Config(
        path=path,
        exists=True,
        amazon=amazon,
        commerce=commerce,
        secrets=SecretsConfig(backend=backend, timeout_seconds=timeout),
        ui=UiConfig(language=language, theme=ui_theme(ui_raw, path)),
        sandbox=sandbox_config(data, path),
        health=health_config(data, path),
    )


def ui_theme(ui_raw: dict[str, Any], path: Path) -> str:
    theme: str = typed(ui_raw.get("theme", "default"), str, path, "ui.theme").strip()
    if theme not in THEMES:
        raise ConfigProblem(
            _('In {path}{line}, ui.theme must be "default" or "ansi" (the terminal\'s own colours).').format(
                path=path, line=line_of(path, "ui.theme")
            )
        )
    return theme


def sandbox_config(data: dict[str, Any], path: Path) -> SandboxConfig:
    raw = section(data, "sandbox", path, {"emulator_port", "callback_port"})
    defaults = SandboxConfig()
    ports: dict[str, int] = {}
    for key in ("emulator_port", "callback_port"):
        port = typed(raw.get(key, getattr(defaults, key)), int, path, f"sandbox.{key}")
        if not 0 <= port <= 65535:
            raise ConfigProblem(
                _(
                    "In {path}{line}, sandbox.{key} must be a port from 1 to 65535, or 0 for any free port."
                ).format(path=path, line=line_of(path, f"sandbox.{key}"), key=key)
            )
        ports[key] = port
    return SandboxConfig(**ports)


def health_config(data: dict[str, Any], path: Path) -> HealthConfig:
    raw = section(data, "health", path, {"refresh_minutes", "renew_warn_days"})
    defaults = HealthConfig()
    minutes = typed(raw.get("refresh_minutes", defaults.refresh_minutes), int, path, "health.refresh_minutes")
    if not 0 <= minutes <= 7 * 24 * 60:
        raise ConfigProblem(
            _(
                "In {path}{line}, health.refresh_minutes must be minutes from 0 (never) to 10080 (a week)."
            ).format(path=path, line=line_of(path, "health.refresh_minutes"))
        )
    days = raw.get("renew_warn_days", list(defaults.renew_warn_days))
    if not isinstance(days, list) or not all(type(d) is int and 0 < d <= 365 for d in days):
        raise ConfigProblem(
            _(
                "In {path}{line}, health.renew_warn_days must be a list of days from 1 to 365, e.g. [30, 14, 7, 1]."
            ).format(path=path, line=line_of(path, "health.renew_warn_days"))
        )
    return HealthConfig(refresh_minutes=minutes, renew_warn_days=tuple(sorted(set(days), reverse=True)))
