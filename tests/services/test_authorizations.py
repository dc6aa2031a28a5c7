"""One authorization per seller and region (issue 22), against the real sandbox emulator, on SQLite and
PostgreSQL: a seller's stores in one region share one refresh token, are renewed by one consent, revoked by
one invalid_grant, and the token leaves the keyring with the last store that uses it."""

from __future__ import annotations

from sqlmodel import select

from asc_tui.domain import AuthHealth, renew_by, store_health
from asc_tui.sandbox import SandboxEmulator
from asc_tui.services.connect import ConnectService
from asc_tui.services.registry import Registry
from asc_tui.settings.secret_store import refresh_token_key
from asc_tui.storage.models import SellerAuthorization, Store
from tests.support.connect import NA, UK, actions, add_store, secret_keys
from tests.support.consent_forms import approve


def connect(registry: Registry, service: ConnectService, store: Store, seller: object = NA) -> str:
    attempt = service.start(store.id or 0, listen=False)
    outcome = service.complete_from_paste(attempt, approve(attempt.consent_url, seller))  # type: ignore[arg-type]
    assert outcome.connected, outcome.message
    return outcome.message


def north_america(registry: Registry, service: ConnectService) -> list[Store]:
    """The NA demo seller's US, Canada and Mexico stores, each connected in turn."""
    stores = [add_store(registry, f"Shop {code}", code) for code in ("US", "CA", "MX")]
    for store in stores:
        connect(registry, service, store)
    return [registry.stores.get(store.id or 0) for store in stores]


def authorizations(registry: Registry) -> list[SellerAuthorization]:
    with registry.database.session() as session:
        return list(session.exec(select(SellerAuthorization).order_by(SellerAuthorization.id)).all())


def test_a_sellers_stores_in_one_region_share_one_token(sandbox: Registry, service: ConnectService) -> None:
    us = add_store(sandbox, "Shop US", "US")
    connect(sandbox, service, us)
    ca = add_store(sandbox, "Shop CA", "CA")
    said = connect(sandbox, service, ca)
    assert "The same authorization renewed 'Shop US'." in said

    us_now, ca_now = sandbox.stores.get(us.id or 0), sandbox.stores.get(ca.id or 0)
    assert us_now.token_ref == ca_now.token_ref is not None
    assert us_now.authorized_at == ca_now.authorized_at
    assert len(secret_keys(sandbox)) == 1  # the US store's first token left the keyring
    (authorization,) = authorizations(sandbox)
    assert (authorization.seller_id, authorization.region) == (NA.selling_partner_id, "NA")
    assert us_now.authorization_id == ca_now.authorization_id == authorization.id
    assert actions(sandbox, us.id or 0)[0] == "renewed"


def test_renewing_once_moves_renew_by_for_every_store_on_it(
    sandbox: Registry, service: ConnectService
) -> None:
    us, ca, mx = north_america(sandbox, service)
    before = {store.name: store.authorized_at for store in (us, ca, mx)}

    said = connect(sandbox, service, ca)
    assert "renewed" in said and "'Shop US', 'Shop MX'" in said
    after = [sandbox.stores.get(store.id or 0) for store in (us, ca, mx)]
    for store in after:
        assert store.authorized_at is not None and store.authorized_at > (
            before[store.name] or store.authorized_at
        )
        assert renew_by(store.authorized_at) == renew_by(after[1].authorized_at or store.authorized_at)
    assert len({store.token_ref for store in after}) == 1 and len(secret_keys(sandbox)) == 1


def test_invalid_grant_revokes_every_store_on_the_authorization(
    sandbox: Registry, service: ConnectService, emulator: SandboxEmulator
) -> None:
    us, ca, mx = north_america(sandbox, service)
    uk = add_store(sandbox, "Shop UK", "UK")
    connect(sandbox, service, uk, UK)
    token = sandbox.secrets.get(refresh_token_key(us.token_ref or ""))
    assert token is not None
    emulator.revoke(token)
    service._lwa_client().invalidate(token)

    health, _note = service.verify_online(sandbox.stores.get(ca.id or 0))
    assert health is AuthHealth.REVOKED
    for store in (us, ca, mx):
        assert store_health(sandbox.stores.get(store.id or 0))[0] is AuthHealth.REVOKED
        assert actions(sandbox, store.id or 0)[0] == "revoked"
    # Another region's authorization is another token: untouched.
    assert store_health(sandbox.stores.get(uk.id or 0))[0] is AuthHealth.OK
    assert [a.revoked for a in authorizations(sandbox)] == [True, False]


