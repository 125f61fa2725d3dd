"""What every benchmark here shares: server subprocesses, CPU accounting, cleanup, statistics.

Server           a service subprocess with its output in a temporary file, CPU and RSS from /proc
child_output     a measuring subprocess (wrk, a generator) within a time limit
machine_ticks / busy_since     how busy the whole machine was during a measurement
best_and_median  the summary every table shows
delete_broker_names / drop_database    cleanup of a run's queues, exchanges and database
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import IO

import aio_pika
import aiohttp
import asyncpg
from aio_pika.abc import AbstractChannel
from yarl import URL

from libs.broker import inspect_queue

ROOT = Path(__file__).resolve().parents[2]


class BenchFailed(RuntimeError):
    """A side could not run, or no valid run of a side remained."""


def free_port() -> int:
    from tests.support.processes import free_port as pick

    return pick()


class Server:
    """A server subprocess of this run: output into a temporary file, CPU and RSS from /proc."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], port: int) -> None:
        self.name = name
        self.url = f"http://127.0.0.1:{port}"
        self._command = command
        self._env = env
        self._log: IO[bytes] | None = None
        self._proc: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise BenchFailed(f"{self.name} is not running")
        return self._proc.pid

    async def spawn(self) -> None:
        """Spawn it without waiting for readiness (the router is timed from its consumer)."""
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self._proc = await asyncio.create_subprocess_exec(
            *self._command,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **self._env},
        )

    async def start(self, *, within: float = 40.0) -> None:
        """Spawn it and wait until GET /readyz answers 200."""
        await self.spawn()
        deadline = time.monotonic() + within
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
            while True:
                self.check_alive()
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    async with session.get(f"{self.url}/readyz") as response:
                        if response.status == 200:
                            return
                if time.monotonic() > deadline:
                    raise BenchFailed(
                        f"{self.name} not ready within {within:.0f} s:\n{self.tail()}"
                    )
                await asyncio.sleep(0.1)

    def check_alive(self) -> None:
        if self._proc is None or self._proc.returncode is not None:
            code = None if self._proc is None else self._proc.returncode
            raise BenchFailed(f"{self.name} exited with {code}:\n{self.tail()}")

    def cpu_seconds(self) -> float:
        """User + system CPU seconds this process has used so far."""
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mib(self) -> float:
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def tail(self, size: int = 3000) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-size:]

    async def stop(self) -> None:
        """SIGTERM, then SIGKILL after 20 s; this process only."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None


async def child_output(command: list[str], *, name: str, limit: float, stdin: bytes = b"") -> str:
    """Run a measuring process (wrk, the generator) within `limit` seconds; its stdout."""
    proc = await asyncio.create_subprocess_exec(
        *command,
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(stdin), limit)
    except TimeoutError:
        raise BenchFailed(f"{name} took longer than {limit:.0f} s") from None
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    if proc.returncode != 0:
        raise BenchFailed(
            f"{name} exited with {proc.returncode}:\n{err.decode(errors='replace')[-3000:]}"
        )
    return out.decode()


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine, from /proc/stat."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def busy_since(start: tuple[int, int]) -> float:
    busy, total = machine_ticks()
    return (busy - start[0]) / max(1, total - start[1])


async def quiet_machine(
    *, busy_below: float = 0.15, window: float = 1.0, within: float = 30.0
) -> tuple[float, float]:
    """Wait until the machine is less than `busy_below` busy over one `window`, at most `within`
    seconds: what an earlier run left working (RabbitMQ deleting a queue of 30,000 messages,
    PostgreSQL checkpointing) must not count against the next one. Returns (seconds waited,
    busy fraction of the last window); gives up quietly, the run records how busy it was."""
    started = time.monotonic()
    while True:
        ticks = machine_ticks()
        await asyncio.sleep(window)  # measuring a window of machine time
        busy = busy_since(ticks)
        waited = time.monotonic() - started
        if busy < busy_below or waited >= within:
            return waited, busy


def aligned(rows: Sequence[Sequence[str]], *, left: frozenset[int] = frozenset({0})) -> list[str]:
    """A text table: the header row, a rule, then the rows; columns in `left` flush left,
    the others (figures) flush right."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            cell.ljust(w) if i in left else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def best_and_median(values: Sequence[float], *, higher_is_better: bool) -> dict[str, float]:
    if not values:
        return {"best": float("nan"), "median": float("nan")}
    best = max(values) if higher_is_better else min(values)
    return {"best": best, "median": statistics.median(values)}


