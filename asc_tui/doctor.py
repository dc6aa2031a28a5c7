"""`asc-tui doctor`: what this machine and this config are ready for, and the fix for each problem.

Every check runs on its own: a failing one becomes a row with a sentence, never a traceback, and the
others still run. Only a config file that cannot be read stops the checks that depend on it (keyring,
Amazon settings, callback address, stores); only a database that cannot be opened stops the ones that go
through the registry (Amazon settings, stores).

The doctor changes nothing a user would notice: it opens (and, like every command, creates or migrates)
the database, writes one random test secret to the keyring and deletes it again, and binds the callback
address for a moment.
"""

from __future__ import annotations

import contextlib
import os
import secrets as random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from asc_tui.errors import AscError
from asc_tui.i18n import N_, _, format_count

if TYPE_CHECKING:
    from asc_tui.services.registry import Registry
    from asc_tui.settings.config import AmazonConfig, Config
    from asc_tui.settings.secret_store import SecretStore
    from asc_tui.storage.database import Database

TEST_KEY_PREFIX = "doctor-check/"
ENCRYPTED_FILE_HOW = N_(
    'set ASC_TUI_KEYRING_PASSPHRASE and [secrets] backend = "encrypted-file" in the config file'
)


@dataclass(frozen=True)
class CheckResult:
    """One row of the report; `fix` is one sentence, set exactly when the row is a problem.

    Every text is in the current language (`asc-tui doctor --json` runs in English).
    """

    check: str
    ok: bool
    detail: str
    fix: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"check": self.check, "ok": self.ok, "detail": self.detail, "fix": self.fix}


def _ok(check: str, detail: str) -> CheckResult:
    return CheckResult(check, True, detail)


def _problem(check: str, detail: str, fix: str) -> CheckResult:
    return CheckResult(check, False, detail, fix)


def _safely(check: str, run: Callable[[], list[CheckResult]]) -> list[CheckResult]:
    """Run one check; whatever it raises becomes a failed row instead of stopping the report."""
    try:
        return run()
    except AscError as exc:
        return [_problem(check, str(exc), str(exc))]
    except Exception as exc:  # a bug in a check must not hide the other checks
        return [
            _problem(
                check,
                _("the check itself failed ({kind})").format(kind=type(exc).__name__),
                _(
                    "The {check} check failed unexpectedly ({kind}); please report it with the output of "
                    "`asc-tui doctor --json`."
                ).format(check=check.lower(), kind=type(exc).__name__),
            )
        ]


def run_doctor(*, db: str | None, config: str | None, sandbox: bool) -> list[CheckResult]:
    """All the checks, in order: config, database, keyring, Amazon settings, callback, browser, stores."""
    from asc_tui.settings.config import config_path

    path, _named = config_path(config)
    results: list[CheckResult] = []
    loaded: list[Config] = []
    results += _safely(_("Config file"), lambda: _check_config(config, path, loaded))
    if not loaded:
        # Without a config the registry cannot be opened; the database and the browser do not need one.
        results += _safely(_("Database"), lambda: _check_database_alone(db, sandbox))
        results += _safely(_("Data folder"), _check_data_folder)
        results += _safely(_("Browser"), _check_browser)
        return results
    cfg = loaded[0]
    registry: Registry | None = None
    try:
        opened: list[Registry] = []
        results += _safely(_("Database"), lambda: _open_registry(db, cfg, sandbox, opened))
        registry = opened[0] if opened else None
        secrets = _secret_store(registry, cfg, sandbox)
        results += _safely(_("Keyring"), lambda: _check_keyring(secrets, cfg))
        if registry is not None:
            reg = registry
            results += _safely(_("Amazon settings"), lambda: _check_amazon(reg))
        results += _safely(_("Callback address"), lambda: _check_callback(registry, cfg, sandbox))
        results += _safely(_("Data folder"), _check_data_folder)
        results += _safely(_("Browser"), _check_browser)
        if registry is not None:
            reg = registry
            results += _safely(_("Stores"), lambda: _check_stores(reg))
    finally:
        if registry is not None:
            registry.close()
    return results


# --- 1. config ------------------------------------------------------------------------------------------


