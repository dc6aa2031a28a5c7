"""The keyrings asc-tui can keep secrets in besides the platform's: the encrypted file (keyrings.cryptfile) and
the plaintext file (keyrings.alt), each created owner-only, and a backend named by class path.

Only the libraries' public APIs are used: their keyring methods, `file_path`, and cryptfile's `keyring_key`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asc_tui.errors import EnvironmentProblem, InvalidInput
from asc_tui.i18n import _

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

BACKEND_ENV = "PYTHON_KEYRING_BACKEND"
PASSPHRASE_ENV = "ASC_TUI_KEYRING_PASSPHRASE"
ENCRYPTED_FILE = "secrets.cfg"


class SecretsUnavailable(EnvironmentProblem):
    """The keyring cannot be used; the message says why and what to do."""


class WrongPassphrase(InvalidInput):
    def __init__(self) -> None:
        super().__init__(_("That passphrase does not unlock the secrets file; try again."))


# The platform keyrings, by module and class. Probed one by one rather than through keyring's entry
# points, which import every installed backend (cryptfile, argon2, pycryptodome: ~13 MB) to rank them.
_PLATFORM_CLASSES = (
    ("keyring.backends.macOS", "Keyring"),
    ("keyring.backends.Windows", "WinVaultKeyring"),
    ("keyring.backends.SecretService", "Keyring"),
    ("keyring.backends.libsecret", "Keyring"),
    ("keyring.backends.kwallet", "DBusKeyring"),
)


def platform_backend() -> KeyringBackend | None:
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


def named_backend(class_path: str, data_dir: Path, env: Mapping[str, str]) -> KeyringBackend:
    if class_path.endswith("cryptfile.CryptFileKeyring"):
        encrypted: KeyringBackend = encrypted_file(data_dir, env.get(PASSPHRASE_ENV))
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


def plaintext_file(path: Path) -> Any:  # a KeyringBackend in all but name
    from keyrings.alt.file import PlaintextKeyring  # type: ignore[import-untyped]

    backend = PlaintextKeyring()
    backend.file_path = str(path)
    return OwnerOnlyFile(backend)


def file_has(path: str, service: str, key: str) -> bool:
    import configparser

    from keyrings.alt.escape import escape as escape_for_ini  # type: ignore[import-untyped]

    parser = configparser.RawConfigParser()
    parser.read(path, encoding="utf-8")
    return parser.has_option(escape_for_ini(service), escape_for_ini(key))


def stores_nothing(backend: KeyringBackend) -> bool:
    from keyring.backends import fail

    return isinstance(backend, fail.Keyring)


def passphrase_file(backend: object) -> Any:
    """The encrypted-file backend (made lazily by `encrypted_file`), or None for any other."""
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


def encrypted_file(
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
