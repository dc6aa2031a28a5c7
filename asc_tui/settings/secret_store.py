"""Secrets: the LWA client secret and each store's refresh token live in a keyring, never in the database.

Which keyring, in order: a backend the admin named (`PYTHON_KEYRING_BACKEND`, or `[secrets] backend` in
the config); the platform's keyring where one works (Secret Service, macOS Keychain, Windows Credential
Locker); otherwise, once the admin agreed, an encrypted file in the data folder (Argon2 + AES, from
keyrings.cryptfile) unlocked by a passphrase the app asks for, or `ASC_TUI_KEYRING_PASSPHRASE`. keyring's
own automatic choice is never used: with keyrings.alt installed it would pick a plaintext file silently.
A plaintext file is used only when the admin names it, and the app then says secrets are unprotected.

Every keyring call runs in a helper thread with a timeout: a keyring that hangs on D-Bus becomes a clear
error in seconds instead of a frozen screen. Refresh tokens are filed under a random reference (the
store's `token_ref`), so two registries on one machine never share a key, and a token written by an
attempt that died can be found and removed by its reference.
"""

from __future__ import annotations

import contextlib
import enum
import os
import threading
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from asc_tui.errors import InvalidInput
from asc_tui.i18n import N_, _

# Re-exported: the errors the secret store raises and the names of its variables and file are part of its API.
from asc_tui.settings.keyring_backends import BACKEND_ENV as BACKEND_ENV
from asc_tui.settings.keyring_backends import ENCRYPTED_FILE as ENCRYPTED_FILE
from asc_tui.settings.keyring_backends import PASSPHRASE_ENV as PASSPHRASE_ENV
from asc_tui.settings.keyring_backends import SecretsUnavailable as SecretsUnavailable
from asc_tui.settings.keyring_backends import WrongPassphrase as WrongPassphrase
from asc_tui.settings.keyring_backends import (
    encrypted_file,
    file_has,
    named_backend,
    passphrase_file,
    plaintext_file,
    platform_backend,
    stores_nothing,
)

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "asc-tui"
SANDBOX_SERVICE = "asc-tui-sandbox"
CLIENT_SECRET_KEY = "lwa-client-secret"
CLIENT_SECRET_ENV = "ASC_TUI_LWA_CLIENT_SECRET"
PLAINTEXT_FILE = "secrets-plaintext.cfg"
MIN_PASSPHRASE = 8
# A Preference key noting a refresh token whose removal failed; the cleanup before connecting retries.
ORPHAN_NOTE_PREFIX = "orphan-secret/"
DEFAULT_TIMEOUT_SECONDS = 10.0

T = TypeVar("T")

# One thread at a time imports keyring. The dashboard's secrets check and its start-up cleanup used to
# import it (and a backend module that imports it back) at the same moment, and one of them then failed
# with "cannot import name ... from partially initialized module 'keyring'".
_IMPORT_LOCK = threading.Lock()


def _import_keyring() -> None:
    with _IMPORT_LOCK:
        import keyring.backend
        import keyring.errors  # noqa: F401


class BackendKind(enum.StrEnum):
    PLATFORM = "platform"
    NAMED = "named"  # a backend class the admin named
    ENCRYPTED_FILE = "encrypted-file"
    PLAINTEXT_FILE = "plaintext-file"
    SANDBOX = "sandbox"
    NONE = "none"  # no keyring works here and the encrypted file is not set up yet


def refresh_token_key(token_ref: str) -> str:
    return f"refresh-token/{token_ref}"


def new_token_ref() -> str:
    return uuid.uuid4().hex


