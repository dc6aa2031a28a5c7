"""Walk the sandbox's consent pages over plain HTTP (no browser): for fast service and CLI tests.

The browser itself is exercised by the headless-Chromium tests; these helpers post the same forms.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import httpx

from asc_tui.sandbox import SandboxSeller


def follow(client: httpx.Client, response: httpx.Response) -> httpx.Response:
    """Follow the emulator's own 303s, not the final 302 to the app's redirect URI."""
    while response.status_code == 303:
        response = client.get(urljoin(str(response.url), response.headers["location"]))
    return response


def submit(client: httpx.Client, page: httpx.Response, **fields: str) -> httpx.Response:
    """Post the page's form with its CSRF token and these fields; the answer, not followed."""
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert action and token, page.text
    url = urljoin(str(page.url), action.group(1).replace("&amp;", "&"))
    return client.post(url, data={"csrf": token.group(1), **fields})


def approve(consent_url: str, seller: SandboxSeller, *, decline: bool = False) -> str:
    """Sign in, pass 2FA, tick "I understand…", Next, Continue (or Decline): the address Amazon sends back."""
    with httpx.Client(follow_redirects=False, timeout=10) as client:
        page = follow(client, client.get(consent_url))
        if 'id="signin"' in page.text:
            page = follow(client, submit(client, page, email=seller.email, password=seller.password))
            page = follow(client, submit(client, page, otp=seller.otp))
        assert 'id="understand"' in page.text, page.text
        if decline:
            final = submit(client, page, action="decline")
        else:
            page = follow(client, submit(client, page, action="next", understand="yes"))
            assert "You are almost done" in page.text
            final = submit(client, page, action="continue")
        assert final.status_code == 302, final.text
        return final.headers["location"]
