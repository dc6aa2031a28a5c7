"""Settings: the TOML config file, overridden by the environment. Secrets never live here."""

from __future__ import annotations

import os
import re
import stat
import sys
import tomllib
from contextvars import ContextVar
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from asc_tui.domain import MARKETPLACES
from asc_tui.errors import ConfigProblem
from asc_tui.i18n import AUTO, N_, _, parse_language
from asc_tui.settings.hosts import is_loopback, listen_host
from asc_tui.system import paths
from asc_tui.system.text_files import NotUtf8, decode_utf8

DEFAULT_ENDPOINTS = {
    "NA": "https://sellingpartnerapi-na.amazon.com",
    "EU": "https://sellingpartnerapi-eu.amazon.com",
    "FE": "https://sellingpartnerapi-fe.amazon.com",
}


DEFAULT_LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"


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
    raw = _read(path, named, "--config" if explicit else "ASC_TUI_CONFIG")
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
        raise ConfigProblem(_toml_problem(path, str(exc))) from None
    except (RecursionError, ValueError) as exc:
        raise ConfigProblem(toml_limit_problem(path, text, exc)) from None


def toml_limit_problem(path: Path, text: str, exc: RecursionError | ValueError) -> str:
    """What tomllib raises besides TOMLDecodeError, as a sentence: RecursionError for a value nested hundreds
    deep, ValueError for an integer longer than Python converts (4,300 digits)."""
    if isinstance(exc, RecursionError):
        return _(
            "In {path}{line}, a value is nested too deeply (lists or tables inside each other hundreds of "
            "levels deep); write it as a plain list or a [table] of its own."
        ).format(path=path, line=_numbered(_too_deep_line(text)))
    return _(
        "In {path}{line}, a number has more than {digits} digits; write a number of sensible size, for "
        "example connect_timeout_minutes = 10."
    ).format(path=path, line=_numbered(_too_long_number_line(text)), digits=f"{_max_digits():,}")


# Nested deeper than this, a value is what made tomllib recurse too far (real settings nest 2 or 3 deep;
# tomllib itself gives up a few hundred deep).
_DEEPEST = 100
# Strings and comments, which may hold brackets and digits that are no part of a value.
_NOT_VALUES = re.compile(
    r'"""(?:\\.|[^\\])*?"""|\'\'\'.*?\'\'\'|"(?:\\.|[^"\\\n])*"|\'[^\'\n]*\'|#[^\n]*', re.S
)


def _values_only(text: str) -> str:
    """`text` with its strings and comments blanked out (newlines kept, so line numbers still hold)."""
    return _NOT_VALUES.sub(lambda found: re.sub(r"[^\n]", " ", found.group()), text)


def _numbered(line: int | None) -> str:
    return _(" (line {number})").format(number=line) if line is not None else ""


def _too_deep_line(text: str) -> int | None:
    """The line where the value nested more than _DEEPEST levels starts (its outermost bracket)."""
    depth, line, start = 0, 1, 1
    for char in _values_only(text):
        if char == "\n":
            line += 1
        elif char in "[{":
            depth += 1
            if depth == 1:
                start = line
            elif depth > _DEEPEST:
                return start
        elif char in "]}":
            depth = max(depth - 1, 0)
    return None


def _max_digits() -> int:
    return sys.get_int_max_str_digits() or 4300


def _too_long_number_line(text: str) -> int | None:
    """The line of the first integer with more digits than Python converts."""
    values = _values_only(text)
    for found in re.finditer(r"(?<!\w)[0-9][0-9_]*(?![\w.])", values):
        if sum(char.isdigit() for char in found.group()) > _max_digits():
            return values.count("\n", 0, found.start()) + 1
    return None


