import json
from pathlib import Path

import pytest
from sqlalchemy import text

from asc_tui.domain import StoreDraft, StoreEdit, matches_filter
from asc_tui.errors import ActionNotAllowed, StoreChanged, StoreValidationError
from asc_tui.services.importing import ImportFileError, ImportProblems, read_import_file
from asc_tui.services.registry import Registry
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
    with registry.database.engine.begin() as conn, pytest.raises(Exception, match="UNIQUE"):
        conn.execute(
            text(
                "INSERT INTO store (name, name_key, email, country, website, status, auth_revoked, version,"
                " created_at, updated_at) VALUES ('x', 'amazon store usa', 'a@b.co', 'US', 'base',"
                " 'not_connected', 0, 1, '2026-01-01', '2026-01-01')"
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
