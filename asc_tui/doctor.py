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

if TYPE_CHECKING:
    from asc_tui.config import Config
    from asc_tui.secret_store import SecretStore
    from asc_tui.services.registry import Registry
    from asc_tui.storage.database import Database

TEST_KEY_PREFIX = "doctor-check/"
ENCRYPTED_FILE_HOW = (
    'set ASC_TUI_KEYRING_PASSPHRASE and [secrets] backend = "encrypted-file" in the config file'
)


@dataclass(frozen=True)
class CheckResult:
    """One row of the report; `fix` is one sentence, set exactly when the row is a problem."""

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
                f"the check itself failed ({type(exc).__name__})",
                f"The {check.lower()} check failed unexpectedly ({type(exc).__name__}); please report it "
                "with the output of `asc-tui doctor --json`.",
            )
        ]


def run_doctor(*, db: str | None, config: str | None, sandbox: bool) -> list[CheckResult]:
    """All the checks, in order: config, database, keyring, Amazon settings, callback, browser, stores."""
    from asc_tui.config import config_path

    path, _named = config_path(config)
    results: list[CheckResult] = []
    loaded: list[Config] = []
    results += _safely("Config file", lambda: _check_config(config, path, loaded))
    if not loaded:
        # Without a config the registry cannot be opened; the database and the browser do not need one.
        results += _safely("Database", lambda: _check_database_alone(db, sandbox))
        results += _safely("Browser", _check_browser)
        return results
    cfg = loaded[0]
    registry: Registry | None = None
    try:
        opened: list[Registry] = []
        results += _safely("Database", lambda: _open_registry(db, cfg, sandbox, opened))
        registry = opened[0] if opened else None
        secrets = _secret_store(registry, cfg, sandbox)
        results += _safely("Keyring", lambda: _check_keyring(secrets, cfg))
        if registry is not None:
            reg = registry
            results += _safely("Amazon settings", lambda: _check_amazon(reg))
        results += _safely("Callback address", lambda: _check_callback(registry, cfg, sandbox))
        results += _safely("Browser", _check_browser)
        if registry is not None:
            reg = registry
            results += _safely("Stores", lambda: _check_stores(reg))
    finally:
        if registry is not None:
            registry.close()
    return results


# --- 1. config ------------------------------------------------------------------------------------------


def _check_config(explicit: str | None, path: Path, loaded: list[Config]) -> list[CheckResult]:
    from asc_tui.config import load_config
    from asc_tui.errors import ConfigProblem

    try:
        config = load_config(explicit)
    except ConfigProblem as exc:
        return [
            _problem(
                "Config file",
                f"{path} cannot be used, so the keyring, Amazon, callback and store checks were skipped",
                str(exc),
            )
        ]
    loaded.append(config)
    if config.exists:
        return [_ok("Config file", f"{config.path}")]
    return [_ok("Config file", f"{config.path} (not there: using the defaults)")]


# --- 2. database ----------------------------------------------------------------------------------------


def _describe_database(database: Database) -> list[CheckResult]:
    from asc_tui.storage.migrations import HEAD

    version = database.schema_version()
    detail = f"{database.url} ({database.backend}, schema {version or 'none'})"
    if version != HEAD:
        return [
            _problem(
                "Database",
                detail,
                f"The database {database.url} is at schema {version or 'none'} instead of {HEAD}; "
                "run asc-tui once to bring it up to date.",
            )
        ]
    return [_ok("Database", detail)]


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
                "Database",
                f"{exc} (the Amazon settings and store checks need it and were skipped)",
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
    from asc_tui import paths
    from asc_tui.secret_store import open_secret_store

    return open_secret_store(
        sandbox=sandbox,
        data_dir=paths.data_dir(),
        backend=config.secrets.backend,
        timeout=config.secrets.timeout_seconds,
    )


