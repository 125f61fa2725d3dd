"""The delivery runtime: one message off the delivery queue, one attempt, one settlement.

    endpoint deleted            dropped (its deliveries went with it), counted
    endpoint disabled           logged as failed, not tried; replayable once it is enabled
    gate says DEFER             back to the defer queue for `defer` seconds, no attempt counted
    gate says OPEN              a failed attempt, not tried (breaker open)
    otherwise                   POSTed (sender.py)
    then                        2xx -> delivered; 410 -> failed and the endpoint disabled;
                                else the next retry tier (schedule.py), or failed when spent

The attempt is committed (group commit, with the delivery's new state) before the message
is acked or moved, so the log never misses an attempt that settled a message. When that
commit fails (the database is away), the message goes to the defer queue and is sent again
after the pause, under the same webhook-id. A message
moves by a confirmed copy to its retry queue, then the ack (libs.broker.forward). A crash
at any point leaves it unacked: the broker redelivers it and it is sent again with the same
webhook-id, which is what receivers deduplicate on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aio_pika.abc import AbstractIncomingMessage, AbstractQueue, AbstractRobustChannel

from libs.broker import (
    ATTEMPT,
    ERROR,
    BrokerConnection,
    Publisher,
    ServiceTopology,
    describe,
    forward,
    settle,
)
from libs.db import GroupCommit
from libs.observability import get_logger
from services.outbound import metrics
from services.outbound.delivery.gates import Admission, Gates
from services.outbound.delivery.messages import Delivery, MalformedDelivery
from services.outbound.delivery.schedule import TIER_CAP, Retry, next_retry
from services.outbound.delivery.sender import Outcome, Sender, not_tried
from services.outbound.endpoints import Directory, Endpoint
from services.outbound.health import Health
from services.outbound.storage.deliveries import DELIVERED, FAILED, PENDING, AttemptRow

log = get_logger(__name__)

QUEUE_NAME = "outbound.delivery"


@dataclass(frozen=True)
class DeliveryQueues:
    """`{prefix}.outbound.delivery` with its retry tiers, DLQ and defer queue."""

    topology: ServiceTopology
    defer_seconds: float

    @classmethod
    def of(cls, prefix: str, *, tiers: Sequence[float], defer_seconds: float) -> DeliveryQueues:
        topology = ServiceTopology(
            prefix=prefix, service=QUEUE_NAME, retry_tiers=tuple(tiers), ttl_cap=TIER_CAP
        )
        return cls(topology=topology, defer_seconds=defer_seconds)

    @property
    def work(self) -> str:
        return self.topology.work_queue

    @property
    def defer(self) -> str:
        return f"{self.topology.work_queue}.defer"

    @property
    def all_queues(self) -> list[str]:
        return [*self.topology.all_queues, self.defer]

    async def declare(self, channel: AbstractRobustChannel) -> AbstractQueue:
        work = await self.topology.declare(channel, bindings=())
        await channel.declare_queue(
            self.defer,
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-message-ttl": max(1, round(self.defer_seconds * 1000)),
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": self.work,
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
            },
        )
        return work


class DeliveryWorker:
    """Consumes the delivery queue; `start()` / `stop()` like libs.broker.Consumer."""

    def __init__(
        self,
        *,
        connection: BrokerConnection,
        publisher: Publisher,
        queues: DeliveryQueues,
        directory: Directory,
        sender: Sender,
        health: Health,
        attempts: GroupCommit[AttemptRow],
        gates: Gates,
        jitter: float,
        prefetch: int,
    ) -> None:
        self._connection = connection
        self._publisher = publisher
        self._queues = queues
        self.queues = queues.topology  # what libs.broker's watchdog inspects
        self._directory = directory
        self._sender = sender
        self._health = health
        self._attempts = attempts
        self._gates = gates
        self._jitter = jitter
        self._prefetch = prefetch
        self._channel: AbstractRobustChannel | None = None
        self._queue: AbstractQueue | None = None
        self._tag: str | None = None
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def start(self) -> None:
        self._channel = await self._connection.channel(publisher_confirms=False)
        self._queue = await self._queues.declare(self._channel)
        await self._channel.set_qos(prefetch_count=self._prefetch)
        await self.attach()

    async def attach(self) -> None:
        if self._queue is None:
            raise RuntimeError("delivery worker not started")
        self._tag = await self._queue.consume(self._on_message)

    async def detach(self) -> None:
        if self._queue is not None and self._tag is not None:
            tag, self._tag = self._tag, None
            await self._queue.cancel(tag)

    @property
    def attached(self) -> bool:
        return self._tag is not None and self._channel is not None

    @property
    def service(self) -> str:
        return QUEUE_NAME

    async def stop(self, *, drain_timeout: float = 30.0) -> None:
        try:
            await self.detach()
        except Exception as exc:  # broker gone: unacked messages return to the queue anyway
            log.warning("delivery_cancel_failed", error=describe(exc))
        try:
            await asyncio.wait_for(self._idle.wait(), drain_timeout)
        except TimeoutError:
            log.warning("delivery_drain_timeout", in_flight=self._in_flight)
        if self._channel is not None and not self._channel.is_closed:
            await self._channel.close()
        self._channel = None

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        self._in_flight += 1
        self._idle.clear()
        try:
            await self._deliver(message)
        except Exception as exc:  # the database is away (or a bug): try again after a pause
            # Not an immediate requeue: the request may have gone out, and a tight loop
            # would repeat it to the endpoint many times a second until the database is back.
            log.error("delivery_failed_deferring", error=describe(exc))
            await forward(self._publisher, message, queue=self._queues.defer,
                          headers=dict(message.headers or {}))  # fmt: skip
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def _deliver(self, message: AbstractIncomingMessage) -> None:
        try:
            delivery = Delivery.of(message.message_id, message.type, message.headers or {})
        except MalformedDelivery as exc:
            await self._park(message, f"malformed delivery: {exc}")
            return
        endpoint = await self._directory.get(delivery.tenant_id, delivery.endpoint_id)
        if endpoint is None:
            log.info("delivery_dropped_endpoint_deleted", endpoint_id=delivery.endpoint_id)
            metrics.attempts.labels("dropped").inc()
            await settle(message.ack())
            return
        if not endpoint.row.enabled:
            outcome = not_tried(f"the endpoint is disabled ({endpoint.row.disabled_reason})")
            await self._settle(message, delivery, endpoint, outcome, retry=None)
            return
        now = time.monotonic()
        gate = self._gates.of(endpoint.id, rate_limit=endpoint.row.rate_limit_per_s, now=now)
        admission, wait = await gate.enter(now)
        if admission is Admission.DEFER:
            metrics.attempts.labels("deferred").inc()
            await forward(
                self._publisher,
                message,
                queue=self._queues.defer,
                headers=dict(message.headers or {}),
            )
            return
        if admission is Admission.OPEN:
            outcome = not_tried("circuit open: the endpoint keeps failing, not tried")
        else:
            outcome = await self._send(endpoint, delivery, message.body, wait=wait)
            gate.leave(ok=outcome.delivered, now=time.monotonic())
        await self._settle(
            message, delivery, endpoint, outcome, retry=self._retry(delivery, outcome)
        )

    async def _send(
        self, endpoint: Endpoint, delivery: Delivery, body: bytes, *, wait: float
    ) -> Outcome:
        if wait > 0:
            await asyncio.sleep(wait)  # the endpoint's rate limit paces it (at most max_wait)
        outcome = await self._sender.send(endpoint, delivery, body)
        metrics.attempt_duration.observe(outcome.duration_ms / 1000)
        return outcome

    def _retry(self, delivery: Delivery, outcome: Outcome) -> Retry | None:
        if outcome.delivered or outcome.gone:
            return None
        return next_retry(
            failures=delivery.attempt + 1,
            tiers=self.queues.retry_tiers,
            jitter=self._jitter,
            retry_after=outcome.retry_after,
        )

    async def _settle(
        self,
        message: AbstractIncomingMessage,
        delivery: Delivery,
        endpoint: Endpoint,
        outcome: Outcome,
        *,
        retry: Retry | None,
    ) -> None:
        now = datetime.now(UTC)
        next_at = now + timedelta(seconds=retry.delay) if retry is not None else None
        state = DELIVERED if outcome.delivered else PENDING if retry is not None else FAILED
        await self._attempts.submit(_attempt_row(delivery, message.body, outcome, state, next_at))
        await self._update_health(endpoint, delivery, outcome, now)
        if retry is None:
            await settle(message.ack())
            return
        headers = {
            **(message.headers or {}),
            ATTEMPT: delivery.attempt + 1,
            ERROR: _error_of(outcome),
        }
        await forward(
            self._publisher, message, queue=self.queues.retry_queue(retry.tier),
            headers=headers, expiration=retry.delay,
        )  # fmt: skip

    async def _update_health(
        self, endpoint: Endpoint, delivery: Delivery, outcome: Outcome, now: datetime
    ) -> None:
        if outcome.delivered:
            metrics.attempts.labels("delivered").inc()
            metrics.latency.observe(max(0.0, time.time() - delivery.queued_at))
            await self._health.succeeded(endpoint)
        elif outcome.gone:
            metrics.attempts.labels("gone").inc()
            await self._health.disable(endpoint, reason="the endpoint answered 410 Gone")
        else:
            metrics.attempts.labels(
                "failed" if outcome.status or outcome.duration_ms else "not_tried"
            ).inc()
            if endpoint.row.enabled:
                await self._health.failed(endpoint, now=now)

    async def _park(self, message: AbstractIncomingMessage, error: str) -> None:
        log.error("delivery_parked", error=error)
        headers = {**(message.headers or {}), ERROR: error}
        await forward(self._publisher, message, queue=self.queues.dlq, headers=headers)


def _attempt_row(
    delivery: Delivery, body: bytes, outcome: Outcome, state: str, next_at: datetime | None
) -> AttemptRow:
    return AttemptRow(
        delivery_id=delivery.id, tenant_id=delivery.tenant_id, endpoint_id=delivery.endpoint_id,
        event_id=delivery.event_id, event_type=delivery.event_type, payload=body,
        attempt=delivery.attempt + 1, trigger=delivery.trigger,
        started_at=datetime.fromtimestamp(outcome.started_at, UTC), duration_ms=outcome.duration_ms,
        status_code=outcome.status, response=outcome.response, error=outcome.error,
        state=state, next_attempt_at=next_at,
    )  # fmt: skip


def _error_of(outcome: Outcome) -> str:
    if outcome.error:
        return outcome.error
    return f"HTTP {outcome.status}"
