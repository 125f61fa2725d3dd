"""The sandbox's sense of time: the system clock plus an offset tests can move forward.

Token lifetimes (Intuit's 24 h rotation grace, Xero's 30 min, access tokens' hour), code
expiry and rate-limit windows all read `SandboxClock.now()`. `POST /_sandbox/clock/advance`
moves it, so a test can let a day pass without sleeping for one.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime


class SandboxClock:
    """Wall-clock seconds (`now()`), shifted by whatever `advance` added; never goes back."""

    def __init__(self, *, offset_s: float = 0.0) -> None:
        self._offset = offset_s

    def now(self) -> float:
        """Seconds since the epoch, as the simulated providers see it."""
        return time.time() + self._offset

    def utcnow(self) -> datetime:
        """`now()` as an aware UTC datetime."""
        return datetime.fromtimestamp(self.now(), UTC)

    def advance(self, seconds: float) -> None:
        """Move the simulated time forward; `ValueError` for a negative amount."""
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        self._offset += seconds

    @property
    def offset_s(self) -> float:
        """How far ahead of the system clock the simulated time runs."""
        return self._offset

    def reset(self) -> None:
        """Back to the system clock."""
        self._offset = 0.0