def test_the_token_leaves_the_keyring_with_the_last_store_using_it(
    sandbox: Registry, service: ConnectService
) -> None:
    us, ca, mx = north_america(sandbox, service)
    sandbox.delete_store(us.id or 0)
    sandbox.delete_store(ca.id or 0)
    assert len(secret_keys(sandbox)) == 1
    assert sandbox.secrets.get(refresh_token_key(mx.token_ref or "")) is not None
    assert len(authorizations(sandbox)) == 1

    sandbox.delete_store(mx.id or 0)
    assert secret_keys(sandbox) == []
    assert authorizations(sandbox) == []


def test_a_uk_store_needs_its_own_consent(sandbox: Registry, service: ConnectService) -> None:
    (us, *_rest) = north_america(sandbox, service)
    uk = add_store(sandbox, "Shop UK", "UK")
    said = connect(sandbox, service, uk, UK)
    assert "The same authorization renewed" not in said
    assert sandbox.stores.get(uk.id or 0).token_ref != us.token_ref
    assert [(a.region, a.seller_id) for a in authorizations(sandbox)] == [
        ("NA", NA.selling_partner_id),
        ("EU", UK.selling_partner_id),
    ]
    assert len(secret_keys(sandbox)) == 2


def _migrate(registry: Registry, target: str, *, down: bool = False) -> None:
    from alembic import command
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", "asc_tui/storage/migrations")
    with registry.database.engine.begin() as conn:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, target)


def test_a_registry_of_per_store_tokens_becomes_one_authorization_per_seller_and_region(
    sandbox: Registry,
) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import text

    from asc_tui.services.attempts import cleanup_stale

    us, ca, mx = (add_store(sandbox, f"Shop {code}", code) for code in ("US", "CA", "MX"))
    uk = add_store(sandbox, "Shop UK", "UK")
    _migrate(sandbox, "0005_daily_sales", down=True)  # the schema today's released version writes
    rows = [  # store, seller, marketplace, token ref, authorized at
        (us, NA.selling_partner_id, "ATVPDKIKX0DER", "ref-us-older", datetime(2026, 3, 1, tzinfo=UTC)),
        (ca, NA.selling_partner_id, "A2EUQ1WTGCTBG2", "ref-ca-newer", datetime(2026, 9, 1, tzinfo=UTC)),
        (uk, UK.selling_partner_id, "A1F83G8C2ARO7P", "ref-uk", datetime(2026, 5, 1, tzinfo=UTC)),
    ]
    with sandbox.database.engine.begin() as conn:
        for store, seller, marketplace, ref, at in rows:
            conn.execute(
                text(
                    "UPDATE store SET status = 'active', seller_id = :s, marketplace_id = :m, token_ref = :r, "
                    "authorized_at = :a WHERE id = :id"
                ),
                {"s": seller, "m": marketplace, "r": ref, "a": at, "id": store.id},
            )
    for _store, _seller, _marketplace, ref, _at in rows:
        sandbox.secrets.set(refresh_token_key(ref), f"Atzr|token-of-{ref}")

    _migrate(sandbox, "head")
    cleanup_stale(sandbox.database, sandbox.secrets, "this-host")  # what the app's start-up does

    us_now, ca_now, mx_now, uk_now = (sandbox.stores.get(s.id or 0) for s in (us, ca, mx, uk))
    # The newer consent wins and both stores share it; the older token left the keyring.
    assert us_now.token_ref == ca_now.token_ref == "ref-ca-newer"
    assert us_now.authorized_at == ca_now.authorized_at == datetime(2026, 9, 1, tzinfo=UTC)
    assert sandbox.secrets.get(refresh_token_key("ref-us-older")) is None
    assert sandbox.secrets.get(refresh_token_key("ref-ca-newer")) == "Atzr|token-of-ref-ca-newer"
    assert sandbox.secrets.get(refresh_token_key("ref-uk")) == "Atzr|token-of-ref-uk"
    assert mx_now.authorization_id is None and mx_now.token_ref is None  # never connected
    assert [(a.seller_id, a.region, a.token_ref) for a in authorizations(sandbox)] == [
        (NA.selling_partner_id, "NA", "ref-ca-newer"),
        (UK.selling_partner_id, "EU", "ref-uk"),
    ]
    assert uk_now.authorization_id == authorizations(sandbox)[1].id
