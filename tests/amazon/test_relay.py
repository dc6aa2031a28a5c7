"""The static relay page for a registered HTTPS redirect URI."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from asc_tui.amazon.relay import loopback_target, relay_page


def script_of(page: str) -> str:
    match = re.search(r"<script>(.*?)</script>", page, re.S)
    assert match is not None
    return match.group(1)


def test_forwards_to_the_loopback_listener_with_the_query() -> None:
    page = relay_page("127.0.0.1:8976", "/amazon/callback")
    script = script_of(page)
    assert 'var target = "http://127.0.0.1:8976/amazon/callback";' in script
    assert "window.location.replace(target + search)" in script
    assert "window.location.search" in script


def test_is_self_contained_and_static() -> None:
    page = relay_page("127.0.0.1:8976", "/amazon/callback")
    assert page.count("<script") == 1
    assert "src=" not in page and "href=" not in page and "<link" not in page and "@import" not in page
    assert "url(" not in page
    # the only address in the page is the listener's
    assert set(re.findall(r"https?://[^\s\"'<]+", page)) == {"http://127.0.0.1:8976/amazon/callback"}
    assert page == relay_page("127.0.0.1:8976", "/amazon/callback")
    assert '<meta name="referrer" content="no-referrer">' in page


def test_csp_allows_exactly_its_own_script() -> None:
    page = relay_page("127.0.0.1:8976", "/amazon/callback")
    match = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert match is not None
    csp = match.group(1)
    digest = base64.b64encode(hashlib.sha256(script_of(page).encode()).digest()).decode()
    assert csp == f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'"


def test_works_without_javascript() -> None:
    page = relay_page("127.0.0.1:8976", "/amazon/callback")
    noscript = re.search(r"<noscript>(.*?)</noscript>", page, re.S)
    assert noscript is not None
    assert "address bar" in noscript.group(1) and "paste" in noscript.group(1)


def test_fallback_shows_the_address_to_copy() -> None:
    page = relay_page("127.0.0.1:8976", "/amazon/callback")
    assert re.search(r'<textarea id="address" readonly', page)
    assert '<button id="copy" type="button">Copy</button>' in page
    assert '<section id="fallback" hidden>' in page
    script = script_of(page)
    assert "address.value = window.location.href" in script
    assert "navigator.clipboard" in script
    assert "setTimeout(showFallback" in script


def test_config_values_cannot_break_out_of_the_script() -> None:
    page = relay_page("127.0.0.1:8976", '/cb</script><script>alert(1)</script>"')
    assert page.count("</script>") == 1
    assert "\\u003c/script\\u003e" in script_of(page)


@pytest.mark.parametrize(
    ("listen", "target"),
    [
        ("127.0.0.1:8976", "http://127.0.0.1:8976/cb"),
        ("0.0.0.0:8976", "http://127.0.0.1:8976/cb"),
        ("[::]:8976", "http://[::1]:8976/cb"),
        ("[::1]:8976", "http://[::1]:8976/cb"),
        ("localhost:80", "http://localhost:80/cb"),
    ],
)
def test_loopback_target(listen: str, target: str) -> None:
    assert loopback_target(listen, "/cb") == target


@pytest.mark.parametrize("listen", ["127.0.0.1:0", "127.0.0.1", "8976", "127.0.0.1:x"])
def test_needs_a_fixed_port(listen: str) -> None:
    with pytest.raises(ValueError, match="fixed port"):
        relay_page(listen, "/cb")


def test_needs_an_absolute_path() -> None:
    with pytest.raises(ValueError):
        relay_page("127.0.0.1:8976", "cb")
