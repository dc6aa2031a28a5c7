"""Faults in Login with Amazon and the Sellers API, from real misbehaving servers on loopback.

For every fault, at the token exchange and at the Sellers API step, for a first connection and a
renewal: the attempt ends within its deadline in one sentence that names the service and says what to
do; the store, its secret and the keyring are exactly as before; no secret reaches the message. Then
`check-auth --online` against a faulty Login with Amazon, and the two consistency faults (the keyring
write fails after the exchange; the database write fails after the keyring write).

The retry policy is shortened (fewer seconds of backoff, a 2 s network deadline) so the whole file runs
in seconds; one test per step keeps the real policy to show that the attempt's own deadline bounds it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import col, select

import asc_tui.amazon.lwa as lwa_module
import asc_tui.services.connect_complete as connect_module
from asc_tui.amazon.http import RetryPolicy
from asc_tui.cli import main
from asc_tui.domain import StoreStatus
from asc_tui.errors import DatabaseProblem
from asc_tui.sandbox import SANDBOX_CLIENT_SECRET, SandboxEmulator, SandboxSeller
from asc_tui.services.connect import ConnectService, Outcome
from asc_tui.services.registry import Registry, open_registry
from asc_tui.services.sandbox import sandbox_client_secret
from asc_tui.settings.secret_store import ORPHAN_NOTE_PREFIX, SecretsUnavailable, refresh_token_key
from asc_tui.storage.models import ConnectAttempt, Preference
from tests.hardening.faulty_amazon import (
    LWA_FAULTS,
    SELLERS_FAULTS,
    Fault,
    FaultyServer,
    Reply,
    Seen,
    refused_url,
)
from tests.support.connect import NA, US_ONLY, add_store, secret_keys, write_real_config
from tests.support.consent_forms import approve
from tests.support.fake_magento import self_signed_certificate

DEADLINE = 2.0  # the shortened network deadline
SLACK = 8.0  # what a loaded 2-core machine may add to it (the bounds are 5x the deadline and more)


# --- fixtures and helpers -----------------------------------------------------------------------------


@pytest.fixture
def emulator(sandbox: Registry) -> SandboxEmulator:
    sandbox.connect  # noqa: B018 - starts the emulator
    assert sandbox.emulator is not None
    return sandbox.emulator


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real retry code with short waits: backoff in hundredths of a second, a 2 s deadline."""
    fast = functools.partial(RetryPolicy, initial_wait=0.01, max_wait=0.05, jitter=0.0)
    monkeypatch.setattr(lwa_module, "RetryPolicy", fast)
    monkeypatch.setattr(connect_module, "RetryPolicy", fast)
    monkeypatch.setattr(connect_module, "NETWORK_DEADLINE_SECONDS", DEADLINE)


@contextlib.contextmanager
def faulty(fault: Fault, tmp_path: Path) -> Iterator[tuple[str, FaultyServer | None]]:
    """The address that misbehaves as `fault` says, and its server (None when nothing listens)."""
    if fault.address == "refused":
        yield refused_url(), None
        return
    tls = self_signed_certificate(tmp_path) if fault.address == "self-signed" else None
    assert fault.answer is not None
    with FaultyServer(fault.answer, tls=tls) as server:
        yield (server.https_url if fault.address == "https-to-plain" else server.url), server


def service_with(sandbox: Registry, **changes: object) -> ConnectService:
    """A connect service like the sandbox's, with some Amazon addresses replaced."""
    amazon = replace(sandbox.connect.amazon, **changes)  # type: ignore[arg-type]
    return ConnectService(
        sandbox.database, amazon, sandbox.secrets, client_secret=sandbox_client_secret, sandbox=True
    )


def connect(service: ConnectService, store_id: int, seller: SandboxSeller = NA) -> Outcome:
    attempt = service.start(store_id, listen=False)
    outcome = service.complete_from_paste(attempt, approve(attempt.consent_url, seller))
    assert outcome.connected, outcome.message
    return outcome


def snapshot(registry: Registry, store_id: int) -> tuple[object, ...]:
    """What a failed attempt must not change: the store's row and every secret in the keyring."""
    store = registry.stores.get(store_id)
    secrets = {key: registry.secrets.get(key) for key in secret_keys(registry)}
    return (
        store.status,
        store.seller_id,
        store.marketplace_id,
        store.token_ref,
        store.authorized_at,
        store.auth_revoked,
        store.version,
        tuple(sorted(secrets.items())),
    )


