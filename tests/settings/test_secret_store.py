"""A keyring that hangs or fails becoming one sentence."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from asc_tui.settings.secret_store import (
    CLIENT_SECRET_ENV,
    SecretStore,
    SecretsUnavailable,
    open_secret_store,
)


class HangingKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(10)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"cannot store {password}")

    def delete_password(self, service: str, username: str) -> None:
        pass


def test_a_hung_keyring_becomes_an_error_in_seconds() -> None:
    backend = HangingKeyring()
    store = SecretStore(lambda: backend, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(SecretsUnavailable, match=r"did not answer within 0\.3 s"):
        store.get("lwa-client-secret")
    assert time.monotonic() - started < 5  # the keyring would have hung until released (bounded for load)
    backend.release.set()


def test_keyring_errors_never_quote_the_secret() -> None:
    store = SecretStore(HangingKeyring, timeout=1)
    with pytest.raises(SecretsUnavailable) as caught:
        store.set("refresh-token/x", "Atzr|very-secret")
    assert "very-secret" not in str(caught.value) and "RuntimeError" in str(caught.value)


def test_no_keyring_at_all_says_what_to_do() -> None:
    store = SecretStore(fail.Keyring)
    with pytest.raises(SecretsUnavailable, match="No keyring service runs on this machine"):
        store.get("x")


def test_environment_wins_for_the_client_secret(tmp_path: Path) -> None:
    store = open_secret_store(sandbox=True, data_dir=tmp_path)
    store.set("lwa-client-secret", "from-keyring")
    assert store.client_secret() == "from-keyring"
    env_store = SecretStore(
        lambda: store._usable_backend(), service=store.service, environ={CLIENT_SECRET_ENV: "env"}
    )
    assert env_store.client_secret() == "env"