def _read(path: Path, named: bool, source: str) -> bytes | None:
    """The file's bytes; None when the default file is absent. Only a regular file is read: a named pipe
    would block for ever, a device could be endless."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise ConfigProblem(
                _(
                    "The config file {path} is a symbolic link to {target}, which does not exist; correct the "
                    "link or point {source} at the TOML file."
                ).format(path=path, target=os.readlink(path), source=source)
            ) from None
        if named:
            raise ConfigProblem(
                _(
                    "The config file {path} does not exist; create it, or correct or leave out {source}."
                ).format(path=path, source=source)
            ) from None
        return None
    except OSError as exc:
        raise ConfigProblem(_unreadable(path, exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise ConfigProblem(
            _("The config path {path} is a folder; point it at a TOML file.").format(path=path)
        )
    if not stat.S_ISREG(info.st_mode):
        if os.path.realpath(path) == os.devnull:
            return b""
        raise ConfigProblem(
            _(
                "The config path {path} is not a regular file (a named pipe, socket or device); save the "
                "settings in a TOML file and point at that."
            ).format(path=path)
        )
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise ConfigProblem(
            _("The config path {path} is a folder; point it at a TOML file.").format(path=path)
        ) from None
    except OSError as exc:
        raise ConfigProblem(_unreadable(path, exc)) from None


def _unreadable(path: Path, exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return _(
            "The config file {path} cannot be read (permission denied); make it readable by the user running "
            "asc-tui, e.g. chmod 600 {path} as its owner."
        ).format(path=path)
    if isinstance(exc, NotADirectoryError):
        return _(
            "The config path {path} cannot be read (a part of it is a file, not a folder); correct the path."
        ).format(path=path)
    return _("The config file {path} cannot be read ({reason}); check the path and the file.").format(
        path=path, reason=exc.strerror or type(exc).__name__
    )


_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)|\s*\(at end of document\)")


def _toml_problem(path: Path, error: str) -> str:
    """tomllib's "Invalid value (at line 3, column 7)" as one sentence naming the file, the line and a fix."""
    found = _TOML_WHERE.search(error)
    reason = _TOML_WHERE.sub("", error).strip().rstrip(".") or "invalid"
    reason = reason[:1].lower() + reason[1:]  # tomllib's "Invalid value", inside a sentence
    if found is not None and found.group(1):
        return _(
            "In {path} (line {line}), the file is not valid TOML ({reason}, at column {column}); fix that "
            'line: text goes in double quotes (key = "text"), true, false and numbers do not, and each key '
            "is set once per table."
        ).format(path=path, line=found.group(1), column=found.group(2), reason=reason)
    return _(
        "In {path} (at its end), the file is not valid TOML ({reason}); close the last string, list or "
        "table header."
    ).format(path=path, reason=reason)