def attempts_left(registry: Registry) -> list[ConnectAttempt]:
    with registry.database.session() as session:
        return list(session.exec(select(ConnectAttempt)).all())


def assert_one_sentence(message: str) -> None:
    assert message.strip() and "\n" not in message and "\r" not in message, message
    assert message.rstrip().endswith("."), message
    assert "Traceback" not in message and "Error(" not in message, message
    assert len(message) < 600, message


def assert_no_secret(message: str, *secrets: str) -> None:
    assert "Atzr|" not in message and "Atza|" not in message, message
    assert "LEAKED" not in message and SANDBOX_CLIENT_SECRET not in message, message
    for secret in secrets:
        assert secret not in message, message


def code_of(location: str) -> str:
    return location.split("spapi_oauth_code=")[1].split("&")[0]


def run_attempt(
    registry: Registry, faulty_service: ConnectService, store_id: int
) -> tuple[Outcome, float, str]:
    attempt = faulty_service.start(store_id, listen=False)
    location = approve(attempt.consent_url, NA)
    started = time.monotonic()
    outcome = faulty_service.complete_from_paste(attempt, location)
    assert attempt.ended and attempt.outcome == outcome
    return outcome, time.monotonic() - started, code_of(location)


def check_fault_outcome(
    registry: Registry,
    emulator: SandboxEmulator,
    fault: Fault,
    server: FaultyServer | None,
    store_id: int,
    before: tuple[object, ...],
    outcome: Outcome,
    elapsed: float,
    code: str,
) -> None:
    message = outcome.message
    assert not outcome.connected and outcome.store is None
    assert_one_sentence(message)
    for word in fault.words:
        assert word in message.lower(), message
    assert "is unchanged" in message, message
    assert_no_secret(message, code, *emulator.issued_secrets)
    assert elapsed < DEADLINE + SLACK, f"{elapsed:.1f} s: {message}"
    if server is not None and fault.requests is not None:
        assert len(server.requests) == fault.requests, message
    assert snapshot(registry, store_id) == before
    assert attempts_left(registry) == []


# --- the token exchange (Login with Amazon) -----------------------------------------------------------


# A renewal must keep the old connection whole: tried with one fault of each kind (network, server,
# answer), every fault with a first connection.
RENEWAL_FAULTS = ("connection_refused", "read_timeout", "http_503", "malformed_json")


def cases(faults: dict[str, Fault], *extra: str) -> list[tuple[str, bool]]:
    return [(name, False) for name in sorted(faults)] + [(name, True) for name in (*RENEWAL_FAULTS, *extra)]


def case_id(value: object) -> str:
    return {False: "first", True: "renewal"}.get(value, str(value)) if isinstance(value, bool) else str(value)


def attempt_against_a_fault(
    sandbox: Registry,
    emulator: SandboxEmulator,
    tmp_path: Path,
    fault: Fault,
    renewal: bool,
    settings: Callable[[str], dict[str, object]],
) -> FaultyServer | None:
    """Connect (or renew) a store with the Amazon settings that `settings` points at the faulty server:
    the attempt must end as check_fault_outcome says, leaving everything as it was."""
    store_id = add_store(sandbox).id or 0
    if renewal:
        connect(sandbox.connect, store_id)
    before = snapshot(sandbox, store_id)
    with faulty(fault, tmp_path) as (address, server):
        service = service_with(sandbox, **settings(address))
        outcome, elapsed, code = run_attempt(sandbox, service, store_id)
    check_fault_outcome(sandbox, emulator, fault, server, store_id, before, outcome, elapsed, code)
    return server


@pytest.mark.parametrize(("name", "renewal"), cases(LWA_FAULTS, "ok_without_access_token"), ids=case_id)
def test_a_token_exchange_fault_ends_the_attempt_and_changes_nothing(
    sandbox: Registry,
    emulator: SandboxEmulator,
    fast_retries: None,
    tmp_path: Path,
    name: str,
    renewal: bool,
) -> None:
    server = attempt_against_a_fault(
        sandbox, emulator, tmp_path, LWA_FAULTS[name], renewal,
        lambda address: {"lwa_token_url": address + "/auth/o2/token"},
    )  # fmt: skip
    if server is not None and server.requests:
        assert server.requests[0].path == "/auth/o2/token"


# --- the Sellers API (marketplaceParticipations) ------------------------------------------------------