def _check_config(explicit: str | None, path: Path, loaded: list[Config]) -> list[CheckResult]:
    from asc_tui.errors import ConfigProblem
    from asc_tui.settings.config import load_config

    try:
        config = load_config(explicit)
    except ConfigProblem as exc:
        return [
            _problem(
                _("Config file"),
                _(
                    "{path} cannot be used, so the keyring, Amazon, callback and store checks were skipped"
                ).format(path=path),
                str(exc),
            )
        ]
    loaded.append(config)
    if config.exists:
        return [_ok(_("Config file"), f"{config.path}")]
    return [_ok(_("Config file"), _("{path} (not there: using the defaults)").format(path=config.path))]


# --- 2. database ----------------------------------------------------------------------------------------


def _describe_database(database: Database) -> list[CheckResult]:
    from asc_tui.storage.migrations import HEAD

    version = database.schema_version()
    shown_version = version or _("none")
    detail = _("{url} ({backend}, schema {version})").format(
        url=database.url, backend=database.backend, version=shown_version
    )
    if version != HEAD:
        return [
            _problem(
                _("Database"),
                detail,
                _(
                    "The database {url} is at schema {version} instead of {head}; run asc-tui once to bring "
                    "it up to date."
                ).format(url=database.url, version=shown_version, head=HEAD),
            )
        ]
    return [_ok(_("Database"), detail)]


def _check_database_alone(db: str | None, sandbox: bool) -> list[CheckResult]:
    from asc_tui.storage.database import open_database

    database = open_database(db, sandbox=sandbox)
    try:
        return _describe_database(database)
    finally:
        database.close()


def _open_registry(
    db: str | None, config: Config, sandbox: bool, opened: list[Registry]
) -> list[CheckResult]:
    from asc_tui.errors import DatabaseProblem
    from asc_tui.services.registry import open_registry

    try:
        registry = open_registry(db, config, sandbox=sandbox)
    except DatabaseProblem as exc:
        return [
            _problem(
                _("Database"),
                _("{problem} (the Amazon settings and store checks need it and were skipped)").format(
                    problem=exc
                ),
                str(exc),
            )
        ]
    opened.append(registry)
    return _describe_database(registry.database)


# --- 3. keyring -----------------------------------------------------------------------------------------


def _secret_store(registry: Registry | None, config: Config, sandbox: bool) -> SecretStore:
    if registry is not None:
        return registry.secrets
    # The keyring does not need the database: opened the way the registry opens it.
    from asc_tui.settings.secret_store import open_secret_store
    from asc_tui.system import paths

    return open_secret_store(
        sandbox=sandbox,
        data_dir=paths.data_dir(),
        backend=config.secrets.backend,
        timeout=config.secrets.timeout_seconds,
    )


def _check_keyring(secrets: SecretStore, config: Config) -> list[CheckResult]:
    from asc_tui.settings.secret_store import BACKEND_ENV, PASSPHRASE_ENV, BackendKind

    description = secrets.describe()
    if secrets.needs_setup:
        return [
            _problem(
                _("Keyring"),
                description,
                _(
                    "No keyring works on this machine: run asc-tui and set up the encrypted secrets file "
                    "when it asks, or {how} ({path})."
                ).format(how=_(ENCRYPTED_FILE_HOW), path=config.path),
            )
        ]
    if secrets.locked:
        first = not secrets.encrypted_file_exists()
        return [
            _problem(
                _("Keyring"),
                description,
                (
                    _(
                        "The encrypted secrets file is locked: set {env} to the passphrase to create it with "
                        "(asc-tui also asks for it)."
                    )
                    if first
                    else _(
                        "The encrypted secrets file is locked: set {env} to its passphrase (asc-tui also "
                        "asks for it)."
                    )
                ).format(env=PASSPHRASE_ENV),
            )
        ]
    results = [_round_trip(secrets)]
    if secrets.unprotected:
        if "UNPROTECTED" not in description and _("UNPROTECTED") not in description:
            description += " " + _("(UNPROTECTED: secrets are not encrypted)")
        if os.environ.get(BACKEND_ENV, "").strip():
            fix = _(
                "Secrets are stored unencrypted: unset {backend_env}, which names it, and use the encrypted "
                'file ({env} with [secrets] backend = "encrypted-file") or a system keyring.'
            )
        else:
            fix = _(
                "Secrets are stored unencrypted: change [secrets] backend in {path} and use the encrypted "
                'file ({env} with [secrets] backend = "encrypted-file") or a system keyring.'
            )
        results.insert(
            0,
            _problem(
                _("Keyring"),
                description,
                fix.format(backend_env=BACKEND_ENV, path=config.path, env=PASSPHRASE_ENV),
            ),
        )
    else:
        sandbox = secrets.kind is BackendKind.SANDBOX
        results.insert(
            0,
            _ok(
                _("Keyring"), description + (" — " + _("separate from your real keyring") if sandbox else "")
            ),
        )
    return results


