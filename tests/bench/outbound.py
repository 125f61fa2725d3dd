"""Outbound benchmark: `python -m services.outbound` delivering webhooks, beside a bare client.

    python -m tests.bench.outbound [--quick]   table on stdout, JSON in
                                               bench-results/outbound.json

    throughput  N tenant CloudEvents (one tenant, ONE endpoint) queued on outbound's fan-out
                queue while it is stopped; then one outbound process starts and delivers them
                to a keep-alive receiver (tests/bench/_outbound_receiver.py, its own process,
                204 at once). Deliveries/s = from the first to the last arrival at the
                receiver. CPU per delivery = outbound's CPU from its fan-out consumer attaching
                until every attempt is committed to webhook_attempts, over N. Baseline: one
                bare aiohttp client process (tests/bench/_outbound_bare.py) POSTing N
                Standard-Webhooks-signed requests of the same body to the same receiver,
                32 in flight (outbound's per-endpoint limit), timed the same way at the
                receiver; its CPU is its own while sending. Rounds ABBA.
    latency     outbound running; events published at fixed times (open model, 200/s for
                BENCH_OUTBOUND_LATENCY_S), each carrying its due time `t0` (unix seconds) in its
                data; latency = arrival at the receiver - t0, same machine clock. Baseline:
                the bare client POSTing on the same schedule, `t0` in the body the same way.
    isolation   a second tenant with 20 endpoints (a path each on the receiver), no filters;
                E events queued while outbound is stopped (20 x E deliveries), OUTBOUND_TIMEOUT_S=2
                for both runs. All-healthy run vs a run where 2 endpoints (10%) hang past
                outbound's timeout; figure: deliveries/s to the 18 endpoints healthy in both
                runs (first to last arrival among them). Rounds ABBA in full mode.

Everything the run creates (queues and exchanges under the run's prefix `bench<hex>`, the
database `switchyard_bench<hex>`) is deleted at the end, on failure too. Each outbound start
is a fresh process with production settings except OUTBOUND_ALLOWED_NETWORKS=127.0.0.1/32
(the receiver is local) and SHUTDOWN_TIMEOUT_S=5.

BENCH_OUTBOUND_PYSPY=<path to py-spy>: after the measured rounds, one more (unrecorded)
throughput run of outbound under `py-spy record` (100 Hz, non-blocking); the top functions by
own time and the project's functions by inclusive time go into the table and the JSON, the
collapsed stacks into bench-results/outbound-pyspy.txt.

Environment: BENCH_OUTBOUND_EVENTS (default 20000, --quick 3000), BENCH_OUTBOUND_LATENCY_S
(20, --quick 6), BENCH_OUTBOUND_ISOLATION_EVENTS (600, --quick 200), TEST_AMQP_URL, TEST_PG_URL.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aio_pika
import aiohttp
import asyncpg
from aio_pika.abc import AbstractChannel, AbstractExchange
from yarl import URL

from libs.broker import Exchange, Topology, inspect_queue
from libs.crypto import SecretBox
from libs.db import Database
from libs.events import CONTENT_TYPE, CloudEvent
from tests.bench._harness import (
    BenchFailed,
    Server,
    aligned,
    best_and_median,
    busy_since,
    child_output,
    delete_broker_names,
    drop_database,
    free_port,
    machine_ticks,
    positive_int,
    progress,
    server_versions,
)

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench-results" / "outbound.json"
PYSPY_STACKS = ROOT / "bench-results" / "outbound-pyspy.txt"  # collapsed stacks, when profiled
EVENT_TYPE = "invoice.fiscalized"
PAD = 900  # data.pad: a delivered body of about 1 KB
CONCURRENCY = 32  # outbound's OUTBOUND_ENDPOINT_CONCURRENCY default; the bare client's too
LATENCY_RATE = 200
ISOLATION_ENDPOINTS, HANGING = 20, 2
ISOLATION_TIMEOUT_S = 2.0
PUBLISH_WINDOW = 256
GOAL_RATE = 2000.0
GOAL_P95_MS = 50.0
CONVOY_P95_MS = 124.0  # frain-dev/convoy PR #2795, delivery p95 at 200 ev/s (specs §2)
GOAL_ISOLATION = 0.90
TOTAL_LIMIT_S = 540.0
DELIVERY_WAIT_S = 120.0


# --- what a run measured ----------------------------------------------------------------------


@dataclass(frozen=True)
class Arrival:
    path: str
    webhook_id: str
    at: float
    t0: float | None


@dataclass(frozen=True)
class ThroughputRun:
    side: str
    round: int
    deliveries: int
    duplicates: int
    seconds: float  # first to last arrival
    cpu_s: float
    machine_busy: float
    errors: int
    void: list[str]
    attempt_batches: int = 0  # outbound only: transactions its attempt log committed
    outcomes: dict[str, int] = field(default_factory=dict)  # outbound only: attempts by result

    @property
    def rate(self) -> float:
        return (self.deliveries - 1) / self.seconds if self.seconds > 0 else float("nan")

    @property
    def rows_per_batch(self) -> float:
        return self.deliveries / self.attempt_batches if self.attempt_batches else float("nan")

    @property
    def cpu_us(self) -> float:
        return self.cpu_s / max(1, self.deliveries) * 1e6


@dataclass(frozen=True)
class LatencyRun:
    side: str
    scheduled: int
    delivered: int
    duplicates: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    machine_busy: float
    void: list[str]


@dataclass(frozen=True)
class IsolationRun:
    kind: str  # "healthy" or "hanging"
    round: int
    healthy_deliveries: int
    seconds: float  # first to last arrival at the 18 endpoints healthy in both kinds of run
    all_rate: float  # every endpoint's arrivals over the same span (all-healthy runs only)
    hanging_requests: int
    machine_busy: float
    void: list[str]
    outcomes: dict[str, int] = field(default_factory=dict)  # outbound's attempts by result
    cpu_us: float = float(
        "nan"
    )  # outbound's CPU from attach to the last healthy arrival, per arrival

    @property
    def rate(self) -> float:
        return (self.healthy_deliveries - 1) / self.seconds if self.seconds > 0 else float("nan")


@dataclass
class Results:
    throughput: list[ThroughputRun] = field(default_factory=list)
    latency: list[LatencyRun] = field(default_factory=list)
    isolation: list[IsolationRun] = field(default_factory=list)
    profile: Profile | None = None
    outbound_peak_rss_mib: float = float("nan")

    def valid(self, side: str) -> list[ThroughputRun]:
        return [r for r in self.throughput if r.side == side and not r.void]

    def rate(self, side: str) -> dict[str, float]:
        return best_and_median([r.rate for r in self.valid(side)], higher_is_better=True)

    def cpu_us(self, side: str) -> dict[str, float]:
        return best_and_median([r.cpu_us for r in self.valid(side)], higher_is_better=False)

    def latency_of(self, side: str) -> LatencyRun | None:
        return next((r for r in self.latency if r.side == side and not r.void), None)

    def isolation_rate(self, kind: str) -> dict[str, float]:
        runs = [r.rate for r in self.isolation if r.kind == kind and not r.void]
        return best_and_median(runs, higher_is_better=True)

    def check_complete(self) -> None:
        for side in ("ours", "bare"):
            if not self.valid(side):
                raise BenchFailed(f"every throughput run of {side} was void")
        for kind in ("healthy", "hanging"):
            if not any(r.kind == kind and not r.void for r in self.isolation):
                raise BenchFailed(f"every {kind} isolation run was void")

    def goals(self) -> dict[str, bool]:
        ours = self.latency_of("ours")
        return {
            "rate": self.rate("ours")["median"] >= GOAL_RATE,
            "p95": ours is not None and ours.p95_ms < GOAL_P95_MS,
            "isolation": self.isolation_rate("hanging")["median"]
            >= GOAL_ISOLATION * self.isolation_rate("healthy")["median"],
        }


def percentile(ordered: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending sequence (nan when empty)."""
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def span(arrivals: Sequence[Arrival]) -> float:
    return max(a.at for a in arrivals) - min(a.at for a in arrivals) if arrivals else 0.0


