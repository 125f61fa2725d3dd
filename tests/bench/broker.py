"""Broker benchmark: our Publisher and Consumer against bare aio-pika doing the same work.

    python -m tests.bench.broker                  every comparison; table on stdout,
                                                  JSON in bench-results/broker.json
    python -m tests.bench.broker --side SIDE ...  one measured side, run by the above;
                                                  prints one JSON line

    publish   N confirmed, mandatory, persistent publishes of one ~1 KB CloudEvent to a
              durable quorum queue via the default exchange, at most 256 unconfirmed;
              timed from the first publish to the last confirm
    consume   N messages already in a quorum work queue, prefetch 100, ack each;
              timed from consumer start to the moment the last one was handled

Each side runs in a process of its own, so its peak RSS is its own, and it
imports only what it uses: module level holds what the bare sides
need (aio-pika, orjson, uvloop); `libs` and the test support code are imported
inside our sides and the parent. Runs alternate ours, bare, ours, bare because
the machine is shared and noisy; the table shows the best and the median.

Environment: BENCH_MESSAGES (default 20000), TEST_AMQP_URL (as for the tests).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aio_pika
import orjson
import uvloop
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractIncomingMessage

if TYPE_CHECKING:
    from libs.broker import BrokerConnection, Topology

MODULE = "tests.bench.broker"
RESULTS = Path(__file__).resolve().parents[2] / "bench-results" / "broker.json"
EVENT_TYPE = "bench.msg.sent"
EVENT_BYTES = 1024
WINDOW = 256
PREFETCH = 100
ROUNDS = 2
RETRY_TIERS = (10.0, 60.0)
GOAL = 0.80
SIDES = ("ours", "bare")
# libs.events.CONTENT_TYPE, spelled out so the bare sides do not load pydantic; the parent checks it.
CONTENT_TYPE = "application/cloudevents+json"


class BenchFailed(RuntimeError):
    """A side could not run, or the broker's message count disagrees with what was sent."""


@dataclass(frozen=True)
class Wire:
    """The benchmark event as it travels: the body and the AMQP properties both sides set."""

    body: bytes
    message_id: str
    type: str

    @classmethod
    def of(cls, body: bytes) -> Wire:
        parsed = orjson.loads(body)
        return cls(body=body, message_id=parsed["id"], type=parsed["type"])

    def message(self) -> aio_pika.Message:
        """The message our Publisher builds for this event: persistent, same properties."""
        return aio_pika.Message(
            self.body,
            message_id=self.message_id,
            type=self.type,
            content_type=CONTENT_TYPE,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            headers={},
        )


async def publish_windowed(
    exchange: AbstractExchange, wire: Wire, *, routing_key: str, count: int
) -> None:
    """Bare aio-pika: `count` mandatory, confirmed publishes, at most WINDOW unconfirmed."""
    window = asyncio.Semaphore(WINDOW)

    async def publish_one() -> None:
        async with window:
            await exchange.publish(wire.message(), routing_key, mandatory=True)

    await asyncio.gather(*(publish_one() for _ in range(count)))


@dataclass(frozen=True)
class Mark:
    """A moment in wall-clock time and in this process's CPU time."""

    wall: float
    cpu: float

    @classmethod
    def now(cls) -> Mark:
        return cls(wall=time.perf_counter(), cpu=time.process_time())

    def since(self, start: Mark) -> Span:
        return Span(seconds=self.wall - start.wall, cpu_seconds=self.cpu - start.cpu)


@dataclass(frozen=True)
class Span:
    """A side's measured work: wall and CPU seconds, imports and connecting excluded."""

    seconds: float
    cpu_seconds: float


class Tally:
    """Counts handled messages and marks the moment the last expected one was handled."""

    def __init__(self, expected: int) -> None:
        self._expected = expected
        self._handled = 0
        self._finished = Mark(wall=0.0, cpu=0.0)
        self._done = asyncio.Event()

    def tick(self) -> None:
        self._handled += 1
        if self._handled == self._expected:
            self._finished = Mark.now()
            self._done.set()

    async def finished(self) -> Mark:
        """The moment the last expected message was handled, once it has been."""
        await self._done.wait()
        return self._finished