@pytest.mark.parametrize(("name", "renewal"), cases(SELLERS_FAULTS, "ok_with_the_wrong_shape"), ids=case_id)
def test_a_sellers_api_fault_ends_the_attempt_and_changes_nothing(
    sandbox: Registry,
    emulator: SandboxEmulator,
    fast_retries: None,
    tmp_path: Path,
    name: str,
    renewal: bool,
) -> None:
    server = attempt_against_a_fault(
        sandbox, emulator, tmp_path, SELLERS_FAULTS[name], renewal,
        lambda address: {"endpoints": {**sandbox.connect.amazon.endpoints, "NA": address}},
    )  # fmt: skip
    if server is not None and server.requests:
        assert server.requests[0].path == "/sellers/v1/marketplaceParticipations"


# --- the attempt's own deadline bounds the real retry policy --------------------------------------------


def _complete_in_thread(service: ConnectService, store_id: int, seconds_left: float) -> tuple[Outcome, float]:
    attempt = service.start(store_id, listen=False)
    location = approve(attempt.consent_url, NA)
    attempt._deadline = time.monotonic() + seconds_left
    result: list[Outcome] = []
    started = time.monotonic()
    worker = threading.Thread(target=lambda: result.append(service.complete_from_paste(attempt, location)))
    worker.daemon = True
    worker.start()
    worker.join(seconds_left + 30)
    assert result, f"the attempt with {seconds_left} s left was still waiting after {seconds_left + 30} s"
    return result[0], time.monotonic() - started


@pytest.mark.parametrize("step", ["lwa", "sellers"])
def test_a_silent_amazon_cannot_hold_an_attempt_past_its_timeout(
    sandbox: Registry, emulator: SandboxEmulator, step: str
) -> None:
    """The real policy (15 s per try, 60 s in all) must still end when the attempt's time is up."""
    store = add_store(sandbox)
    with FaultyServer(lambda _seen: None) as silent:
        if step == "lwa":
            service = service_with(sandbox, lwa_token_url=silent.url + "/auth/o2/token")
        else:
            service = service_with(sandbox, endpoints={**sandbox.connect.amazon.endpoints, "NA": silent.url})
        outcome, elapsed = _complete_in_thread(service, store.id or 0, seconds_left=1.5)
    assert not outcome.connected and elapsed < 1.5 + SLACK, (elapsed, outcome.message)
    assert_one_sentence(outcome.message)
    assert re.search(r"no answer within 1(\.\d+)? s", outcome.message), outcome.message  # the wait it gave
    assert secret_keys(sandbox) == []


# --- check-auth --online against a faulty Login with Amazon ---------------------------------------------

CHECK_AUTH_FAULTS = [
    "connection_refused",
    "read_timeout",
    "tls_self_signed",
    "http_503",
    "http_429_retry_after_beyond_deadline",
    "malformed_json",
    "ok_without_access_token",
]