# --- configuration ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    amqp_url: str
    database_url: str
    prefix: str
    encryption_key: str
    events: int
    latency_s: int
    isolation_events: int
    rounds: int
    pyspy: str | None

    @property
    def topology(self) -> Topology:
        return Topology(self.prefix)

    @property
    def events_exchange(self) -> str:
        return self.topology.exchange(Exchange.EVENTS)

    @property
    def fan_out_queue(self) -> str:
        return f"{self.prefix}.outbound"

    def queues(self) -> list[str]:
        """Every queue an outbound process declares under this prefix (default tiers)."""
        from libs.config import ServiceSettings
        from services.outbound.delivery.schedule import DEFAULT_TIERS_MS, parse_tiers
        from services.outbound.delivery.worker import DeliveryQueues

        # RETRY_TIERS_MS is not set for outbound here: its fan-out queue has the default tiers.
        tiers = parse_tiers(ServiceSettings.model_fields["retry_tiers_ms"].default)
        fan_out = self.topology.service("outbound", retry_tiers=tiers)
        delivery = DeliveryQueues.of(
            self.prefix, tiers=parse_tiers(DEFAULT_TIERS_MS), defer_seconds=1
        )
        return [*fan_out.all_queues, *delivery.all_queues]

    def outbound_env(self, port: int, **extra: str) -> dict[str, str]:
        return {
            "SWITCHYARD_ENV": "test", "AMQP_URL": self.amqp_url, "DATABASE_URL": self.database_url,
            "BROKER_PREFIX": self.prefix, "HTTP_PORT": str(port),
            "ENCRYPTION_KEYS": self.encryption_key, "OUTBOUND_ALLOWED_NETWORKS": "127.0.0.1/32",
            "SHUTDOWN_TIMEOUT_S": "5", **extra,
        }  # fmt: skip


@dataclass(frozen=True)
class Tenants:
    """The throughput/latency tenant's one endpoint and the isolation tenant's 20."""

    single: str
    single_path: str
    secret: str
    isolation: str
    isolation_paths: list[str]

    @property
    def hanging_paths(self) -> list[str]:
        return self.isolation_paths[:HANGING]

    @property
    def healthy_paths(self) -> list[str]:
        return self.isolation_paths[HANGING:]