async def delete_broker_names(
    amqp_url: str, prefix: str, queues: set[str], exchanges: set[str]
) -> None:
    """Delete every queue and exchange named, and every one under `prefix.` the broker lists."""
    listed_queues, listed_exchanges = await _listed(prefix)
    exchanges = exchanges | listed_exchanges
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        for queue in sorted(queues | listed_queues):
            await channel.queue_delete(queue)
        for exchange in sorted(exchanges):
            await channel.exchange_delete(exchange)


async def _listed(prefix: str) -> tuple[set[str], set[str]]:
    """Queue and exchange names under `prefix.` per rabbitmqctl; best effort (empty without it)."""
    found: list[set[str]] = []
    for what in ("list_queues", "list_exchanges"):
        try:
            out = await child_output(
                ["rabbitmqctl", "-q", what, "name"], name="rabbitmqctl", limit=30
            )
        except (BenchFailed, OSError):
            out = ""
        found.append({n.strip() for n in out.splitlines() if n.strip().startswith(f"{prefix}.")})
    return found[0], found[1]


async def drop_database(database_url: str) -> None:
    from tests.support.environment import PG_SERVER_URL

    conn = await asyncpg.connect(str(URL(PG_SERVER_URL).with_path("/postgres")), timeout=10)
    try:
        name = URL(database_url).path.lstrip("/")
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default))
    if not raw.isdigit() or int(raw) < 1:
        raise BenchFailed(f"{name} must be a positive integer, got {raw!r}")
    return int(raw)


@dataclass
class SideRun:
    """One timed run of one side: `items` done in `seconds`, using `cpu_s` of its own CPU."""

    side: str
    round: int
    items: int
    seconds: float
    cpu_s: float
    machine_busy: float

    @property
    def per_s(self) -> float:
        return self.items / self.seconds

    @property
    def cpu_us(self) -> float:
        """CPU microseconds per item."""
        return self.cpu_s / self.items * 1e6


async def wait_until(
    probe: Callable[[], Awaitable[int]], at_least: int, server: Server, within: float
) -> None:
    """Poll `probe` until it reaches `at_least`, failing with `server`'s log after `within` s."""
    deadline = time.monotonic() + within
    while (value := await probe()) < at_least:
        server.check_alive()
        if time.monotonic() > deadline:
            raise BenchFailed(f"waited {within:.0f} s (last {value}):\n{server.tail()}")
        await asyncio.sleep(0.02)  # poll interval of a deadline-bounded wait


async def consumers(channel: AbstractChannel, queue: str) -> int:
    return (await inspect_queue(channel, queue)).consumers


async def depth(channel: AbstractChannel, queue: str) -> int:
    return (await inspect_queue(channel, queue)).messages


async def server_versions(amqp_url: str, database_url: str, *packages: str) -> dict[str, str]:
    """Python's, RabbitMQ's and PostgreSQL's versions and `packages`', for a report's header."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        transport = connection.transport
        properties = transport.connection.server_properties if transport is not None else {}
        rabbitmq = str(properties.get("version", "?"))
    conn = await asyncpg.connect(database_url, timeout=10)
    try:
        postgres = str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()
    return {
        "python": platform.python_version(), "rabbitmq": rabbitmq, "postgresql": postgres,
        **{name: version(name) for name in packages},
    }  # fmt: skip
