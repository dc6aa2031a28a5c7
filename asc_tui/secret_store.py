"""Secrets: the LWA client secret and each store's refresh token live in a keyring, never in the database.

Every keyring call runs in a helper thread with a timeout: a keyring that hangs on D-Bus becomes a clear
error in seconds instead of a frozen screen. Refresh tokens are filed under a random reference (the
store's `token_ref`), so two registries on one machine never share a key and a token written by an attempt
that died can be found and removed by its reference.
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from asc_tui.errors import EnvironmentProblem

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "asc-tui"
SANDBOX_SERVICE = "asc-tui-sandbox"
CLIENT_SECRET_KEY = "lwa-client-secret"
CLIENT_SECRET_ENV = "ASC_TUI_LWA_CLIENT_SECRET"
DEFAULT_TIMEOUT_SECONDS = 10.0

T = TypeVar("T")


class SecretsUnavailable(EnvironmentProblem):
    """The keyring cannot be used; the message says why and what to set."""


def refresh_token_key(token_ref: str) -> str:
    return f"refresh-token/{token_ref}"


def new_token_ref() -> str:
    return uuid.uuid4().hex


class SecretStore:
    """Get, set and delete secrets in one keyring backend, each call bounded by a timeout."""

    def __init__(
        self,
        backend_factory: Callable[[], KeyringBackend],
        *,
        service: str = SERVICE,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        environ: Mapping[str, str] | None = None,
        unprotected: bool = False,
    ) -> None:
        self._factory = backend_factory
        self._backend: KeyringBackend | None = None
        self._backend_lock = threading.Lock()
        self.service = service
        self.timeout = timeout
        self._environ = environ if environ is not None else os.environ
        self.unprotected = unprotected

    def __repr__(self) -> str:
        return f"SecretStore(service={self.service!r})"

    @property
    def backend_name(self) -> str:
        backend = self._backend_or_raise()
        return f"{type(backend).__module__}.{type(backend).__name__}"

    def client_secret(self) -> str | None:
        """The LWA client secret: the environment wins over the keyring (for cron and CI)."""
        from_env = self._environ.get(CLIENT_SECRET_ENV, "").strip()
        if from_env:
            return from_env
        return self.get(CLIENT_SECRET_KEY)

    def get(self, key: str) -> str | None:
        backend = self._backend_or_raise()
        return self._call(f"read {key}", lambda: backend.get_password(self.service, key))

    def set(self, key: str, value: str) -> None:
        backend = self._backend_or_raise()
        self._call(f"save {key}", lambda: backend.set_password(self.service, key, value))

    def delete(self, key: str) -> None:
        """Remove a secret; a secret that is already gone is not an error."""
        from keyring.errors import PasswordDeleteError

        backend = self._backend_or_raise()

        def remove() -> None:
            with contextlib.suppress(PasswordDeleteError):
                backend.delete_password(self.service, key)

        self._call(f"delete {key}", remove)

    def _backend_or_raise(self) -> KeyringBackend:
        with self._backend_lock:
            if self._backend is None:
                self._backend = self._call("open the keyring", self._factory)
            backend = self._backend
        if _is_fail_backend(backend):
            raise SecretsUnavailable(
                "No keyring is available on this machine, so secrets cannot be stored; run a Secret Service "
                "(e.g. gnome-keyring) or name a backend in PYTHON_KEYRING_BACKEND."
            )
        return backend

    def _call(self, what: str, work: Callable[[], T]) -> T:
        """Run `work` in a daemon thread; a hung keyring is abandoned after the timeout."""
        outcome: list[T] = []
        failure: list[BaseException] = []
        finished = threading.Event()

        def run() -> None:
            try:
                outcome.append(work())
            except BaseException as exc:  # re-raised below, in the caller's thread
                failure.append(exc)
            finally:
                finished.set()

        threading.Thread(target=run, name="asc-keyring", daemon=True).start()
        if not finished.wait(self.timeout):
            raise SecretsUnavailable(
                f"The keyring did not answer within {self.timeout:g} s when asked to {what}; check that its "
                "service is running and unlocked, or name another backend in PYTHON_KEYRING_BACKEND."
            )
        if failure:
            exc = failure[0]
            if isinstance(exc, SecretsUnavailable):
                raise exc
            # The keyring's own message may quote what it was given; say only what failed.
            raise SecretsUnavailable(
                f"The keyring could not {what} ({type(exc).__name__}); check that it is unlocked and working."
            ) from None
        return outcome[0]


def _is_fail_backend(backend: KeyringBackend) -> bool:
    from keyring.backends import fail

    return isinstance(backend, fail.Keyring)


def _system_backend() -> KeyringBackend:
    import keyring

    return keyring.get_keyring()


def open_secret_store(*, sandbox: bool, data_dir: Path) -> SecretStore:
    """The platform keyring (or the one PYTHON_KEYRING_BACKEND names); the sandbox keeps its own file.

    The sandbox's tokens are demo credentials for an emulator that forgets them when it stops, so a plain
    file beside the sandbox database is enough, and the sandbox never touches the admin's real keyring.
    """
    if sandbox:
        return SecretStore(
            lambda: _sandbox_backend(data_dir / "sandbox-secrets.cfg"),
            service=SANDBOX_SERVICE,
            unprotected=True,
        )
    return SecretStore(_system_backend)


def _sandbox_backend(path: Path) -> KeyringBackend:
    from keyrings.alt.file import PlaintextKeyring  # type: ignore[import-untyped]

    backend: KeyringBackend = PlaintextKeyring()
    backend.file_path = str(path)  # type: ignore[attr-defined]
    return backend
