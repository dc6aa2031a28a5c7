"""A seller's authorization in an SP-API region, and the copies its stores keep of it.

Amazon's consent covers every marketplace of a region: one refresh token serves a seller's US, Canada and
Mexico stores. A consent for one store therefore renews every store of that seller in that region, and
Amazon's invalid_grant revokes them all. Each store keeps a copy of its authorization's token reference,
authorized-at and revoked flag (read for 10,000 cards without a join); only this module writes them, in
the transaction that changes the authorization.

Lock order for every writer: the authorization's row, then its stores' rows by id, then activity rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from asc_tui.domain import MARKETPLACES, renew_by, utcnow
from asc_tui.settings.secret_store import ORPHAN_NOTE_PREFIX
from asc_tui.storage.models import Activity, Preference, SellerAuthorization, Store


def region_of(country: str) -> str:
    return MARKETPLACES[country].region


@dataclass(frozen=True)
class Attached:
    """What pointing a store at its authorization changed, beside the store itself."""

    renewed: list[str]  # the other stores on the authorization, renewed by this consent (their names)
    released_refs: set[str]  # tokens nothing points at any more: noted as orphans, to remove after commit


def attach(session: Any, store: Store, seller_id: str, token_ref: str, now: datetime) -> Attached:
    """Point `store` at its seller's authorization in its region, holding the new token `token_ref`.

    The authorization is made when the seller has none in the region yet; otherwise it is renewed, and
    every other store on it with it. The caller sets the store's own seller and marketplace and commits.
    """
    region = region_of(store.country)
    authorization = session.exec(
        select(SellerAuthorization)
        .where(SellerAuthorization.seller_id == seller_id, SellerAuthorization.region == region)
        .with_for_update()
    ).first()
    if authorization is None:
        authorization = SellerAuthorization(seller_id=seller_id, region=region)
    released = {ref for ref in (authorization.token_ref, store.token_ref) if ref and ref != token_ref}
    previous_id = store.authorization_id
    authorization.token_ref = token_ref
    authorization.authorized_at = now
    authorization.revoked = False
    authorization.updated_at = now
    session.add(authorization)
    session.flush()
    others = session.exec(
        select(Store)
        .where(Store.authorization_id == authorization.id, col(Store.id) != store.id)
        .order_by(col(Store.id))
    ).all()
    _copy(authorization, store)
    renewed: list[str] = []
    for other in others:
        if other.token_ref and other.token_ref != token_ref:
            released.add(other.token_ref)
        _copy(authorization, other)
        other.version += 1
        other.updated_at = now
        session.add(other)
        renewed.append(other.name)
    session.flush()
    for other in others:
        session.add(
            Activity(
                store_id=other.id or 0,
                at=now,
                action="renewed",
                detail=f"with store {store.name!r}'s consent: seller {seller_id}, region {region}, "
                f"renew by {renew_by(now).date().isoformat()}",
            )
        )
    if previous_id is not None and previous_id != authorization.id:
        _drop_if_unused(session, previous_id, store.id)
    for ref in released:
        session.merge(Preference(key=ORPHAN_NOTE_PREFIX + ref, value=""))
    return Attached(renewed, released)


def join(session: Any, store: Store, authorization_id: int, now: datetime) -> SellerAuthorization:
    """Point a store not yet connected at an existing authorization of its seller in its region, without
    renewing it (no consent was given: authorized_at stays). The caller has checked the authorization is
    healthy and that Amazon lists the store's marketplace for its token, sets the store's own seller,
    marketplace and status, and commits; the authorization's row is locked first (the one lock order)."""
    authorization = session.get(SellerAuthorization, authorization_id, with_for_update=True)
    if authorization is None or authorization.revoked or not authorization.token_ref:
        raise LookupError(authorization_id)
    _copy(authorization, store)
    store.version += 1
    store.updated_at = now
    session.add(store)
    session.flush()
    return authorization  # type: ignore[no-any-return]


def mark_revoked(session: Any, store: Store, now: datetime | None = None) -> list[Store]:
    """Amazon answered invalid_grant for the store's token: its authorization and every store on it are
    Revoked until renewed. Returns the stores newly marked (with the caller's store first when it was)."""
    now = now or utcnow()
    if store.authorization_id is not None:
        authorization = session.get(SellerAuthorization, store.authorization_id, with_for_update=True)
        if authorization is not None:
            authorization.revoked = True
            authorization.updated_at = now
            session.add(authorization)
        stores = session.exec(
            select(Store).where(Store.authorization_id == store.authorization_id).order_by(col(Store.id))
        ).all()
    else:
        stores = [store]
    marked = [s for s in stores if not s.auth_revoked]
    for each in marked:
        each.auth_revoked = True
        each.version += 1
        each.updated_at = now
        session.add(each)
    session.flush()
    for each in marked:
        session.add(
            Activity(store_id=each.id or 0, at=now, action="revoked", detail="Amazon answered invalid_grant")
        )
    return sorted(marked, key=lambda s: s.id != store.id)


def token_in_use(session: Any, token_ref: str) -> bool:
    """Whether any store or authorization still points at this keyring entry."""
    if session.exec(select(Store.id).where(Store.token_ref == token_ref)).first() is not None:
        return True
    query = select(SellerAuthorization.id).where(SellerAuthorization.token_ref == token_ref)
    return session.exec(query).first() is not None


def release(session: Any, authorization_id: int | None, leaving_store_id: int | None) -> None:
    """A store leaves its authorization (it is deleted): the authorization goes with its last store."""
    if authorization_id is not None:
        _drop_if_unused(session, authorization_id, leaving_store_id)


def _drop_if_unused(session: Any, authorization_id: int, leaving_store_id: int | None) -> None:
    query = select(Store.id).where(Store.authorization_id == authorization_id)
    if leaving_store_id is not None:
        query = query.where(col(Store.id) != leaving_store_id)
    if session.exec(query).first() is None:
        authorization = session.get(SellerAuthorization, authorization_id)
        if authorization is not None:
            if authorization.token_ref:
                session.merge(Preference(key=ORPHAN_NOTE_PREFIX + authorization.token_ref, value=""))
            session.delete(authorization)


def _copy(authorization: SellerAuthorization, store: Store) -> None:
    store.authorization_id = authorization.id
    store.token_ref = authorization.token_ref
    store.authorized_at = authorization.authorized_at
    store.auth_revoked = authorization.revoked
