"""Hostile text in every field a store has, through the domain rules and the store service.

Each value is either saved exactly as the rules promise (read back equal from a second registry, another
connection to the same database) or refused with a StoreValidationError whose messages are one sentence
each, and then nothing at all changed.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from asc_tui.domain import StoreDraft, StoreEdit, validate_draft
from asc_tui.errors import StoreValidationError
from asc_tui.services.registry import Registry, open_registry

from .nasty import NASTY, expected_name, is_one_sentence, nasty_text, raw_controls

SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
WEBSITES = {"base"}
ATTRIBUTES = {"sku", "name", "color"}
COUNTRIES = {"US": "US", "CA": "CA", "MX": "MX", "UK": "UK", "GB": "UK"}
ID_TYPES = {"ASIN", "EAN", "GCID", "ISBN", "UPC"}
PAIR = {"product_id_type": "attribute", "attribute": "product_id_type"}
_numbers = itertools.count(1)


def padded(values: set[str]) -> st.SearchStrategy[str]:
    """A valid code, in any case and with spaces around it, or any hostile text."""
    valid = st.tuples(st.sampled_from(sorted(values)), st.sampled_from(["", " ", "\t"]), st.booleans()).map(
        lambda t: f"{t[1]}{t[0].lower() if t[2] else t[0]}{t[1]}"
    )
    return st.one_of(valid, nasty_text())


def assert_refusal(exc: StoreValidationError, allowed: set[str]) -> None:
    assert exc.errors, "a refusal names at least one field"
    assert set(exc.errors) <= allowed, exc.errors
    for message in exc.errors.values():
        assert is_one_sentence(message), repr(message)
    assert is_one_sentence(str(exc)) or len(exc.errors) > 1


def snapshot(registry: Registry) -> list[tuple[Any, ...]]:
    """Everything stored about every store, plus the number of activity rows."""
    with registry.database.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, name, name_key, email, country, website, product_id_type, attribute, status,"
                " version, updated_at FROM store ORDER BY id"
            )
        ).all()
        activity = conn.execute(text("SELECT count(*) FROM activity")).scalar_one()
    return [tuple(row) for row in rows] + [("activity", activity)]


def stored_names(registry: Registry) -> set[str]:
    return {s.name.casefold() for s in registry.stores.list_stores()}


@pytest.fixture
def registries() -> Iterator[tuple[Registry, Registry]]:
    """One registry that writes and another, on its own connection, that reads back what was saved."""
    writer = open_registry()
    reader = open_registry()
    try:
        yield writer, reader
    finally:
        writer.close()
        reader.close()


# --- the domain rules alone: every field hostile at once ---------------------------------------------


@settings(max_examples=400, deadline=None)
@given(
    name=nasty_text(),
    email=nasty_text(),
    country=padded(set(COUNTRIES)),
    website=padded(WEBSITES),
    id_type=st.one_of(st.just(""), padded(ID_TYPES)),
    attribute=st.one_of(st.just(""), padded(ATTRIBUTES)),
)
def test_validate_draft_either_accepts_clean_values_or_says_why_per_field(
    name: str, email: str, country: str, website: str, id_type: str, attribute: str
) -> None:
    draft = StoreDraft(name, email, country, website, id_type, attribute)
    valid, errors = validate_draft(draft, WEBSITES, ATTRIBUTES)
    for message in errors.errors.values():
        assert is_one_sentence(message), repr(message)
    if valid is None:
        assert errors.errors
        return
    assert not errors.errors
    assert valid.name == expected_name(name, set())
    assert valid.email == email.strip() and not raw_controls(valid.email)
    assert valid.country == COUNTRIES[country.strip().upper()]
    assert valid.website == website.strip() in WEBSITES
    assert (valid.product_id_type or "") == id_type.strip().upper()
    assert (valid.attribute or "") == attribute.strip()


@pytest.mark.parametrize("label", sorted(NASTY))
def test_each_nasty_name_has_the_expected_outcome(label: str) -> None:
    value = NASTY[label]
    valid, errors = validate_draft(StoreDraft(value, "s@example.com", "US", "base"), WEBSITES, ATTRIBUTES)
    expected = expected_name(value, set())
    assert (valid.name if valid else None) == expected, errors.errors
    if expected is None:
        assert is_one_sentence(errors.errors["name"])


# --- adding a store -------------------------------------------------------------------------------------


@SETTINGS
@given(
    field=st.sampled_from(["name", "email", "country", "website", "product_id_type", "attribute"]),
    data=st.data(),
)
def test_add_with_one_hostile_field_saves_exactly_or_changes_nothing(
    registries: tuple[Registry, Registry], field: str, data: st.DataObject
) -> None:
    writer, reader = registries
    strategies: dict[str, st.SearchStrategy[str]] = {
        "name": nasty_text(),
        "email": nasty_text(),
        "country": padded(set(COUNTRIES)),
        "website": padded(WEBSITES),
        "product_id_type": padded(ID_TYPES),
        "attribute": padded(ATTRIBUTES),
    }
    value = data.draw(strategies[field], label=field)
    values = {
        "name": f"Base {next(_numbers)}",
        "email": "seller@example.com",
        "country": "US",
        "website": "base",
        "product_id_type": "ASIN",
        "attribute": "sku",
    }
    values[field] = value
    taken = stored_names(reader)
    before = snapshot(reader)
    try:
        store = writer.stores.add(StoreDraft(**values))
    except StoreValidationError as exc:
        assert_refusal(exc, {field, PAIR.get(field, field)})
        assert snapshot(reader) == before, "a refused store changed the registry"
        accepted = False
    else:
        accepted = True
        saved = reader.stores.get(store.id or 0)
        after = snapshot(reader)
        assert after[: len(before) - 1] == before[:-1], "a stored store changed"
        assert len(after) == len(before) + 1 and after[-2][0] == store.id, "not exactly one store added"
        assert after[-1] == ("activity", before[-1][1] + 1)
        assert saved.name == store.name and saved.email == store.email
        if field == "name":
            assert saved.name == expected_name(value, taken)
        elif field == "email":
            assert saved.email == value.strip()
            assert not raw_controls(saved.email) and saved.email.count("@") == 1
        elif field == "country":
            assert saved.country == COUNTRIES[value.strip().upper()]
        elif field == "website":
            assert saved.website == value.strip() == "base"
        elif field == "product_id_type":
            assert saved.product_id_type == value.strip().upper()
        else:
            assert saved.attribute == value.strip() in ATTRIBUTES
    if field == "name":
        assert accepted == (expected_name(value, taken) is not None), repr(value)
    elif field == "country":
        assert accepted == (value.strip().upper() in COUNTRIES), repr(value)
    elif field == "website":
        assert accepted == (value.strip() in WEBSITES), repr(value)
    elif field == "product_id_type":
        assert accepted == (value.strip().upper() in ID_TYPES), repr(value)
    elif field == "attribute":
        assert accepted == (value.strip() in ATTRIBUTES), repr(value)


# --- editing a store ------------------------------------------------------------------------------------


@SETTINGS
@given(field=st.sampled_from(["name", "email"]), value=nasty_text())
def test_edit_with_a_hostile_field_saves_exactly_or_changes_nothing(
    registries: tuple[Registry, Registry], field: str, value: str
) -> None:
    writer, reader = registries
    stores = reader.stores.list_stores()
    if not stores:
        writer.stores.add(StoreDraft("Edit me", "seller@example.com", "US", "base"))
        writer.stores.add(StoreDraft("Other store", "other@example.com", "UK", "base"))
        stores = reader.stores.list_stores()
    current = stores[0]
    change = StoreEdit(
        name=value if field == "name" else current.name,
        email=value if field == "email" else current.email,
    )
    taken = {s.name.casefold() for s in stores[1:]}
    before = snapshot(reader)
    try:
        writer.stores.edit(current.id or 0, change, current.version)
    except StoreValidationError as exc:
        assert_refusal(exc, {field})
        assert snapshot(reader) == before, "a refused edit changed the registry"
        accepted = False
    else:
        accepted = True
        saved = reader.stores.get(current.id or 0)
        if field == "name":
            assert saved.name == expected_name(value, taken)
            assert saved.email == current.email
        else:
            assert saved.email == value.strip() and not raw_controls(saved.email)
            assert saved.name == current.name
        after = snapshot(reader)
        assert after[1:-1] == before[1:-1], "another store changed"
        changed = (saved.name, saved.email) != (current.name, current.email)
        assert saved.version == current.version + (1 if changed else 0)
    if field == "name":
        assert accepted == (expected_name(value, taken) is not None), repr(value)


# --- the fixed list on both databases ------------------------------------------------------------------


def test_every_nasty_value_on_both_databases(registry: Registry) -> None:
    """SQLite and PostgreSQL store the same accepted values and refuse the same ones (NUL, surrogates…)."""
    reader = open_registry()
    try:
        anchor = registry.stores.add(StoreDraft("Anchor", "anchor@example.com", "US", "base"))
        for label, value in NASTY.items():
            taken = stored_names(reader)
            before = snapshot(reader)
            try:
                store = registry.stores.add(StoreDraft(value, "seller@example.com", "CA", "base"))
            except StoreValidationError as exc:
                assert_refusal(exc, {"name"})
                assert snapshot(reader) == before, label
                assert expected_name(value, taken) is None, label
            else:
                assert reader.stores.get(store.id or 0).name == expected_name(value, taken), label
            email = f"{value}@example.com"
            current = reader.stores.get(anchor.id or 0)
            before = snapshot(reader)
            try:
                registry.stores.edit(current.id or 0, StoreEdit("Anchor", email), current.version)
            except StoreValidationError as exc:
                assert_refusal(exc, {"email"})
                assert snapshot(reader) == before, label
            else:
                saved = reader.stores.get(current.id or 0).email
                assert saved == email.strip() and not raw_controls(saved), label
    finally:
        reader.close()


def test_finding_a_store_by_an_undecodable_name_is_not_found() -> None:
    """`stores connect NAME` with invalid UTF-8 in NAME: a plain "no such store", not a database crash."""
    from asc_tui.errors import StoreNotFound

    registry = open_registry()
    try:
        registry.stores.add(StoreDraft("Shop", "s@example.com", "US", "base"))
        for name in (NASTY["surrogate"], NASTY["lone_high_surrogate"], NASTY["nul"], NASTY["10k"]):
            with pytest.raises(StoreNotFound) as caught:
                registry.stores.find(name)
            assert is_one_sentence(str(caught.value)), str(caught.value)
    finally:
        registry.close()


def test_importing_no_stores_adds_nothing() -> None:
    registry = open_registry()
    try:
        assert registry.stores.import_many([]) == []
        assert registry.stores.add_many([]) == []
        assert registry.stores.count() == 0
    finally:
        registry.close()