async def register_endpoints(config: Config, receiver_url: str) -> Tenants:
    """Both tenants' endpoints, created as the admin API does (URL egress-checked)."""
    from libs.egress import EgressPolicy
    from services.outbound.registry import EndpointSpec, create

    policy = EgressPolicy.from_text("127.0.0.1/32")
    box = SecretBox.from_setting(config.encryption_key)
    db = await Database.connect(config.database_url)
    single, isolation = f"tn_out_{uuid.uuid4().hex[:8]}", f"tn_iso_{uuid.uuid4().hex[:8]}"
    paths = [f"/iso/{n:02d}" for n in range(ISOLATION_ENDPOINTS)]
    try:
        _, secret = await create(
            db, box, policy, tenant_id=single, spec=EndpointSpec(url=f"{receiver_url}/one")
        )
        for path in paths:
            await create(
                db, box, policy, tenant_id=isolation, spec=EndpointSpec(url=receiver_url + path)
            )
    finally:
        await db.close()
    return Tenants(single, "/one", secret, isolation, paths)


# --- the events -------------------------------------------------------------------------------


def event_bodies(tenant_id: str, count: int, *, t0: Sequence[float] | None = None) -> list[bytes]:
    """`count` tenant CloudEvents as producers publish them; data.t0 = due time when given."""
    pad = "x" * PAD
    return [
        CloudEvent(
            source="/services/bench", type=EVENT_TYPE, tenantid=tenant_id, subject=f"bench/{seq}",
            data={"seq": seq, "pad": pad, **({"t0": t0[seq]} if t0 is not None else {})},
        ).to_bytes()
        for seq in range(count)
    ]  # fmt: skip


async def publish_one(exchange: AbstractExchange, body: bytes) -> None:
    message = aio_pika.Message(
        body, message_id=str(uuid.uuid4()), type=EVENT_TYPE, content_type=CONTENT_TYPE,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )  # fmt: skip
    await exchange.publish(message, EVENT_TYPE, mandatory=True, timeout=30)


async def publish_all(exchange: AbstractExchange, bodies: Sequence[bytes]) -> None:
    """Confirmed, mandatory, persistent; at most PUBLISH_WINDOW unconfirmed."""
    window = asyncio.Semaphore(PUBLISH_WINDOW)

    async def one(body: bytes) -> None:
        async with window:
            await publish_one(exchange, body)

    await asyncio.gather(*(one(b) for b in bodies))


async def publish_on_schedule(
    exchange: AbstractExchange, tenant_id: str, *, rate: float, seconds: float
) -> int:
    """Open model: event i published at t0 + i/rate whatever happened to the others."""
    count = round(rate * seconds)
    start, wall = time.perf_counter() + 0.2, time.time() + 0.2
    bodies = event_bodies(tenant_id, count, t0=[wall + i / rate for i in range(count)])
    tasks = []
    for i, body in enumerate(bodies):
        if (delay := start + i / rate - time.perf_counter()) > 0:
            await asyncio.sleep(delay)  # the schedule, not a wait for an effect
        tasks.append(asyncio.create_task(publish_one(exchange, body)))
    await asyncio.gather(*tasks)
    return count


# --- the benchmark ----------------------------------------------------------------------------


