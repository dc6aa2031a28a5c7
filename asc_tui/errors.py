"""Errors a user can meet, each one clear sentence, and the exit code the CLI gives it."""

from __future__ import annotations

from asc_tui.i18n import _

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_ENVIRONMENT = 2


class AscError(Exception):
    """Base of every error meant for a user: str() is the sentence to show."""

    exit_code = EXIT_INVALID

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(AscError):
    """The user's input was refused; nothing was changed."""


class StoreValidationError(InvalidInput):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


class StoreNameTaken(InvalidInput):
    def __init__(self, name: str) -> None:
        super().__init__(_("A store named {name!r} already exists; choose another name.").format(name=name))


class StoreNotFound(InvalidInput):
    def __init__(self, name: str) -> None:
        shown = repr(name[:80]) + ("…" if len(name) > 80 else "")  # what was asked for may be any length
        super().__init__(_("There is no store named {name}.").format(name=shown))


class StoreChanged(InvalidInput):
    def __init__(self, name: str) -> None:
        super().__init__(
            _("Store {name!r} was changed by someone else — reloaded; make your change again.").format(
                name=name
            )
        )


class ActionNotAllowed(InvalidInput):
    """An action that the store's state does not allow (e.g. deactivating a store never connected)."""


class EnvironmentProblem(AscError):
    exit_code = EXIT_ENVIRONMENT


class DatabaseProblem(EnvironmentProblem):
    """The database cannot be opened, read or written."""


class ConfigProblem(EnvironmentProblem):
    """The config file cannot be read or holds a wrong value."""


class ConnectInProgress(ActionNotAllowed):
    """Another attempt (this admin's or a colleague's) is connecting the same store right now."""


class ConnectRejected(InvalidInput):
    """What was pasted or received does not complete the attempt; the attempt keeps waiting."""


class ConnectFailed(InvalidInput):
    """The attempt ended without connecting; the store is as it was."""


class ConnectNotReady(EnvironmentProblem):
    """A setting or secret that connecting needs is missing."""


class SellerIdNeeded(ConnectRejected):
    """A self-authorization token was pasted for a store that has no seller ID yet."""
