import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from asc_tui.domain import StoreDraft, StoreEdit, matches_filter
from asc_tui.errors import ActionNotAllowed, StoreChanged, StoreNameTaken, StoreNotFound, StoreValidationError
from asc_tui.services.importing import ImportFileError, ImportProblems, read_import_file
from asc_tui.services.registry import Registry, open_registry
from asc_tui.services.stores import store_record


def draft(name: str = "Amazon Store USA", country: str = "US", **extra: str) -> StoreDraft:
    return StoreDraft(name=name, email="seller@example.com", country=country, website="base", **extra)


def test_add_logs_creation_and_lists_in_order(registry: Registry) -> None:
    first = registry.stores.add(draft())
    second = registry.stores.add(draft("Amazon Store Canada", "CA", product_id_type="ASIN", attribute="sku"))
    assert [s.name for s in registry.stores.list_stores()] == ["Amazon Store USA", "Amazon Store Canada"]
    assert [a.action for a in registry.stores.activity(first.id or 0)] == ["created"]
    record = store_record(second)
    assert record["status"] == "not_connected" and record["auth_health"] == "none"
    assert record["marketplace_id"] == "A2EUQ1WTGCTBG2"
    assert record["created_at"].endswith("Z")


def test_duplicate_names_are_refused_case_insensitively(registry: Registry) -> None:
    registry.stores.add(draft())
    with pytest.raises(StoreValidationError) as caught:
        registry.stores.add(draft("  AMAZON store usa "))
    assert "already exists" in caught.value.errors["name"]
    assert registry.stores.count() == 1


def test_the_database_itself_refuses_a_duplicate_name(registry: Registry) -> None:
    registry.stores.add(draft())
    with registry.database.engine.begin() as conn, pytest.raises(IntegrityError, match=r"(?i)unique"):
        conn.execute(
            text(
                "INSERT INTO store (name, name_key, email, country, website, status, auth_revoked, version,"
                " created_at, updated_at) VALUES ('x', 'amazon store usa', 'a@b.co', 'US', 'base',"
                " 'not_connected', false, 1, '2026-01-01', '2026-01-01')"
            )
        )


def test_edit_changes_name_and_email_and_logs_what_changed(registry: Registry) -> None:
    store = registry.stores.add(draft())
    edited = registry.stores.edit(store.id or 0, StoreEdit("美國店", "new@example.com"), store.version)
    assert (edited.name, edited.email, edited.version) == ("美國店", "new@example.com", 2)
    log = registry.stores.activity(store.id or 0)
    assert log[0].action == "edited" and "美國店" in log[0].detail
    assert registry.stores.get(store.id or 0).name == "美國店"


def test_an_edit_based_on_a_stale_version_is_refused_and_nothing_is_overwritten(registry: Registry) -> None:
    store = registry.stores.add(draft())
    registry.stores.edit(store.id or 0, StoreEdit("First edit", "a@example.com"), store.version)
    with pytest.raises(StoreChanged, match="changed by someone else"):
        registry.stores.edit(store.id or 0, StoreEdit("Second edit", "b@example.com"), store.version)
    assert registry.stores.get(store.id or 0).name == "First edit"


def test_edit_validates_and_refuses_another_stores_name(registry: Registry) -> None:
    registry.stores.add(draft())
    other = registry.stores.add(draft("Other", "UK"))
    with pytest.raises(StoreValidationError) as caught:
        registry.stores.edit(other.id or 0, StoreEdit("amazon store usa", "bad"), other.version)
    assert set(caught.value.errors) == {"name", "email"}


def test_a_store_never_connected_cannot_be_deactivated(registry: Registry) -> None:
    store = registry.stores.add(draft())
    with pytest.raises(ActionNotAllowed, match="not connected to Amazon yet"):
        registry.stores.set_active(store.id or 0, False, store.version)


def test_activate_and_deactivate_a_connected_store(registry: Registry) -> None:
    store = registry.stores.add(draft())
    with registry.database.engine.begin() as conn:
        conn.execute(
            text("UPDATE store SET status='active', seller_id='A1SELLER' WHERE id=:i"), {"i": store.id}
        )
    off = registry.stores.set_active(store.id or 0, False, store.version)
    assert off.status == "inactive"
    on = registry.stores.set_active(store.id or 0, True, off.version)
    assert on.status == "active"
    assert [a.action for a in registry.stores.activity(store.id or 0)][:2] == ["activated", "deactivated"]


def test_delete_removes_the_store_and_its_log(registry: Registry) -> None:
    store = registry.stores.add(draft())
    registry.stores.delete(store.id or 0)
    assert registry.stores.count() == 0
    assert registry.stores.activity(store.id or 0) == []


def test_filter_matches_name_country_website_and_status(registry: Registry) -> None:
    store = registry.stores.add(draft("Tienda", "MX"))
    for needle in ("tien", "mx", "mexico", "base", "not connected", ""):
        assert matches_filter(store, needle), needle
    assert not matches_filter(store, "canada")


