"""A keyring backend that never answers, as a Secret Service stuck on D-Bus does (named in tests by path)."""

from __future__ import annotations

import threading

from keyring.backend import KeyringBackend

_NEVER = threading.Event()


class HangingKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        _NEVER.wait(60)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        _NEVER.wait(60)

    def delete_password(self, service: str, username: str) -> None:
        _NEVER.wait(60)
