"""Webhook health that outlives the process and sums every ingress replica.

Prometheus counters are per process and restart at zero; the admin's webhook health
view reads `webhook_stats` instead. Requests are counted in memory, with no I/O on the
request path, and added to the table every few seconds and once more on stop:

    accepted(provider, events=n) | refused(provider, outcome)          per request, in memory
    -> pending[(UTC day, provider, outcome)] += 1 request, n events, latest time
    -> flush(): the pending counts as additive upserts in one transaction
       failed: they go back into pending and leave with the next flush

A failed flush rolled back, so retrying it adds nothing twice; the database being down
costs freshness only, never a request.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, date, datetime

import asyncpg

from libs.db import Database
from libs.observability import get_logger
from services.ingress.storage import ACCEPTED, StatsDelta, add_webhook_stats

log = get_logger(__name__)

_DB_ERRORS = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)

_Key = tuple[date, str, str]  # (UTC day, provider, outcome)


@dataclass
class _Tally:
    requests: int
    events: int
    last_at: datetime

    def add(self, other: _Tally) -> None:
        self.requests += other.requests
        self.events += other.events
        self.last_at = max(self.last_at, other.last_at)


class WebhookStats:
    """Per provider and outcome: requests, events published, when the last one came.

    `start()` flushes every `interval` seconds in the background; `stop()` flushes a
    last time and logs (as an error) whatever the database would still not take.
    """

    def __init__(self, *, db: Database, interval: float = 5.0) -> None:
        self._db = db
        self._interval = interval
        self._pending: dict[_Key, _Tally] = {}
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def accepted(self, provider: str, *, events: int) -> None:
        """Count one webhook answered 2xx after publishing `events` events."""
        self._count(provider, ACCEPTED, events=events)

    def refused(self, provider: str, outcome: str) -> None:
        """Count one webhook refused for `outcome` (`invalid_signature`, `too_large`, ...)."""
        self._count(provider, outcome, events=0)

    @property
    def pending(self) -> int:
        """Requests counted but not yet in the table."""
        return sum(tally.requests for tally in self._pending.values())

    async def flush(self) -> int:
        """Add everything counted so far to `webhook_stats`; how many requests that was.

        Raises what the database raised; the counts then stay pending for the next flush.
        """
        taken, self._pending = self._pending, {}
        if not taken:
            return 0
        deltas = [
            StatsDelta(day=day, provider=provider, outcome=outcome, requests=tally.requests,
                       events=tally.events, last_at=tally.last_at)
            for (day, provider, outcome), tally in taken.items()
        ]  # fmt: skip
        try:
            await add_webhook_stats(self._db, deltas)
        except BaseException:  # cancelled too: the transaction rolled back, so keep the counts
            for key, tally in taken.items():
                self._merge(key, tally)
            raise
        return sum(delta.requests for delta in deltas)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="webhook-stats")

    async def stop(self) -> None:
        """Flush once more and stop; never cancels a flush half-way (it could have committed)."""
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None
        if self._pending:
            log.error("webhook_stats_not_saved", requests=self.pending)

    async def _run(self) -> None:
        stopping = False
        while not stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._interval)
            # Read before flushing: a stop that arrives during this flush gets one more.
            stopping = self._stopping.is_set()
            try:
                await self.flush()
            except _DB_ERRORS as exc:  # kept in memory; the next interval tries again
                log.warning("webhook_stats_flush_failed", pending=self.pending,
                            error=f"{type(exc).__name__}: {exc}")  # fmt: skip

    def _count(self, provider: str, outcome: str, *, events: int) -> None:
        now = datetime.now(UTC)
        self._merge((now.date(), provider, outcome), _Tally(requests=1, events=events, last_at=now))

    def _merge(self, key: _Key, tally: _Tally) -> None:
        existing = self._pending.get(key)
        if existing is None:
            self._pending[key] = tally
        else:
            existing.add(tally)
