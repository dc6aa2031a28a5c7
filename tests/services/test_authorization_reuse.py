"""Using a seller's authorization in a region for another store of theirs there (issue 22 §2): no browser,
no consent, against the real sandbox emulator, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from asc_tui.domain import StoreStatus, renew_by, utcnow
from asc_tui.errors import ConnectFailed
from asc_tui.sandbox import SandboxEmulator
from asc_tui.services.connect import ConnectService
from asc_tui.services.registry import Registry
from asc_tui.settings.secret_store import refresh_token_key
from tests.services.test_authorizations import authorizations, connect
from tests.support.connect import NA, UK, US_ONLY, actions, add_store, secret_keys


def test_us_by_consent_then_canada_and_mexico_with_no_second_consent(
    sandbox: Registry, service: ConnectService, emulator: SandboxEmulator
) -> None:
    us = add_store(sandbox, "Shop US", "US")
    connect(sandbox, service, us)
    us = sandbox.stores.get(us.id or 0)
    ca, mx = add_store(sandbox, "Shop CA", "CA"), add_store(sandbox, "Shop MX", "MX")

    (offer,) = service.reusable_authorizations(ca.id or 0)
    assert (offer.seller_id, offer.region, offer.stores) == (NA.selling_partner_id, "NA", ("Shop US",))
    assert offer.authorized_at == us.authorized_at
    assert "Use the North America authorization of seller A1SANDBOXNA001" in offer.describe()
    outcome = service.use_authorization(ca.id or 0, offer.authorization_id)
    assert outcome.connected, outcome.message
    assert "with seller A1SANDBOXNA001's North America authorization, with no new consent" in outcome.message
    (offer,) = service.reusable_authorizations(mx.id or 0)
    assert offer.stores == ("Shop US", "Shop CA")
    assert service.use_authorization(mx.id or 0, offer.authorization_id).connected

    assert (emulator.consents_approved, emulator.code_exchanges) == (1, 1)
    stores = [sandbox.stores.get(s.id or 0) for s in (us, ca, mx)]
    assert len({s.token_ref for s in stores}) == 1 and len(secret_keys(sandbox)) == 1
    (authorization,) = authorizations(sandbox)
    assert {s.authorization_id for s in stores} == {authorization.id}
    for store in stores:
        assert store.status == StoreStatus.ACTIVE.value and store.seller_id == NA.selling_partner_id
        assert store.authorized_at == us.authorized_at  # not renewed: MX's renew-by is US's
        assert renew_by(store.authorized_at or utcnow()) == renew_by(us.authorized_at or utcnow())
    assert [s.marketplace_id for s in stores] == ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8"]
    assert actions(sandbox, mx.id or 0)[0] == "connected"
    assert actions(sandbox, us.id or 0)[0] == "connected"  # no "renewed" row on the US store
    assert service.reusable_authorizations(mx.id or 0) == []  # connected: renewing goes through consent
    with pytest.raises(ConnectFailed, match="already connected"):
        service.use_authorization(mx.id or 0, authorization.id or 0)


def test_an_inactive_store_stays_inactive(sandbox: Registry, service: ConnectService) -> None:
    connect(sandbox, service, add_store(sandbox, "Shop US", "US"))
    ca = add_store(sandbox, "Shop CA", "CA")
    with sandbox.database.engine.begin() as conn:
        conn.execute(text("UPDATE store SET status = 'inactive' WHERE id = :id"), {"id": ca.id})
    (offer,) = service.reusable_authorizations(ca.id or 0)
    outcome = service.use_authorization(ca.id or 0, offer.authorization_id)
    assert outcome.connected and "It stays inactive, as it was." in outcome.message
    assert sandbox.stores.get(ca.id or 0).status == StoreStatus.INACTIVE.value


def test_a_marketplace_the_token_does_not_list_is_refused_and_the_store_unchanged(
    sandbox: Registry, service: ConnectService
) -> None:
    connect(sandbox, service, add_store(sandbox, "Shop US", "US"), US_ONLY)
    ca = add_store(sandbox, "Shop CA", "CA")
    (offer,) = service.reusable_authorizations(ca.id or 0)
    outcome = service.use_authorization(ca.id or 0, offer.authorization_id)
    assert not outcome.connected
    assert outcome.message == (
        "Seller A1SANDBOXUS001 does not sell in the Amazon CA marketplace (it sells in: US); sign in with "
        "the account for CA, or add a store for one of those. Store 'Shop CA' is unchanged."
    )
    after = sandbox.stores.get(ca.id or 0)
    assert after.status == StoreStatus.NOT_CONNECTED.value
    assert after.seller_id is None and after.token_ref is None and after.authorization_id is None
    assert "connected" not in actions(sandbox, ca.id or 0)


def test_a_taken_seller_and_marketplace_is_refused(sandbox: Registry, service: ConnectService) -> None:
    connect(sandbox, service, add_store(sandbox, "Shop US", "US"))
    connect(sandbox, service, add_store(sandbox, "Shop CA", "CA"))
    second = add_store(sandbox, "Second CA", "CA")
    (offer,) = service.reusable_authorizations(second.id or 0)
    outcome = service.use_authorization(second.id or 0, offer.authorization_id)
    assert not outcome.connected
    assert outcome.message == (
        "Seller A1SANDBOXNA001's Amazon CA marketplace is already connected to store 'Shop CA'; one "
        "marketplace of one account feeds one store. Store 'Second CA' is unchanged."
    )
    assert sandbox.stores.get(second.id or 0).seller_id is None


def test_revoked_expired_other_regions_and_missing_tokens_are_not_offered(
    sandbox: Registry, service: ConnectService
) -> None:
    us = add_store(sandbox, "Shop US", "US")
    connect(sandbox, service, us)
    connect(sandbox, service, add_store(sandbox, "Shop UK", "UK"), UK)
    ca = add_store(sandbox, "Shop CA", "CA")
    assert [o.seller_id for o in service.reusable_authorizations(ca.id or 0)] == [NA.selling_partner_id]
    old = utcnow() - timedelta(days=366)
    with sandbox.database.engine.begin() as conn:
        conn.execute(text("UPDATE seller_authorization SET authorized_at = :a"), {"a": old})
    assert service.reusable_authorizations(ca.id or 0) == []  # expired
    with sandbox.database.engine.begin() as conn:
        conn.execute(
            text("UPDATE seller_authorization SET authorized_at = :a, revoked = :r"),
            {"a": utcnow(), "r": True},
        )
    assert service.reusable_authorizations(ca.id or 0) == []  # revoked
    with sandbox.database.engine.begin() as conn:
        conn.execute(text("UPDATE seller_authorization SET revoked = :r"), {"r": False})
    assert len(service.reusable_authorizations(ca.id or 0)) == 1
    sandbox.secrets.delete(refresh_token_key(sandbox.stores.get(us.id or 0).token_ref or ""))
    assert service.reusable_authorizations(ca.id or 0) == []  # not on this machine


def test_invalid_grant_marks_the_authorization_revoked(
    sandbox: Registry, service: ConnectService, emulator: SandboxEmulator
) -> None:
    us = add_store(sandbox, "Shop US", "US")
    connect(sandbox, service, us)
    ca = add_store(sandbox, "Shop CA", "CA")
    (offer,) = service.reusable_authorizations(ca.id or 0)
    token = sandbox.secrets.get(refresh_token_key(sandbox.stores.get(us.id or 0).token_ref or ""))
    assert token is not None
    emulator.revoke(token)
    service._lwa_client().invalidate(token)

    outcome = service.use_authorization(ca.id or 0, offer.authorization_id)
    assert not outcome.connected
    assert outcome.message.startswith(
        "Amazon no longer accepts seller A1SANDBOXNA001's North America authorization (invalid_grant)"
    )
    assert [a.revoked for a in authorizations(sandbox)] == [True]
    assert sandbox.stores.get(us.id or 0).auth_revoked
    assert sandbox.stores.get(ca.id or 0).seller_id is None
    assert service.reusable_authorizations(ca.id or 0) == []


def test_a_sellers_api_fault_is_retried(
    sandbox: Registry, service: ConnectService, emulator: SandboxEmulator
) -> None:
    connect(sandbox, service, add_store(sandbox, "Shop US", "US"))
    ca = add_store(sandbox, "Shop CA", "CA")
    (offer,) = service.reusable_authorizations(ca.id or 0)
    emulator.fail_next("/spapi/na", status=503)
    outcome = service.use_authorization(ca.id or 0, offer.authorization_id)
    assert outcome.connected, outcome.message
    assert emulator.pending_faults == 0