def _round_trip(secrets: SecretStore) -> CheckResult:
    """Write, read and delete a random test secret; the time it takes is what every secret access costs."""
    check = _("Keyring round trip")
    key = f"{TEST_KEY_PREFIX}{uuid.uuid4().hex}"
    value = random.token_urlsafe(24)
    started = time.perf_counter()
    written = False
    try:
        secrets.set(key, value)
        written = True
        read = secrets.get(key)
        secrets.delete(key)
        written = False
        gone = secrets.get(key) is None
    except AscError as exc:
        return _problem(check, _("failed: {problem}").format(problem=exc), str(exc))
    finally:
        if written:
            with contextlib.suppress(AscError):
                secrets.delete(key)
    elapsed = (time.perf_counter() - started) * 1000
    if read != value or not gone:
        if read != value:
            detail = _("the keyring did not return the secret it was given")
            fix = _(
                "The keyring backend ({backend}) did not return the secret it was given; name another one in "
                "PYTHON_KEYRING_BACKEND or [secrets] backend."
            )
        else:
            detail = _("the keyring did not delete a secret")
            fix = _(
                "The keyring backend ({backend}) did not delete a secret; name another one in "
                "PYTHON_KEYRING_BACKEND or [secrets] backend."
            )
        return _problem(check, detail, fix.format(backend=secrets.backend_name))
    return _ok(check, _("write, read and delete worked in {elapsed:.0f} ms").format(elapsed=elapsed))


# --- 4. Amazon settings ---------------------------------------------------------------------------------


def _check_amazon(registry: Registry) -> list[CheckResult]:
    # The same checks as the settings screen, so both say the same thing about a value.
    from asc_tui.settings.checks import check_application_id, check_client_id, check_redirect_uri
    from asc_tui.settings.config import setting_line

    connect = registry.connect  # in the sandbox this starts the emulator, which fills the settings in
    amazon = connect.amazon
    sandbox = registry.sandbox
    missing = set(connect.missing_settings())
    path = registry.config.path
    results: list[CheckResult] = []
    for name, value, check, what in (
        (
            "amazon.application_id",
            amazon.application_id,
            check_application_id,
            _("your app's application ID"),
        ),
        ("amazon.client_id", amazon.client_id, check_client_id, _("your app's LWA client ID")),
        (
            "amazon.redirect_uri",
            amazon.redirect_uri,
            check_redirect_uri,
            _("the HTTPS redirect URI registered with your app"),
        ),
    ):
        value = value.strip()
        if name in missing:
            results.append(
                _problem(
                    name,
                    _("not set"),
                    _(
                        "Set {name} to {what} (Seller Central › Develop Apps) in the dashboard's Settings "
                        "(s) or in {path}; `asc-tui --sandbox` tries the whole flow offline meanwhile."
                    ).format(name=name, path=path, what=what),
                )
            )
        elif sandbox and not value:
            results.append(_ok(name, _("chosen by the sandbox when connecting (a loopback address)")))
        elif (wrong := check(value)) is not None:
            where = f"{path}{setting_line(path, name)}"  # the line too, to point the admin at it
            results.append(
                _problem(name, value, _("{problem} It is set in {path}.").format(problem=wrong, path=where))
            )
        elif name == "amazon.redirect_uri" and urlsplit(value).scheme.lower() == "http" and not sandbox:
            results.append(
                _ok(
                    name,
                    _("{value} (plain http on loopback: the sandbox and local tests only)").format(
                        value=value
                    ),
                )
            )
        else:
            results.append(
                _ok(name, _("{value} (the sandbox emulator's)").format(value=value) if sandbox else value)
            )
    results.append(_check_client_secret(registry))
    results += _check_secret_hosts(amazon, path)
    return results


