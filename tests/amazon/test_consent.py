"""The consent link and the one-time state."""

from __future__ import annotations

import base64
import hmac
from urllib.parse import parse_qsl, urlsplit

import pytest

from asc_tui.amazon.consent import consent_url, new_state, state_matches
from asc_tui.domain import MARKETPLACES

APP_ID = "amzn1.sp.solution.0bf296b5-36a6-4942-a13e-EXAMPLEfcd28"
EXPECTED_HOSTS = {
    "US": "sellercentral.amazon.com",
    "CA": "sellercentral.amazon.ca",
    "MX": "sellercentral.amazon.com.mx",
    "UK": "sellercentral.amazon.co.uk",
}


@pytest.mark.parametrize("code", ["US", "CA", "MX", "UK"])
def test_consent_url_per_marketplace(code: str) -> None:
    state = new_state()
    url = consent_url(MARKETPLACES[code].seller_central, APP_ID, state, draft_app=False)
    parts = urlsplit(url)
    assert parts.scheme == "https"
    assert parts.netloc == EXPECTED_HOSTS[code]
    assert parts.path == "/apps/authorize/consent"
    assert parse_qsl(parts.query, strict_parsing=True) == [("application_id", APP_ID), ("state", state)]


def test_draft_app_adds_version_beta_and_published_does_not() -> None:
    draft = dict(parse_qsl(urlsplit(consent_url("https://x.example", APP_ID, "s", draft_app=True)).query))
    published = dict(
        parse_qsl(urlsplit(consent_url("https://x.example", APP_ID, "s", draft_app=False)).query)
    )
    assert draft["version"] == "beta"
    assert "version" not in published


def test_redirect_uri_only_when_given_and_encoded() -> None:
    without = consent_url("https://sellercentral.amazon.com/", APP_ID, "s", draft_app=True)
    assert "redirect_uri" not in without
    assert without.startswith("https://sellercentral.amazon.com/apps/authorize/consent?")  # no double slash
    uri = "https://admin.example.com/amazon/callback?x=1&y=2"
    url = consent_url("https://sellercentral.amazon.com", APP_ID, "s", draft_app=True, redirect_uri=uri)
    query = urlsplit(url).query
    assert "redirect_uri=https%3A%2F%2Fadmin.example.com%2Famazon%2Fcallback%3Fx%3D1%26y%3D2" in query
    assert parse_qsl(query) == [
        ("application_id", APP_ID),
        ("state", "s"),
        ("version", "beta"),
        ("redirect_uri", uri),
    ]


def test_consent_url_refuses_an_empty_application_id() -> None:
    with pytest.raises(ValueError, match="application_id"):
        consent_url("https://sellercentral.amazon.com", "  ", "s", draft_app=False)


def test_state_is_256_bit_url_safe_and_unique() -> None:
    states = {new_state() for _ in range(2000)}
    assert len(states) == 2000
    for state in list(states)[:50]:
        assert len(state) == 43
        assert set(state) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        assert len(base64.urlsafe_b64decode(state + "=")) == 32
    # Entropy sanity: every position takes many values across the sample.
    sample = list(states)
    for position in range(42):
        assert len({s[position] for s in sample}) > 30
    assert len({s[42] for s in sample}) > 8  # the last character carries the remaining 4 bits


def test_state_matches() -> None:
    state = new_state()
    assert state_matches(state, state)
    assert state_matches(state, str(state))
    assert not state_matches(state, state[:-1])
    assert not state_matches(state, state + "x")
    assert not state_matches(state, new_state())
    assert not state_matches(state, "")
    assert not state_matches("", "")
    assert not state_matches(state, "é" + state[1:])  # non-ASCII does not raise


def test_state_compare_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert state_matches("abc", "abc")
    assert not state_matches("abc", "abd")
    assert calls == [(b"abc", b"abc"), (b"abc", b"abd")]
