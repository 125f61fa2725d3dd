"""Ingress benchmark: `python -m services.ingress` against a bare aiohttp + aio-pika app, and
`python -m services.router` against a bare aio-pika + asyncpg consumer.

    python -m tests.bench.ingress     every measurement; table on stdout,
                                      JSON in bench-results/ingress.json

    throughput  wrk -t1 -c64 for BENCH_SECONDS POSTing one signed ~1 KB QuickBooks legacy
                body (one realm, one Invoice); accepted webhooks/s and wrk's p50/p99.
                A run with a non-2xx answer or a socket error is void, and so is one
                where the broker did not receive what wrk says was accepted (one event
                per 200, plus at most one per connection still in flight when wrk stopped)
    steady      an open-model generator (tests/bench/_ingress_load.py) at 1,000 requests/s
                for BENCH_SECONDS, latency from each request's scheduled time: p50/p95/p99.
                Void on any error, cutoff, unbalanced ledger or broker count != answers
    router      BENCH_ROUTER_EVENTS ingress CloudEvents (unique dedupe keys, linked
                accounts) queued on a work queue before the side's router process
                starts; timed from its consumer attaching to the last tenant event on a
                queue bound to {prefix}.events, with the router's CPU seconds. Ours is
                `python -m services.router` (group-committed routing, outbox, relay);
                bare is tests/bench/_router_bare.py (per event: routes + inbox in one
                transaction, then a confirmed publish per route, no outbox)

The two sides of throughput and steady are each one long-lived server process: ours is the
real service (`python -m services.ingress`, configured by env as in production, with a
database of its own created and migrated for this run); bare is tests/bench/_ingress_bare.py
(uvloop, `hmac.compare_digest`, orjson, one confirmed mandatory persistent publish per
entity on one channel). Both publish to {prefix}.ingress, where a quorum queue per run bound
with `#` makes every publish routable and counts what arrived. Runs alternate ours/bare,
bare/ours (ABBA over two rounds) because the machine is shared and noisy; the table shows
the best and the median. Each run also records the server's CPU seconds (from /proc), so CPU
per request compares the two sides' work independently of how busy the machine was. Each
throughput run and router run starts once the machine has been under 15% busy for a second
(at most 30 s of waiting), so what the previous run left working does not count against it.

Everything this run creates (queues, exchanges, the database) carries the run's prefix
`bench<hex>` and is deleted at the end, on failure too.

Environment: BENCH_SECONDS (default 10), BENCH_ROUTER_EVENTS (default 10000), TEST_AMQP_URL
and TEST_PG_URL (as for the tests).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aio_pika
import orjson
from aio_pika.abc import AbstractChannel, AbstractExchange
from yarl import URL

from libs.broker import Exchange, Topology, inspect_queue
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
    quiet_machine,
    server_versions,
)

MODULE = "tests.bench.ingress"
ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench-results" / "ingress.json"
ROUNDS = 2
SIDES = ("ours", "bare")
WRK_THREADS = 1
WRK_CONNECTIONS = 64
WARMUP_S = 2
STEADY_RATE = 1000
ROUTER_ACCOUNTS = 100
PUBLISH_WINDOW = 256
# The router's default RETRY_TIERS_MS=1000,10000,60000,600000,3600000, in seconds: its
# queues must be declared with exactly these arguments or its own declare is refused.
RETRY_TIERS = (1.0, 10.0, 60.0, 600.0, 3600.0)
GOAL_RATIO = 0.80
GOAL_RATE = 3000.0
GOAL_P99_MS = 20.0
# Measuring takes about 2.5 minutes (router rounds included); past this, stop, clean up and fail.
TOTAL_LIMIT_S = 300.0
TOKEN = "bench-quickbooks-verifier-token"
REALM = "9130350000000001"
BODY_BYTES = 1024
CONTENT_TYPE = "application/cloudevents+json"


# --- the request, and what each side makes of it ----------------------------------------------


@dataclass(frozen=True)
class Signed:
    """The POST both sides receive: a legacy QuickBooks body and its `intuit-signature`."""

    body: bytes
    signature: str


def quickbooks_entity(entity_id: str, padding: str) -> dict[str, str]:
    return {
        "name": "Invoice",
        "id": entity_id,
        "operation": "Create",
        "lastUpdated": "2026-11-21T08:00:00-0700",
        # Not an Intuit field; unknown entity fields are kept, so it travels in the event's data.
        "benchPadding": padding,
    }


def legacy_body(realm: str, entity: dict[str, str]) -> bytes:
    notification = {"realmId": realm, "dataChangeEvent": {"entities": [entity]}}
    return orjson.dumps({"eventNotifications": [notification]})


def benchmark_request() -> Signed:
    """The signed body, padded to about BODY_BYTES; checks both sides build the same event."""
    from libs.signatures import QuickBooksVerifier, sign_quickbooks
    from services.ingress import notifications
    from tests.bench._ingress_bare import bare_events

    unpadded = len(legacy_body(REALM, quickbooks_entity("145", "")))
    body = legacy_body(REALM, quickbooks_entity("145", "x" * (BODY_BYTES - unpadded)))
    signed = Signed(body=body, signature=sign_quickbooks(body, TOKEN))
    QuickBooksVerifier(secrets=[TOKEN]).verify(body, {"intuit-signature": signed.signature})
    found = notifications.quickbooks(orjson.loads(body))
    ours = [
        orjson.loads(notifications.to_event(n, provider="quickbooks").to_bytes()) for n in found
    ]
    bare = bare_events(orjson.loads(body))
    if [_comparable(e) for e in ours] != [_comparable(e) for e in bare]:
        raise BenchFailed(f"the bare side builds other events than ingress:\n{ours}\n{bare}")
    return signed


def _comparable(event: dict[str, Any]) -> dict[str, Any]:
    """An event without its (random) id, its time as an instant rather than text."""
    rest = {k: v for k, v in event.items() if k not in {"id", "time"}}
    return {**rest, "time": datetime.fromisoformat(event["time"].replace("Z", "+00:00"))}


# --- processes --------------------------------------------------------------------------------


# --- wrk --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrkOutput:
    requests: int
    seconds: float
    rate: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def parse_wrk(text: str) -> WrkOutput:
    """requests/s, p50/p99 and error counts from `wrk --latency` output."""
    summary = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m),", text)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", text)
    percentiles = {
        pct: float(value) * _UNITS[unit]
        for pct, value, unit in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
    }
    if summary is None or rate is None or not {"50", "99"} <= percentiles.keys():
        raise BenchFailed(f"cannot read wrk's output:\n{text}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    return WrkOutput(
        requests=int(summary[1]),
        seconds=float(summary[2]) * _UNITS[summary[3]] / 1000,
        rate=float(rate[1]),
        p50_ms=percentiles["50"],
        p99_ms=percentiles["99"],
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
    )


def write_lua(directory: Path, signed: Signed) -> Path:
    body = directory / "body.json"
    body.write_bytes(signed.body)
    script = directory / "post.lua"
    script.write_text(
        f'local file = assert(io.open("{body}", "rb"))\n'
        'wrk.method = "POST"\n'
        'wrk.body = file:read("*a")\n'
        "file:close()\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["intuit-signature"] = "{signed.signature}"\n'
    )
    return script


# --- runs and their statistics ----------------------------------------------------------------


@dataclass(frozen=True)
class ThroughputRun:
    side: str
    round: int
    requests: int
    seconds: float
    rate: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    broker_messages: int
    server_cpu_s: float
    machine_busy: float
    void: list[str]

    @property
    def cpu_us_per_request(self) -> float:
        return self.server_cpu_s / max(1, self.requests) * 1e6


@dataclass(frozen=True)
class SteadyRun:
    side: str
    round: int
    scheduled: int
    ok: int
    errors: int
    cutoff: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    max_send_lag_ms: float
    error_kinds: dict[str, int]
    broker_messages: int
    server_cpu_s: float
    machine_busy: float
    void: list[str]

    @property
    def cpu_us_per_request(self) -> float:
        return self.server_cpu_s / max(1, self.ok) * 1e6


@dataclass(frozen=True)
class RouterRun:
    side: str
    round: int
    events: int
    seconds: float
    startup_s: float
    router_cpu_s: float
    machine_busy: float

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    @property
    def cpu_us_per_event(self) -> float:
        return self.router_cpu_s / self.events * 1e6


@dataclass
class Results:
    throughput: list[ThroughputRun] = field(default_factory=list)
    steady: list[SteadyRun] = field(default_factory=list)
    router: list[RouterRun] = field(default_factory=list)
    ours_peak_rss_mib: float = float("nan")
    bare_peak_rss_mib: float = float("nan")

    def valid_throughput(self, side: str) -> list[ThroughputRun]:
        return [r for r in self.throughput if r.side == side and not r.void]

    def valid_steady(self, side: str) -> list[SteadyRun]:
        return [r for r in self.steady if r.side == side and not r.void]

    def rate(self, side: str) -> dict[str, float]:
        return best_and_median([r.rate for r in self.valid_throughput(side)], higher_is_better=True)

    def wrk_latency(self, side: str, pct: str) -> dict[str, float]:
        values = [getattr(r, f"{pct}_ms") for r in self.valid_throughput(side)]
        return best_and_median(values, higher_is_better=False)

    def cpu_per_request(self, side: str) -> dict[str, float]:
        values = [r.cpu_us_per_request for r in self.valid_throughput(side)]
        return best_and_median(values, higher_is_better=False)

    def steady_latency(self, side: str, pct: str) -> dict[str, float]:
        values = [getattr(r, f"{pct}_ms") for r in self.valid_steady(side)]
        return best_and_median(values, higher_is_better=False)

    def steady_errors(self, side: str) -> int:
        return sum(r.errors + r.cutoff for r in self.steady if r.side == side)

    def router_rate(self, side: str) -> dict[str, float]:
        runs = [r.rate for r in self.router if r.side == side]
        return best_and_median(runs, higher_is_better=True)

    def router_cpu(self, side: str) -> dict[str, float]:
        runs = [r.cpu_us_per_event for r in self.router if r.side == side]
        return best_and_median(runs, higher_is_better=False)

    def check_complete(self) -> None:
        for side in SIDES:
            if not self.valid_throughput(side):
                raise BenchFailed(f"every throughput run of {side} was void")
            if not self.valid_steady(side):
                raise BenchFailed(f"every steady-rate run of {side} was void")

    def goals(self) -> dict[str, dict[str, bool]]:
        """Each goal, judged on the best and on the median."""
        out: dict[str, dict[str, bool]] = {}
        for stat in ("best", "median"):
            ours, bare = self.rate("ours")[stat], self.rate("bare")[stat]
            out[stat] = {
                "ingress_over_bare": ours / bare >= GOAL_RATIO,
                "ingress_rate": ours >= GOAL_RATE,
                "steady_p99": self.steady_latency("ours", "p99")[stat] < GOAL_P99_MS,
            }
        return out


# --- the run ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    amqp_url: str
    database_url: str
    prefix: str
    seconds: int
    router_events: int

    @property
    def topology(self) -> Topology:
        return Topology(self.prefix)

    @property
    def ingress_exchange(self) -> str:
        return self.topology.exchange(Exchange.INGRESS)

    @property
    def events_exchange(self) -> str:
        return self.topology.exchange(Exchange.EVENTS)

    def service_env(self, port: int) -> dict[str, str]:
        """What `python -m services.<name>` reads, as a deployment would set it."""
        from libs.crypto import SecretBox

        return {
            "SWITCHYARD_ENV": "test",
            "AMQP_URL": self.amqp_url,
            "DATABASE_URL": self.database_url,
            "BROKER_PREFIX": self.prefix,
            "HTTP_PORT": str(port),
            "ENCRYPTION_KEYS": SecretBox.generate_key(),
            "QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN": TOKEN,
        }


class IngressBench:
    """Runs every measurement on one admin channel; records each queue before declaring it."""

    def __init__(self, config: Config, channel: AbstractChannel, signed: Signed, lua: Path) -> None:
        self._config = config
        self._channel = channel
        self._signed = signed
        self._lua = lua
        self.declared: set[str] = set()
        self.servers: dict[str, Server] = {}

    # servers

    async def start_servers(self) -> None:
        ours_port, bare_port = free_port(), free_port()
        ours = Server(
            "ours (services.ingress)",
            [sys.executable, "-m", "services.ingress"],
            self._config.service_env(ours_port),
            ours_port,
        )
        bare = Server(
            "bare (_ingress_bare)",
            [
                sys.executable,
                "-m",
                "tests.bench._ingress_bare",
                *("--port", str(bare_port), "--exchange", self._config.ingress_exchange),
            ],
            {"TEST_AMQP_URL": self._config.amqp_url, "BENCH_QUICKBOOKS_TOKEN": TOKEN},
            bare_port,
        )
        self.servers = {"ours": ours, "bare": bare}
        await ours.start()
        await bare.start()

    async def stop_servers(self) -> None:
        for server in self.servers.values():
            await server.stop()

    def _webhook_url(self, side: str) -> str:
        return f"{self.servers[side].url}/webhooks/quickbooks"

    # queues

    async def _sink(self, name: str) -> str:
        """A quorum queue bound to {prefix}.ingress with `#`: publishes are routable and counted."""
        queue = f"{self._config.prefix}.sink-{name}"
        self.declared.add(queue)
        declared = await self._channel.declare_queue(
            queue, durable=True, arguments={"x-queue-type": "quorum"}
        )
        await declared.bind(self._config.ingress_exchange, "#")
        return queue

    async def _drop_sink(self, queue: str, *, accepted: int) -> int:
        """Its settled depth; then unbind it and delete it.

        Unbound first, and only once nothing more arrives: RabbitMQ 3.10 crashes a channel
        whose publish reaches a quorum queue that is being deleted, which would cost the
        server under test its publishing channel (and the next run its validity).
        """
        depth = await self._settled_depth(queue, at_least=accepted)
        underlay = await self._channel.get_underlay_channel()
        await underlay.queue_unbind(
            queue=queue, exchange=self._config.ingress_exchange, routing_key="#"
        )
        await asyncio.sleep(0.2)
        await underlay.queue_delete(queue=queue)
        return depth

    async def _depth(self, queue: str) -> int:
        return (await inspect_queue(self._channel, queue)).messages

    async def _settled_depth(self, queue: str, *, at_least: int, within: float = 10.0) -> int:
        """The queue's depth once it reached `at_least` and stopped changing (or `within` passed)."""
        deadline = time.monotonic() + within
        last = -1
        while True:
            depth = await self._depth(queue)
            if (depth >= at_least and depth == last) or time.monotonic() > deadline:
                return depth
            last = depth
            await asyncio.sleep(0.25)

    # measurements

    async def warm_up(self) -> None:
        """A short wrk run per side (connections, caches, first-use costs); not recorded."""
        for side in SIDES:
            queue = await self._sink(f"warmup-{side}")
            out = parse_wrk(await self._wrk(side, WARMUP_S))
            await self._drop_sink(queue, accepted=out.requests)
            if out.non_2xx or out.socket_errors:
                raise BenchFailed(
                    f"{side} warm-up: {out.non_2xx} non-2xx, {out.socket_errors} socket errors"
                )

    async def _wrk(self, side: str, seconds: int) -> str:
        command = [
            *("wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--latency"),
            *("-s", str(self._lua), self._webhook_url(side)),
        ]
        return await child_output(command, name=f"wrk against {side}", limit=seconds + 30)

    async def throughput(self, side: str, round_no: int) -> ThroughputRun:
        server = self.servers[side]
        queue = await self._sink(f"wrk-{side}-{round_no}")
        waited, idle_busy = await quiet_machine()
        cpu, machine = server.cpu_seconds(), machine_ticks()
        out = parse_wrk(await self._wrk(side, self._config.seconds))
        cpu_s, busy = server.cpu_seconds() - cpu, busy_since(machine)
        depth = await self._drop_sink(queue, accepted=out.requests)
        server.check_alive()
        void = []
        if out.non_2xx:
            void.append(f"{out.non_2xx} non-2xx responses")
        if out.socket_errors:
            void.append(f"{out.socket_errors} socket errors")
        if not out.requests <= depth <= out.requests + WRK_CONNECTIONS:
            void.append(f"broker holds {depth} events for {out.requests} accepted requests")
        run = ThroughputRun(
            side=side, round=round_no, requests=out.requests, seconds=out.seconds, rate=out.rate,
            p50_ms=out.p50_ms, p99_ms=out.p99_ms, non_2xx=out.non_2xx,
            socket_errors=out.socket_errors, broker_messages=depth, server_cpu_s=cpu_s,
            machine_busy=busy, void=void,
        )  # fmt: skip
        progress(
            f"throughput {side} round {round_no}: {run.rate:,.0f} req/s, p50 {run.p50_ms:.2f} ms, "
            f"p99 {run.p99_ms:.2f} ms, {run.cpu_us_per_request:.0f} us CPU/request, "
            f"machine {busy:.0%} busy (started after {waited:.0f} s at {idle_busy:.0%})"
            + (f"  VOID: {'; '.join(void)}" if void else "")
        )
        return run

    async def steady(self, side: str, round_no: int) -> SteadyRun:
        server = self.servers[side]
        queue = await self._sink(f"steady-{side}-{round_no}")
        cpu, machine = server.cpu_seconds(), machine_ticks()
        command = [
            *(sys.executable, "-m", "tests.bench._ingress_load", "--url", self._webhook_url(side)),
            *("--rate", str(STEADY_RATE), "--seconds", str(self._config.seconds)),
            *("--signature", self._signed.signature),
        ]
        out = await child_output(
            command, name=f"load generator against {side}", limit=self._config.seconds + 40,
            stdin=self._signed.body,
        )  # fmt: skip
        cpu_s, busy = server.cpu_seconds() - cpu, busy_since(machine)
        report = json.loads(out.strip().splitlines()[-1])
        depth = await self._drop_sink(queue, accepted=report["ok"])
        server.check_alive()
        void = []
        if not report["balanced"]:
            void.append("ledger does not balance")
        if report["errors"] or report["cutoff"]:
            void.append(
                f"{report['errors']} errors {report['error_kinds']}, {report['cutoff']} cut off"
            )
        if depth != report["ok"]:
            void.append(f"broker holds {depth} events for {report['ok']} accepted requests")
        run = SteadyRun(
            side=side, round=round_no, scheduled=report["scheduled"], ok=report["ok"],
            errors=report["errors"], cutoff=report["cutoff"], p50_ms=report["p50_ms"],
            p95_ms=report["p95_ms"], p99_ms=report["p99_ms"], max_ms=report["max_ms"],
            max_send_lag_ms=report["max_send_lag_ms"], error_kinds=report["error_kinds"],
            broker_messages=depth, server_cpu_s=cpu_s, machine_busy=busy, void=void,
        )  # fmt: skip
        progress(
            f"steady {STEADY_RATE}/s {side} round {round_no}: p50 {run.p50_ms:.2f} ms, "
            f"p95 {run.p95_ms:.2f} ms, p99 {run.p99_ms:.2f} ms, max {run.max_ms:.1f} ms, "
            f"{run.errors + run.cutoff} errors, {run.cpu_us_per_request:.0f} us CPU/request, "
            f"machine {busy:.0%} busy" + (f"  VOID: {'; '.join(void)}" if void else "")
        )
        return run

    async def router(self, side: str, round_no: int, accounts: Sequence[str]) -> RouterRun:
        """Prefill a work queue, start that side's router, time it to the last tenant event."""
        config, events = self._config, self._config.router_events
        if side == "ours":
            queues = config.topology.service("router", retry_tiers=RETRY_TIERS)
            work_queue, unrouted = queues.work_queue, f"{config.prefix}.router.unrouted"
            self.declared.update([*queues.all_queues, unrouted])
            await queues.declare(self._channel, [(config.ingress_exchange, "#")])
            prefill = await self._channel.get_exchange(config.ingress_exchange)
            command = [sys.executable, "-m", "services.router"]
            env = config.service_env(free_port())
        else:
            work_queue, unrouted = f"{config.prefix}.bare-router", None
            self.declared.add(work_queue)
            await self._channel.declare_queue(
                work_queue, durable=True, arguments={"x-queue-type": "quorum"}
            )
            prefill = self._channel.default_exchange
            command = [
                sys.executable, "-m", "tests.bench._router_bare", "--queue", work_queue,
                "--exchange", config.events_exchange, "--consumer", f"bare-router-{round_no}",
            ]  # fmt: skip
            env = {"TEST_AMQP_URL": config.amqp_url, "DATABASE_URL": config.database_url}
        collector = f"{config.prefix}.collect-{side}-{round_no}"
        self.declared.add(collector)
        declared = await self._channel.declare_queue(
            collector, durable=True, arguments={"x-queue-type": "quorum"}
        )
        await declared.bind(config.events_exchange, "#")

        batch = ingress_events(f"{round_no}{side[0]}", accounts, events)
        await publish_windowed(prefill, batch, routing_key=None if side == "ours" else work_queue)
        if (ready := await self._depth(work_queue)) != events:
            raise BenchFailed(f"{work_queue} holds {ready} messages, expected {events}")

        router = Server(f"router ({side})", command, env, free_port())
        self.servers[f"router-{side}-{round_no}"] = router
        await quiet_machine()
        spawned = time.perf_counter()
        await router.spawn()
        limit = 20.0 + events / 150
        try:
            started = await self._poll(
                lambda: self._consumers(work_queue), until=lambda n: n >= 1,
                interval=0.005, within=40.0, what=f"the {side} router's consumer", server=router,
            )  # fmt: skip
            cpu, machine = router.cpu_seconds(), machine_ticks()
            finished = await self._poll(
                lambda: self._depth(collector), until=lambda n: n >= events, interval=0.02,
                within=limit, what=f"{events} tenant events", server=router,
            )  # fmt: skip
            cpu_s, busy = router.cpu_seconds() - cpu, busy_since(machine)
            arrived = await self._settled_depth(collector, at_least=events, within=3.0)
            left = await self._depth(work_queue)
            parked = 0 if unrouted is None else await self._depth(unrouted)
        finally:
            await router.stop()
        if (arrived, left, parked) != (events, 0, 0):
            raise BenchFailed(
                f"router {side} round {round_no}: {arrived} tenant events for {events} "
                f"({left} left in the work queue, {parked} parked)"
            )
        await self._channel.queue_delete(collector)
        run = RouterRun(
            side=side, round=round_no, events=events, seconds=finished - started,
            startup_s=started - spawned, router_cpu_s=cpu_s, machine_busy=busy,
        )  # fmt: skip
        progress(
            f"router {side} round {round_no}: {run.rate:,.0f} events/s ({events:,} in "
            f"{run.seconds:.1f} s, {run.cpu_us_per_event:.0f} us CPU/event, machine {busy:.0%} "
            f"busy; consumer attached {run.startup_s:.1f} s after spawn)"
        )
        return run

    async def _consumers(self, queue: str) -> int:
        return (await inspect_queue(self._channel, queue)).consumers

    async def _poll(
        self,
        probe: Callable[[], Any],
        *,
        until: Callable[[int], bool],
        interval: float,
        within: float,
        what: str,
        server: Server,
    ) -> float:
        """perf_counter() at the first probe that satisfied `until`."""
        deadline = time.monotonic() + within
        while True:
            value = await probe()
            if until(value):
                return time.perf_counter()
            server.check_alive()
            if time.monotonic() > deadline:
                raise BenchFailed(
                    f"no {what} within {within:.0f} s (last {value}):\n{server.tail()}"
                )
            await asyncio.sleep(interval)