class SecretStore:
    """Get, set and delete secrets in one keyring backend, each call bounded by a timeout."""

    def __init__(
        self,
        backend_factory: Callable[[], KeyringBackend | None],
        *,
        service: str = SERVICE,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        environ: Mapping[str, str] | None = None,
        unprotected: bool = False,
        kind: BackendKind = BackendKind.NAMED,
        data_dir: Path | None = None,
    ) -> None:
        self._factory = backend_factory
        self._backend: KeyringBackend | None = None
        self._resolved = False
        self._backend_lock = threading.Lock()
        self.service = service
        self.timeout = timeout
        self._environ = environ if environ is not None else os.environ
        self.unprotected = unprotected
        self.kind = kind
        self.data_dir = data_dir

    def __repr__(self) -> str:
        return f"SecretStore(service={self.service!r}, kind={self.kind.value!r})"

    # --- state ------------------------------------------------------------------------------------

    def resolve(self) -> None:
        """Find the backend now (off the UI thread: looking for a platform keyring can touch D-Bus)."""
        self._backend_or_none()

    @property
    def backend_name(self) -> str:
        backend = self._backend_or_none()
        if backend is None:
            return "none"
        return f"{type(backend).__module__}.{type(backend).__name__}"

    @property
    def needs_setup(self) -> bool:
        """No keyring works here and the encrypted file has not been set up."""
        self._backend_or_none()
        return self.kind is BackendKind.NONE

    @property
    def locked(self) -> bool:
        """The encrypted file exists but its passphrase has not been given."""
        backend = self._backend_or_none()
        file = passphrase_file(backend)
        return file is not None and not file.has_passphrase

    def describe(self) -> str:
        """One line for the settings screen and doctor."""
        self._backend_or_none()
        if self.kind is BackendKind.NONE:
            return _("none: no keyring service runs here; set up the encrypted secrets file")
        if self.kind is BackendKind.ENCRYPTED_FILE:
            text = (
                _("encrypted file {path} (locked)") if self.locked else _("encrypted file {path} (unlocked)")
            )
            return text.format(path=self._file_path(ENCRYPTED_FILE))
        if self.kind is BackendKind.PLAINTEXT_FILE:
            return _("plaintext file {path} (UNPROTECTED: secrets are not encrypted)").format(
                path=self._file_path(PLAINTEXT_FILE)
            )
        if self.kind is BackendKind.SANDBOX:
            return _("sandbox file (demo tokens only)")
        return self.backend_name

    def _file_path(self, name: str) -> Path:
        return (self.data_dir or Path(".")) / name

    # --- the encrypted file -------------------------------------------------------------------------

    def set_up_encrypted_file(self, passphrase: str) -> None:
        """Create (or open) the encrypted file with this passphrase and use it from now on."""
        if len(passphrase) < MIN_PASSPHRASE:
            raise InvalidInput(
                _("Choose a passphrase of at least {count} characters.").format(count=MIN_PASSPHRASE)
            )
        if self.data_dir is None:
            raise SecretsUnavailable(_("The encrypted secrets file needs a data folder."))
        backend = self._call(N_("open the encrypted secrets file"), lambda: encrypted_file(self.data_dir))
        self._call(N_("unlock the encrypted secrets file"), lambda: backend.unlock(passphrase))
        with self._backend_lock:
            self._backend, self._resolved = backend, True
            self.kind, self.unprotected = BackendKind.ENCRYPTED_FILE, False

    def unlock(self, passphrase: str) -> None:
        file = passphrase_file(self._backend_or_none())
        if file is None:
            return
        self._call(N_("unlock the encrypted secrets file"), lambda: file.unlock(passphrase))

    def encrypted_file_exists(self) -> bool:
        return self.data_dir is not None and (self.data_dir / ENCRYPTED_FILE).exists()

    # --- secrets --------------------------------------------------------------------------------------

    def client_secret(self) -> str | None:
        """The LWA client secret: the environment wins over the keyring (for cron and CI)."""
        from_env = self._environ.get(CLIENT_SECRET_ENV, "").strip()
        if from_env:
            return from_env
        return self.get(CLIENT_SECRET_KEY)

    def get(self, key: str) -> str | None:
        backend = self._usable_backend()
        return self._call(N_("read a secret"), lambda: backend.get_password(self.service, key))

    def has(self, key: str) -> bool:
        """Whether a secret is stored, without decrypting it (a locked encrypted file can answer)."""
        backend = self._backend_or_none()
        path = getattr(backend, "file_path", None)
        if backend is not None and isinstance(path, str):
            return self._call(N_("look up a secret"), lambda: file_has(path, self.service, key))
        return self.get(key) is not None

    def set(self, key: str, value: str) -> None:
        backend = self._usable_backend()
        self._call(N_("save a secret"), lambda: backend.set_password(self.service, key, value))

    def delete(self, key: str) -> None:
        """Remove a secret; a secret that is already gone is not an error."""
        _import_keyring()
        from keyring.errors import PasswordDeleteError

        backend = self._usable_backend()

        def remove() -> None:
            with contextlib.suppress(PasswordDeleteError):
                backend.delete_password(self.service, key)

        self._call(N_("delete a secret"), remove)

    def _backend_or_none(self) -> KeyringBackend | None:
        with self._backend_lock:
            if not self._resolved:
                self._backend = self._call(N_("open the keyring"), self._factory)
                self._resolved = True
                if self._backend is not None and stores_nothing(self._backend):
                    self._backend = None
                if self._backend is None:
                    self.kind = BackendKind.NONE
            return self._backend

    def _usable_backend(self) -> KeyringBackend:
        backend = self._backend_or_none()
        if backend is None:
            raise SecretsUnavailable(
                _(
                    "No keyring service runs on this machine, so secrets cannot be stored yet; set up the "
                    "encrypted secrets file in asc-tui (it asks), or set [secrets] backend and {passphrase}, or "
                    "name a backend in {backend}."
                ).format(passphrase=PASSPHRASE_ENV, backend=BACKEND_ENV)
            )
        file = passphrase_file(backend)
        if file is not None and not file.has_passphrase:
            raise SecretsUnavailable(
                _(
                    "The encrypted secrets file is locked; enter its passphrase in asc-tui or set {variable}."
                ).format(variable=PASSPHRASE_ENV)
            )
        return backend

    def _call(self, what: str, work: Callable[[], T]) -> T:
        """Run `work` in a daemon thread; a hung keyring is abandoned after the timeout.

        `what` is marked with N_() where it is written and translated here, in the sentence that names it.
        """
        outcome: list[T] = []
        failure: list[BaseException] = []
        finished = threading.Event()

        def run() -> None:
            try:
                _import_keyring()
                outcome.append(work())
            except BaseException as exc:  # re-raised below, in the caller's thread
                failure.append(exc)
            finally:
                finished.set()

        threading.Thread(target=run, name="asc-keyring", daemon=True).start()
        if not finished.wait(self.timeout):
            raise SecretsUnavailable(
                _(
                    "The keyring did not answer within {seconds:g} s when asked to {what}; check that its "
                    "service is running and unlocked, or name another backend in {variable}."
                ).format(seconds=self.timeout, what=_(what), variable=BACKEND_ENV)
            )
        if failure:
            exc = failure[0]
            if isinstance(exc, SecretsUnavailable | WrongPassphrase | InvalidInput):
                raise exc
            where = getattr(exc, "filename", None) or getattr(self._backend, "file_path", None)
            if isinstance(exc, OSError) and exc.strerror and isinstance(where, str):
                # A keyring kept in a file (the encrypted file in the data folder): a full disk, a read-only
                # folder or a permission, named with the folder, not "check that it is unlocked".
                raise SecretsUnavailable(
                    _(
                        "The keyring could not {what} in {folder} ({error}); free some space there or make it "
                        "writable, then try again."
                    ).format(what=_(what), folder=Path(where).parent, error=exc.strerror)
                ) from None
            # The keyring's own message may quote what it was given; say only what failed.
            raise SecretsUnavailable(
                _("The keyring could not {what} ({error}); check that it is unlocked and working.").format(
                    what=_(what), error=type(exc).__name__
                )
            ) from None
        return outcome[0]


