"""The process's access-token cache against the sandbox's Login with Amazon: one exchange per store until
60 s before the token expires, one per app secret."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from asc_tui.amazon.errors import InvalidClient
from asc_tui.amazon.http import RetryPolicy
from asc_tui.amazon.token_cache import AccessTokenCache, LwaApp
from asc_tui.sandbox import DEMO_SELLERS, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SandboxEmulator

NA, UK, US_ONLY = DEMO_SELLERS[:3]
FAST = RetryPolicy(max_attempts=2, initial_wait=0.01, max_wait=0.02, jitter=0.0)


@pytest.fixture(scope="module")
def emu() -> Iterator[SandboxEmulator]:
    with SandboxEmulator() as emulator:
        yield emulator


def exchanges(emu: SandboxEmulator) -> int:
    return sum(secret.startswith("Atza|") for secret in emu.issued_secrets)


def test_a_token_is_reused_until_a_minute_before_it_expires(emu: SandboxEmulator) -> None:
    clock = [0.0]
    cache = AccessTokenCache(retry_policy=FAST, clock=lambda: clock[0])
    app = LwaApp(emu.lwa_token_url, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET)
    refresh = emu.authorize_directly(NA)
    before = exchanges(emu)
    first = cache.access_token(app, refresh)
    clock[0] = 3600 - 61  # the sandbox's tokens live an hour
    assert cache.access_token(app, refresh) == first
    assert exchanges(emu) == before + 1
    clock[0] = 3600 - 59  # within the last minute: a new one, before Amazon refuses the old
    assert cache.access_token(app, refresh) != first
    assert exchanges(emu) == before + 2

    other = emu.authorize_directly(US_ONLY)  # another store: its own token
    assert cache.access_token(app, other) not in (first, cache.access_token(app, refresh))
    assert exchanges(emu) == before + 3


def test_a_rotated_secret_is_a_new_client_not_the_old_tokens(emu: SandboxEmulator) -> None:
    cache = AccessTokenCache(retry_policy=FAST)
    refresh = emu.authorize_directly(NA)
    old = LwaApp(emu.lwa_token_url, SANDBOX_CLIENT_ID, "the-old-secret")
    with pytest.raises(InvalidClient):
        cache.access_token(old, refresh)
    new = LwaApp(emu.lwa_token_url, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET)
    assert cache.access_token(new, refresh).startswith("Atza|")
    assert "the-old-secret" not in repr(old) + repr(cache)
    cache.close()
