"""The consumer runtime: one work queue, one handler per event type, the runner owns the message.

    handler returns                 -> ack
    RetryableError / any Exception  -> copy to the next retry tier (attempt + 1), then ack;
                                       past the last tier -> DLQ (kind "exhausted")
    PermanentError                  -> DLQ (kind "permanent"), ack
    invalid payload / no handler    -> DLQ (kind "invalid"), ack
    the retry or DLQ publish fails  -> nack with requeue: the broker redelivers it

Every copy is published with confirms before the original is acked, so a
message is never in neither place. A crash anywhere leaves it unacked and the
broker redelivers it; `x-delivery-limit` on the work queue parks a message
that keeps killing its consumer. Handlers make their effects idempotent with
the inbox (libs.db).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Generic

import orjson
import structlog
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue, AbstractRobustChannel

from libs.broker import _headers as hdr
from libs.broker._errors import HandlerTimeout, PermanentError, PublishError, RetryableError
from libs.broker.connection import BrokerConnection
from libs.broker.deadlines import Deadlines
from libs.broker.publisher import DEFAULT_EXCHANGE, OutgoingMessage, Publisher
from libs.broker.retry_tiers import next_tier
from libs.broker.subscriptions import DepsT, Subscription, SubscriptionTable
from libs.broker.topology import ServiceTopology, Topology
from libs.events import EventError
from libs.observability import get_logger, metrics

log = get_logger(__name__)


class QueueConsumer:
    """One work queue consumed with a prefetch, its messages tracked until they settle.

    The lifecycle every consuming runtime shares (this module's `Consumer`, a service's own
    runtime such as outbound's delivery worker): `start()` declares the queues (`_declare`)
    and consumes; each message runs `_process`, which must ack or nack it; `stop()` cancels
    the consumer, waits for the messages in flight (up to `drain_timeout`), then closes the
    channel so anything unfinished is redelivered. `attach`/`detach`/`attached`/`queues`
    are what `ConsumerWatchdog` uses.
    """

    def __init__(
        self, *, connection: BrokerConnection, queues: ServiceTopology, prefetch: int
    ) -> None:
        self._connection = connection
        self.queues = queues
        self._prefetch = prefetch
        self._channel: AbstractRobustChannel | None = None
        self._queue: AbstractQueue | None = None
        self._consumer_tag: str | None = None
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def service(self) -> str:
        return self.queues.service

    async def start(self) -> None:
        """Declare the queues and consume."""
        self._channel = await self._connection.channel(publisher_confirms=False)
        self._queue = await self._declare(self._channel)
        await self._channel.set_qos(prefetch_count=self._prefetch)
        await self.attach()

    async def attach(self) -> None:
        """(Re-)register this process as a consumer of the work queue."""
        if self._queue is None:
            raise RuntimeError(f"{self.service}: consumer not started")
        self._consumer_tag = await self._queue.consume(self._on_message)

    async def detach(self) -> None:
        """Stop receiving deliveries (those already received still finish)."""
        if self._queue is not None and self._consumer_tag is not None:
            tag, self._consumer_tag = self._consumer_tag, None
            await self._queue.cancel(tag)

    @property
    def attached(self) -> bool:
        return self._consumer_tag is not None and self._channel is not None

    async def stop(self, *, drain_timeout: float = 30.0) -> None:
        """Graceful shutdown: stop receiving, finish in-flight messages, close the channel."""
        try:
            await self.detach()
        except Exception as exc:  # broker already gone: unacked messages return to the queue anyway
            log.warning("consumer_cancel_failed", error=hdr.describe(exc))
        try:
            await asyncio.wait_for(self._idle.wait(), drain_timeout)
        except TimeoutError:
            log.warning("consumer_drain_timeout", in_flight=self._in_flight)
        await self._stopped()
        if self._channel is not None and not self._channel.is_closed:
            await self._channel.close()
        self._channel = None

    async def _declare(self, channel: AbstractRobustChannel) -> AbstractQueue:
        raise NotImplementedError

    async def _process(self, message: AbstractIncomingMessage) -> None:
        raise NotImplementedError

    async def _stopped(self) -> None:
        """Drained, channel still open: a subclass's own cleanup."""

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        self._in_flight += 1
        self._idle.clear()
        try:
            await self._process(message)
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()


class Consumer(QueueConsumer, Generic[DepsT]):
    """Runs a service's subscription table against its work queue.

    `start()` declares the service's queues and bindings and begins
    consuming; `stop()` cancels the consumer, waits for handlers in flight
    (up to `drain_timeout`), then closes the channel so anything unfinished is
    redelivered.
    """

    def __init__(
        self,
        *,
        connection: BrokerConnection,
        publisher: Publisher,
        topology: Topology,
        service: ServiceTopology,
        subscriptions: Sequence[Subscription[Any, DepsT]],
        deps: DepsT,
        prefetch: int = 100,
    ) -> None:
        super().__init__(connection=connection, queues=service, prefetch=prefetch)
        self._publisher = publisher
        self._topology = topology
        self._table = SubscriptionTable(subscriptions)
        self._deps = deps
        self._deadlines = Deadlines()
        self._consumed = metrics.Children(metrics.messages_consumed, service.service)
        self._durations = metrics.Children(metrics.handler_duration, service.service)

    async def _declare(self, channel: AbstractRobustChannel) -> AbstractQueue:
        """The service's queues, bound from the subscription table."""
        await self._topology.declare_exchanges(channel)
        bindings = [(self._topology.exchange(s.exchange), s.event_type) for s in self._table]
        queue = await self.queues.declare(channel, bindings)
        self._deadlines.start()
        return queue

    async def _stopped(self) -> None:
        await self._deadlines.stop()

    async def _process(self, message: AbstractIncomingMessage) -> None:
        # aio-pika runs each delivery in its own task, so this context is this message's alone.
        attempt = hdr.attempt_of(message.headers)
        event_type = message.type or _type_from_body(message.body) or "unknown"
        structlog.contextvars.bind_contextvars(
            event_id=message.message_id, event_type=event_type, attempt=attempt
        )
        subscription = self._table.find(event_type)
        if subscription is None:
            await self._park(message, "invalid", f"no handler for event type {event_type!r}")
            outcome = "invalid"
        else:
            outcome = await self._handle(message, subscription, attempt=attempt)
        self._count(event_type, outcome)

    async def _handle(
        self,
        message: AbstractIncomingMessage,
        subscription: Subscription[Any, DepsT],
        *,
        attempt: int,
    ) -> str:
        try:
            event = subscription.model.from_bytes(message.body)
        except EventError as exc:
            await self._park(message, "invalid", f"invalid event: {exc.reason}")
            return "invalid"
        if event.tenantid:
            structlog.contextvars.bind_contextvars(tenant_id=event.tenantid)
        started = time.perf_counter()
        task: asyncio.Task[object] | None = asyncio.current_task()
        assert task is not None
        self._deadlines.track(task, subscription.timeout)
        try:
            await subscription.handler(event, self._deps)
        except asyncio.CancelledError:
            if not self._deadlines.untrack(task):
                raise  # shutdown, not a timeout
            task.uncancel()
            timeout = HandlerTimeout(f"handler ran past its {subscription.timeout} s timeout")
            return await self._retry(message, timeout, attempt=attempt, retry_after=None)
        except PermanentError as exc:
            await self._park(message, "permanent", hdr.describe(exc))
            return "dlq"
        except RetryableError as exc:
            return await self._retry(message, exc, attempt=attempt, retry_after=exc.retry_after)
        except (
            Exception
        ) as exc:  # unknown failures are presumed transient: retried, never swallowed
            return await self._retry(message, exc, attempt=attempt, retry_after=None)
        finally:
            self._deadlines.untrack(task)
            self._observe(event.type, time.perf_counter() - started)
        await settle(message.ack())
        return "ack"

    def _count(self, event_type: str, outcome: str) -> None:
        self._consumed(event_type, outcome).inc()

    def _observe(self, event_type: str, seconds: float) -> None:
        self._durations(event_type).observe(seconds)

    async def _retry(
        self,
        message: AbstractIncomingMessage,
        exc: BaseException,
        *,
        attempt: int,
        retry_after: float | None,
    ) -> str:
        failures = attempt + 1
        tier = next_tier(failures=failures, tiers=self.queues.retry_tiers, retry_after=retry_after)
        if tier is None:
            await self._park(message, "exhausted", hdr.describe(exc), attempt=failures)
            return "dlq"
        log.warning("handler_failed_retrying", tier=tier, error=hdr.describe(exc))
        headers = {
            **hdr.without_death_headers(message.headers),
            hdr.ATTEMPT: failures,
            hdr.ERROR: hdr.describe(exc),
        }
        copied = await self._copy(message, self.queues.retry_queue(tier), headers)
        if copied:
            metrics.retries_scheduled.labels(self.service, str(tier)).inc()
        return "retry"

    async def _park(
        self,
        message: AbstractIncomingMessage,
        kind: str,
        error: str,
        *,
        attempt: int | None = None,
    ) -> None:
        log.error("message_parked", kind=kind, error=error)
        headers = {
            **hdr.without_death_headers(message.headers),
            hdr.ATTEMPT: attempt if attempt is not None else hdr.attempt_of(message.headers),
            hdr.ERROR: error,
            hdr.ERROR_KIND: kind,
            hdr.FAILED_AT: datetime.now(UTC).isoformat(),
            hdr.SERVICE: self.service,
            "x-switchyard-origin-routing-key": message.routing_key or "",
            "x-switchyard-origin-exchange": message.exchange or "",
        }
        if await self._copy(message, self.queues.dlq, headers):
            metrics.dlq_parked.labels(self.service, kind).inc()

    async def _copy(
        self, message: AbstractIncomingMessage, queue: str, headers: dict[str, Any]
    ) -> bool:
        return await forward(self._publisher, message, queue=queue, headers=headers)


async def forward(
    publisher: Publisher,
    message: AbstractIncomingMessage,
    *,
    queue: str,
    headers: dict[str, Any],
    expiration: float | None = None,
) -> bool:
    """Publish a copy of `message` to `queue` with confirms, then ack the original.

    When the copy is not confirmed the original is nacked with requeue instead (False), so
    the message is always in one place or the other. `expiration` (seconds) is the copy's
    own TTL, for retry queues whose messages carry their delay.
    """
    copy = OutgoingMessage(
        exchange=DEFAULT_EXCHANGE,
        routing_key=queue,
        body=message.body,
        message_id=message.message_id or "",
        type=message.type or "",
        headers=headers,
        expiration=expiration,
    )
    try:
        await publisher.send(copy)
    except PublishError as exc:
        log.error("copy_failed_requeueing", queue=queue, error=hdr.describe(exc))
        await settle(message.nack(requeue=True))
        return False
    await settle(message.ack())
    return True


def _type_from_body(body: bytes) -> str | None:
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    value = parsed.get("type") if isinstance(parsed, dict) else None
    return value if isinstance(value, str) else None


async def settle(settlement: Any) -> None:
    """Ack or nack; when the channel died meanwhile, the broker redelivers, so that is fine."""
    try:
        await settlement
    except Exception as exc:  # the broker has already requeued it; the inbox absorbs the redelivery
        log.warning("settle_failed_will_be_redelivered", error=hdr.describe(exc))