@pytest.fixture
def real_app(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A real config (not --sandbox) with two US stores connected through the emulator; the config's path.

    Login with Amazon is then pointed at a faulty server by rewriting lwa_token_url.
    """
    monkeypatch.setenv("ASC_TUI_LWA_CLIENT_SECRET", SANDBOX_CLIENT_SECRET)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    monkeypatch.setenv("XDG_DATA_HOME", str(isolated_home / "xdg"))
    with SandboxEmulator() as emulator:
        write_real_config(isolated_home, emulator)
        registry = open_registry()
        try:
            for name, seller in (("Shop A", NA), ("Shop B", US_ONLY)):
                connect(registry.connect, add_store(registry, name).id or 0, seller)
        finally:
            registry.close()
        yield isolated_home / "config" / "config.toml"


def point_lwa_at(config: Path, address: str) -> None:
    lines = config.read_text("utf-8").splitlines()
    lines = [
        f'lwa_token_url = "{address}/auth/o2/token"' if line.startswith("lwa_token_url") else line
        for line in lines
    ]
    config.write_text("\n".join(lines) + "\n", "utf-8")


def stores_and_secrets() -> tuple[list[tuple[object, ...]], list[str]]:
    registry = open_registry()
    try:
        rows: list[tuple[object, ...]] = [
            (s.name, s.status, s.seller_id, s.token_ref, s.authorized_at, s.auth_revoked, s.version)
            for s in registry.stores.list_stores()
        ]
        tokens = [
            registry.secrets.get(refresh_token_key(s.token_ref or "")) or ""
            for s in registry.stores.list_stores()
        ]
        return rows, tokens
    finally:
        registry.close()


@pytest.mark.parametrize("name", CHECK_AUTH_FAULTS)
def test_check_auth_online_with_a_faulty_lwa_says_so_per_store_and_changes_nothing(
    real_app: Path, fast_retries: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    fault = LWA_FAULTS[name]
    before, tokens = stores_and_secrets()
    assert all(token.startswith("Atzr|") for token in tokens)
    with faulty(fault, tmp_path) as (address, _server):
        point_lwa_at(real_app, address)
        code = main(["check-auth", "--online", "--json"])
    out, err = capsys.readouterr()
    # Nothing needs renewing, but nothing could be checked: an environment problem (exit 2), said once.
    assert code == 2, (out, err)
    err_lines = [line for line in err.splitlines() if line.strip()]
    assert len(err_lines) == 1 and err_lines[0].startswith("asc-tui: "), err
    assert "login with amazon" in err.lower() and "2 store" in err, err
    records = json.loads(out)
    assert [r["name"] for r in records] == ["Shop A", "Shop B"]
    for record in records:
        assert record["auth_health"] == "ok" and record["status"] == "active"
        assert_one_sentence(record["online"])
        for word in fault.words:
            assert word in record["online"].lower(), record["online"]
    for token in tokens:
        assert token not in out and token not in err
    assert stores_and_secrets() == (before, tokens)


def test_check_auth_online_marks_revoked_only_on_invalid_grant(
    real_app: Path, fast_retries: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """The contrast: Amazon's invalid_grant for one store marks that store Revoked, and only that one."""
    _before, tokens = stores_and_secrets()

    def answer(seen: Seen) -> Reply:
        if tokens[0].encode() in seen.body or tokens[0].replace("|", "%7C").encode() in seen.body:
            return Reply.json(400, {"error": "invalid_grant", "error_description": "revoked"})
        return Reply.json(503, {"message": "busy"})

    with FaultyServer(answer) as server:
        point_lwa_at(real_app, server.url)
        code = main(["check-auth", "--online", "--json"])
    out, err = capsys.readouterr()
    assert code == 1, (out, err)
    first, second = json.loads(out)
    assert first["auth_health"] == "revoked" and "invalid_grant" in first["online"]
    assert second["auth_health"] == "ok" and "http 503" in second["online"].lower()
    rows, _tokens = stores_and_secrets()
    assert [row[5] for row in rows] == [True, False]  # auth_revoked


def test_check_auth_online_in_a_real_process(real_app: Path, isolated_home: Path) -> None:
    """The installed entry point: the table, one sentence on stderr, exit 2, no traceback."""
    with FaultyServer(LWA_FAULTS["html_instead_of_json"].answer or (lambda _s: None)) as server:
        point_lwa_at(real_app, server.url)
        result = subprocess.run(
            [sys.executable, "-m", "asc_tui", "check-auth", "--online"],
            capture_output=True,
            text=True,
            timeout=60,
            env=dict(os.environ),
        )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("asc-tui: ") and "Login with Amazon" in result.stderr
    assert result.stdout.count("HTML page") == 2, result.stdout


# --- consistency: the keyring and the database fail after Amazon said yes -------------------------------


def test_the_keyring_write_fails_after_the_exchange(sandbox: Registry, emulator: SandboxEmulator) -> None:
    """The keyring's file cannot be written (a folder in its place): no Active store without its secret."""
    store = add_store(sandbox)
    keyring_file = Path(sandbox.secrets._usable_backend().file_path)  # type: ignore[attr-defined]
    keyring_file.parent.mkdir(parents=True, exist_ok=True)
    keyring_file.unlink(missing_ok=True)
    keyring_file.mkdir()
    attempt = sandbox.connect.start(store.id or 0, listen=False)
    outcome = sandbox.connect.complete_from_paste(attempt, approve(attempt.consent_url, NA))
    assert not outcome.connected and attempt.ended
    assert_one_sentence(outcome.message)
    assert "keyring" in outcome.message and "Shop US" in outcome.message, outcome.message
    assert_no_secret(outcome.message, *emulator.issued_secrets)
    after = sandbox.stores.get(store.id or 0)
    assert after.status == StoreStatus.NOT_CONNECTED.value and after.token_ref is None
    assert attempts_left(sandbox) == []
    keyring_file.rmdir()
    assert secret_keys(sandbox) == []
    sandbox.connect.cleanup_stale()  # a note the keyring could not act on is cleared once it works
    with sandbox.database.session() as session:
        notes = session.exec(
            select(Preference).where(col(Preference.key).startswith(ORPHAN_NOTE_PREFIX))
        ).all()
        assert notes == []


def test_the_keyring_write_fails_during_a_renewal(
    sandbox: Registry, emulator: SandboxEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = add_store(sandbox)
    connect(sandbox.connect, store.id or 0)
    before = snapshot(sandbox, store.id or 0)

    def refuse(_key: str, _value: str) -> None:
        raise SecretsUnavailable("The keyring could not save a secret (OSError); check that it is unlocked.")

    monkeypatch.setattr(sandbox.secrets, "set", refuse)
    attempt = sandbox.connect.start(store.id or 0, listen=False)
    outcome = sandbox.connect.complete_from_paste(attempt, approve(attempt.consent_url, NA))
    assert not outcome.connected and attempt.ended
    assert_one_sentence(outcome.message)
    assert snapshot(sandbox, store.id or 0) == before  # still connected with the old token
    assert attempts_left(sandbox) == []


def test_a_save_that_reached_the_database_keeps_its_secret(
    sandbox: Registry, emulator: SandboxEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The commit went through, then the connection dropped: the store points at the new token, so the
    token must stay (an Active store without its secret cannot be used or renewed)."""
    store = add_store(sandbox)
    service = sandbox.connect
    real = service.writer.point_store_at

    def lost_after_commit(*args: object) -> object:
        real(*args)  # type: ignore[arg-type]
        raise DatabaseProblem("The connection to the database was lost; try again in a moment.")

    monkeypatch.setattr(service.writer, "point_store_at", lost_after_commit)
    attempt = service.start(store.id or 0, listen=False)
    outcome = service.complete_from_paste(attempt, approve(attempt.consent_url, NA))
    assert_one_sentence(outcome.message)
    after = sandbox.stores.get(store.id or 0)
    if after.status == StoreStatus.ACTIVE.value:
        assert after.token_ref and sandbox.secrets.get(refresh_token_key(after.token_ref)), "secret removed"
    else:
        assert secret_keys(sandbox) == []
    assert len(secret_keys(sandbox)) == (1 if after.token_ref else 0)


def test_a_database_that_refuses_the_save_ends_the_attempt_in_one_sentence(
    sandbox: Registry, emulator: SandboxEmulator
) -> None:
    """A database rule refuses the update (here a trigger): not mistaken for "already connected elsewhere"."""
    store = add_store(sandbox)
    with sandbox.database.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TRIGGER refuse_tokens BEFORE UPDATE OF token_ref ON store "
                "BEGIN SELECT RAISE(ABORT, 'disk quota exceeded'); END"
            )
        )
    attempt = sandbox.connect.start(store.id or 0, listen=False)
    outcome = sandbox.connect.complete_from_paste(attempt, approve(attempt.consent_url, NA))
    assert not outcome.connected and attempt.ended
    assert_one_sentence(outcome.message)
    assert "already connected" not in outcome.message, outcome.message
    assert "database" in outcome.message.lower(), outcome.message
    after = sandbox.stores.get(store.id or 0)
    assert after.status == StoreStatus.NOT_CONNECTED.value and after.token_ref is None
    assert secret_keys(sandbox) == [] and attempts_left(sandbox) == []


def test_an_unexpected_database_error_still_ends_the_attempt(
    sandbox: Registry, emulator: SandboxEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not a connection problem and not one of ours (e.g. a driver's DataError): one sentence, nothing left."""
    from sqlalchemy.exc import DataError

    store = add_store(sandbox)
    service = sandbox.connect

    def broken(*_args: object) -> object:
        raise DataError("UPDATE store ...", {}, Exception("value too long for type character varying(64)"))

    monkeypatch.setattr(service.writer, "point_store_at", broken)
    attempt = service.start(store.id or 0, listen=False)
    outcome = service.complete_from_paste(attempt, approve(attempt.consent_url, NA))
    assert not outcome.connected and attempt.ended
    assert_one_sentence(outcome.message)
    assert "UPDATE" not in outcome.message and "Shop US" in outcome.message, outcome.message
    assert secret_keys(sandbox) == [] and attempts_left(sandbox) == []