@dataclass(frozen=True)
class Outgoing:
    routing_key: str
    body: bytes
    message_id: str


def ingress_events(tag: str, accounts: Sequence[str], count: int) -> list[Outgoing]:
    """`count` ingress CloudEvents as ingress builds them; dedupe keys unique to `tag`, accounts
    round-robin."""
    from services.ingress import notifications

    padding = "x" * 700
    out = []
    for i in range(count):
        realm = accounts[i % len(accounts)]
        body = orjson.loads(legacy_body(realm, quickbooks_entity(f"{tag}{i:07d}", padding)))
        for found in notifications.quickbooks(body):
            event = notifications.to_event(found, provider="quickbooks")
            out.append(Outgoing(routing_key=event.type, body=event.to_bytes(), message_id=event.id))
    return out


async def publish_windowed(
    exchange: AbstractExchange, events: Iterable[Outgoing], *, routing_key: str | None = None
) -> None:
    """Confirmed, mandatory, persistent publishes, at most PUBLISH_WINDOW unconfirmed; each under
    its type, or all under `routing_key`."""
    window = asyncio.Semaphore(PUBLISH_WINDOW)

    async def publish_one(event: Outgoing) -> None:
        message = aio_pika.Message(
            event.body,
            message_id=event.message_id,
            type=event.routing_key,
            content_type=CONTENT_TYPE,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            headers={},
        )
        async with window:
            await exchange.publish(message, routing_key or event.routing_key, mandatory=True)

    await asyncio.gather(*(publish_one(e) for e in events))


