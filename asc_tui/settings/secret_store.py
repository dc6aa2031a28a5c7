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
import sys
import threading
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from asc_tui.errors import EnvironmentProblem, InvalidInput
from asc_tui.i18n import N_, _

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "asc-tui"
SANDBOX_SERVICE = "asc-tui-sandbox"
CLIENT_SECRET_KEY = "lwa-client-secret"
CLIENT_SECRET_ENV = "ASC_TUI_LWA_CLIENT_SECRET"
PASSPHRASE_ENV = "ASC_TUI_KEYRING_PASSPHRASE"
BACKEND_ENV = "PYTHON_KEYRING_BACKEND"
ENCRYPTED_FILE = "secrets.cfg"
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


class SecretsUnavailable(EnvironmentProblem):
    """The keyring cannot be used; the message says why and what to do."""


class WrongPassphrase(InvalidInput):
    def __init__(self) -> None:
        super().__init__(_("That passphrase does not unlock the secrets file; try again."))


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
        file = _passphrase_file(backend)
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
        backend = self._call(N_("open the encrypted secrets file"), lambda: _encrypted_file(self.data_dir))
        self._call(N_("unlock the encrypted secrets file"), lambda: backend.unlock(passphrase))
        with self._backend_lock:
            self._backend, self._resolved = backend, True
            self.kind, self.unprotected = BackendKind.ENCRYPTED_FILE, False

    def unlock(self, passphrase: str) -> None:
        file = _passphrase_file(self._backend_or_none())
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
            return self._call(N_("look up a secret"), lambda: _file_has(path, self.service, key))
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
                if self._backend is not None and _stores_nothing(self._backend):
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
        file = _passphrase_file(backend)
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
            lambda: _plaintext_file(data_dir / "sandbox-secrets.cfg"),
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
            lambda: _named_backend(class_path, data_dir, env),
            kind=BackendKind.NAMED,
            unprotected="Plaintext" in class_path,
            environ=env,
            data_dir=data_dir,
            timeout=timeout,
        )
    if backend == "plaintext-file":
        return SecretStore(
            lambda: _plaintext_file(data_dir / PLAINTEXT_FILE),
            kind=BackendKind.PLAINTEXT_FILE,
            unprotected=True,
            environ=env,
            data_dir=data_dir,
            timeout=timeout,
        )
    if backend == "encrypted-file":
        return SecretStore(
            lambda: _encrypted_file(data_dir, env.get(PASSPHRASE_ENV)),
            kind=BackendKind.ENCRYPTED_FILE,
            environ=env,
            data_dir=data_dir,
            timeout=timeout,
        )
    store = SecretStore(
        lambda: None, kind=BackendKind.PLATFORM, environ=env, data_dir=data_dir, timeout=timeout
    )

    def auto() -> KeyringBackend | None:
        platform = _platform_backend()
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
            found: KeyringBackend = _encrypted_file(data_dir, env.get(PASSPHRASE_ENV))
            return found
        return None

    store._factory = auto
    return store


# The platform keyrings, by module and class. Probed one by one rather than through keyring's entry
# points, which import every installed backend (cryptfile, argon2, pycryptodome: ~13 MB) to rank them.
_PLATFORM_CLASSES = (
    ("keyring.backends.macOS", "Keyring"),
    ("keyring.backends.Windows", "WinVaultKeyring"),
    ("keyring.backends.SecretService", "Keyring"),
    ("keyring.backends.libsecret", "Keyring"),
    ("keyring.backends.kwallet", "DBusKeyring"),
)


def _platform_backend() -> KeyringBackend | None:
    import importlib

    best: tuple[float, KeyringBackend] | None = None
    # Without a session bus the D-Bus keyrings cannot work, and importing them loads `cryptography`.
    no_bus = sys.platform.startswith("linux") and not os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    for module_name, class_name in _PLATFORM_CLASSES:
        if no_bus and module_name.endswith(("SecretService", "libsecret", "kwallet")):
            continue
        try:
            cls = getattr(importlib.import_module(module_name), class_name)
            priority = float(cls.priority)  # a class property that raises when the backend cannot work here
        except Exception:  # an unusable backend is simply not a candidate
            continue
        if priority > 0 and (best is None or priority > best[0]):
            best = (priority, cls())
    return best[1] if best else None


