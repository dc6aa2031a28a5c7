from datetime import UTC, datetime, timedelta

import pytest

from asc_tui.domain import (
    AuthHealth,
    StoreDraft,
    auth_health,
    iso_utc,
    name_key,
    validate_draft,
    validate_email,
    validate_name,
)

WEBSITES = {"base"}
ATTRIBUTES = {"sku", "amazon_asin"}


def draft(**changes: str) -> StoreDraft:
    values = {"name": "Amazon Store USA", "email": "seller@example.com", "country": "US", "website": "base"}
    values.update(changes)
    return StoreDraft(**values)


def test_a_complete_draft_is_valid_and_trimmed() -> None:
    valid, errors = validate_draft(draft(name="  Amazon Store USA  ", country="uk"), WEBSITES, ATTRIBUTES)
    assert not errors
    assert valid is not None
    assert valid.name == "Amazon Store USA"
    assert valid.country == "UK"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter a store name."),
        ("   ", "Enter a store name."),
        ("x" * 81, "use at most 80"),
        ("bad\x1b[2Jname", "control characters"),
        ("bell\x07", "control characters"),
        ("evil\u202egnp.exe", "control characters"),
    ],
)
def test_names_that_are_refused(name: str, message: str) -> None:
    error = validate_name(name)
    assert error is not None and message in error


@pytest.mark.parametrize("name", ["美國店", "Tienda México 🇲🇽", "x" * 80, "[bold red]x[/]", "👩‍💻 shop"])
def test_names_in_any_script_are_accepted(name: str) -> None:
    assert validate_name(name) is None


def test_name_key_ignores_case_and_surrounding_space() -> None:
    assert name_key("  Amazon Store USA ") == name_key("amazon store usa")


@pytest.mark.parametrize("email", ["", "no-at", "a@b", "a b@c.com", "a@b\n.com", "x@@y.com"])
def test_bad_emails(email: str) -> None:
    assert validate_email(email) is not None


def test_good_email() -> None:
    assert validate_email(" seller+amazon@shop.example.co.uk ") is None


def test_one_mapping_field_without_the_other_is_an_error() -> None:
    _v, errors = validate_draft(draft(product_id_type="ASIN"), WEBSITES, ATTRIBUTES)
    assert "attribute" in errors.errors
    _v, errors = validate_draft(draft(attribute="amazon_asin"), WEBSITES, ATTRIBUTES)
    assert "product_id_type" in errors.errors
    valid, errors = validate_draft(
        draft(product_id_type="asin", attribute="amazon_asin"), WEBSITES, ATTRIBUTES
    )
    assert not errors and valid is not None and valid.product_id_type is not None


def test_unknown_website_country_and_attribute_each_get_their_field_error() -> None:
    _v, errors = validate_draft(
        draft(website="nope", country="CH", product_id_type="ASIN", attribute="missing"), WEBSITES, ATTRIBUTES
    )
    assert set(errors.errors) == {"website", "country", "attribute"}


NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("age_days", "health", "days_left"),
    [
        (0, AuthHealth.OK, 365),
        (334, AuthHealth.OK, 31),
        (335, AuthHealth.RENEW_SOON, 30),
        (364, AuthHealth.RENEW_SOON, 1),
        (365, AuthHealth.EXPIRED, 0),
        (400, AuthHealth.EXPIRED, 0),
    ],
)
def test_authorization_health_around_the_30_and_365_day_edges(
    age_days: int, health: AuthHealth, days_left: int
) -> None:
    assert auth_health(NOW - timedelta(days=age_days), False, NOW) == (health, days_left)


def test_a_fresh_authorization_has_365_days_left_not_364() -> None:
    assert auth_health(NOW - timedelta(minutes=1), False, NOW) == (AuthHealth.OK, 365)
    assert auth_health(NOW - timedelta(days=335, minutes=1), False, NOW) == (AuthHealth.RENEW_SOON, 30)


def test_health_without_authorization_and_when_revoked() -> None:
    assert auth_health(None, False, NOW) == (AuthHealth.NONE, None)
    assert auth_health(NOW, True, NOW) == (AuthHealth.REVOKED, None)


def test_iso_utc_writes_z_times() -> None:
    assert iso_utc(datetime(2026, 1, 2, 3, 4, 5, 600, tzinfo=UTC)) == "2026-01-02T03:04:05Z"
    assert iso_utc(None) is None