def peak_rss_mib() -> float:
    """This process's peak RSS (VmHWM).

    Not `ru_maxrss`: Linux carries it across fork and exec, so a child would
    report its parent's peak whenever that is higher.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    raise BenchFailed("no VmHWM in /proc/self/status")


# --- the measured sides: each returns the span of its measured work ---------------------------


@dataclass(frozen=True)
class SideArgs:
    url: str
    prefix: str
    queue: str
    service: str
    messages: int
    wire: Wire

    @property
    def time_limit(self) -> float:
        return time_limit(self.messages)


async def bare_publish(args: SideArgs) -> Span:
    connection = await aio_pika.connect_robust(args.url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        started = Mark.now()
        await publish_windowed(
            channel.default_exchange, args.wire, routing_key=args.queue, count=args.messages
        )
        return Mark.now().since(started)


async def ours_publish(args: SideArgs) -> Span:
    """Our Publisher sending the same prepared bytes as the bare side (see `benchmark_event`).

    Serializing a CloudEvent (`Publisher.publish(event)`) adds pydantic's
    `model_dump_json`, about 5 us per 1 KB event, which the bare loop does not
    do at all; both sides here send a body built once, so the figure compares
    the publishing machinery itself (window, confirms, error mapping, metrics).
    """
    from libs.broker import DEFAULT_EXCHANGE, OutgoingMessage, Publisher

    message = OutgoingMessage(
        exchange=DEFAULT_EXCHANGE,
        routing_key=args.queue,
        body=args.wire.body,
        message_id=args.wire.message_id,
        type=args.wire.type,
    )
    connection = await _our_connection(args, role="publish")
    publisher = Publisher(connection=connection, service="bench", window=WINDOW)
    try:
        await publisher.start()
        started = Mark.now()
        await asyncio.gather(*(publisher.send(message) for _ in range(args.messages)))
        return Mark.now().since(started)
    finally:
        await publisher.close()
        await connection.close()


async def bare_consume(args: SideArgs) -> Span:
    tally = Tally(args.messages)

    async def on_message(message: AbstractIncomingMessage) -> None:
        orjson.loads(message.body)
        await message.ack()
        tally.tick()

    connection = await aio_pika.connect_robust(args.url)
    async with connection:
        started = Mark.now()
        channel = await connection.channel(publisher_confirms=False)
        await channel.set_qos(prefetch_count=PREFETCH)
        queue = await channel.get_queue(args.queue)
        await queue.consume(on_message)
        async with asyncio.timeout(args.time_limit):
            return (await tally.finished()).since(started)


async def ours_consume(args: SideArgs) -> Span:
    from libs.broker import Consumer, Exchange, Publisher, Subscription, Topology
    from libs.events import CloudEvent

    tally = Tally(args.messages)

    async def handle(event: CloudEvent, deps: None) -> None:
        tally.tick()

    connection = await _our_connection(args, role="consume")
    publisher = Publisher(connection=connection, service="bench")
    topology = Topology(args.prefix)
    consumer = Consumer(
        connection=connection,
        publisher=publisher,
        topology=topology,
        service=topology.service(args.service, retry_tiers=RETRY_TIERS),
        subscriptions=[Subscription(Exchange.EVENTS, EVENT_TYPE, handle)],
        deps=None,
        prefetch=PREFETCH,
    )
    try:
        await publisher.start()
        started = Mark.now()
        await consumer.start()
        async with asyncio.timeout(args.time_limit):
            return (await tally.finished()).since(started)
    finally:
        await consumer.stop(drain_timeout=10.0)
        await publisher.close()
        await connection.close()


async def _our_connection(args: SideArgs, *, role: str) -> BrokerConnection:
    from libs.broker import BrokerConnection

    connection = BrokerConnection(url=args.url, name=f"bench:ours-{role}", service="bench")
    await connection.connect()
    return connection


MEASURED: dict[str, Callable[[SideArgs], Coroutine[Any, Any, Span]]] = {
    "ours-publish": ours_publish,
    "bare-publish": bare_publish,
    "ours-consume": ours_consume,
    "bare-consume": bare_consume,
}


def time_limit(messages: int) -> float:
    """Seconds one side may take: generous, but bounded even at a few hundred msg/s."""
    return 30.0 + messages / 500


def run_side(argv: Sequence[str]) -> None:
    """Child process: run one side under uvloop, print its result as one JSON line."""
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}")
    parser.add_argument("--side", choices=sorted(MEASURED), required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--queue", required=True)
    parser.add_argument("--service", required=True)
    parser.add_argument("--messages", type=int, required=True)
    ns = parser.parse_args(argv)
    args = SideArgs(
        url=os.environ["TEST_AMQP_URL"],
        prefix=ns.prefix,
        queue=ns.queue,
        service=ns.service,
        messages=ns.messages,
        wire=Wire.of(sys.stdin.buffer.read()),
    )
    span = uvloop.run(MEASURED[ns.side](args))
    result = {"messages": args.messages, **asdict(span), "rss_mib": peak_rss_mib()}
    print(json.dumps(result), flush=True)


# --- the parent: prepares queues, runs the sides, reports -------------------------------------


@dataclass(frozen=True)
class SideRun:
    """One measured run of one side, as its process reported it."""

    side: str
    round: int
    messages: int
    seconds: float
    rss_mib: float
    cpu_seconds: float

    @property
    def rate(self) -> float:
        return self.messages / self.seconds


@dataclass(frozen=True)
class Comparison:
    """All runs of one benchmark, both sides."""

    benchmark: str
    runs: list[SideRun]

    def rates(self, side: str) -> list[float]:
        return [run.rate for run in self.runs if run.side == side]

    def rate(self, side: str, stat: str) -> float:
        rates = self.rates(side)
        return max(rates) if stat == "best" else statistics.median(rates)

    def ratio(self, stat: str) -> float:
        return self.rate("ours", stat) / self.rate("bare", stat)

    def peak_rss(self, side: str) -> float:
        return max(run.rss_mib for run in self.runs if run.side == side)

    def to_json(self) -> dict[str, Any]:
        stats = {
            stat: {
                "ours_msg_per_s": self.rate("ours", stat),
                "bare_msg_per_s": self.rate("bare", stat),
                "ours_over_bare": self.ratio(stat),
            }
            for stat in ("best", "median")
        }
        peak = {f"{side}_peak_rss_mib": self.peak_rss(side) for side in SIDES}
        runs = [{**asdict(run), "msg_per_s": run.rate} for run in self.runs]
        return {"benchmark": self.benchmark, **stats, **peak, "runs": runs}


class BrokerBench:
    """Declares each run's queues, fills them, runs a side in a subprocess, checks the broker's counts.

    Every queue it declares is recorded before the declare, so `declared`
    names everything to delete afterwards, even after a failure.
    """

    def __init__(
        self, *, url: str, channel: AbstractChannel, topology: Topology, wire: Wire, messages: int
    ) -> None:
        self._url = url
        self._channel = channel
        self._topology = topology
        self._wire = wire
        self._messages = messages
        self.declared: set[str] = set()

    async def publish(self, side: str, round_no: int) -> SideRun:
        queue = f"{self._topology.prefix}.publish-{side}-{round_no}"
        self.declared.add(queue)
        await self._channel.declare_queue(queue, durable=True, arguments={"x-queue-type": "quorum"})
        run = await self._run(side, "publish", round_no, queue=queue)
        await self._expect_ready(queue, self._messages)
        await self._channel.queue_delete(queue)
        return run

    async def consume(self, side: str, round_no: int) -> SideRun:
        # Both sides drain a queue declared exactly like our runtime's work queue.
        service = self._topology.service(f"consume-{side}-{round_no}", retry_tiers=RETRY_TIERS)
        self.declared.update(service.all_queues)
        await service.declare(self._channel, [])
        await publish_windowed(
            self._channel.default_exchange,
            self._wire,
            routing_key=service.work_queue,
            count=self._messages,
        )
        await self._expect_ready(service.work_queue, self._messages)
        run = await self._run(
            side, "consume", round_no, queue=service.work_queue, service=service.service
        )
        await self._expect_ready(service.work_queue, 0)
        for queue in service.all_queues:
            await self._channel.queue_delete(queue)
        return run

    async def _run(
        self, side: str, kind: str, round_no: int, *, queue: str, service: str = "-"
    ) -> SideRun:
        name = f"{side}-{kind}"
        command = [
            *(sys.executable, "-m", MODULE, "--side", name, "--prefix", self._topology.prefix),
            *("--queue", queue, "--service", service, "--messages", str(self._messages)),
        ]
        out = await _child_output(
            command,
            name=name,
            stdin=self._wire.body,
            env={"TEST_AMQP_URL": self._url},
            limit=time_limit(self._messages) + 15.0,
        )
        result = json.loads(out.strip().splitlines()[-1])  # after any log lines
        run = SideRun(side=side, round=round_no, **result)
        print(
            f"{name} round {round_no}: {run.rate:,.0f} msg/s, {run.rss_mib:.1f} MiB, "
            f"{run.cpu_seconds:.1f} s CPU",
            file=sys.stderr,
            flush=True,
        )
        return run

    async def _expect_ready(self, queue: str, count: int) -> None:
        declared = await self._channel.declare_queue(queue, passive=True)
        ready = declared.declaration_result.message_count
        if ready != count:
            raise BenchFailed(f"{queue} holds {ready} ready messages, expected {count}")


async def _child_output(
    command: list[str], *, name: str, stdin: bytes, env: dict[str, str], limit: float
) -> str:
    """Run one side's process within `limit` seconds; its stdout, or BenchFailed."""
    proc = await asyncio.create_subprocess_exec(
        *command,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **env},
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
        tail = err.decode(errors="replace")[-3000:]
        raise BenchFailed(f"{name} exited with {proc.returncode}:\n{tail}")
    return out.decode()