# --- choosing the backend -----------------------------------------------------------------------------


def open_secret_store(
    *,
    sandbox: bool,
    data_dir: Path,
    backend: str = "auto",
    environ: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> SecretStore:
    env = os.environ if environ is None else environ
    if sandbox:
        # Demo tokens for an emulator on loopback: a plain file beside the sandbox database, never the
        # admin's real keyring.
        return SecretStore(
            lambda: plaintext_file(data_dir / "sandbox-secrets.cfg"),
            service=SANDBOX_SERVICE,
            kind=BackendKind.SANDBOX,
            environ=env,
            data_dir=data_dir,
            timeout=timeout,
        )
    named = env.get(BACKEND_ENV, "").strip()
    if named or backend not in ("auto", "system", "encrypted-file", "plaintext-file"):
        class_path = named or backend
        return SecretStore(
            lambda: named_backend(class_path, data_dir, env),
            kind=BackendKind.NAMED,
            unprotected="Plaintext" in class_path,
            environ=env,
            data_dir=data_dir,
            timeout=timeout,
        )
    if backend == "plaintext-file":
        return SecretStore(
            lambda: plaintext_file(data_dir / PLAINTEXT_FILE),
            kind=BackendKind.PLAINTEXT_FILE,
            unprotected=True,
            environ=env,
            data_dir=data_dir,
            timeout=timeout,
        )
    if backend == "encrypted-file":
        return SecretStore(
            lambda: encrypted_file(data_dir, env.get(PASSPHRASE_ENV)),
            kind=BackendKind.ENCRYPTED_FILE,
            environ=env,
            data_dir=data_dir,
            timeout=timeout,
        )
    store = SecretStore(
        lambda: None, kind=BackendKind.PLATFORM, environ=env, data_dir=data_dir, timeout=timeout
    )

    def auto() -> KeyringBackend | None:
        platform = platform_backend()
        if platform is not None:
            return platform
        if backend == "system":
            raise SecretsUnavailable(
                _(
                    'The config asks for the system keyring ([secrets] backend = "system"), but none works here; '
                    "start one (e.g. gnome-keyring) or choose another backend."
                )
            )
        if (data_dir / ENCRYPTED_FILE).exists():  # the admin set it up earlier: that was the consent
            store.kind = BackendKind.ENCRYPTED_FILE
            found: KeyringBackend = encrypted_file(data_dir, env.get(PASSPHRASE_ENV))
            return found
        return None

    store._factory = auto
    return store
