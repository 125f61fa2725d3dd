"""Handler timeouts with one timer per consumer instead of one per message.

`asyncio.wait_for` starts a task per call and `asyncio.timeout` arms a timer
per call; at thousands of messages a second that alone cost ~6 us of the
~17 us the runtime spends per delivery (make bench, issue 2 note). Here each
delivery registers its task and deadline; one sweeper cancels the overdue
ones every `resolution` seconds, so a handler is stopped within `timeout +
resolution`.
"""

from __future__ import annotations

import asyncio
import contextlib


class Deadlines:
    """Cancels tasks that run past their deadline; `expired(task)` tells a timeout from a shutdown."""

    def __init__(self, *, resolution: float = 0.5) -> None:
        self._resolution = resolution
        self._running: dict[asyncio.Task[object], float] = {}
        self._expired: set[asyncio.Task[object]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._sweeper = asyncio.create_task(self._sweep(), name="handler-deadlines")

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper

    def track(self, task: asyncio.Task[object], timeout: float) -> None:
        self._running[task] = asyncio.get_running_loop().time() + timeout

    def untrack(self, task: asyncio.Task[object]) -> bool:
        """Stop watching `task`; True if it was cancelled for running past its deadline."""
        self._running.pop(task, None)
        if task in self._expired:
            self._expired.discard(task)
            return True
        return False

    async def _sweep(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self._resolution)  # the one periodic timer
            now = loop.time()
            for task, deadline in list(self._running.items()):
                if deadline <= now and task not in self._expired:
                    self._expired.add(task)
                    task.cancel()