class OutboundBench:
    """Every measurement, on one admin channel; at most one outbound process at a time."""

    def __init__(
        self,
        config: Config,
        channel: AbstractChannel,
        receiver: Server,
        http: aiohttp.ClientSession,
        pg: asyncpg.Connection,
        tenants: Tenants,
    ) -> None:
        self._config = config
        self._channel = channel
        self._receiver = receiver
        self._http = http
        self._pg = pg
        self._tenants = tenants
        self._exchange: AbstractExchange | None = None
        self.outbound: Server | None = None
        self.peak_rss_mib = 0.0
        self.profile: Profile | None = None

    # processes and the receiver

    async def start_outbound(self, *, ready: bool, **env: str) -> Server:
        await self.stop_outbound()
        port = free_port()
        server = Server(
            "outbound", [sys.executable, "-m", "services.outbound"],
            self._config.outbound_env(port, **env), port,
        )  # fmt: skip
        self.outbound = server
        await (server.start() if ready else server.spawn())
        return server

    async def stop_outbound(self) -> None:
        if self.outbound is not None:
            with contextlib.suppress(OSError, BenchFailed):  # it may have exited already
                self.peak_rss_mib = max(self.peak_rss_mib, self.outbound.peak_rss_mib())
            await self.outbound.stop()
            self.outbound = None

    async def exchange(self) -> AbstractExchange:
        if self._exchange is None:
            self._exchange = await self._channel.get_exchange(self._config.events_exchange)
        return self._exchange

    async def reset_receiver(self, hang: Sequence[str] = (), hang_s: float = 0.0) -> None:
        async with self._http.post(
            f"{self._receiver.url}/_ctl/reset", json={"hang": list(hang), "hang_s": hang_s}
        ) as answer:
            answer.raise_for_status()

    async def counts(self) -> dict[str, int]:
        async with self._http.get(f"{self._receiver.url}/_ctl/count") as answer:
            by_path: dict[str, int] = (await answer.json())["by_path"]
            return by_path

    async def arrivals(self) -> list[Arrival]:
        async with self._http.get(f"{self._receiver.url}/_ctl/records") as answer:
            rows = (await answer.json())["records"]
        return [Arrival(*row) for row in rows]

    async def wait_arrivals(self, paths: Sequence[str], at_least: int, *, within: float) -> None:
        """Poll the receiver until `paths` together received `at_least` requests."""
        deadline = time.monotonic() + within
        while True:
            counts = await self.counts()
            got = sum(counts.get(p, 0) for p in paths)
            if got >= at_least:
                return
            if self.outbound is not None:
                self.outbound.check_alive()
            if time.monotonic() > deadline:
                tail = self.outbound.tail() if self.outbound is not None else ""
                raise BenchFailed(f"{got} of {at_least} deliveries within {within:.0f} s\n{tail}")
            await asyncio.sleep(0.05)  # poll interval of a deadline-bounded wait

    async def outcomes(self, server: Server) -> dict[str, int]:
        """outbound's switchyard_outbound_attempts_total by result, from its /metrics."""
        async with self._http.get(f"{server.url}/metrics") as answer:
            text = await answer.text()
        found = re.findall(
            r'^switchyard_outbound_attempts_total\{result="(\w+)"\} (\S+)$', text, re.M
        )
        return {result: round(float(value)) for result, value in found}

    async def attempts(self) -> int:
        return int(await self._pg.fetchval("SELECT count(*) FROM webhook_attempts"))

    async def attempt_batches(self) -> int:
        """Attempt-log transactions so far: each stamps its deliveries with one `updated_at`."""
        sql = "SELECT count(DISTINCT updated_at) FROM webhook_deliveries"
        return int(await self._pg.fetchval(sql))

    async def committed(self, base: int, n: int, *, within: float) -> int:
        """Attempts committed since `base`, once `n` are (or `within` seconds passed)."""
        deadline = time.monotonic() + within
        while True:
            committed = await self.attempts() - base
            if committed >= n or time.monotonic() > deadline:
                return committed
            await asyncio.sleep(0.05)  # poll interval: attempts commit in groups

    async def queued(self, at_least: int, *, within: float = 30.0) -> None:
        """Wait until the fan-out queue holds `at_least` messages."""
        deadline = time.monotonic() + within
        while (depth := (await inspect_queue(self._channel, self._config.fan_out_queue)).messages) < at_least:  # fmt: skip
            if time.monotonic() > deadline:
                raise BenchFailed(f"the fan-out queue holds {depth} of {at_least} events")
            await asyncio.sleep(0.05)

    async def purge(self) -> None:
        """Empty every outbound queue (outbound stopped): no run inherits another's retries."""
        underlay = await self._channel.get_underlay_channel()
        for queue in self._config.queues():
            await underlay.queue_purge(queue=queue)

    async def attached(self, server: Server, *, within: float = 40.0) -> float:
        """Outbound's CPU seconds at the moment its fan-out consumer attached."""
        deadline = time.monotonic() + within
        while (await inspect_queue(self._channel, self._config.fan_out_queue)).consumers < 1:
            server.check_alive()
            if time.monotonic() > deadline:
                raise BenchFailed(f"outbound's consumer not attached in {within:.0f} s\n{server.tail()}")  # fmt: skip
            await asyncio.sleep(0.01)
        return server.cpu_seconds()

    # throughput

    async def declare_topology(self) -> None:
        """Let outbound declare and bind its queues once, so events queue while it is stopped."""
        await self.start_outbound(ready=True)
        await self.stop_outbound()

    async def ours_throughput(self, round_no: int, *, profile: bool = False) -> ThroughputRun:
        n = self._config.events
        await self.reset_receiver()
        await self.purge()
        await publish_all(await self.exchange(), event_bodies(self._tenants.single, n))
        await self.queued(n)
        base, batches = await self.attempts(), await self.attempt_batches()
        server = await self.start_outbound(ready=False)
        cpu0 = await self.attached(server)
        machine = machine_ticks()
        spy = await start_pyspy(self._config.pyspy, server.pid) if profile else None
        try:
            await self.wait_arrivals([self._tenants.single_path], n, within=DELIVERY_WAIT_S)
            committed = await self.committed(base, n, within=60)
            cpu_s, busy = server.cpu_seconds() - cpu0, busy_since(machine)
            outcomes = await self.outcomes(server)
        finally:
            if spy is not None:
                self.profile = await stop_pyspy(spy)
        arrivals = await self.arrivals()
        await self.stop_outbound()
        run = self._throughput_run(
            "ours", round_no, arrivals, cpu_s, busy, errors=0,
            attempt_batches=await self.attempt_batches() - batches, outcomes=outcomes,
        )  # fmt: skip
        if committed < n:
            run.void.append(f"{committed} of {n} attempts committed within 60 s")
        return run

    async def bare_throughput(self, round_no: int) -> ThroughputRun:
        n = self._config.events
        await self.reset_receiver()
        machine = machine_ticks()
        out = await self._bare("--count", str(n), "--concurrency", str(CONCURRENCY), limit=DELIVERY_WAIT_S)  # fmt: skip
        busy = busy_since(machine)
        arrivals = await self.arrivals()
        return self._throughput_run(
            "bare", round_no, arrivals, out["cpu_s"], busy, errors=out["errors"]
        )

    async def _bare(self, *args: str, limit: float) -> dict[str, Any]:
        command = [
            sys.executable, "-m", "tests.bench._outbound_bare",
            "--url", f"{self._receiver.url}{self._tenants.single_path}",
            "--secret", self._tenants.secret, "--pad", str(PAD), *args,
        ]  # fmt: skip
        out = await child_output(command, name="bare client", limit=limit)
        report: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return report

    def _throughput_run(
        self, side: str, round_no: int, arrivals: list[Arrival], cpu_s: float, busy: float,
        *, errors: int, attempt_batches: int = 0, outcomes: dict[str, int] | None = None,
    ) -> ThroughputRun:  # fmt: skip
        n = self._config.events
        distinct = len({a.webhook_id for a in arrivals})
        void = [] if distinct == n else [f"{distinct} distinct deliveries of {n}"]
        if errors:
            void.append(f"{errors} errors")
        run = ThroughputRun(
            side=side, round=round_no, deliveries=distinct, duplicates=len(arrivals) - distinct,
            seconds=span(arrivals), cpu_s=cpu_s, machine_busy=busy, errors=errors, void=void,
            attempt_batches=attempt_batches, outcomes=outcomes or {},
        )  # fmt: skip
        batching = (
            f", {run.rows_per_batch:.1f} attempts/commit, attempts {run.outcomes}"
            if attempt_batches else ""
        )  # fmt: skip
        progress(
            f"throughput {side} round {round_no}: {run.rate:,.0f} deliveries/s over "
            f"{run.seconds:.1f} s, {run.cpu_us:.0f} us CPU/delivery{batching}, machine {busy:.0%} busy"
            + (f"  VOID: {'; '.join(void)}" if void else "")
        )
        return run

    # latency

    async def ours_latency(self) -> LatencyRun:
        await self.purge()
        await self.start_outbound(ready=True)
        exchange = await self.exchange()
        await self.reset_receiver()
        await publish_all(exchange, event_bodies(self._tenants.single, 100))  # warm-up
        await self.wait_arrivals([self._tenants.single_path], 100, within=30)
        await self.reset_receiver()
        machine = machine_ticks()
        count = await publish_on_schedule(
            exchange, self._tenants.single, rate=LATENCY_RATE, seconds=self._config.latency_s
        )
        with contextlib.suppress(BenchFailed):  # what did not arrive is reported as missing
            await self.wait_arrivals([self._tenants.single_path], count, within=15)
        busy = busy_since(machine)
        arrivals = await self.arrivals()
        await self.stop_outbound()
        return self._latency_run("ours", count, arrivals, busy)

    async def bare_latency(self) -> LatencyRun:
        await self.reset_receiver()
        machine = machine_ticks()
        seconds = self._config.latency_s
        out = await self._bare(
            "--rate", str(LATENCY_RATE), "--seconds", str(seconds), limit=seconds + 60
        )
        busy = busy_since(machine)
        run = self._latency_run("bare", round(LATENCY_RATE * seconds), await self.arrivals(), busy)
        if out["errors"] or out["cutoff"]:
            run.void.append(f"{out['errors']} errors, {out['cutoff']} cut off")
        return run

    def _latency_run(
        self, side: str, scheduled: int, arrivals: list[Arrival], busy: float
    ) -> LatencyRun:
        first: dict[str, Arrival] = {}
        for a in arrivals:
            first.setdefault(a.webhook_id, a)
        ordered = sorted((a.at - a.t0) * 1000 for a in first.values() if a.t0 is not None)
        void = [] if len(ordered) == scheduled else [f"{len(ordered)} of {scheduled} delivered"]
        run = LatencyRun(
            side=side, scheduled=scheduled, delivered=len(ordered),
            duplicates=len(arrivals) - len(first), p50_ms=percentile(ordered, 50),
            p95_ms=percentile(ordered, 95), p99_ms=percentile(ordered, 99),
            max_ms=ordered[-1] if ordered else float("nan"), machine_busy=busy, void=void,
        )  # fmt: skip
        progress(
            f"latency {side} {LATENCY_RATE}/s: p50 {run.p50_ms:.1f} ms, p95 {run.p95_ms:.1f} ms, "
            f"p99 {run.p99_ms:.1f} ms, max {run.max_ms:.1f} ms, machine {busy:.0%} busy"
            + (f"  VOID: {'; '.join(void)}" if void else "")
        )
        return run

    # isolation

    async def isolation(self, kind: str, round_no: int) -> IsolationRun:
        e, tenants = self._config.isolation_events, self._tenants
        hang = tenants.hanging_paths if kind == "hanging" else []
        await self.reset_receiver(hang=hang, hang_s=ISOLATION_TIMEOUT_S + 1)
        await self.purge()
        await publish_all(await self.exchange(), event_bodies(tenants.isolation, e))
        await self.queued(e)
        server = await self.start_outbound(ready=False, OUTBOUND_TIMEOUT_S=str(ISOLATION_TIMEOUT_S))
        cpu0 = await self.attached(server)
        machine = machine_ticks()
        await self.wait_arrivals(tenants.healthy_paths, e * len(tenants.healthy_paths), within=DELIVERY_WAIT_S)  # fmt: skip
        cpu_s, busy = server.cpu_seconds() - cpu0, busy_since(machine)
        arrivals, outcomes = await self.arrivals(), await self.outcomes(server)
        await self.stop_outbound()
        healthy = set(tenants.healthy_paths)
        seen = {a.webhook_id: a for a in arrivals if a.path in healthy}
        measured = list(seen.values())
        void = [] if len(seen) == e * len(healthy) else [f"{len(seen)} of {e * len(healthy)} delivered"]  # fmt: skip
        start, end = min(a.at for a in measured), max(a.at for a in measured)
        within = [a for a in arrivals if start <= a.at <= end]
        run = IsolationRun(
            kind=kind, round=round_no, healthy_deliveries=len(seen), seconds=end - start,
            all_rate=(len(within) - 1) / (end - start) if end > start else float("nan"),
            hanging_requests=sum(1 for a in arrivals if a.path in set(hang)),
            machine_busy=busy, void=void, outcomes=outcomes, cpu_us=cpu_s / len(arrivals) * 1e6,
        )  # fmt: skip
        progress(
            f"isolation {kind} round {round_no}: {run.rate:,.0f} deliveries/s to the "
            f"{len(healthy)} healthy endpoints ({run.all_rate:,.0f}/s to all), "
            f"{run.hanging_requests} requests to hanging ones, attempts {outcomes}, "
            f"{run.cpu_us:.0f} us CPU per arrival, machine {busy:.0%} busy"
            + (f"  VOID: {'; '.join(void)}" if void else "")
        )
        return run