def _check_keyring(secrets: SecretStore, config: Config) -> list[CheckResult]:
    from asc_tui.secret_store import BACKEND_ENV, PASSPHRASE_ENV, BackendKind

    description = secrets.describe()
    if secrets.needs_setup:
        return [
            _problem(
                "Keyring",
                description,
                "No keyring works on this machine: run asc-tui and set up the encrypted secrets file when it "
                f"asks, or {ENCRYPTED_FILE_HOW} ({config.path}).",
            )
        ]
    if secrets.locked:
        first = not secrets.encrypted_file_exists()
        return [
            _problem(
                "Keyring",
                description,
                f"The encrypted secrets file is locked: set {PASSPHRASE_ENV} to "
                + ("the passphrase to create it with" if first else "its passphrase")
                + " (asc-tui also asks for it).",
            )
        ]
    results = [_round_trip(secrets)]
    if secrets.unprotected:
        if "UNPROTECTED" not in description:
            description += " (UNPROTECTED: secrets are not encrypted)"
        if os.environ.get(BACKEND_ENV, "").strip():
            where = f"unset {BACKEND_ENV}, which names it,"
        else:
            where = f"change [secrets] backend in {config.path}"
        results.insert(
            0,
            _problem(
                "Keyring",
                description,
                f"Secrets are stored unencrypted: {where} and use the encrypted file "
                f'({PASSPHRASE_ENV} with [secrets] backend = "encrypted-file") or a system keyring.',
            ),
        )
    else:
        sandbox = secrets.kind is BackendKind.SANDBOX
        results.insert(
            0, _ok("Keyring", description + (" — separate from your real keyring" if sandbox else ""))
        )
    return results


def _round_trip(secrets: SecretStore) -> CheckResult:
    """Write, read and delete a random test secret; the time it takes is what every secret access costs."""
    check = "Keyring round trip"
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
        return _problem(check, f"failed: {exc}", str(exc))
    finally:
        if written:
            with contextlib.suppress(AscError):
                secrets.delete(key)
    elapsed = (time.perf_counter() - started) * 1000
    if read != value or not gone:
        what = "did not return the secret it was given" if read != value else "did not delete a secret"
        return _problem(
            check,
            f"the keyring {what}",
            f"The keyring backend ({secrets.backend_name}) {what}; name another one in PYTHON_KEYRING_BACKEND "
            "or [secrets] backend.",
        )
    return _ok(check, f"write, read and delete worked in {elapsed:.0f} ms")


# --- 4. Amazon settings ---------------------------------------------------------------------------------


def _check_amazon(registry: Registry) -> list[CheckResult]:
    # The same checks as the settings screen, so both say the same thing about a value.
    from asc_tui.config_writer import check_application_id, check_client_id, check_redirect_uri

    connect = registry.connect  # in the sandbox this starts the emulator, which fills the settings in
    amazon = connect.amazon
    sandbox = registry.sandbox
    missing = set(connect.missing_settings())
    where = f"in {registry.config.path}"
    source = " (the sandbox emulator's)" if sandbox else ""
    results: list[CheckResult] = []
    for name, value, check, what in (
        ("amazon.application_id", amazon.application_id, check_application_id, "your app's application ID"),
        ("amazon.client_id", amazon.client_id, check_client_id, "your app's LWA client ID"),
        (
            "amazon.redirect_uri",
            amazon.redirect_uri,
            check_redirect_uri,
            "the HTTPS redirect URI registered with your app",
        ),
    ):
        value = value.strip()
        if name in missing:
            results.append(
                _problem(name, "not set", f"Set {name} {where} to {what} (Seller Central › Develop Apps).")
            )
        elif sandbox and not value:
            results.append(_ok(name, "chosen by the sandbox when connecting (a loopback address)"))
        elif (wrong := check(value)) is not None:
            results.append(_problem(name, value, f"{wrong} It is set {where}."))
        elif name == "amazon.redirect_uri" and urlsplit(value).scheme.lower() == "http" and not sandbox:
            results.append(_ok(name, f"{value} (plain http on loopback: the sandbox and local tests only)"))
        else:
            results.append(_ok(name, value + source))
    results.append(_check_client_secret(registry))
    return results


