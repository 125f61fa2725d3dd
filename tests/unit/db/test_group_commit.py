"""GroupCommit batches rows from concurrent callers; each caller learns its own row's fate."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from libs.db import GroupCommit


class Log:
    def __init__(self, *, fail_on: int | None = None, error: type[Exception] = OSError) -> None:
        self.batches: list[list[int]] = []
        self.fail_on = fail_on
        self.error = error
        self.release = asyncio.Event()

    async def write(self, rows: Sequence[int]) -> list[int]:
        self.batches.append(list(rows))
        await self.release.wait()
        if self.fail_on is not None and self.fail_on in rows:
            raise self.error(f"row {self.fail_on} refused")
        return [row * 10 for row in rows]


async def test_rows_arriving_during_a_write_share_the_next_one() -> None:
    log = Log()
    commit = GroupCommit(log.write, writers=1)
    first = asyncio.ensure_future(commit.submit(0))
    await asyncio.sleep(0)  # the first write starts with row 0 alone
    rest = [asyncio.ensure_future(commit.submit(n)) for n in range(1, 6)]
    await asyncio.sleep(0)
    log.release.set()
    await asyncio.gather(first, *rest)

    assert log.batches == [[0], [1, 2, 3, 4, 5]]


async def test_a_linger_gathers_rows_into_one_write() -> None:
    log = Log()
    log.release.set()
    commit = GroupCommit(log.write, writers=2, linger=0.01)
    await asyncio.gather(*(commit.submit(n) for n in range(10)))

    assert log.batches == [list(range(10))]


async def test_batches_are_capped_and_a_failed_batch_fails_only_its_callers() -> None:
    log = Log(fail_on=1)
    log.release.set()
    commit = GroupCommit(log.write, writers=1, max_batch=2, linger=0.01)
    results = await asyncio.gather(*(commit.submit(n) for n in range(5)), return_exceptions=True)

    assert log.batches == [[0, 1], [2, 3], [4]]
    assert [type(r).__name__ for r in results] == [
        "OSError",
        "OSError",
        "int",
        "int",
        "int",
    ]
    await commit.close()


@pytest.mark.parametrize("writers", [1, 3])
async def test_every_row_is_written_exactly_once(writers: int) -> None:
    log = Log()
    log.release.set()
    commit = GroupCommit(log.write, writers=writers, max_batch=7)
    await asyncio.gather(*(commit.submit(n) for n in range(100)))

    assert sorted(row for batch in log.batches for row in batch) == list(range(100))
    assert all(len(batch) <= 7 for batch in log.batches)


async def test_each_caller_gets_the_result_of_its_own_row() -> None:
    log = Log()
    log.release.set()
    commit = GroupCommit(log.write, writers=1, linger=0.01)
    results = await asyncio.gather(*(commit.submit(n) for n in range(6)))

    assert len(log.batches) == 1
    assert results == [0, 10, 20, 30, 40, 50]


async def test_a_refused_row_is_isolated_and_fails_alone() -> None:
    log = Log(fail_on=3, error=ValueError)
    log.release.set()
    commit = GroupCommit(
        log.write, writers=1, linger=0.01, isolate=lambda exc: isinstance(exc, ValueError)
    )
    results = await asyncio.gather(*(commit.submit(n) for n in range(5)), return_exceptions=True)

    assert log.batches == [[0, 1, 2, 3, 4], [0], [1], [2], [3], [4]]
    assert [r if isinstance(r, int) else type(r).__name__ for r in results] == [
        0, 10, 20, "ValueError", 40,
    ]  # fmt: skip


async def test_a_failure_not_meant_for_isolation_fails_the_whole_batch_once() -> None:
    log = Log(fail_on=3)  # OSError: the database is away, writing rows alone would not help
    log.release.set()
    commit = GroupCommit(
        log.write, writers=1, linger=0.01, isolate=lambda exc: isinstance(exc, ValueError)
    )
    results = await asyncio.gather(*(commit.submit(n) for n in range(5)), return_exceptions=True)

    assert log.batches == [[0, 1, 2, 3, 4]]
    assert all(isinstance(r, OSError) for r in results)


async def test_a_write_answering_the_wrong_number_of_results_fails_its_callers() -> None:
    async def short(rows: Sequence[int]) -> list[int]:
        return list(rows)[1:]

    commit = GroupCommit(short, writers=1, linger=0.01)
    results = await asyncio.gather(*(commit.submit(n) for n in range(3)), return_exceptions=True)

    assert all(isinstance(r, RuntimeError) for r in results)
