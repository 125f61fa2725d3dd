"""Attempts and finished deliveries older than the retention period, deleted in batches.

Every `interval` seconds: delete `batch` rows at a time (short transactions, no long locks)
until a round deletes fewer. Pending deliveries are never deleted: their retries still run.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from libs.broker import describe
from libs.db import Database
from libs.observability import get_logger
from services.outbound.storage import deliveries

log = get_logger(__name__)


class Retention:
    def __init__(
        self, db: Database, *, keep: timedelta, interval: float = 3600.0, batch: int = 10_000
    ) -> None:
        self._db = db
        self._keep = keep
        self._interval = interval
        self._batch = batch
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbound-retention")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def sweep(self) -> int:
        """One cleanup: every row past retention, in batches; how many rows went."""
        cutoff = datetime.now(UTC) - self._keep
        total = 0
        while True:
            deleted = await deliveries.delete_older_than(self._db, cutoff=cutoff, batch=self._batch)
            total += deleted
            if deleted < self._batch:
                return total

    async def _run(self) -> None:
        while True:
            try:
                deleted = await self.sweep()
                if deleted:
                    log.info("retention_swept", deleted=deleted)
            except Exception as exc:  # the database is away: the next round tries again
                log.warning("retention_failed", error=describe(exc))
            await asyncio.sleep(self._interval)  # a periodic timer, not a wait for an effect
