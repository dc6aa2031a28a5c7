"""The store registry: add, edit, activate, delete, list, with an activity log for every change."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from asc_tui.commerce.model import Catalog
from asc_tui.domain import (
    MARKETPLACES,
    StoreDraft,
    StoreEdit,
    StoreStatus,
    ValidStore,
    has_invalid_text,
    name_key,
    normalize_name,
    utcnow,
    validate_draft,
    validate_email,
    validate_name,
)
from asc_tui.errors import (
    ActionNotAllowed,
    StoreChanged,
    StoreNameTaken,
    StoreNotFound,
    StoreValidationError,
)
from asc_tui.i18n import _
from asc_tui.services import authorizations
from asc_tui.services.records import RECORD_KEYS, store_record  # noqa: F401  (re-exported for callers)
from asc_tui.settings.secret_store import ORPHAN_NOTE_PREFIX
from asc_tui.storage.database import Database
from asc_tui.storage.models import Activity, Preference, RegistryRevision, Store
from asc_tui.storage.quick_read import ROW_FIELDS, StoreRow
from asc_tui.system.faults import crash_point


class StoreService:
    def __init__(self, database: Database, catalog: Callable[[], Catalog]) -> None:
        self._db = database
        self._catalog = catalog

    # --- reading ------------------------------------------------------------------------------------

    def list_stores(self) -> list[Store]:
        """All stores, oldest first."""
        with self._db.session() as session:
            query = select(Store).order_by(col(Store.created_at), col(Store.id))
            return list(session.exec(query).all())

    def list_rows(self) -> list[StoreRow]:
        """All stores, oldest first, as light read-only rows: what the home keeps for 10,000 stores.

        A Core query into slotted rows takes a fraction of the memory of as many SQLModel instances.
        """
        table = Store.__table__  # type: ignore[attr-defined]
        query = sa_select(*(table.c[name] for name in ROW_FIELDS)).order_by(table.c.created_at, table.c.id)
        with self._db.session() as session:
            return [StoreRow(*row) for row in session.execute(query)]

    def revision(self) -> int:
        """A number that changes whenever any store or activity row changes (whoever changed it).

        One single-row query, cheap enough to poll every few seconds: when it differs from the one seen
        before, the home is out of date.
        """
        with self._db.session() as session:
            query = select(RegistryRevision.revision).where(RegistryRevision.id == 1)
            return int(session.exec(query).first() or 0)

    def count(self) -> int:
        with self._db.session() as session:
            return int(session.exec(select(func.count()).select_from(Store)).one())

    def get(self, store_id: int) -> Store:
        with self._db.session() as session:
            store = session.get(Store, store_id)
            if store is None:
                raise StoreNotFound(f"#{store_id}")
            return store

    def find(self, name: str) -> Store:
        if has_invalid_text(name):  # invalid UTF-8 (e.g. in an argument): no stored name can match it
            raise StoreNotFound(normalize_name(name))
        with self._db.session() as session:
            store = session.exec(select(Store).where(Store.name_key == name_key(name))).first()
            if store is None:
                raise StoreNotFound(normalize_name(name))
            return store

    def activity(self, store_id: int) -> list[Activity]:
        with self._db.session() as session:
            query = select(Activity).where(Activity.store_id == store_id).order_by(col(Activity.id).desc())
            return list(session.exec(query).all())

    # --- validating ---------------------------------------------------------------------------------

    def check(
        self, draft: StoreDraft, *, taken: set[str] | None = None, existing: set[str] | None = None
    ) -> ValidStore:
        """Validate a new store against the catalog and the registry; raise with an error per field.

        `existing` is every name key already stored (from `name_keys()`), for checking many drafts with
        one query instead of one each.
        """
        catalog = self._catalog()
        valid, errors = validate_draft(draft, catalog.website_codes, catalog.attribute_codes)
        if "name" not in errors.errors:
            name = normalize_name(draft.name)
            key = name_key(name)
            stored = key in existing if existing is not None else self._name_taken(name)
            if stored:  # named as it is stored, which may differ from what was typed ("shop us")
                errors.add("name", str(StoreNameTaken(self._stored_name(name) or name)))
            elif taken is not None and key in taken:
                errors.add("name", str(StoreNameTaken(name)))
        if errors or valid is None:
            raise StoreValidationError(errors.errors)
        return valid

    def name_keys(self) -> set[str]:
        """Every stored name key (trimmed, case-folded), in one query."""
        with self._db.session() as session:
            return set(session.exec(select(Store.name_key)).all())

    def _name_taken(self, name: str, except_id: int | None = None) -> bool:
        return self._stored_name(name, except_id) is not None

    def _stored_name(self, name: str, except_id: int | None = None) -> str | None:
        """The name, as stored, of the store whose name is `name` but for case and spaces (None: none)."""
        with self._db.session() as session:
            query = select(Store.name).where(Store.name_key == name_key(name))
            if except_id is not None:
                query = query.where(Store.id != except_id)
            return session.exec(query).first()

    # --- changing -----------------------------------------------------------------------------------

    def add(self, draft: StoreDraft) -> Store:
        return self.add_many([draft])[0]

    def add_many(self, drafts: Sequence[StoreDraft]) -> list[Store]:
        """Add stores in one transaction: all of them or none."""
        inserted: list[dict[str, Any]] = []
        ids = self.import_many(drafts, inserted=inserted)
        # Built from what was inserted, not read back: another admin may already have changed them.
        return [Store(id=store_id, **values) for store_id, values in zip(ids, inserted, strict=True)]

    def import_many(
        self, drafts: Sequence[StoreDraft], *, inserted: list[dict[str, Any]] | None = None
    ) -> list[int]:
        """Add stores in one transaction, all or none; their ids (no objects: imports can be large)."""
        if not drafts:  # an INSERT with no rows would insert one row of defaults
            return []
        valid: list[ValidStore] = []
        seen: set[str] = set()
        existing = self.name_keys() if len(drafts) > 1 else None
        for draft in drafts:
            store = self.check(draft, taken=seen, existing=existing)
            seen.add(name_key(store.name))
            valid.append(store)
        now = utcnow()
        values = [
            {
                "name": v.name,
                "name_key": name_key(v.name),
                "email": v.email,
                "country": v.country,
                "website": v.website,
                "product_id_type": v.product_id_type.value if v.product_id_type else None,
                "attribute": v.attribute,
                "status": StoreStatus.NOT_CONNECTED.value,
                "marketplace_id": MARKETPLACES[v.country].marketplace_id,
                "auth_revoked": False,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for v in valid
        ]
        if inserted is not None:
            inserted.extend(values)
        store_table = Store.__table__  # type: ignore[attr-defined]
        activity_table = Activity.__table__  # type: ignore[attr-defined]
        # Core inserts, not ORM objects: building 10,000 SQLModel instances took seconds by itself.
        crash_point("add.before-transaction")
        with self._db.session() as session:
            try:
                ids = list(
                    session.execute(
                        store_table.insert().returning(store_table.c.id, sort_by_parameter_order=True), values
                    ).scalars()
                )
                crash_point("add.after-insert")
                session.execute(
                    activity_table.insert(),
                    [
                        {
                            "store_id": store_id,
                            "at": now,
                            "action": "created",
                            "detail": _created_detail_of(v),
                        }
                        for store_id, v in zip(ids, valid, strict=True)
                    ],
                )
                crash_point("add.before-commit")
                session.commit()
                crash_point("add.after-commit")
            except IntegrityError:
                session.rollback()
                clash = next((stored for v in valid if (stored := self._stored_name(v.name))), valid[0].name)
                raise StoreNameTaken(clash) from None
        return ids

    def edit(self, store_id: int, change: StoreEdit, expected_version: int) -> Store:
        errors: dict[str, str] = {}
        name_error = validate_name(change.name)
        if name_error:
            errors["name"] = name_error
        elif self._name_taken(change.name, except_id=store_id):
            stored = self._stored_name(change.name, except_id=store_id)
            errors["name"] = str(StoreNameTaken(stored or normalize_name(change.name)))
        email_error = validate_email(change.email)
        if email_error:
            errors["email"] = email_error
        if errors:
            raise StoreValidationError(errors)
        new_name, new_email = normalize_name(change.name), change.email.strip()

        def apply(store: Store) -> str | None:
            # The activity log is stored, in English, for whoever reads it later in whatever language.
            details = []
            if store.name != new_name:
                details.append(f"name {store.name!r} → {new_name!r}")  # i18n: not shown
            if store.email != new_email:
                details.append(f"email {store.email} → {new_email}")  # i18n: not shown
            if not details:
                return None
            store.name, store.name_key, store.email = new_name, name_key(new_name), new_email
            return "; ".join(details)

        return self._change(store_id, expected_version, "edited", apply)

    def set_active(self, store_id: int, active: bool, expected_version: int) -> Store:
        def apply(store: Store) -> str | None:
            if store.status == StoreStatus.NOT_CONNECTED.value:
                raise ActionNotAllowed(
                    (
                        _(
                            "Store {name!r} is not connected to Amazon yet, so it cannot be activated; "
                            "connect it first (c)."
                        )
                        if active
                        else _(
                            "Store {name!r} is not connected to Amazon yet, so it cannot be deactivated; "
                            "connect it first (c)."
                        )
                    ).format(name=store.name)
                )
            target = StoreStatus.ACTIVE.value if active else StoreStatus.INACTIVE.value
            if store.status == target:
                return None
            store.status = target
            return ""

        return self._change(store_id, expected_version, "activated" if active else "deactivated", apply)

    def delete(self, store_id: int, expected_version: int | None = None) -> Store:
        """Delete the store (its activity log goes with it); refused if it changed since that version.

        Without a version, the store as read here is deleted only if nobody changes it meanwhile, so the
        returned row (its token reference) is exactly what was deleted. Its refresh token is noted for
        removal in the same transaction, so a crash before the keyring forgets it leaves no unnamed secret.
        """
        crash_point("delete.before-transaction")
        with self._db.session() as session:
            store = session.get(Store, store_id)
            if store is None:
                raise StoreNotFound(f"#{store_id}")
            version = store.version if expected_version is None else expected_version
            if store.version != version:
                raise StoreChanged(store.name)
            session.expunge(store)
            table = Store.__table__  # type: ignore[attr-defined]
            deleted = session.execute(
                table.delete().where(table.c.id == store_id, table.c.version == version)
            )
            if deleted.rowcount != 1:  # type: ignore[attr-defined]
                session.rollback()
                raise self._lost(store_id, store.name)
            crash_point("delete.after-delete")
            authorizations.release(session, store.authorization_id, None)
            if store.token_ref:
                session.merge(Preference(key=ORPHAN_NOTE_PREFIX + store.token_ref, value=""))
            session.commit()
            crash_point("delete.after-commit")
            return store

    def _lost(self, store_id: int, name: str) -> StoreChanged | StoreNotFound:
        """Why a guarded write matched no row: someone else changed the store, or deleted it."""
        with self._db.session() as session:
            gone = session.get(Store, store_id) is None
        return StoreNotFound(name) if gone else StoreChanged(name)

    def _change(
        self,
        store_id: int,
        expected_version: int,
        action: str,
        apply: Callable[[Store], str | None],
    ) -> Store:
        """Apply one change if nobody changed the store meanwhile, and log it, in one transaction."""
        crash_point("change.before-transaction")
        with self._db.session() as session:
            store = session.get(Store, store_id)
            if store is None:
                raise StoreNotFound(f"#{store_id}")
            if store.version != expected_version:
                raise StoreChanged(store.name)
            # Changes go to the database only through the guarded UPDATE below, never by a flush.
            session.expunge(store)
            detail = apply(store)
            if detail is None:
                return store
            now = utcnow()
            store.updated_at = now
            store.version = expected_version + 1
            # The version in the WHERE clause makes the check hold even against a concurrent writer. The
            # UPDATE goes first, the activity row after: inserting it first (its foreign key share-locks
            # the store) made two PostgreSQL admins editing one store deadlock on the UPDATE.
            table = Store.__table__  # type: ignore[attr-defined]
            try:
                updated = session.execute(
                    table.update()
                    .where(table.c.id == store_id, table.c.version == expected_version)
                    .values(
                        name=store.name,
                        name_key=store.name_key,
                        email=store.email,
                        status=store.status,
                        version=store.version,
                        updated_at=now,
                    )
                )
                if updated.rowcount != 1:  # type: ignore[attr-defined]
                    session.rollback()
                    raise self._lost(store_id, store.name)
                crash_point("change.after-update")
                session.add(Activity(store_id=store_id, at=now, action=action, detail=detail))
                session.flush()
                crash_point("change.before-commit")
                session.commit()
                crash_point("change.after-commit")
            except IntegrityError:
                # Both databases check the unique name as the UPDATE runs: another admin took it just now.
                session.rollback()
                raise StoreNameTaken(
                    self._stored_name(store.name, except_id=store_id) or store.name
                ) from None
            return store


def _created_detail_of(store: ValidStore) -> str:
    kind = store.product_id_type.value if store.product_id_type else None
    mapping = f", {kind} from {store.attribute}" if store.attribute else ""
    return f"{store.country} marketplace, website {store.website}{mapping}"