async def link_accounts(database_url: str, count: int) -> list[str]:
    """`count` QuickBooks realms, each linked to a tenant connection of its own."""
    from libs.db import Database
    from services.router.storage import link_account

    db = await Database.connect(database_url)
    try:
        realms = [f"{9130360000000000 + n}" for n in range(count)]
        for n, realm in enumerate(realms):
            await link_account(
                db, tenant_id=f"tenant-{n}", provider="quickbooks", account_id=realm,
                connection_id=f"qb-{n}",
            )  # fmt: skip
        return realms
    finally:
        await db.close()


async def bench(config: Config, signed: Signed, workdir: Path) -> Results:
    """Every measurement, rounds in ABBA order; deletes every queue and exchange it made."""
    results = Results()
    connection = await aio_pika.connect(
        config.amqp_url, client_properties={"connection_name": "bench:ingress-admin"}
    )
    bench: IngressBench | None = None
    try:
        async with connection:
            channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
            await config.topology.declare_exchanges(channel)
            bench = IngressBench(config, channel, signed, write_lua(workdir, signed))
            await bench.start_servers()
            await bench.warm_up()
            order = [
                (n, s) for n in range(1, ROUNDS + 1) for s in (SIDES if n % 2 else SIDES[::-1])
            ]
            for round_no, side in order:
                results.throughput.append(await bench.throughput(side, round_no))
            for round_no, side in order:
                results.steady.append(await bench.steady(side, round_no))
            results.ours_peak_rss_mib = bench.servers["ours"].peak_rss_mib()
            results.bare_peak_rss_mib = bench.servers["bare"].peak_rss_mib()
            await bench.stop_servers()
            accounts = await link_accounts(config.database_url, ROUTER_ACCOUNTS)
            for round_no, side in order:
                results.router.append(await bench.router(side, round_no, accounts))
    finally:
        if bench is not None:
            await bench.stop_servers()
        declared = set() if bench is None else bench.declared
        await delete_broker_names(
            config.amqp_url,
            config.prefix,
            declared,
            {config.ingress_exchange, config.events_exchange},
        )
    return results


