"""Per-client login attempt limiting (a sliding window in memory, per process)."""

from __future__ import annotations

import time
from collections import defaultdict, deque


class SlidingWindow:
    """At most `limit` events per `window_s` seconds per key."""

    def __init__(self, *, limit: int, window_s: float) -> None:
        self._limit = limit
        self._window_s = window_s
        self._events: defaultdict[str, deque[float]] = defaultdict(deque)

    def retry_after(self, key: str) -> int:
        """0 when `key` may go ahead now (and counts it), else the seconds until it may."""
        now = time.monotonic()
        events = self._events[key]
        while events and events[0] <= now - self._window_s:
            events.popleft()
        if len(events) >= self._limit:
            return max(1, int(events[0] + self._window_s - now) + 1)
        events.append(now)
        return 0