def _named_backend(class_path: str, data_dir: Path, env: Mapping[str, str]) -> KeyringBackend:
    if class_path.endswith("cryptfile.CryptFileKeyring"):
        encrypted: KeyringBackend = _encrypted_file(data_dir, env.get(PASSPHRASE_ENV))
        return encrypted
    from keyring.core import load_keyring

    try:
        backend: KeyringBackend = load_keyring(class_path)
    except (ImportError, AttributeError, ValueError, TypeError):
        raise SecretsUnavailable(
            _(
                "The keyring backend {backend!r} cannot be loaded; check {variable} or [secrets] backend."
            ).format(backend=class_path, variable=BACKEND_ENV)
        ) from None
    from keyring.backends import fail

    if isinstance(backend, fail.Keyring):
        raise SecretsUnavailable(
            _("The keyring backend {backend!r} stores nothing; name a working one.").format(
                backend=class_path
            )
        )
    return backend


def _ensure_private_file(file_path: str) -> None:
    """keyrings.alt creates its file with open() (0644 under the usual umask) and chmods it after: here it
    is created owner-only from the start, in a folder created 0700."""
    from asc_tui.system.private_files import create_private, make_private_folder

    make_private_folder(os.path.dirname(file_path) or ".")
    create_private(file_path)


class OwnerOnlyFile:
    """A keyrings.alt file keyring whose file is created owner-only before anything is written to it.

    keyrings.alt creates its file with open() (0644 under the usual umask) and chmods it after; only its
    public keyring methods and `file_path` are used here.
    """

    def __init__(self, backend: Any) -> None:
        self._backend = backend
        self.file_path: str = backend.file_path

    def get_password(self, service: str, username: str) -> str | None:
        value: str | None = self._backend.get_password(service, username)
        return value

    def set_password(self, service: str, username: str, password: str) -> None:
        _ensure_private_file(self.file_path)
        self._backend.set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        self._backend.delete_password(service, username)


def _plaintext_file(path: Path) -> Any:  # a KeyringBackend in all but name
    from keyrings.alt.file import PlaintextKeyring  # type: ignore[import-untyped]

    backend = PlaintextKeyring()
    backend.file_path = str(path)
    return OwnerOnlyFile(backend)


def _file_has(path: str, service: str, key: str) -> bool:
    import configparser

    from keyrings.alt.escape import escape as escape_for_ini  # type: ignore[import-untyped]

    parser = configparser.RawConfigParser()
    parser.read(path, encoding="utf-8")
    return parser.has_option(escape_for_ini(service), escape_for_ini(key))


def _stores_nothing(backend: KeyringBackend) -> bool:
    from keyring.backends import fail

    return isinstance(backend, fail.Keyring)


def _passphrase_file(backend: object) -> Any:
    """The encrypted-file backend (made lazily by `_encrypted_file`), or None for any other."""
    return backend if getattr(backend, "is_passphrase_file", False) else None


class PassphraseFile:
    """keyrings.cryptfile's encrypted file, with the passphrase from the app, never from getpass.

    Only its public API is used (`file_path`, the `keyring_key` setter that checks or sets the passphrase,
    and the keyring methods), and only once a passphrase was given: locked, this refuses in one sentence
    where cryptfile itself would prompt on the terminal.
    """

    is_passphrase_file = True

    def __init__(self, path: Path) -> None:
        self.file_path = str(path)
        self._file: Any = None

    @property
    def has_passphrase(self) -> bool:
        return self._file is not None

    def unlock(self, passphrase: str) -> None:
        from keyrings.cryptfile.cryptfile import CryptFileKeyring  # type: ignore[import-untyped]

        self._file = None  # forget the file opened with an earlier passphrase
        _ensure_private_file(self.file_path)  # cryptfile fills in the empty file
        file = CryptFileKeyring()
        file.file_path = self.file_path
        try:
            file.keyring_key = passphrase  # checks it against the file, or sets up an empty file with it
        except ValueError:  # "Incorrect Password", or a blank one
            raise WrongPassphrase() from None
        self._file = file

    def _unlocked(self) -> Any:
        if self._file is None:
            raise SecretsUnavailable(_("The encrypted secrets file is locked."))
        return self._file

    def get_password(self, service: str, username: str) -> str | None:
        value: str | None = self._unlocked().get_password(service, username)
        return value

    def set_password(self, service: str, username: str, password: str) -> None:
        self._unlocked().set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        self._unlocked().delete_password(service, username)


def _encrypted_file(
    data_dir: Path | None, passphrase: str | None = None
) -> Any:  # a KeyringBackend in all but name
    backend = PassphraseFile((data_dir or Path(".")) / ENCRYPTED_FILE)
    if passphrase:
        try:
            backend.unlock(passphrase)
        except WrongPassphrase:
            raise SecretsUnavailable(
                _(
                    "{variable} does not unlock the encrypted secrets file {path}; set the passphrase it was "
                    "created with."
                ).format(variable=PASSPHRASE_ENV, path=backend.file_path)
            ) from None
    return backend
