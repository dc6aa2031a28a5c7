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

import argparse
import contextlib
import os
import secrets as random
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from asc_tui.cli.doctor_amazon import check_amazon, check_callback, check_stores
from asc_tui.cli.doctor_results import CheckResult, ok, problem
from asc_tui.errors import EXIT_INVALID, EXIT_OK, AscError
from asc_tui.i18n import N_, _

if TYPE_CHECKING:
    from asc_tui.services.registry import Registry
    from asc_tui.settings.config import Config
    from asc_tui.settings.secret_store import SecretStore
    from asc_tui.storage.database import Database

TEST_KEY_PREFIX = "doctor-check/"
ENCRYPTED_FILE_HOW = N_(
    'set ASC_TUI_KEYRING_PASSPHRASE and [secrets] backend = "encrypted-file" in the config file'
)


def _safely(check: str, run: Callable[[], list[CheckResult]]) -> list[CheckResult]:
    """Run one check; whatever it raises becomes a failed row instead of stopping the report."""
    try:
        return run()
    except AscError as exc:
        return [problem(check, str(exc), str(exc))]
    except Exception as exc:  # a bug in a check must not hide the other checks
        return [
            problem(
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
            results += _safely(_("Amazon settings"), lambda: check_amazon(reg))
        results += _safely(_("Callback address"), lambda: check_callback(registry, cfg, sandbox))
        results += _safely(_("Data folder"), _check_data_folder)
        results += _safely(_("Browser"), _check_browser)
        if registry is not None:
            reg = registry
            results += _safely(_("Stores"), lambda: check_stores(reg))
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
            problem(
                _("Config file"),
                _(
                    "{path} cannot be used, so the keyring, Amazon, callback and store checks were skipped"
                ).format(path=path),
                str(exc),
            )
        ]
    loaded.append(config)
    if config.exists:
        return [ok(_("Config file"), f"{config.path}")]
    return [ok(_("Config file"), _("{path} (not there: using the defaults)").format(path=config.path))]


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
            problem(
                _("Database"),
                detail,
                _(
                    "The database {url} is at schema {version} instead of {head}; run asc-tui once to bring "
                    "it up to date."
                ).format(url=database.url, version=shown_version, head=HEAD),
            )
        ]
    return [ok(_("Database"), detail)]


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
            problem(
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
            problem(
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
            problem(
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
            problem(
                _("Keyring"),
                description,
                fix.format(backend_env=BACKEND_ENV, path=config.path, env=PASSPHRASE_ENV),
            ),
        )
    else:
        sandbox = secrets.kind is BackendKind.SANDBOX
        results.insert(
            0,
            ok(_("Keyring"), description + (" — " + _("separate from your real keyring") if sandbox else "")),
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
        return problem(check, _("failed: {problem}").format(problem=exc), str(exc))
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
        return problem(check, detail, fix.format(backend=secrets.backend_name))
    return ok(check, _("write, read and delete worked in {elapsed:.0f} ms").format(elapsed=elapsed))


# --- 6. data folder ------------------------------------------------------------------------------------


def _check_data_folder() -> list[CheckResult]:
    """The data folder holds the log, the crash log, the database and the keyring files: the owner's only.
    asc-tui creates them so; a folder made by hand, or files from an older version, may be looser."""
    import stat

    from asc_tui.system import paths

    check = _("Data folder")
    folder = paths.data_dir()
    if not folder.is_dir():
        return [ok(check, _("{folder} (not created yet)").format(folder=folder))]
    results: list[CheckResult] = []
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & 0o077:
        results.append(
            problem(
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
            problem(
                check,
                _("other users may read: {names}").format(names=names),
                _(
                    "Files in {folder} can be read by other users; run: cd {folder} && chmod 600 {names}"
                ).format(folder=folder, names=names)
                + ".",
            )
        )
    return results or [ok(check, _("{folder} (this user only)").format(folder=folder))]


# --- 7. browser -----------------------------------------------------------------------------------------


def _check_browser() -> list[CheckResult]:
    from asc_tui.system.browser import choose_browser

    choice = choose_browser()
    if choice.command is not None:
        return [
            ok(_("Browser"), _("can be opened here ({command})").format(command=" ".join(choice.command)))
        ]
    # Not a problem: the consent link is shown to click or copy, and the paste box completes connecting.
    return [
        ok(
            _("Browser"),
            _(
                "not opened here: {reason}; the consent link is shown to click or copy, and pasting the "
                "address Amazon redirects to completes the connection"
            ).format(reason=choice.reason),
        )
    ]


# --- doctor -----------------------------------------------------------------------------------------


def doctor_command(args: argparse.Namespace) -> int:
    from asc_tui.cli.output import english_for_json, error, print_table, write_json

    if args.json:
        english_for_json()
    results = run_doctor(db=args.db, config=args.config, sandbox=args.sandbox)
    if args.json:
        write_json([r.to_json() for r in results])
    else:
        print_table(
            [_("Check"), _("Status"), _("Detail")],
            [[r.check, _("ok") if r.ok else _("PROBLEM"), r.detail] for r in results],
            empty=_("Nothing was checked."),
        )
    problems = [r for r in results if not r.ok]
    for found in problems:
        error(found.fix or found.detail)
    if problems:
        return EXIT_INVALID
    print(_("All checks passed."), file=sys.stderr)
    return EXIT_OK