def test_import_csv_all_or_nothing_with_line_numbers(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "stores.csv"
    path.write_text(
        "name,email,country,website,product_id_type,attribute\n"
        "A,a@example.com,US,base,,\n"
        "B,broken,CA,base,,\n"
        "C,c@example.com,XX,base,ASIN,\n",
        encoding="utf-8",
    )
    rows = read_import_file(path)
    problems = []
    for row in rows:
        try:
            registry.stores.check(row.draft)
        except StoreValidationError as exc:
            problems += [f"{row.where}: {m}" for m in exc.errors.values()]
    assert any(p.startswith("line 3:") for p in problems)
    assert any(p.startswith("line 4:") for p in problems)
    assert registry.stores.count() == 0


def test_add_many_is_one_transaction(registry: Registry) -> None:
    registry.stores.add(draft("Taken"))
    with pytest.raises(StoreValidationError):
        registry.stores.add_many([draft("New one"), draft("taken")])
    assert [s.name for s in registry.stores.list_stores()] == ["Taken"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"name,email\nA,a@b.co\n", "column 'country' is missing"),
        (b"name,email,country,website,colour\n", "unknown column 'colour'"),
        (b"name,email,country,website\nA,a@b.co,US\n", "has 3 values"),
        (b"\xff\xfename", "not UTF-8"),
        (b'{"name": "x"}', "JSON list"),
        (b'[{"name": 3}]', "name must be text"),
        (b'[{"nom": "x"}]', "unknown key 'nom'"),
        (b"[1, 2]", "must be an object"),
        (b"[", "not valid JSON"),
        (b"a\x00b", "NUL"),
    ],
)
def test_bad_import_files_get_one_sentence(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    with pytest.raises((ImportFileError, ImportProblems), match=message):
        read_import_file(path)


def test_import_json_list(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text(json.dumps([{"name": "A", "email": "a@b.co", "country": "US", "website": "base"}]))
    rows = read_import_file(path)
    assert rows[0].where == "item 1" and rows[0].draft.name == "A"


def test_the_revision_moves_with_every_change_and_only_then(registry: Registry) -> None:
    stores = registry.stores
    seen = [stores.revision()]

    def moved() -> bool:
        seen.append(stores.revision())
        return seen[-1] != seen[-2]

    store = stores.add(draft())
    assert moved()
    stores.list_stores(), stores.get(store.id or 0), stores.activity(store.id or 0), stores.count()
    assert not moved()  # reading changes nothing
    store = stores.edit(store.id or 0, StoreEdit("Renamed", "r@example.com"), store.version)
    assert moved()
    stores.edit(store.id or 0, StoreEdit("Renamed", "r@example.com"), store.version)
    assert not moved()  # an edit that changes nothing
    with registry.database.engine.begin() as conn:  # another program (an older copy, a script)
        conn.execute(
            text("UPDATE store SET status='active', seller_id='A1SELLER' WHERE id=:i"), {"i": store.id}
        )
    assert moved()
    store = stores.set_active(store.id or 0, False, store.version)
    assert moved()
    with pytest.raises(StoreChanged):
        stores.edit(store.id or 0, StoreEdit("Stale", "s@example.com"), store.version - 1)
    assert not moved()  # a refused change leaves no trace
    other = stores.add(draft("Other", "UK"))
    assert moved()
    stores.delete(other.id or 0)
    assert moved()  # a delete is seen too, not only adds and edits
    assert seen == sorted(seen)


def test_delete_refuses_a_store_changed_since_and_says_when_it_is_gone(registry: Registry) -> None:
    store = registry.stores.add(draft())
    registry.stores.edit(store.id or 0, StoreEdit("Edited elsewhere", "e@example.com"), store.version)
    with pytest.raises(StoreChanged, match="changed by someone else"):
        registry.delete_store(store.id or 0, store.version)
    assert registry.stores.count() == 1
    registry.delete_store(store.id or 0, store.version + 1)
    with pytest.raises(StoreNotFound):
        registry.delete_store(store.id or 0, store.version + 1)


def test_an_edit_of_a_store_deleted_meanwhile_says_so(registry: Registry) -> None:
    store = registry.stores.add(draft())
    registry.stores.delete(store.id or 0)
    with pytest.raises(StoreNotFound):
        registry.stores.edit(store.id or 0, StoreEdit("Too late", "t@example.com"), store.version)


def test_two_admins_racing_for_one_name_one_wins_the_other_is_told(registry: Registry) -> None:
    """The check in Python passed for both; the database's unique index decides."""
    first = registry.stores.add(draft("First"))
    second = registry.stores.add(draft("Second"))
    registry.stores.edit(first.id or 0, StoreEdit("Wanted", "a@example.com"), first.version)
    # The second admin's check ran before the first one saved: skip it, as a race would.
    registry.stores._name_taken = lambda *_a, **_k: False  # type: ignore[method-assign]
    with pytest.raises(StoreNameTaken, match="named 'Wanted' already exists"):  # as stored, not as typed
        registry.stores.edit(second.id or 0, StoreEdit("  WANTED ", "b@example.com"), second.version)
    with pytest.raises(StoreNameTaken):
        registry.stores.add(draft("wanted"))
    assert sorted(s.name for s in registry.stores.list_stores()) == ["Second", "Wanted"]
    assert [a.action for a in registry.stores.activity(second.id or 0)] == ["created"]


def test_two_admins_ticking_the_same_task_or_saving_the_catalog_both_succeed(registry: Registry) -> None:
    """Idempotent writes: a second tick, untick or catalog save (another admin's, a moment later) is fine."""
    for _ in range(2):
        registry.presetup.set_done("cron", True)
    assert registry.presetup.done() == {"cron"}
    for _ in range(2):
        registry.presetup.set_done("cron", False)
    assert registry.presetup.done() == set()
    other = open_registry()  # the other admin's copy
    try:
        other.catalog.refresh()
        registry.catalog.refresh()
        with registry.database.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM catalog_snapshot")).scalar() == 1
    finally:
        other.close()
