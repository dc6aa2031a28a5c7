"""One connect attempt as its caller sees it (`ConnectSession`), and how it ended (`Outcome`)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from asc_tui.amazon.callback import CallbackListener
from asc_tui.domain import (
    Marketplace,
)
from asc_tui.storage.models import Store


@dataclass(frozen=True)
class Outcome:
    """How an attempt ended. `message` is one sentence for the admin; `store` is set when connected."""

    connected: bool
    message: str
    store: Store | None = None
    cancelled: bool = False


@dataclass
class ConnectSession:
    """One attempt in progress, as the screen and the CLI see it."""

    store_id: int
    store_name: str
    marketplace: Marketplace
    renewal_of: str | None  # the seller ID a renewal must keep, None for a first connection
    attempt_id: int
    nonce: str = field(repr=False)
    state: str = field(repr=False)
    consent_url: str
    redirect_uri: str
    listener: CallbackListener | None
    listen_problem: str | None
    expires_at: datetime
    _deadline: float = field(repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _ended: threading.Event = field(default_factory=threading.Event, repr=False)
    # Set by a cancel that came while Amazon's answer was being checked: nothing is saved after it.
    _cancel_requested: bool = field(default=False, repr=False)
    outcome: Outcome | None = None

    @property
    def renewal(self) -> bool:
        return self.renewal_of is not None

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    def seconds_left(self) -> float:
        return max(0.0, self._deadline - time.monotonic())

    def wait(self, timeout: float | None = None) -> Outcome | None:
        self._ended.wait(timeout)
        return self.outcome

    def current_state(self) -> str | None:
        """The state the callback worker may put into a Login URI bounce, while the attempt lives."""
        return None if self.ended else self.state
