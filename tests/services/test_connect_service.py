"""The connect service against the real sandbox emulator: every way back, every failure, nothing half-done."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from datetime import timedelta

import pytest
from sqlmodel import select

from asc_tui.amazon.lwa import LwaClient
from asc_tui.domain import AuthHealth, StoreStatus, store_health, utcnow
from asc_tui.errors import ConnectInProgress, ConnectRejected, SellerIdNeeded
from asc_tui.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SandboxEmulator
from asc_tui.services.connect import ConnectService, ConnectSession, Outcome
from asc_tui.services.registry import Registry
from asc_tui.settings.secret_store import refresh_token_key
from asc_tui.storage.models import ConnectAttempt
from tests.support.connect import (
    NA,
    UK,
    US_ONLY,
    actions,
    add_store,
    approved,
    browser_get,
    connected,
    secret_keys,
    started,
)
from tests.support.consent_forms import approve
from tests.support.ports import free_port


async def connect_through_callback(service: ConnectService, attempt: ConnectSession, location: str) -> str:
    """Serve the callback worker while a 'browser' follows Amazon's redirect; the result page's text."""
    worker = asyncio.create_task(service.serve_callbacks(attempt))
    page = await asyncio.to_thread(browser_get, location)
    await asyncio.wait_for(worker, timeout=30)
    return page.text


def assert_unchanged(registry: Registry, store_id: int) -> None:
    store = registry.stores.get(store_id)
    assert store.status == StoreStatus.NOT_CONNECTED.value
    assert store.seller_id is None and store.authorized_at is None and store.token_ref is None
    assert secret_keys(registry) == []
    with registry.database.session() as session:
        assert session.exec(select(ConnectAttempt)).all() == []


def port_is_free(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    with socket.socket() as sock:
        try:
            sock.bind((host, int(port)))
        except OSError:
            return False
    return True


async def test_callback_connects_the_store_and_releases_the_port(
    sandbox: Registry, service: ConnectService
) -> None:
    store = add_store(sandbox)
    attempt = service.start(store.id or 0)
    assert attempt.consent_url.startswith(service.amazon.seller_central["US"] + "/apps/authorize/consent?")
    location = await asyncio.to_thread(approve, attempt.consent_url, NA)

    page = await connect_through_callback(service, attempt, location)

    assert "Connected" in page and "A1SANDBOXNA001" in page
    assert attempt.outcome is not None and attempt.outcome.connected
    saved = sandbox.stores.get(store.id or 0)
    assert saved.status == StoreStatus.ACTIVE.value
    assert saved.seller_id == NA.selling_partner_id
    assert saved.marketplace_id == "ATVPDKIKX0DER"
    assert store_health(saved)[0] is AuthHealth.OK  # 364 whole days and 23:59 left
    token = sandbox.secrets.get(refresh_token_key(saved.token_ref or ""))
    assert token is not None and token.startswith("Atzr|")
    assert len(secret_keys(sandbox)) == 1
    assert actions(sandbox, store.id or 0)[0] == "connected"
    # The worker let go of its socket (binding the port again here could race with other tests' listeners).
    assert (
        attempt.listener is not None and attempt.listener._sock is None and attempt.listener._server is None
    )
    with sandbox.database.session() as session:
        assert session.exec(select(ConnectAttempt)).all() == []


def test_pasted_address_connects(sandbox: Registry, service: ConnectService) -> None:
    store, attempt, location = approved(sandbox, UK, "Shop UK", "UK")
    outcome = service.complete_from_paste(attempt, f"  {location}\n")
    assert outcome.connected, outcome.message
    assert sandbox.stores.get(store.id or 0).seller_id == UK.selling_partner_id


def test_pasted_query_string_alone_connects(sandbox: Registry, service: ConnectService) -> None:
    _, attempt, location = approved(sandbox)
    assert service.complete_from_paste(attempt, location.split("?", 1)[1]).connected


def test_pasting_the_consent_link_says_which_address_is_needed(
    sandbox: Registry, service: ConnectService
) -> None:
    _, attempt = started(sandbox)
    with pytest.raises(ConnectRejected, match="consent link"):
        service.complete_from_paste(attempt, attempt.consent_url)
    with pytest.raises(ConnectRejected):
        service.complete_from_paste(attempt, "hello")
    assert not attempt.ended  # still waiting: the right address still wins
    assert service.complete_from_paste(attempt, approve(attempt.consent_url, NA)).connected


async def test_wrong_state_keeps_waiting_and_the_right_one_wins(
    sandbox: Registry, service: ConnectService
) -> None:
    store = add_store(sandbox)
    attempt = service.start(store.id or 0)
    location = await asyncio.to_thread(approve, attempt.consent_url, NA)
    forged = location.replace(f"state={attempt.state}", "state=forged")
    worker = asyncio.create_task(service.serve_callbacks(attempt))
    page = await asyncio.to_thread(browser_get, forged)
    assert "not for this attempt" in page.text and not attempt.ended
    with pytest.raises(ConnectRejected, match="state does not match"):
        await asyncio.to_thread(service.complete_from_paste, attempt, forged)
    assert sandbox.stores.get(store.id or 0).status == StoreStatus.NOT_CONNECTED.value

    page = await asyncio.to_thread(browser_get, location)
    await asyncio.wait_for(worker, timeout=30)
    assert "Connected" in page.text and attempt.outcome is not None and attempt.outcome.connected


def test_declined_ends_the_attempt_with_amazons_words(sandbox: Registry, service: ConnectService) -> None:
    store, attempt = started(sandbox)
    location = approve(attempt.consent_url, NA, decline=True)
    outcome = service.complete_from_paste(attempt, location)
    assert not outcome.connected and "access_denied" in outcome.message and "unchanged" in outcome.message
    assert attempt.ended
    assert_unchanged(sandbox, store.id or 0)
    with pytest.raises(Exception, match="already ended"):
        service.complete_from_paste(attempt, location)


def test_seller_who_does_not_sell_in_the_marketplace(sandbox: Registry, service: ConnectService) -> None:
    store, attempt = started(sandbox, "Shop CA", "CA")
    outcome = service.complete_from_paste(attempt, approve(attempt.consent_url, US_ONLY))
    assert not outcome.connected
    assert "does not sell in the Amazon CA marketplace (it sells in: US)" in outcome.message
    assert_unchanged(sandbox, store.id or 0)


def test_one_marketplace_of_one_account_feeds_one_store(sandbox: Registry, service: ConnectService) -> None:
    first, second = add_store(sandbox, "First US"), add_store(sandbox, "Second US")
    attempt = service.start(first.id or 0, listen=False)
    assert service.complete_from_paste(attempt, approve(attempt.consent_url, NA)).connected
    attempt = service.start(second.id or 0, listen=False)
    outcome = service.complete_from_paste(attempt, approve(attempt.consent_url, NA))
    assert not outcome.connected and "already connected to store 'First US'" in outcome.message
    assert sandbox.stores.get(second.id or 0).status == StoreStatus.NOT_CONNECTED.value
    assert len(secret_keys(sandbox)) == 1  # only the first store's token


def test_renewal_keeps_the_seller_and_replaces_the_token(sandbox: Registry, service: ConnectService) -> None:
    before = connected(sandbox)
    sandbox.stores.set_active(before.id or 0, False, before.version)

    renewal = service.start(before.id or 0, listen=False)
    assert renewal.renewal and renewal.renewal_of == NA.selling_partner_id
    refused = service.complete_from_paste(renewal, approve(renewal.consent_url, US_ONLY))
    assert not refused.connected and "connected to seller A1SANDBOXNA001" in refused.message
    assert sandbox.stores.get(before.id or 0).token_ref == before.token_ref

    renewal = service.start(before.id or 0, listen=False)
    outcome = service.complete_from_paste(renewal, approve(renewal.consent_url, NA))
    assert outcome.connected and "renewed" in outcome.message and "stays inactive" in outcome.message
    after = sandbox.stores.get(before.id or 0)
    assert after.token_ref != before.token_ref and after.status == StoreStatus.INACTIVE.value
    assert len(secret_keys(sandbox)) == 1  # the old token was removed
    assert actions(sandbox, before.id or 0)[0] == "renewed"


def test_code_already_used(sandbox: Registry, service: ConnectService, emulator: SandboxEmulator) -> None:
    store, attempt, location = approved(sandbox)
    code = location.split("spapi_oauth_code=")[1].split("&")[0]
    with LwaClient(emulator.lwa_token_url, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET) as lwa:
        lwa.exchange_code(code, attempt.redirect_uri)
    outcome = service.complete_from_paste(attempt, location)
    assert not outcome.connected and "works only once" in outcome.message
    assert_unchanged(sandbox, store.id or 0)


def test_wrong_client_secret(sandbox: Registry, emulator: SandboxEmulator, service: ConnectService) -> None:
    wrong = ConnectService(
        sandbox.database, service.amazon, sandbox.secrets, client_secret=lambda: "wrong", sandbox=True
    )
    store = add_store(sandbox)
    attempt = wrong.start(store.id or 0, listen=False)
    outcome = wrong.complete_from_paste(attempt, approve(attempt.consent_url, NA))
    assert not outcome.connected and "rejected the app's credentials" in outcome.message
    assert "wrong" not in outcome.message
    assert_unchanged(sandbox, store.id or 0)


def test_throttled_token_endpoint_is_retried(
    sandbox: Registry, service: ConnectService, emulator: SandboxEmulator
) -> None:
    _, attempt, location = approved(sandbox)
    emulator.throttle_next("/auth/o2/token", count=1, retry_after=0.2)
    emulator.throttle_next("/spapi/na", count=1, retry_after=0.2)
    assert service.complete_from_paste(attempt, location).connected


def test_sellers_api_down_leaves_no_secret(
    sandbox: Registry, service: ConnectService, emulator: SandboxEmulator
) -> None:
    store, attempt, location = approved(sandbox)
    emulator.fail_next("/spapi/na", status=503, count=20)
    outcome = service.complete_from_paste(attempt, location)
    assert not outcome.connected and "could not be reached" in outcome.message
    assert_unchanged(sandbox, store.id or 0)


def test_timeout_and_cancel_leave_the_store_as_it_was(sandbox: Registry, service: ConnectService) -> None:
    store = add_store(sandbox)
    attempt = service.start(store.id or 0)
    attempt._deadline = time.monotonic() - 1
    outcome = service.expire_if_due(attempt)
    assert outcome is not None and "timed out after 10 minutes" in outcome.message
    assert_unchanged(sandbox, store.id or 0)
    assert attempt.listener is not None

    attempt = service.start(store.id or 0)
    cancelled = service.cancel(attempt)
    assert cancelled.cancelled and "cancelled" in cancelled.message
    assert_unchanged(sandbox, store.id or 0)


def test_a_store_is_connected_by_one_attempt_at_a_time(sandbox: Registry, service: ConnectService) -> None:
    store, attempt = started(sandbox)
    with pytest.raises(ConnectInProgress, match=rf"being connected by {service.user}@{service.host}"):
        service.start(store.id or 0, listen=False)
    service.cancel(attempt)
    service.cancel(service.start(store.id or 0, listen=False))


def test_cleanup_removes_what_a_dead_attempt_left(sandbox: Registry, service: ConnectService) -> None:
    store = add_store(sandbox)
    sandbox.secrets.set(refresh_token_key("orphan"), "Atzr|orphan")
    with sandbox.database.session() as session:
        session.add(
            ConnectAttempt(
                nonce="dead",
                store_id=store.id or 0,
                host=service.host,
                user="someone",
                pid=_dead_pid(),
                expires_at=utcnow() + timedelta(minutes=5),
                secret_ref="orphan",
            )
        )
        session.commit()
    assert service.cleanup_stale() == 1
    assert_unchanged(sandbox, store.id or 0)
    # The store can be connected again at once.
    attempt = service.start(store.id or 0, listen=False)
    assert service.complete_from_paste(attempt, approve(attempt.consent_url, NA)).connected


def test_self_authorization_token(
    sandbox: Registry, service: ConnectService, emulator: SandboxEmulator
) -> None:
    store, attempt = started(sandbox)
    token = emulator.authorize_directly(NA, "NA")
    with pytest.raises(SellerIdNeeded):
        service.complete_from_paste(attempt, token)
    with pytest.raises(ConnectRejected, match="does not accept that refresh token"):
        service.complete_from_paste(attempt, "Atzr|not-a-real-token", NA.selling_partner_id)
    outcome: Outcome = service.complete_from_paste(attempt, token, NA.selling_partner_id)
    assert outcome.connected
    saved = sandbox.stores.get(store.id or 0)
    assert sandbox.secrets.get(refresh_token_key(saved.token_ref or "")) == token


def test_revoked_authorization_is_found_online(
    sandbox: Registry, service: ConnectService, emulator: SandboxEmulator
) -> None:
    store = connected(sandbox)
    assert service.verify_online(store)[0] is AuthHealth.OK
    token = sandbox.secrets.get(refresh_token_key(store.token_ref or ""))
    assert token is not None
    emulator.revoke(token)
    service._lwa_client().invalidate(token)
    health, note = service.verify_online(store)
    assert health is AuthHealth.REVOKED and "invalid_grant" in note
    revoked = sandbox.stores.get(store.id or 0)
    assert store_health(revoked)[0] is AuthHealth.REVOKED
    assert actions(sandbox, store.id or 0)[0] == "revoked"


def test_secrets_never_reach_the_database_file(
    sandbox: Registry, service: ConnectService, emulator: SandboxEmulator
) -> None:
    connected(sandbox)
    raw = database_contents(sandbox)
    assert b"A1SANDBOXNA001" in raw  # the seller ID is there, so the search reads the real data
    issued = emulator.issued_secrets
    assert issued and not any(secret.encode() in raw for secret in issued)


def test_deleting_a_store_removes_its_secret(sandbox: Registry, service: ConnectService) -> None:
    store = connected(sandbox)
    assert len(secret_keys(sandbox)) == 1
    sandbox.delete_store(store.id or 0)
    assert secret_keys(sandbox) == []


def database_contents(registry: Registry) -> bytes:
    """Everything the database holds: the SQLite files byte for byte, or every row of every table."""
    from sqlalchemy import inspect, text

    database = registry.database
    if database.path is not None:
        database.engine.dispose()
        return b"".join(p.read_bytes() for p in database.path.parent.glob(database.path.name + "*"))
    with database.engine.connect() as conn:
        rows = [
            row
            for table in inspect(conn).get_table_names()
            for row in conn.execute(text(f'SELECT * FROM "{table}"'))
        ]
    return "\n".join(map(str, rows)).encode()


def _dead_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


# --- from the review: edges where a user could lose or leak something ---------------------------------


def test_a_token_is_never_taken_for_a_seller_id(
    sandbox: Registry, service: ConnectService, emulator: SandboxEmulator
) -> None:
    store, attempt = started(sandbox)
    token = emulator.authorize_directly(NA, "NA")
    for wrong in (token, "a1b2", "seller id please"):
        with pytest.raises(SellerIdNeeded, match="not a seller ID"):
            service.complete_from_paste(attempt, token, wrong)
    assert not attempt.ended and sandbox.stores.get(store.id or 0).seller_id is None


def test_a_store_being_connected_cannot_be_deleted_and_ids_are_never_reused(
    sandbox: Registry, service: ConnectService
) -> None:
    from asc_tui.errors import ActionNotAllowed

    store, attempt, location = approved(sandbox, NA, "Going")
    with pytest.raises(ActionNotAllowed, match="being connected by"):
        sandbox.delete_store(store.id or 0)
    # Deleted behind the app's back (another tool, an old version): the attempt must not land elsewhere.
    sandbox.stores.delete(store.id or 0)
    newcomer = add_store(sandbox, "Newcomer")
    assert newcomer.id != store.id
    outcome = service.complete_from_paste(attempt, location)
    assert not outcome.connected and "was deleted while connecting" in outcome.message
    assert sandbox.stores.get(newcomer.id or 0).seller_id is None
    assert secret_keys(sandbox) == []


async def test_cancel_while_amazon_is_being_asked_stops_before_saving(
    sandbox: Registry, service: ConnectService, emulator: SandboxEmulator
) -> None:
    store, attempt, location = approved(sandbox)
    # Amazon answers "slow down, retry in 3 s" once: the check is then certainly still running when the
    # cancel comes, whatever the machine's load.
    emulator.throttle_next("/spapi/na", count=1, retry_after=3)
    checking = asyncio.create_task(asyncio.to_thread(service.complete_from_paste, attempt, location))
    for _ in range(3000):  # until the emulator has given its throttled answer (the rule is used up)
        if not emulator.pending_faults:
            break
        await asyncio.sleep(0.01)
    assert not emulator.pending_faults, "the check never reached Amazon"
    # Busy: None, at once. A cancel that waited for the lock would return only once the check ended, with
    # the check's own outcome (never None); one that came too late would too.
    assert service.cancel(attempt) is None
    outcome = await checking
    assert outcome.cancelled and not outcome.connected
    assert_unchanged(sandbox, store.id or 0)


def test_a_token_the_keyring_would_not_delete_is_removed_later(
    sandbox: Registry, service: ConnectService, monkeypatch: pytest.MonkeyPatch
) -> None:
    from asc_tui.settings.secret_store import SecretsUnavailable

    store = connected(sandbox)
    old_ref = store.token_ref
    real_delete = sandbox.secrets.delete

    def refuse(key: str) -> None:
        raise SecretsUnavailable("The keyring could not delete a secret.")

    monkeypatch.setattr(sandbox.secrets, "delete", refuse)
    renewal = service.start(store.id or 0, listen=False)
    assert service.complete_from_paste(renewal, approve(renewal.consent_url, NA)).connected
    assert len(secret_keys(sandbox)) == 2  # the old token could not be removed yet

    monkeypatch.setattr(sandbox.secrets, "delete", real_delete)
    service.cleanup_stale()
    assert len(secret_keys(sandbox)) == 1
    assert sandbox.secrets.get(refresh_token_key(old_ref or "")) is None


def test_a_database_failure_while_saving_ends_the_attempt_in_one_sentence(
    sandbox: Registry, service: ConnectService, monkeypatch: pytest.MonkeyPatch
) -> None:
    from asc_tui.errors import DatabaseProblem

    _, attempt = started(sandbox)

    def busy(*_args: object) -> None:
        raise DatabaseProblem("The database is locked by another program; try again in a moment.")

    monkeypatch.setattr(service.writer, "point_store_at", busy)
    outcome = service.complete_from_paste(attempt, approve(attempt.consent_url, NA))
    assert not outcome.connected and outcome.message.startswith("The database is locked") and attempt.ended
    assert secret_keys(sandbox) == []  # the token written just before was taken back


def test_one_attempt_at_a_time_per_fixed_callback_address(sandbox: Registry, isolated_home: object) -> None:
    from dataclasses import replace

    port = free_port()
    base = sandbox.connect
    fixed = ConnectService(
        sandbox.database,
        replace(base.amazon, callback_listen=f"127.0.0.1:{port}"),
        sandbox.secrets,
        client_secret=lambda: "sandbox-client-secret",
        sandbox=True,
    )
    first, second = add_store(sandbox, "First"), add_store(sandbox, "Second")
    holding = fixed.start(first.id or 0)
    with pytest.raises(ConnectInProgress, match="in use by the attempt connecting store 'First'"):
        fixed.start(second.id or 0)
    fixed.cancel(holding)
    fixed.cancel(fixed.start(second.id or 0))