def _check_client_secret(registry: Registry) -> CheckResult:
    from asc_tui.secret_store import CLIENT_SECRET_ENV

    name = "LWA client secret"
    if registry.sandbox:
        return _ok(name, "the sandbox emulator's demo secret")
    if os.environ.get(CLIENT_SECRET_ENV, "").strip():
        return _ok(name, f"set (from {CLIENT_SECRET_ENV})")
    try:
        secret = registry.secrets.client_secret()
    except AscError:
        return _problem(
            name,
            f"not in {CLIENT_SECRET_ENV}, and the keyring cannot be read (see Keyring)",
            f"Set {CLIENT_SECRET_ENV}, or make the keyring work (see Keyring) and store the client secret "
            "from asc-tui's Settings.",
        )
    if not secret:
        return _problem(
            name,
            "not set",
            f"Store the LWA client secret from asc-tui's Settings (it goes in the keyring), or set "
            f"{CLIENT_SECRET_ENV}.",
        )
    return _ok(name, "set (in the keyring)")


# --- 5. callback address --------------------------------------------------------------------------------


def _check_callback(registry: Registry | None, config: Config, sandbox: bool) -> list[CheckResult]:
    from asc_tui.amazon.callback import CallbackBindError, CallbackListener

    check = "Callback address"
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
    )
    try:
        listener.bind(listen)
    except CallbackBindError as exc:
        return [_problem(check, str(exc), str(exc))]
    try:
        bound = listener.bound_address or listen
    finally:
        listener.close()
    how = " with TLS" if listener.tls else ""
    if listen.rstrip().endswith(":0"):
        return [_ok(check, f"{listen} can be bound{how} (any free port; this time {bound})")]
    return [_ok(check, f"{listen} can be bound{how}")]


# --- 6. browser -----------------------------------------------------------------------------------------


def _check_browser() -> list[CheckResult]:
    from asc_tui.browser import choose_browser

    choice = choose_browser()
    if choice.command is not None:
        return [_ok("Browser", f"can be opened here ({' '.join(choice.command)})")]
    # Not a problem: the consent link is shown to click or copy, and the paste box completes connecting.
    return [
        _ok(
            "Browser",
            f"not opened here: {choice.reason}; the consent link is shown to click or copy, and pasting "
            "the address Amazon redirects to completes the connection",
        )
    ]


# --- 7. stores ------------------------------------------------------------------------------------------


def _check_stores(registry: Registry) -> list[CheckResult]:
    from asc_tui.domain import StoreStatus
    from asc_tui.secret_store import refresh_token_key

    stores = registry.stores.list_stores()
    connected = [s for s in stores if s.status != StoreStatus.NOT_CONNECTED.value]
    if not stores:
        return [_ok("Stores", "none yet")]
    results = [
        _ok("Stores", f"{len(stores)} in all: {len(connected)} connected, {len(stores) - len(connected)} not")
    ]
    for store in connected:
        check = f"Store {store.name!r}"
        try:
            # has(): a locked encrypted file can still say whether the token is there.
            present = bool(store.token_ref) and registry.secrets.has(refresh_token_key(store.token_ref or ""))
        except AscError as exc:
            results.append(
                _problem(
                    check,
                    f"{store.status}; its refresh token cannot be looked up: {exc}",
                    f"Store {store.name!r} cannot be checked until the keyring works (see Keyring).",
                )
            )
            continue
        if present:
            results.append(_ok(check, f"{store.status}; refresh token present"))
        else:
            results.append(
                _problem(
                    check,
                    f"{store.status}; refresh token missing",
                    f"Store {store.name!r} has no refresh token on this machine (connected elsewhere, or the "
                    "keyring was reset); reconnect it here (c).",
                )
            )
    return results
