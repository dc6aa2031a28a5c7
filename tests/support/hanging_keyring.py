"""A keyring backend that never answers, as a Secret Service stuck on D-Bus does (named in tests by path).

`CALLS` lists what the app asked it, in order, as each question begins: a test waits for the save to start
("set_password") instead of guessing how long checking Amazon's answer takes.
"""

from __future__ import annotations

import threading

from keyring.backend import KeyringBackend

_NEVER = threading.Event()
CALLS: list[str] = []


class HangingKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        CALLS.append("get_password")
        _NEVER.wait(60)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        CALLS.append("set_password")
        _NEVER.wait(60)

    def delete_password(self, service: str, username: str) -> None:
        CALLS.append("delete_password")
        _NEVER.wait(60)