# --- reporting --------------------------------------------------------------------------------


def render_table(results: Results, config: Config) -> str:
    goals = results.goals()
    rows: list[tuple[str, ...]] = [("benchmark", "ours", "bare", "ours/bare %", "goal")]

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    for stat in ("best", "median"):
        ours, bare = results.rate("ours")[stat], results.rate("bare")[stat]
        g = goals[stat]
        rows.append((
            f"ingress accepted webhooks/s, wrk -c{WRK_CONNECTIONS} ({stat})",
            f"{ours:,.0f}/s", f"{bare:,.0f}/s", f"{ours / bare:.1%}",
            f">= {GOAL_RATIO:.0%} of bare: {verdict(g['ingress_over_bare'])}; "
            f">= {GOAL_RATE:,.0f}/s: {verdict(g['ingress_rate'])}",
        ))  # fmt: skip
    for pct in ("p50", "p99"):
        ours, bare = (
            results.wrk_latency("ours", pct)["median"],
            results.wrk_latency("bare", pct)["median"],
        )
        rows.append(
            (
                f"  wrk latency {pct} (median)",
                f"{ours:.2f} ms",
                f"{bare:.2f} ms",
                f"{ours / bare:.0%}",
                "",
            )
        )
    ours, bare = (
        results.cpu_per_request("ours")["median"],
        results.cpu_per_request("bare")["median"],
    )
    rows.append(
        (
            "  server CPU per request (median)",
            f"{ours:.0f} us",
            f"{bare:.0f} us",
            f"{ours / bare:.0%}",
            "",
        )
    )
    for pct in ("p50", "p95", "p99"):
        for stat in ("best", "median"):
            ours, bare = (
                results.steady_latency("ours", pct)[stat],
                results.steady_latency("bare", pct)[stat],
            )
            goal = ""
            if pct == "p99":
                goal = f"< {GOAL_P99_MS:.0f} ms: {verdict(goals[stat]['steady_p99'])}"
            rows.append((
                f"steady {STEADY_RATE:,} req/s latency {pct} ({stat})",
                f"{ours:.2f} ms", f"{bare:.2f} ms", f"{ours / bare:.0%}", goal,
            ))  # fmt: skip
    rows.append((
        f"steady {STEADY_RATE:,} req/s errors (all runs)",
        str(results.steady_errors("ours")), str(results.steady_errors("bare")), "", "0",
    ))  # fmt: skip
    for stat in ("best", "median"):
        ours, bare = results.router_rate("ours")[stat], results.router_rate("bare")[stat]
        rows.append((
            f"router events/s, {config.router_events:,} queued ({stat})",
            f"{ours:,.0f}/s", f"{bare:,.0f}/s", f"{ours / bare:.1%}", "",
        ))  # fmt: skip
    ours, bare = results.router_cpu("ours")["median"], results.router_cpu("bare")["median"]
    rows.append((
        "  router CPU per event (median)", f"{ours:.0f} us", f"{bare:.0f} us", f"{ours / bare:.0%}",
        "",
    ))  # fmt: skip
    lines = aligned(rows, left=frozenset({0, 4}))
    runs: list[ThroughputRun | SteadyRun] = [*results.throughput, *results.steady]
    for run in (r for r in runs if r.void):
        lines.append(
            f"void: {type(run).__name__} {run.side} round {run.round}: {'; '.join(run.void)}"
        )
    busy = max(r.machine_busy for r in results.throughput)
    lines.append(
        f"machine up to {busy:.0%} busy during throughput runs; near 100% the sides share a "
        "saturated machine and the rate ratio understates the gap in CPU per request"
    )
    lines.append(
        f"best = highest rate / lowest latency of {ROUNDS} rounds (ABBA order); "
        f"peak RSS ours {results.ours_peak_rss_mib:.1f} MiB, bare {results.bare_peak_rss_mib:.1f} MiB"
    )
    return "\n".join(lines)


