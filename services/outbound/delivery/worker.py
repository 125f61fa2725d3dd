"""The delivery runtime: retries, replays and deferred deliveries off the delivery queue.

Each message is one attempt through the dispatcher (dispatch.py), then settled:

    Done          ack
    Defer         to the defer queue (back after OUTBOUND_DEFER_MS), attempt count unchanged
    RetryLater    to its retry tier with the delay as its expiration, attempt count + 1
    malformed     to the DLQ

A message moves by a confirmed copy, then the ack (libs.broker.forward). A crash at any point
leaves it unacked: the broker redelivers it and it is sent again with the same webhook-id,
which is what receivers deduplicate on. When the attempt cannot be logged (the database is
away), the message goes to the defer queue rather than straight back: the request may have
gone out, and an immediate requeue would repeat it many times a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aio_pika.abc import AbstractIncomingMessage, AbstractQueue, AbstractRobustChannel

from libs.broker import (
    ATTEMPT,
    ERROR,
    BrokerConnection,
    Publisher,
    QueueConsumer,
    ServiceTopology,
    describe,
    forward,
    settle,
)
from libs.observability import get_logger
from services.outbound.delivery.dispatch import Defer, Dispatcher, Done, RetryLater, Settled
from services.outbound.delivery.messages import Delivery, MalformedDelivery
from services.outbound.delivery.schedule import TIER_CAP

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

    def next_hop(self, settled: Settled) -> tuple[str, float | None] | None:
        """Where a dispatched delivery goes next and its expiration; None when it is done."""
        if isinstance(settled, Done):
            return None
        if isinstance(settled, Defer):
            return self.defer, None
        return self.topology.retry_queue(settled.retry.tier), settled.retry.delay

    async def declare(self, channel: AbstractRobustChannel) -> AbstractQueue:
        work = await self.topology.declare(channel, bindings=())
        await self.topology.declare_delay(channel, self.defer, self.defer_seconds)
        return work


class DeliveryWorker(QueueConsumer):
    """Consumes the delivery queue (libs.broker.QueueConsumer's lifecycle)."""

    def __init__(
        self,
        *,
        connection: BrokerConnection,
        publisher: Publisher,
        queues: DeliveryQueues,
        dispatcher: Dispatcher,
        prefetch: int,
    ) -> None:
        super().__init__(connection=connection, queues=queues.topology, prefetch=prefetch)
        self._publisher = publisher
        self._queues = queues
        self._dispatcher = dispatcher

    async def _declare(self, channel: AbstractRobustChannel) -> AbstractQueue:
        return await self._queues.declare(channel)

    async def _process(self, message: AbstractIncomingMessage) -> None:
        try:
            await self._deliver(message)
        except Exception as exc:  # the database is away (or a bug): try again after a pause
            # Not an immediate requeue: the request may have gone out, and a tight loop
            # would repeat it to the endpoint many times a second until the database is back.
            log.error("delivery_failed_deferring", error=describe(exc))
            await forward(self._publisher, message, queue=self._queues.defer,
                          headers=dict(message.headers or {}))  # fmt: skip

    async def _deliver(self, message: AbstractIncomingMessage) -> None:
        try:
            delivery = Delivery.of(message.message_id, message.type, message.headers or {})
        except MalformedDelivery as exc:
            await self._park(message, f"malformed delivery: {exc}")
            return
        settled = await self._dispatcher.dispatch(delivery, message.body)
        hop = self._queues.next_hop(settled)
        if hop is None:
            await settle(message.ack())
            return
        queue, expiration = hop
        headers = dict(message.headers or {})
        if isinstance(settled, RetryLater):
            headers.update({ATTEMPT: delivery.attempt + 1, ERROR: settled.error})
        await forward(self._publisher, message, queue=queue, headers=headers, expiration=expiration)

    async def _park(self, message: AbstractIncomingMessage, error: str) -> None:
        log.error("delivery_parked", error=error)
        headers = {**(message.headers or {}), ERROR: error}
        await forward(self._publisher, message, queue=self.queues.dlq, headers=headers)