# --- py-spy (optional) ------------------------------------------------------------------------


@dataclass
class PySpy:
    proc: asyncio.subprocess.Process
    output: Path


@dataclass(frozen=True)
class Profile:
    """Shares of py-spy's samples: by the function on top of the stack, and by project code."""

    samples: int
    own: list[tuple[str, float]]  # the innermost Python function, any module
    inclusive: list[tuple[str, float]]  # services/ and libs/ functions anywhere on the stack
    layers: list[tuple[str, float]]  # each sample to the innermost frame of a known layer


async def start_pyspy(binary: str | None, pid: int) -> PySpy | None:
    if binary is None:
        return None
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    output = PYSPY_STACKS
    proc = await asyncio.create_subprocess_exec(
        binary, "record", "--pid", str(pid), "--rate", "100", "--nonblocking",
        "--full-filenames", "--format", "raw", "--output", str(output),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    return PySpy(proc, output)


async def stop_pyspy(spy: PySpy) -> Profile:
    """Stop py-spy (SIGINT makes it write its collapsed stacks) and summarize them."""
    if spy.proc.returncode is None:
        spy.proc.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(spy.proc.wait(), 20)
        except TimeoutError:
            spy.proc.kill()
            await spy.proc.wait()
    text = spy.output.read_text() if spy.output.exists() else ""
    return summarize_stacks(text)


LAYERS = {
    "aiormq/": "AMQP (aio-pika, aiormq, pamqp)", "pamqp/": "AMQP (aio-pika, aiormq, pamqp)",
    "aio_pika/": "AMQP (aio-pika, aiormq, pamqp)", "aiohttp/": "HTTP client (aiohttp, yarl)",
    "yarl/": "HTTP client (aiohttp, yarl)", "multidict/": "HTTP client (aiohttp, yarl)",
    "asyncpg/": "PostgreSQL (asyncpg)", "asyncio/runners.py": "event loop (uvloop, callbacks)",
    "services/": "outbound's own code", "libs/": "libs (broker runtime, db, egress, ...)",
}  # fmt: skip


def summarize_stacks(text: str) -> Profile:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    layers: Counter[str] = Counter()
    total = 0
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_function(frame) for frame in stack.split(";")]
        total += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            if frame.split("(")[-1].startswith(("services/", "libs/")):
                inclusive[frame] += int(count)
        layers[_layer(frames)] += int(count)
    if not total:
        return Profile(0, [], [], [])
    return Profile(
        samples=total,
        own=[(frame, n / total) for frame, n in own.most_common(10)],
        inclusive=[(frame, n / total) for frame, n in inclusive.most_common(12)],
        layers=[(layer, n / total) for layer, n in layers.most_common()],
    )