# The text being parsed, when it is not (yet) the file on disk (the settings screen checks before saving).
_SOURCE: ContextVar[str | None] = ContextVar("asc_tui_config_source", default=None)
_HEADER = re.compile(r"\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"\s*([A-Za-z0-9_\-\"' .]+?)\s*=")


def _dotted(text: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in text.split("."))


def _line_of(path: Path, dotted: str, entry: int | None = None) -> str:
    """' (line N)' for the line that sets `dotted` (e.g. amazon.seller_central.US), to point the admin at
    it; `entry` picks the nth [[table]] of an array of tables. '' when no line says it."""
    text = _SOURCE.get()
    if text is None:
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return ""
    table = ""
    arrays: dict[str, int] = {}  # [[name]] -> how many seen so far
    leaf_line = None
    parent_line = None
    leaf = dotted.rsplit(".", 1)[-1]
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header is not None:
            table = _dotted(header.group(2))
            if header.group(1) == "[[":
                arrays[table] = arrays.get(table, 0) + 1
            full = table
        elif (key := _KEY.match(line)) is not None:
            full = f"{table}.{_dotted(key.group(1))}" if table else _dotted(key.group(1))
        else:
            continue
        if full == dotted or full.startswith(dotted + "."):
            if entry is None or _entry_index(arrays, full) == entry:
                return _numbered(number)
        elif leaf_line is None and full.rsplit(".", 1)[-1] == leaf and entry is None:
            leaf_line = number  # e.g. an inline table: at least the line that names the key
        elif (
            parent_line is None
            and header is None
            and dotted.startswith(full + ".")
            and (entry is None or _entry_index(arrays, full) == entry)
        ):
            parent_line = number  # `seller_central = {US = 5}`: the key whose inline table holds the leaf
    return _numbered(leaf_line if leaf_line is not None else parent_line)


def _entry_index(arrays: dict[str, int], full: str) -> int | None:
    """Which entry of its array of tables the key `full` is in (0-based), if it is in one."""
    for name, count in arrays.items():
        if full == name or full.startswith(name + "."):
            return count - 1
    return None


def _section(
    data: dict[str, Any], name: str, path: Path, allowed: set[str], parent: str = ""
) -> dict[str, Any]:
    full = parent + name
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigProblem(
            _(
                "In {path}{line}, {name} must be a table: write [{name}] on a line of its own, with its "
                "settings (key = value) on the lines below."
            ).format(path=path, line=_line_of(path, full), name=full)
        )
    for key in value:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise ConfigProblem(
                _("In {path}{line}, {name}.{key} is not a known setting; use one of: {known}.").format(
                    path=path, line=_line_of(path, f"{full}.{key}"), name=full, key=key, known=known
                )
            )
    return value


_KIND_WORDS = {bool: N_("true or false"), int: N_("a whole number"), str: N_("a quoted string")}


_KIND_EXAMPLES = {bool: "{key} = true", int: "{key} = 10", str: '{key} = "…"'}


def _typed(value: Any, kind: type, path: Path, dotted: str, entry: int | None = None) -> Any:
    # bool is an int in Python, but `port = true` is not a number an admin meant.
    fits = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if not fits:
        leaf = dotted.rsplit(".", 1)[-1]
        raise ConfigProblem(
            _("In {path}{line}, {setting} must be {kind}, for example {example}.").format(
                path=path,
                line=_line_of(path, dotted, entry),
                setting=dotted,
                kind=_(_KIND_WORDS[kind]),
                example=_KIND_EXAMPLES[kind].format(key=leaf),
            )
        )
    return value


def parse_config(data: dict[str, Any], path: Path, *, text: str | None = None) -> Config:
    """The settings in `data` (parsed from `path`); `text`, when given, is what line numbers refer to."""
    token = _SOURCE.set(text)
    try:
        return _parse_config(data, path)
    finally:
        _SOURCE.reset(token)


def _parse_config(data: dict[str, Any], path: Path) -> Config:
    for key in data:
        if key not in ("amazon", "commerce", "secrets", "ui"):
            raise ConfigProblem(
                _(
                    "In {path}{line}, [{key}] is not a known section; use [amazon], [commerce], [secrets] or [ui]."
                ).format(path=path, line=_line_of(path, key), key=key)
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
        hosts = _section(amazon_raw, "seller_central", path, set(MARKETPLACES), parent="amazon.")
        updates["seller_central"] = {
            **amazon.seller_central,
            **{k: _typed(v, str, path, f"amazon.seller_central.{k}") for k, v in hosts.items()},
        }
    if "endpoints" in amazon_raw:
        ends = _section(amazon_raw, "endpoints", path, set(DEFAULT_ENDPOINTS), parent="amazon.")
        updates["endpoints"] = {
            **amazon.endpoints,
            **{k: _typed(v, str, path, f"amazon.endpoints.{k}") for k, v in ends.items()},
        }
    amazon = replace(amazon, **updates)
    _check_secret_hosts(amazon, path)
    _check_callback_listen(amazon, path)
    low, high = CONNECT_TIMEOUT_MINUTES
    if not low <= amazon.connect_timeout_minutes <= high:
        raise ConfigProblem(
            _(
                "In {path}{line}, amazon.connect_timeout_minutes must be from {low} to {high} (minutes), for "
                "example connect_timeout_minutes = 10."
            ).format(path=path, line=_line_of(path, "amazon.connect_timeout_minutes"), low=low, high=high)
        )

    commerce_raw = _section(data, "commerce", path, {"base_url", "auth", "websites", "attributes"})
    base_url = _typed(commerce_raw.get("base_url", ""), str, path, "commerce.base_url")
    auth = _typed(commerce_raw.get("auth", "oauth1"), str, path, "commerce.auth")
    if auth not in ("oauth1", "bearer"):
        raise ConfigProblem(
            _('In {path}{line}, commerce.auth must be "oauth1" or "bearer".').format(
                path=path, line=_line_of(path, "commerce.auth")
            )
        )
    websites = tuple(
        CatalogWebsiteConfig(
            **_entry(item, index, path, "commerce.websites", ("code", "name"), ("default_store_view",))
        )
        for index, item in enumerate(_list(commerce_raw.get("websites", []), path, "commerce.websites"))
    )
    attributes = tuple(
        CatalogAttributeConfig(**_entry(item, index, path, "commerce.attributes", ("code", "label"), ()))
        for index, item in enumerate(_list(commerce_raw.get("attributes", []), path, "commerce.attributes"))
    )
    commerce = CommerceConfig(base_url=base_url.strip(), auth=auth, websites=websites, attributes=attributes)
    secrets_raw = _section(data, "secrets", path, {"backend", "timeout_seconds"})
    timeout = _typed(secrets_raw.get("timeout_seconds", 10), int, path, "secrets.timeout_seconds")
    if not 1 <= timeout <= 300:
        raise ConfigProblem(
            _(
                "In {path}{line}, secrets.timeout_seconds must be from 1 to 300 (seconds), for example "
                "timeout_seconds = 10."
            ).format(path=path, line=_line_of(path, "secrets.timeout_seconds"))
        )
    backend = _typed(secrets_raw.get("backend", "auto"), str, path, "secrets.backend").strip()
    if backend not in SECRET_BACKENDS and not re.fullmatch(r"[A-Za-z_][\w.]*\.[A-Za-z_]\w*", backend):
        raise ConfigProblem(
            _(
                "In {path}{line}, secrets.backend must be one of {backends} "
                "or a keyring backend class such as keyring.backends.SecretService.Keyring."
            ).format(path=path, line=_line_of(path, "secrets.backend"), backends=", ".join(SECRET_BACKENDS))
        )
    ui_raw = _section(data, "ui", path, {"language"})
    language_text = _typed(ui_raw.get("language", AUTO), str, path, "ui.language")
    try:
        language = parse_language(language_text)
    except ValueError:
        raise ConfigProblem(
            _('In {path}{line}, ui.language must be "auto", "en" or "zh-Hant".').format(
                path=path, line=_line_of(path, "ui.language")
            )
        ) from None
    return Config(
        path=path,
        exists=True,
        amazon=amazon,
        commerce=commerce,
        secrets=SecretsConfig(backend=backend, timeout_seconds=timeout),
        ui=UiConfig(language=language),
    )


# The addresses that receive the LWA client secret, the authorization code, refresh and access tokens.
SECRET_URL_KEYS = ("lwa_token_url", "seller_central", "endpoints")
_URL_EXAMPLES = {
    "lwa_token_url": DEFAULT_LWA_TOKEN_URL,
    "seller_central": "https://sellercentral.amazon.com",
    "endpoints": DEFAULT_ENDPOINTS["NA"],
}


def secret_urls(amazon: AmazonConfig) -> list[tuple[str, str]]:
    """(setting, address) for every address a secret is sent to, e.g. ("amazon.endpoints.NA", "https://…")."""
    urls = [("amazon.lwa_token_url", amazon.lwa_token_url)]
    urls += [(f"amazon.seller_central.{code}", url) for code, url in sorted(amazon.seller_central.items())]
    urls += [(f"amazon.endpoints.{region}", url) for region, url in sorted(amazon.endpoints.items())]
    return urls


def foreign_secret_hosts(amazon: AmazonConfig) -> list[tuple[str, str]]:
    """(setting, host) for each address that receives secrets and is neither Amazon's nor this computer."""
    from asc_tui.settings.hosts import is_amazon_host, url_host

    found = []
    for setting, url in secret_urls(amazon):
        host = url_host(url)
        if not is_loopback(host) and not is_amazon_host(host):
            found.append((setting, host))
    return found


def secret_url_problem(url: str) -> str | None:
    """Why `url` may not receive secrets (a clause to follow "… must"), or None when it may: https://, or
    plain http to a loopback address (the sandbox and tests)."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (raises for a port that is not a number)
    except ValueError:
        parts = None
    if (
        parts is None
        or not text
        or any(char.isspace() or not char.isprintable() for char in text)
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or "@" in parts.netloc
    ):
        return _("be a full https:// address")
    if parts.scheme.lower() == "http" and not is_loopback(parts.hostname):
        return _(
            "start with https:// (it receives secrets; plain http is accepted only for a loopback address "
            "such as 127.0.0.1)"
        )
    return None


def _check_secret_hosts(amazon: AmazonConfig, path: Path) -> None:
    for setting, url in secret_urls(amazon):
        problem = secret_url_problem(url)
        if problem is not None:
            example = _URL_EXAMPLES[setting.split(".")[1]]
            raise ConfigProblem(
                _("In {path}{line}, {setting} must {problem}, for example {example}.").format(
                    path=path, line=_line_of(path, setting), setting=setting, problem=problem, example=example
                )
            )


def callback_serves_plain_http_to_others(amazon: AmazonConfig) -> bool:
    """Whether callback_listen takes connections from other computers and answers them without TLS."""
    host = listen_host(amazon.callback_listen)
    tls = bool(amazon.callback_tls_cert.strip() and amazon.callback_tls_key.strip())
    return host is not None and not is_loopback(host) and not tls


def _check_callback_listen(amazon: AmazonConfig, path: Path) -> None:
    """A callback worker reachable from other computers carries the code and the state: TLS, or a proxy
    with TLS in front that the admin vouches for (callback_behind_tls_proxy)."""
    if amazon.callback_behind_tls_proxy or not callback_serves_plain_http_to_others(amazon):
        return
    raise ConfigProblem(
        _(
            "In {path}{line}, amazon.callback_listen = {listen!r} lets other computers reach the callback "
            "worker over plain http; keep it on 127.0.0.1, set callback_tls_cert and callback_tls_key, or "
            "set callback_behind_tls_proxy = true if only your TLS proxy can reach it."
        ).format(path=path, line=_line_of(path, "amazon.callback_listen"), listen=amazon.callback_listen)
    )


def _list(value: Any, path: Path, dotted: str) -> list[Any]:
    if not isinstance(value, list):
        raise ConfigProblem(
            _(
                "In {path}{line}, {setting} must be a list of tables: write each entry as [[{setting}]] on a "
                "line of its own, with its keys below."
            ).format(path=path, line=_line_of(path, dotted), setting=dotted)
        )
    return value


def _entry(
    item: Any, index: int, path: Path, dotted: str, required: tuple[str, ...], optional: tuple[str, ...]
) -> dict[str, str]:
    if not isinstance(item, dict):
        raise ConfigProblem(
            _(
                "In {path}{line}, each {setting} entry must be a table: write it as [[{setting}]] on a line of "
                "its own, with its keys below."
            ).format(path=path, line=_line_of(path, dotted), setting=dotted)
        )
    for key in item:
        if key not in required + optional:
            raise ConfigProblem(
                _(
                    "In {path}{line}, {setting}.{key} is not a known setting; an entry takes only: {known}."
                ).format(
                    path=path,
                    line=_line_of(path, f"{dotted}.{key}", index),
                    setting=dotted,
                    key=key,
                    known=", ".join(required + optional),
                )
            )
    out: dict[str, str] = {}
    for key in required:
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ConfigProblem(
                _(
                    'In {path}{line}, each {setting} entry needs a non-empty {key}; add {key} = "…" to it.'
                ).format(path=path, line=_line_of(path, dotted, index), setting=dotted, key=key)
            )
        out[key] = value.strip()
    for key in optional:
        if key in item:
            out[key] = _typed(item[key], str, path, f"{dotted}.{key}", index).strip()
    return out


def setting_line(path: Path, dotted: str) -> str:
    """' (line N)' for the line of `path` that sets `dotted` (e.g. amazon.redirect_uri), or ''."""
    return _line_of(path, dotted)
