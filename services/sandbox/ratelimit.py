"""Per-account request limits, as the real providers enforce them (fixed one-minute windows)."""

from __future__ import annotations

import math

from services.sandbox.clock import SandboxClock

WINDOW_S = 60


class RateLimits:
    """Counts requests per key in fixed windows of the sandbox clock."""

    def __init__(self, *, clock: SandboxClock) -> None:
        self._clock = clock
        self._windows: dict[str, tuple[int, int]] = {}

    def over(self, key: str, *, limit: int) -> int | None:
        """Count one request for `key`; None if within `limit`, else seconds until it resets."""
        now = self._clock.now()
        window = int(now // WINDOW_S)
        started, count = self._windows.get(key, (window, 0))
        if started != window:
            started, count = window, 0
        count += 1
        self._windows[key] = (started, count)
        if count <= limit:
            return None
        return max(1, math.ceil((window + 1) * WINDOW_S - now))

    def reset(self) -> None:
        """Forget every count."""
        self._windows.clear()