def _check_secret_hosts(amazon: AmazonConfig, path: Path) -> list[CheckResult]:
    """A warning for each address that receives secrets but is neither Amazon's own nor this computer."""
    from asc_tui.settings.config import foreign_secret_hosts, secret_urls, setting_line

    results: list[CheckResult] = []
    urls = dict(secret_urls(amazon))
    for setting, host in foreign_secret_hosts(amazon):
        url = urls[setting]
        results.append(
            _problem(
                setting,
                _("{url} (not an Amazon host: the client secret or tokens go there)").format(url=url),
                _(
                    "{setting} sends secrets to {host}, which is not one of Amazon's hosts (*.amazon.com, "
                    "*.amazon.co.uk, …); unless it is a proxy you run, set it back to Amazon's address in "
                    "{path}."
                ).format(setting=setting, host=host, path=f"{path}{setting_line(path, setting)}"),
            )
        )
    if not results:
        results.append(
            _ok(
                _("Amazon hosts"),
                _("the client secret and tokens go only to Amazon's hosts or this computer"),
            )
        )
    return results


def _check_client_secret(registry: Registry) -> CheckResult:
    from asc_tui.settings.secret_store import CLIENT_SECRET_ENV

    name = _("LWA client secret")
    if registry.sandbox:
        return _ok(name, _("the sandbox emulator's demo secret"))
    if os.environ.get(CLIENT_SECRET_ENV, "").strip():
        return _ok(name, _("set (from {env})").format(env=CLIENT_SECRET_ENV))
    try:
        secret = registry.secrets.client_secret()
    except AscError:
        return _problem(
            name,
            _("not in {env}, and the keyring cannot be read (see Keyring)").format(env=CLIENT_SECRET_ENV),
            _(
                "Set {env}, or make the keyring work (see Keyring) and store the client secret from "
                "asc-tui's Settings."
            ).format(env=CLIENT_SECRET_ENV),
        )
    if not secret:
        return _problem(
            name,
            _("not set"),
            _(
                "Store the LWA client secret from asc-tui's Settings (it goes in the keyring), or set {env}."
            ).format(env=CLIENT_SECRET_ENV),
        )
    return _ok(name, _("set (in the keyring)"))


# --- 5. callback address --------------------------------------------------------------------------------


def _check_callback(registry: Registry | None, config: Config, sandbox: bool) -> list[CheckResult]:
    from asc_tui.amazon.callback import CallbackListener
    from asc_tui.amazon.callback_address import CallbackBindError
    from asc_tui.settings.config import callback_serves_plain_http_to_others

    check = _("Callback address")
    if sandbox and registry is None:
        return []  # the sandbox's address comes with the emulator, which needs the registry
    amazon = registry.connect.amazon if registry is not None else config.amazon
    listen = amazon.callback_listen
    path = urlsplit(amazon.redirect_uri.strip()).path
    listener = CallbackListener(
        path if path.startswith("/") else "/",
        redirect_uri=amazon.redirect_uri,
        tls_cert=amazon.callback_tls_cert or None,
        tls_key=amazon.callback_tls_key or None,
        behind_tls_proxy=amazon.callback_behind_tls_proxy,
    )
    try:
        listener.bind(listen)
    except CallbackBindError as exc:
        return [_problem(check, str(exc), str(exc))]
    try:
        bound = listener.bound_address or listen
    finally:
        listener.close()
    if listen.rstrip().endswith(":0"):
        detail = (
            _("{listen} can be bound with TLS (any free port; this time {bound})")
            if listener.tls
            else _("{listen} can be bound (any free port; this time {bound})")
        )
    else:
        detail = _("{listen} can be bound with TLS") if listener.tls else _("{listen} can be bound")
    detail = detail.format(listen=listen, bound=bound)
    if callback_serves_plain_http_to_others(amazon):
        detail += " — " + _(
            "plain http to other computers: callback_behind_tls_proxy says only your TLS proxy reaches it"
        )
    return [_ok(check, detail)]


