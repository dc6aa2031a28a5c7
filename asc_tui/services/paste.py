"""What the admin pastes while a connect attempt waits, for the connect screen and `stores connect` alike.

The address the browser ended on (or its query string) completes the attempt; a self-authorization
refresh token needs the seller ID next, which the next paste gives. Amazon's refusal of one paste is said
and the attempt keeps waiting; an attempt that ended another way meanwhile (the callback won, time ran
out) is simply done.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from asc_tui.errors import ConnectFailed, ConnectRejected, SellerIdNeeded

if TYPE_CHECKING:
    from asc_tui.services.connect import ConnectService
    from asc_tui.services.connect_session import ConnectSession


class Next(enum.Enum):
    DONE = "done"  # the attempt ended: its outcome says how
    SELLER_ID = "seller_id"  # a refresh token was pasted: ask for the seller ID (Merchant Token)
    REFUSED = "refused"  # this paste was refused; the attempt waits for another


@dataclass(frozen=True)
class Reply:
    next: Next
    message: str = ""


class PasteBox:
    """Feeds what is pasted to the attempt, one paste at a time (call `submit` off the UI thread)."""

    def __init__(
        self, service: ConnectService, attempt: ConnectSession, seller_id: str | None = None
    ) -> None:
        self.service = service
        self.attempt = attempt
        self.seller_id = seller_id
        self._token: str | None = None  # a pasted refresh token, waiting for its seller ID

    @property
    def wants_seller_id(self) -> bool:
        return self._token is not None

    def submit(self, text: str) -> Reply:
        text = text.strip()
        try:
            if self._token is not None:
                self.service.complete_self_authorized(self.attempt, self._token, text)
            else:
                self.service.complete_from_paste(self.attempt, text, self.seller_id)
        except SellerIdNeeded as exc:
            self._token = self._token or text
            return Reply(Next.SELLER_ID, exc.message)
        except ConnectRejected as exc:
            return Reply(Next.REFUSED, exc.message)
        except ConnectFailed:
            pass  # the attempt ended another way meanwhile
        return Reply(Next.DONE)

    def expire_if_due(self) -> bool:
        """Ends the attempt when its time ran out; whether it has ended, this way or another."""
        self.service.expire_if_due(self.attempt)
        return self.attempt.ended
