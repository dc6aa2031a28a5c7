"""Checking an LWA client ID and secret with Login with Amazon, against the real sandbox emulator."""

from __future__ import annotations

import httpx

from asc_tui.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SandboxEmulator
from asc_tui.services.credentials import ACCEPTED, CHECK_CODE, check_lwa_credentials

CLIENT_ID = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"


def test_the_emulator_tells_a_wrong_code_from_wrong_credentials() -> None:
    """What the check relies on: right credentials + made-up code → invalid_grant; wrong ones → invalid_client."""
    with SandboxEmulator() as emulator:
        form = {"grant_type": "authorization_code", "code": CHECK_CODE, "client_id": SANDBOX_CLIENT_ID}
        right = httpx.post(emulator.lwa_token_url, data={**form, "client_secret": SANDBOX_CLIENT_SECRET})
        wrong = httpx.post(emulator.lwa_token_url, data={**form, "client_secret": "not-the-secret"})
    assert (right.status_code, right.json()["error"]) == (400, "invalid_grant")
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")


def test_credential_check_against_the_emulator() -> None:
    wrong_secret = "wrong-secret-5f3a9c1e"
    with SandboxEmulator() as emulator:
        url = emulator.lwa_token_url
        assert check_lwa_credentials(url, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET) == (True, ACCEPTED)
        ok, message = check_lwa_credentials(url, SANDBOX_CLIENT_ID, wrong_secret)
        assert not ok and "rejected the client ID or the client secret" in message
        assert wrong_secret not in message
        ok, message = check_lwa_credentials(url, CLIENT_ID, SANDBOX_CLIENT_SECRET)
        assert not ok and "invalid_client" in message
        assert SANDBOX_CLIENT_SECRET not in message
        # Nothing was issued: the made-up code never became a token.
        assert emulator.issued_secrets == []


def test_credential_check_reports_other_problems_in_one_sentence() -> None:
    with SandboxEmulator() as emulator:
        url = emulator.lwa_token_url
        emulator.fail_next("/auth/o2/token", status=503, count=5)
        ok, message = check_lwa_credentials(url, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, timeout=2)
    assert not ok and "could not be reached (HTTP 503)" in message
    ok, message = check_lwa_credentials("not a url", SANDBOX_CLIENT_ID, "s3cr3t-value", timeout=2)
    assert not ok and "not a valid http(s) URL" in message and "s3cr3t-value" not in message
    assert check_lwa_credentials("https://api.amazon.com/auth/o2/token", "", "x")[0] is False
    assert check_lwa_credentials("https://api.amazon.com/auth/o2/token", CLIENT_ID, "")[0] is False
