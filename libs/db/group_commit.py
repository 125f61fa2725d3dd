"""Group commit: many callers' rows written in one transaction, each caller told its own result.

    log = GroupCommit(write_rows, max_batch=500, writers=1, linger=0.002)
    result = await log.submit(row)  # returns once the transaction holding `row` committed,
                                    # with what `write_rows` answered for that row; raises
                                    # what the write raised, for every row of that batch

`write(rows)` returns one result per row, in order. While fewer than `writers` writes run, a
row starts a write, which first lingers `linger` seconds for company (0: none); otherwise the
row waits for the next write, which takes everything that queued meanwhile (up to
`max_batch`). Light load costs one round trip per row (plus the linger); heavy load, one per
batch.

A batch fails as a whole, so one bad row would fail every caller sharing its batch. When the
failure is one `isolate` accepts (a row the database refuses, not the database being away),
the batch's rows are written again one by one: only the rows that fail on their own fail.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

RowT = TypeVar("RowT")
ResultT = TypeVar("ResultT")


class GroupCommit(Generic[RowT, ResultT]):
    def __init__(
        self,
        write: Callable[[Sequence[RowT]], Awaitable[Sequence[ResultT]]],
        *,
        max_batch: int = 500,
        writers: int = 2,
        linger: float = 0.0,
        isolate: Callable[[Exception], bool] | None = None,
    ) -> None:
        self._write = write
        self._linger = linger
        self._max_batch = max_batch
        self._writers = writers
        self._isolate = isolate
        self._running = 0
        self._gathering = False
        self._pending: list[tuple[RowT, asyncio.Future[ResultT]]] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def submit(self, row: RowT) -> ResultT:
        future: asyncio.Future[ResultT] = asyncio.get_running_loop().create_future()
        self._pending.append((row, future))
        self._start_writes()
        return await future

    async def close(self) -> None:
        """Wait for the writes under way (and those they leave queued)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _start_writes(self) -> None:
        # One writer gathers at a time: it takes what queued during its linger, and the next
        # write starts once it has taken its batch (if rows remain and a writer is free).
        if self._pending and self._running < self._writers and not self._gathering:
            self._running += 1
            self._gathering = True
            task = asyncio.create_task(self._run())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run(self) -> None:
        try:
            if self._linger and len(self._pending) < self._max_batch:
                await asyncio.sleep(self._linger)  # batching: a deliberate wait for more rows
        finally:
            batch = self._pending[: self._max_batch]
            self._pending = self._pending[self._max_batch :]
            self._gathering = False
        self._start_writes()
        try:
            await self._settle(batch)
        finally:
            self._running -= 1
            self._start_writes()

    async def _settle(self, batch: list[tuple[RowT, asyncio.Future[ResultT]]]) -> None:
        try:
            results = await self._write([row for row, _ in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"write answered {len(results)} results for {len(batch)} rows")
        except Exception as exc:
            if len(batch) > 1 and self._isolate is not None and self._isolate(exc):
                for one in batch:
                    await self._settle([one])
                return
            for _, future in batch:  # every caller of this batch learns it was not written
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