def write_json(
    results: Results,
    config: Config,
    signed: Signed,
    versions: dict[str, str],
    load: dict[str, float],
) -> None:
    def side_stats(side: str) -> dict[str, Any]:
        return {
            "accepted_per_s": results.rate(side),
            "wrk_p50_ms": results.wrk_latency(side, "p50"),
            "wrk_p99_ms": results.wrk_latency(side, "p99"),
            "cpu_us_per_request": results.cpu_per_request(side),
            "steady_p50_ms": results.steady_latency(side, "p50"),
            "steady_p95_ms": results.steady_latency(side, "p95"),
            "steady_p99_ms": results.steady_latency(side, "p99"),
            "steady_errors": results.steady_errors(side),
        }

    report = {
        "benchmark": "ingress",
        "finished_at": datetime.now(UTC).isoformat(),
        "goals": {
            "ingress_over_bare": GOAL_RATIO,
            "ingress_accepted_per_s": GOAL_RATE,
            "steady_p99_ms": GOAL_P99_MS,
            "met": results.goals(),
        },
        "config": {
            "seconds": config.seconds,
            "body_bytes": len(signed.body),
            "entities_per_request": 1,
            "wrk": f"-t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{config.seconds}s --latency",
            "warmup_s": WARMUP_S,
            "steady_rate": STEADY_RATE,
            "router_events": config.router_events,
            "router_accounts": ROUTER_ACCOUNTS,
            "rounds": ROUNDS,
            "order": "ABBA: ours, bare; bare, ours",
            "sink_queue_type": "quorum",
            "event_loop": "uvloop (servers, generator)",
        },
        "versions": versions,
        "cpus": os.cpu_count(),
        "load_average_1m": load,
        "results": {
            "ours": side_stats("ours"),
            "bare": side_stats("bare"),
            "ours_over_bare": {
                stat: results.rate("ours")[stat] / results.rate("bare")[stat]
                for stat in ("best", "median")
            },
            "ours_peak_rss_mib": results.ours_peak_rss_mib,
            "bare_peak_rss_mib": results.bare_peak_rss_mib,
            "router_events_per_s": {side: results.router_rate(side) for side in SIDES},
            "router_cpu_us_per_event": {side: results.router_cpu(side) for side in SIDES},
        },
        "runs": {
            "throughput": [
                {**asdict(r), "cpu_us_per_request": r.cpu_us_per_request}
                for r in results.throughput
            ],
            "steady": [
                {**asdict(r), "cpu_us_per_request": r.cpu_us_per_request} for r in results.steady
            ],
            "router": [
                {**asdict(r), "events_per_s": r.rate, "cpu_us_per_event": r.cpu_us_per_event}
                for r in results.router
            ],
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")


async def versions_with_wrk(config: Config) -> dict[str, str]:
    versions = await server_versions(
        config.amqp_url, config.database_url, "aiohttp", "aio-pika", "aiormq", "uvloop", "orjson"
    )
    wrk = await asyncio.create_subprocess_exec(
        "wrk", "-v", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await wrk.communicate()
    return {**versions, "wrk": out.decode().split()[1] if out.split() else "?"}


async def measure(config: Config, signed: Signed, workdir: Path) -> tuple[Results, dict[str, str]]:
    limit = asyncio.timeout(TOTAL_LIMIT_S)
    try:
        async with limit:
            versions = await versions_with_wrk(config)
            return await bench(config, signed, workdir), versions
    except TimeoutError:
        if limit.expired():
            raise BenchFailed(f"not finished within {TOTAL_LIMIT_S:.0f} s") from None
        raise


def run_all() -> int:
    """Parent process: create and migrate the database, measure, report; drop it whatever happens."""
    from libs.db.migrate import migrate
    from tests.support.environment import AMQP_URL, PG_SERVER_URL

    load_before = os.getloadavg()[0]
    prefix = f"bench{uuid.uuid4().hex[:10]}"
    database_url = str(URL(PG_SERVER_URL).with_path(f"/switchyard_{prefix}"))
    try:
        config = Config(
            amqp_url=AMQP_URL,
            database_url=database_url,
            prefix=prefix,
            seconds=positive_int("BENCH_SECONDS", 10),
            router_events=positive_int("BENCH_ROUTER_EVENTS", 10_000),
        )
        signed = benchmark_request()
        try:
            migrate(database_url)
            with tempfile.TemporaryDirectory(prefix=f"{prefix}-") as workdir:
                results, versions = asyncio.run(measure(config, signed, Path(workdir)))
        finally:
            asyncio.run(drop_database(database_url))
        results.check_complete()
    except BenchFailed as exc:
        print(f"ingress benchmark failed: {exc}", file=sys.stderr)
        return 1
    load = {"before": load_before, "after": os.getloadavg()[0]}
    print(
        f"ingress: {config.seconds} s per run, {len(signed.body)} B QuickBooks body, 1 entity, "
        f"{os.cpu_count()} CPUs shared by server, load, RabbitMQ {versions['rabbitmq']} and "
        f"PostgreSQL {versions['postgresql']}; 1-min load average {load['before']:.2f} before, "
        f"{load['after']:.2f} after"
    )
    print(render_table(results, config))
    write_json(results, config, signed, versions, load)
    return 0


if __name__ == "__main__":
    sys.exit(run_all())
