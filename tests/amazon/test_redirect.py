"""Parsing what comes back from Amazon: a full address, a query, whatever the admin pasted."""

from __future__ import annotations

import pytest

from asc_tui.amazon.redirect import (
    AmbiguousRedirect,
    ConsentUrlPasted,
    EmptyRedirect,
    MissingCode,
    NotARedirect,
    RedirectError,
    RedirectQuery,
    looks_like_refresh_token,
    parse_redirect,
)

QUERY = "state=St4te-_x&selling_partner_id=A3SELLER1234&spapi_oauth_code=ANDGXVFKtDjNovRYtMpT"
FULL = f"https://admin.example.com/amazon/callback?{QUERY}"


def expect_ok(result: RedirectQuery) -> None:
    assert result.state == "St4te-_x"
    assert result.selling_partner_id == "A3SELLER1234"
    assert result.spapi_oauth_code == "ANDGXVFKtDjNovRYtMpT"
    assert not result.is_error
    assert not result.is_login_bounce


@pytest.mark.parametrize(
    "text",
    [
        FULL,
        QUERY,
        "?" + QUERY,
        f'"{FULL}"',
        f"'{FULL}'",
        f"  <{FULL}>\n",
        f"\n\t{FULL}  \r\n",
        f"“{FULL}”",
        # a terminal wrapped the long address over three lines
        FULL[:30] + "\n" + FULL[30:70] + "\n  " + FULL[70:],
        f"admin.example.com/amazon/callback?{QUERY}",
        f"http://127.0.0.1:8976/amazon/callback?{QUERY}#fragment",
        FULL.replace("&", "&amp;"),
    ],
)
def test_accepts_every_form_of_the_answer(text: str) -> None:
    expect_ok(parse_redirect(text))


def test_values_are_percent_decoded_and_unknown_params_ignored() -> None:
    result = parse_redirect(f"{FULL}&mws_auth_token=amzn.mws.x&extra=1&state2=%20")
    expect_ok(result)
    decoded = parse_redirect("?state=a%2Bb%3D&spapi_oauth_code=c%7Cd")
    assert decoded.state == "a+b="
    assert decoded.spapi_oauth_code == "c|d"


def test_consent_link_pasted_by_mistake() -> None:
    consent = (
        "https://sellercentral.amazon.com/apps/authorize/consent?application_id=amzn1.sp.solution.x"
        "&state=abc&version=beta"
    )
    with pytest.raises(ConsentUrlPasted) as caught:
        parse_redirect(consent)
    assert str(caught.value) == (
        "That is the consent link; sign in with it in your browser, then paste the address Amazon sent the "
        "browser to afterwards (it contains spapi_oauth_code)."
    )
    with pytest.raises(ConsentUrlPasted):
        parse_redirect("https://sellercentral.amazon.co.uk/apps/authorize/consent")
    with pytest.raises(ConsentUrlPasted):
        parse_redirect("https://sellercentral.example/other?application_id=x&state=y")


def test_missing_code_without_error() -> None:
    with pytest.raises(MissingCode) as caught:
        parse_redirect("https://admin.example.com/amazon/callback?state=abc&selling_partner_id=A1")
    assert "spapi_oauth_code" in str(caught.value)
    with pytest.raises(MissingCode):
        parse_redirect("?state=abc&spapi_oauth_code=")  # empty value counts as missing


def test_error_with_description() -> None:
    result = parse_redirect(
        "https://admin.example.com/amazon/callback?state=abc&error=access_denied"
        "&error_description=The+seller+declined%21"
    )
    assert result.is_error
    assert result.error == "access_denied"
    assert result.error_description == "The seller declined!"
    assert result.spapi_oauth_code is None
    assert result.state == "abc"


def test_login_bounce_is_returned_without_a_code() -> None:
    result = parse_redirect(
        "https://admin.example.com/amazon/login?amazon_callback_uri=https%3A%2F%2Fsellercentral.amazon.com"
        "%2Fapps%2Fauthorize%2Fconfirm%2Fx&amazon_state=AS1&selling_partner_id=A1"
    )
    assert result.is_login_bounce
    assert result.amazon_callback_uri == "https://sellercentral.amazon.com/apps/authorize/confirm/x"
    assert result.amazon_state == "AS1"
    assert not result.is_error


def test_repeated_parameters_are_refused() -> None:
    with pytest.raises(AmbiguousRedirect) as caught:
        parse_redirect(FULL + "&state=other")
    assert "'state'" in str(caught.value)
    with pytest.raises(AmbiguousRedirect):
        parse_redirect(FULL + "&spapi_oauth_code=ANDGXVFKtDjNovRYtMpT")  # even the same value


@pytest.mark.parametrize("text", ["", "   ", "\n\n", '""', "''", " < > "])
def test_empty(text: str) -> None:
    with pytest.raises(EmptyRedirect) as caught:
        parse_redirect(text)
    assert "Paste the address" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    ["hello", "https://admin.example.com/amazon/callback", "Atzr|IwEBIA-refresh", "x" * 20000],
)
def test_not_an_answer(text: str) -> None:
    with pytest.raises(NotARedirect):
        parse_redirect(text)


def test_every_error_is_a_value_error_with_one_sentence() -> None:
    for text in ["", "hello", FULL + "&state=x", "?state=a"]:
        with pytest.raises(RedirectError) as caught:
            parse_redirect(text)
        assert isinstance(caught.value, ValueError)
        message = str(caught.value)
        assert message.endswith(".") and message[0].isupper()


def test_repr_hides_the_code() -> None:
    result = parse_redirect(FULL)
    assert "ANDGXVFKtDjNovRYtMpT" not in repr(result)
    assert "St4te" not in repr(result)


def test_looks_like_refresh_token() -> None:
    assert looks_like_refresh_token("Atzr|IwEBIA-refresh-token")
    assert looks_like_refresh_token('  "Atzr|IwEBIA-refresh\n-token"  ')
    assert not looks_like_refresh_token("Atzr|")
    assert not looks_like_refresh_token("Atza|access-token")
    assert not looks_like_refresh_token(FULL)
    assert not looks_like_refresh_token("")


def test_control_characters_are_stripped_from_every_value() -> None:
    """ESC/OSC/CSI sequences and bidi controls in Amazon's answer (or a forged one) never reach a screen."""
    query = (
        "?state=S%1b%5b2J1&error=access_denied&error_description=%1b%5d0%3bpwned%07No%1b%5d52%3bc%3bZXZpbA%3d%3d%07"
        "%c2%9b31m%e2%80%aethanks&selling_partner_id=A1%0d%0aX"
    )
    result = parse_redirect(query)
    assert result.state == "S[2J1"
    assert result.error_description == "]0;pwnedNo]52;c;ZXZpbA==31mthanks"
    assert result.selling_partner_id == "A1X"