async def compare_all(url: str, prefix: str, wire: Wire, messages: int) -> list[Comparison]:
    """Both benchmarks, rounds alternating ours and bare; deletes everything it declared."""
    from libs.broker import Exchange, Topology

    topology = Topology(prefix)
    connection = await aio_pika.connect(url, client_properties={"connection_name": "bench:admin"})
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        bench = BrokerBench(
            url=url, channel=channel, topology=topology, wire=wire, messages=messages
        )
        try:
            publish = [await bench.publish(s, n) for n in range(1, ROUNDS + 1) for s in SIDES]
            consume = [await bench.consume(s, n) for n in range(1, ROUNDS + 1) for s in SIDES]
        finally:
            exchanges = [topology.exchange(e) for e in Exchange]
            await _delete(url, queues=sorted(bench.declared), exchanges=exchanges)
    return [
        Comparison(f"publish prepared 1 KB, confirms, window {WINDOW}", publish),
        Comparison(f"consume, prefetch {PREFETCH}", consume),
    ]


async def _delete(url: str, *, queues: list[str], exchanges: list[str]) -> None:
    """Delete on a fresh connection: the admin one may be what failed. Deletes are idempotent."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        for queue in queues:
            await channel.queue_delete(queue)
        for exchange in exchanges:
            await channel.exchange_delete(exchange)


def benchmark_event() -> Wire:
    """One CloudEvent padded to about EVENT_BYTES on the wire."""
    from libs.events import CONTENT_TYPE as EVENT_CONTENT_TYPE
    from tests.support.events import make_event

    if CONTENT_TYPE != EVENT_CONTENT_TYPE:
        raise BenchFailed(
            f"CONTENT_TYPE is {CONTENT_TYPE!r}, libs.events says {EVENT_CONTENT_TYPE!r}"
        )
    unpadded = len(make_event(EVENT_TYPE, padding="").to_bytes())
    event = make_event(EVENT_TYPE, padding="x" * (EVENT_BYTES - unpadded))
    return Wire.of(event.to_bytes())


def render_table(comparisons: list[Comparison]) -> str:
    from tests.bench._harness import aligned  # the parent's, not the bare sides'

    header = ("benchmark", "ours", "bare baseline", "ours/bare %", "ours RSS MiB", "bare RSS MiB")
    rows = [header]
    for c in comparisons:
        for stat in ("best", "median"):
            rows.append(
                (
                    f"{c.benchmark} ({stat})",
                    f"{c.rate('ours', stat):,.0f} msg/s",
                    f"{c.rate('bare', stat):,.0f} msg/s",
                    _percent(c.ratio(stat)),
                    f"{c.peak_rss('ours'):.1f}",
                    f"{c.peak_rss('bare'):.1f}",
                )
            )
    lines = aligned(rows)
    lines.append(f"goal: ours >= {GOAL:.0%} of bare; RSS is each side's peak over its runs")
    return "\n".join(lines)


def _percent(ratio: float) -> str:
    """`87.3%`, flagged when below the goal."""
    return f"{ratio:.1%}" + ("" if ratio >= GOAL else " (below goal)")


def write_json(comparisons: list[Comparison], *, wire: Wire, messages: int, rabbitmq: str) -> None:
    report = {
        "benchmark": "broker",
        "finished_at": datetime.now(UTC).isoformat(),
        "goal_ours_over_bare": GOAL,
        "config": {
            "messages": messages,
            "event_bytes": len(wire.body),
            "window": WINDOW,
            "prefetch": PREFETCH,
            "rounds": ROUNDS,
            "order": "ours, bare per round",
            "queue_type": "quorum",
            "event_loop": "uvloop",
        },
        "versions": {
            "python": platform.python_version(),
            "rabbitmq": rabbitmq,
            **{name: version(name) for name in ("aio-pika", "aiormq", "pamqp", "uvloop")},
        },
        "cpus": os.cpu_count(),
        "results": [c.to_json() for c in comparisons],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")


async def rabbitmq_version(url: str) -> str:
    connection = await aio_pika.connect(url)
    async with connection:
        transport = connection.transport
        properties = transport.connection.server_properties if transport is not None else {}
        return str(properties.get("version", "?"))


def messages_from_env() -> int:
    raw = os.environ.get("BENCH_MESSAGES", "20000")
    if not raw.isdigit() or int(raw) < 1:
        raise BenchFailed(f"BENCH_MESSAGES must be a positive integer, got {raw!r}")
    return int(raw)


def run_all() -> int:
    """Parent process: every comparison, the table on stdout, JSON in bench-results/."""
    from tests.support.environment import AMQP_URL

    try:
        messages = messages_from_env()
        wire = benchmark_event()
        prefix = f"bench{uuid.uuid4().hex[:10]}"
        comparisons = asyncio.run(compare_all(AMQP_URL, prefix, wire, messages))
        rabbitmq = asyncio.run(rabbitmq_version(AMQP_URL))
    except BenchFailed as exc:
        print(f"broker benchmark failed: {exc}", file=sys.stderr)
        return 1
    print(
        f"broker: {messages:,} messages of {len(wire.body)} B per run, uvloop, RabbitMQ {rabbitmq}"
    )
    print(render_table(comparisons))
    write_json(comparisons, wire=wire, messages=messages, rabbitmq=rabbitmq)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1:
        run_side(sys.argv[1:])
    else:
        sys.exit(run_all())