def _layer(frames: Sequence[str]) -> str:
    for frame in reversed(frames):
        where = frame.rpartition("(")[2]
        for prefix, layer in LAYERS.items():
            if where.startswith(prefix):
                return layer
    return "other"


def _function(frame: str) -> str:
    """`name (path:line)` as `name (short path)`: one entry per function, not per line."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rpartition(":")[0] or where.rstrip(")")
    if "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    elif (stdlib := re.search(r"/lib/python3\.\d+/(.*)", path)) is not None:
        path = stdlib[1]
    else:
        path = path.removeprefix(str(ROOT) + "/")
    return f"{name} ({path})"


# --- the run ----------------------------------------------------------------------------------


async def bench(config: Config) -> Results:
    results = Results()
    receiver_port = free_port()
    receiver = Server(
        "receiver", [sys.executable, "-m", "tests.bench._outbound_receiver", "--port", str(receiver_port)],
        {}, receiver_port,
    )  # fmt: skip
    connection = await aio_pika.connect(
        config.amqp_url, client_properties={"connection_name": "bench:outbound-admin"}
    )
    pg = await asyncpg.connect(config.database_url, timeout=10)
    runner: OutboundBench | None = None
    try:
        async with connection, aiohttp.ClientSession() as http:
            channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
            await config.topology.declare_exchanges(channel)
            await receiver.start()
            tenants = await register_endpoints(config, receiver.url)
            runner = OutboundBench(config, channel, receiver, http, pg, tenants)
            await runner.declare_topology()
            order = [
                (n, side)
                for n in range(1, config.rounds + 1)
                for side in (("ours", "bare") if n % 2 else ("bare", "ours"))
            ]
            for round_no, side in order:
                run = (
                    await runner.ours_throughput(round_no)
                    if side == "ours"
                    else await runner.bare_throughput(round_no)
                )
                results.throughput.append(run)
            results.latency.append(await runner.ours_latency())
            results.latency.append(await runner.bare_latency())
            kinds = [("healthy", 1), ("hanging", 1), ("hanging", 2), ("healthy", 2)]
            for kind, round_no in kinds[: 2 * config.rounds]:
                results.isolation.append(await runner.isolation(kind, round_no))
            results.outbound_peak_rss_mib = runner.peak_rss_mib
            if config.pyspy is not None:
                progress("profiling one more outbound throughput run under py-spy (not recorded)")
                await runner.ours_throughput(0, profile=True)
                results.profile = runner.profile
    finally:
        if runner is not None:
            await runner.stop_outbound()
        await receiver.stop()
        await pg.close()
        await delete_broker_names(
            config.amqp_url, config.prefix, set(config.queues()),
            {config.topology.exchange(e) for e in Exchange},
        )  # fmt: skip
    return results


# --- reporting --------------------------------------------------------------------------------


def render_table(results: Results, config: Config) -> str:
    goals = results.goals()
    verdict = {True: "met", False: "MISSED"}
    rows: list[tuple[str, ...]] = [("benchmark", "outbound", "baseline", "ratio", "goal")]
    for stat in ("best", "median"):
        ours, bare = results.rate("ours")[stat], results.rate("bare")[stat]
        goal = f">= {GOAL_RATE:,.0f}/s: {verdict[goals['rate']]}" if stat == "median" else ""
        rows.append((
            f"throughput deliveries/s, {config.events:,} events, 1 endpoint ({stat})",
            f"{ours:,.0f}/s", f"{bare:,.0f}/s bare", f"{ours / bare:.1%}", goal,
        ))  # fmt: skip
    ours, bare = results.cpu_us("ours")["median"], results.cpu_us("bare")["median"]
    rows.append((
        "  CPU per delivery, own process (median)",
        f"{ours:,.0f} us", f"{bare:,.0f} us bare", f"{ours / bare:.1f}x", "",
    ))  # fmt: skip
    healthy_cpu = [r.cpu_us for r in results.isolation if r.kind == "healthy" and not r.void]
    if healthy_cpu:
        rows.append((
            f"  CPU per delivery, 1 event -> {ISOLATION_ENDPOINTS} endpoints (median)",
            f"{statistics.median(healthy_cpu):,.0f} us", "", "", "",
        ))  # fmt: skip
    lat_ours, lat_bare = results.latency_of("ours"), results.latency_of("bare")
    for pct in ("p50", "p95", "p99"):
        o = getattr(lat_ours, f"{pct}_ms") if lat_ours else float("nan")
        b = getattr(lat_bare, f"{pct}_ms") if lat_bare else float("nan")
        goal = (
            f"< {GOAL_P95_MS:.0f} ms: {verdict[goals['p95']]} (Convoy {CONVOY_P95_MS:.0f} ms)"
            if pct == "p95" else ""
        )  # fmt: skip
        rows.append((
            f"latency published -> delivered at {LATENCY_RATE}/s, {config.latency_s} s ({pct})",
            f"{o:.1f} ms", f"{b:.1f} ms bare", f"{o / b:.1f}x", goal,
        ))  # fmt: skip
    for stat in ("best", "median"):
        hanging, healthy = (
            results.isolation_rate("hanging")[stat],
            results.isolation_rate("healthy")[stat],
        )
        goal = (
            f">= {GOAL_ISOLATION:.0%} of all-healthy: {verdict[goals['isolation']]}"
            if stat == "median" else ""
        )  # fmt: skip
        rows.append((
            f"isolation: 18 healthy endpoints' deliveries/s, 2 of 20 hanging ({stat})",
            f"{hanging:,.0f}/s", f"{healthy:,.0f}/s all healthy", f"{hanging / healthy:.1%}", goal,
        ))  # fmt: skip
    lines = aligned(rows, left=frozenset({0, 4}))
    runs: list[Any] = [*results.throughput, *results.latency, *results.isolation]
    for run in (r for r in runs if r.void):
        lines.append(f"void: {type(run).__name__} {getattr(run, 'side', getattr(run, 'kind', ''))}: {'; '.join(run.void)}")  # fmt: skip
    busy = max(r.machine_busy for r in results.throughput)
    batching = [r.rows_per_batch for r in results.valid("ours")]
    latency_busy = ", ".join(f"{r.side} {r.machine_busy:.0%}" for r in results.latency)
    lines.append(
        f"outbound's attempt log: {statistics.median(batching) if batching else float('nan'):.1f} "
        f"attempts per commit (median of runs); machine busy during latency runs: {latency_busy}"
    )
    lines.append(
        f"best/median of {config.rounds} rounds (ABBA); machine up to {busy:.0%} busy during "
        f"throughput runs; isolation runs with OUTBOUND_TIMEOUT_S={ISOLATION_TIMEOUT_S:g}; "
        f"outbound peak RSS {results.outbound_peak_rss_mib:.0f} MiB"
    )
    if results.profile is not None:
        lines.append(
            f"py-spy, outbound under the throughput load ({results.profile.samples} samples at "
            f"100 Hz; stacks in {PYSPY_STACKS.relative_to(ROOT)}). Top functions by own time:"
        )
        lines.extend(f"  {share:6.1%}  {frame}" for frame, share in results.profile.own)
        lines.append("By layer (each sample to its innermost frame in one of these):")
        lines.extend(f"  {share:6.1%}  {layer}" for layer, share in results.profile.layers)
        lines.append("Project functions by inclusive time (anywhere on the stack):")
        lines.extend(f"  {share:6.1%}  {frame}" for frame, share in results.profile.inclusive)
    return "\n".join(lines)


def write_json(results: Results, config: Config, versions: dict[str, str], load: dict[str, float]) -> None:  # fmt: skip
    report = {
        "benchmark": "outbound",
        "finished_at": datetime.now(UTC).isoformat(),
        "goals": {
            "deliveries_per_s": GOAL_RATE, "latency_p95_ms": GOAL_P95_MS,
            "isolation_ratio": GOAL_ISOLATION, "convoy_p95_ms_at_200": CONVOY_P95_MS,
            "met": results.goals(),
        },
        "config": {
            "events": config.events, "latency_rate": LATENCY_RATE, "latency_s": config.latency_s,
            "isolation_events": config.isolation_events,
            "isolation_endpoints": ISOLATION_ENDPOINTS, "hanging": HANGING,
            "isolation_timeout_s": ISOLATION_TIMEOUT_S, "bare_concurrency": CONCURRENCY,
            "body_pad": PAD, "rounds": config.rounds, "order": "ABBA",
        },
        "versions": versions,
        "cpus": os.cpu_count(),
        "load_average_1m": load,
        "results": {
            "ours_deliveries_per_s": results.rate("ours"),
            "bare_deliveries_per_s": results.rate("bare"),
            "ours_cpu_us_per_delivery": results.cpu_us("ours"),
            "bare_cpu_us_per_delivery": results.cpu_us("bare"),
            "isolation_healthy_per_s": results.isolation_rate("healthy"),
            "isolation_hanging_per_s": results.isolation_rate("hanging"),
            "outbound_peak_rss_mib": results.outbound_peak_rss_mib,
            "pyspy": None if results.profile is None else asdict(results.profile),
        },
        "runs": {
            "throughput": [{**asdict(r), "rate": r.rate, "cpu_us": r.cpu_us, "attempts_per_commit": r.rows_per_batch} for r in results.throughput],
            "latency": [asdict(r) for r in results.latency],
            "isolation": [{**asdict(r), "rate": r.rate} for r in results.isolation],
        },
    }  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")


async def measure(config: Config) -> tuple[Results, dict[str, str]]:
    try:
        async with asyncio.timeout(TOTAL_LIMIT_S):
            versions = await server_versions(
                config.amqp_url, config.database_url, "aiohttp", "aio-pika", "uvloop", "orjson"
            )
            return await bench(config), versions
    except TimeoutError:
        raise BenchFailed(f"not finished within {TOTAL_LIMIT_S:.0f} s") from None


def run_all(argv: Sequence[str] | None = None) -> int:
    """Create and migrate the run's database, measure, report; drop it whatever happens."""
    from libs.db.migrate import migrate
    from tests.support.environment import AMQP_URL, PG_SERVER_URL

    parser = argparse.ArgumentParser(prog="python -m tests.bench.outbound")
    parser.add_argument("--quick", action="store_true", help="fewer events, one round")
    quick = parser.parse_args(argv).quick
    load_before = os.getloadavg()[0]
    prefix = f"bench{uuid.uuid4().hex[:10]}"
    database_url = str(URL(PG_SERVER_URL).with_path(f"/switchyard_{prefix}"))
    pyspy = os.environ.get("BENCH_OUTBOUND_PYSPY") or None
    try:
        config = Config(
            amqp_url=AMQP_URL, database_url=database_url, prefix=prefix,
            encryption_key=SecretBox.generate_key(),
            events=positive_int("BENCH_OUTBOUND_EVENTS", 3000 if quick else 20_000),
            latency_s=positive_int("BENCH_OUTBOUND_LATENCY_S", 6 if quick else 20),
            isolation_events=positive_int("BENCH_OUTBOUND_ISOLATION_EVENTS", 200 if quick else 600),
            rounds=1 if quick else 2, pyspy=pyspy,
        )  # fmt: skip
        try:
            migrate(database_url)
            results, versions = asyncio.run(measure(config))
        finally:
            asyncio.run(drop_database(database_url))
        results.check_complete()
    except BenchFailed as exc:
        print(f"outbound benchmark failed: {exc}", file=sys.stderr)
        return 1
    load = {"before": load_before, "after": os.getloadavg()[0]}
    print(
        f"outbound: python -m services.outbound (1 process) vs a bare aiohttp client, local "
        f"receiver, ~{PAD + 100} B bodies; {os.cpu_count()} CPUs shared with RabbitMQ "
        f"{versions['rabbitmq']}, PostgreSQL {versions['postgresql']} and the receiver; "
        f"1-min load {load['before']:.2f} before, {load['after']:.2f} after"
    )
    print(render_table(results, config))
    write_json(results, config, versions, load)
    return 0


if __name__ == "__main__":
    sys.exit(run_all())
