"""Ending a connect attempt, in exactly one way: connected, failed (the store unchanged), cancelled or timed
out. Whichever comes first sets the outcome, closes the callback worker and releases the store's claim."""

from __future__ import annotations

import logging
from collections.abc import Callable

from asc_tui.amazon.errors import AmazonError
from asc_tui.errors import AscError, ConnectFailed
from asc_tui.i18n import _, ngettext
from asc_tui.services.attempts import release
from asc_tui.services.connect_context import ConnectContext
from asc_tui.services.connect_session import ConnectSession, Outcome
from asc_tui.settings.secret_store import SecretsUnavailable

logger = logging.getLogger(__name__)


class Cancelled(Exception):
    """The admin cancelled while Amazon's answer was being checked: stop before saving."""


class AttemptEnd:
    """Ends attempts: settles what the checks and the save raise, cancels, times out."""

    def __init__(self, context: ConnectContext) -> None:
        self._context = context

    def settle(self, attempt: ConnectSession, work: Callable[[], Outcome]) -> Outcome:
        """Run the checks and the save; every failure becomes the attempt's outcome, in one sentence."""
        try:
            return work()
        except AmazonError as exc:
            return Outcome(
                False,
                _("{message} Store {name!r} is unchanged.").format(
                    message=exc.message, name=attempt.store_name
                ),
            )
        except Cancelled:
            return Outcome(
                False,
                _("Connecting store {name!r} was cancelled; it is unchanged.").format(
                    name=attempt.store_name
                ),
                cancelled=True,
            )
        except SecretsUnavailable as exc:  # the keyring fails before the store is touched
            return Outcome(
                False,
                _("{message} Store {name!r} is unchanged.").format(
                    message=exc.message, name=attempt.store_name
                ),
            )
        except AscError as exc:  # database, refusals
            return Outcome(False, exc.message)
        except Exception as exc:
            # A driver's or a library's own error (not one of ours): still one sentence, and the attempt ends.
            logger.exception("Connecting store #%s failed unexpectedly", attempt.store_id)
            return Outcome(
                False,
                _(
                    "Connecting store {name!r} failed with an unexpected error ({kind}, written to the log "
                    "file); it was not connected, try again."
                ).format(name=attempt.store_name, kind=type(exc).__name__),
            )

    def cancel(self, attempt: ConnectSession, *, timed_out: bool = False) -> Outcome | None:
        """End the attempt unchanged; None while Amazon's answer is being saved (it ends by itself)."""
        if not attempt._lock.acquire(blocking=False):
            # Never wait here (the caller may be the UI thread): Amazon's answer is being checked; nothing
            # is saved after this flag, unless the save had already begun.
            attempt._cancel_requested = True
            return None
        try:
            if attempt.outcome is not None:
                return attempt.outcome
            if timed_out:
                minutes = self._context.amazon.connect_timeout_minutes
                outcome = Outcome(
                    False,
                    ngettext(
                        "Connecting store {name!r} timed out after {minutes} minute; it is unchanged. Start "
                        "again when you are ready.",
                        "Connecting store {name!r} timed out after {minutes} minutes; it is unchanged. "
                        "Start again when you are ready.",
                        minutes,
                    ).format(name=attempt.store_name, minutes=minutes),
                )
            else:
                outcome = Outcome(
                    False,
                    _("Connecting store {name!r} was cancelled; it is unchanged.").format(
                        name=attempt.store_name
                    ),
                    cancelled=True,
                )
            return self.end(attempt, outcome)
        finally:
            attempt._lock.release()

    def expire_if_due(self, attempt: ConnectSession) -> Outcome | None:
        if not attempt.ended and attempt.seconds_left() <= 0:
            return self.cancel(attempt, timed_out=True)
        return attempt.outcome

    def check_open(self, attempt: ConnectSession) -> None:
        """ConnectFailed when the attempt has ended, or ends it now because its time ran out."""
        if attempt.outcome is not None:
            raise ConnectFailed(
                _("This attempt to connect store {name!r} has already ended: {outcome}").format(
                    name=attempt.store_name, outcome=attempt.outcome.message
                )
            )
        if attempt.seconds_left() <= 0:
            self._end_locked_free(attempt)
            raise ConnectFailed(
                _("This attempt to connect store {name!r} timed out; start again.").format(
                    name=attempt.store_name
                )
            )

    def _end_locked_free(self, attempt: ConnectSession) -> None:
        # Called from inside `complete` with the lock possibly held: set the outcome directly.
        if attempt.outcome is None:
            self._finish(
                attempt,
                Outcome(
                    False,
                    _("Connecting store {name!r} timed out; it is unchanged.").format(
                        name=attempt.store_name
                    ),
                ),
            )

    def end(self, attempt: ConnectSession, outcome: Outcome) -> Outcome:
        self._finish(attempt, outcome)
        return outcome

    def _finish(self, attempt: ConnectSession, outcome: Outcome) -> None:
        attempt.outcome = outcome
        if attempt.listener is not None:
            attempt.listener.close()
        try:
            release(self._context.database, attempt.attempt_id, attempt.nonce)
        except Exception:  # the trail expires by itself; the outcome must still reach the admin
            logger.exception("Could not remove the connect attempt's record")
        attempt._ended.set()