# --- 6. data folder ------------------------------------------------------------------------------------


def _check_data_folder() -> list[CheckResult]:
    """The data folder holds the log, the crash log, the database and the keyring files: the owner's only.
    asc-tui creates them so; a folder made by hand, or files from an older version, may be looser."""
    import stat

    from asc_tui.system import paths

    check = _("Data folder")
    folder = paths.data_dir()
    if not folder.is_dir():
        return [_ok(check, _("{folder} (not created yet)").format(folder=folder))]
    results: list[CheckResult] = []
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & 0o077:
        results.append(
            _problem(
                check,
                _("{folder} can be opened by other users (mode {mode})").format(
                    folder=folder, mode=f"{mode:o}"
                ),
                _(
                    "The data folder {folder} can be opened by other users; run chmod 700 {folder} (it holds "
                    "the logs, the database and the keyring files)."
                ).format(folder=folder),
            )
        )
    loose = sorted(
        entry.name
        for entry in folder.iterdir()
        if entry.is_file() and not entry.is_symlink() and stat.S_IMODE(entry.stat().st_mode) & 0o077
    )
    if loose:
        names = " ".join(loose)
        results.append(
            _problem(
                check,
                _("other users may read: {names}").format(names=names),
                _(
                    "Files in {folder} can be read by other users; run: cd {folder} && chmod 600 {names}"
                ).format(folder=folder, names=names)
                + ".",
            )
        )
    return results or [_ok(check, _("{folder} (this user only)").format(folder=folder))]


# --- 7. browser -----------------------------------------------------------------------------------------


def _check_browser() -> list[CheckResult]:
    from asc_tui.system.browser import choose_browser

    choice = choose_browser()
    if choice.command is not None:
        return [
            _ok(_("Browser"), _("can be opened here ({command})").format(command=" ".join(choice.command)))
        ]
    # Not a problem: the consent link is shown to click or copy, and the paste box completes connecting.
    return [
        _ok(
            _("Browser"),
            _(
                "not opened here: {reason}; the consent link is shown to click or copy, and pasting the "
                "address Amazon redirects to completes the connection"
            ).format(reason=choice.reason),
        )
    ]


# --- 8. stores ------------------------------------------------------------------------------------------


def _check_stores(registry: Registry) -> list[CheckResult]:
    from asc_tui.domain import StoreStatus, shown_value
    from asc_tui.settings.secret_store import refresh_token_key

    stores = registry.stores.list_stores()
    connected = [s for s in stores if s.status != StoreStatus.NOT_CONNECTED.value]
    if not stores:
        return [_ok(_("Stores"), _("none yet"))]
    results = [
        _ok(
            _("Stores"),
            _("{total} in all: {connected} connected, {other} not").format(
                total=format_count(len(stores)),
                connected=format_count(len(connected)),
                other=format_count(len(stores) - len(connected)),
            ),
        )
    ]
    for store in connected:
        check = _("Store {name!r}").format(name=store.name)
        status = shown_value(store.status)
        try:
            # has(): a locked encrypted file can still say whether the token is there.
            present = bool(store.token_ref) and registry.secrets.has(refresh_token_key(store.token_ref or ""))
        except AscError as exc:
            results.append(
                _problem(
                    check,
                    _("{status}; its refresh token cannot be looked up: {problem}").format(
                        status=status, problem=exc
                    ),
                    _("Store {name!r} cannot be checked until the keyring works (see Keyring).").format(
                        name=store.name
                    ),
                )
            )
            continue
        if present:
            results.append(_ok(check, _("{status}; refresh token present").format(status=status)))
        else:
            results.append(
                _problem(
                    check,
                    _("{status}; refresh token missing").format(status=status),
                    _(
                        "Store {name!r} has no refresh token on this machine (connected elsewhere, or the "
                        "keyring was reset); reconnect it here (c)."
                    ).format(name=store.name),
                )
            )
    return results
