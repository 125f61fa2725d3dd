"""Exchange and queue names, and their declaration.

    {prefix}.ingress                 topic exchange: verified provider events (ingress output)
    {prefix}.events                  topic exchange: tenant-scoped and domain events
    {prefix}.{service}               quorum work queue, bound by the service's subscription table;
                                     x-delivery-limit backstop dead-letters into the DLQ
    {prefix}.{service}.retry.{n}     quorum queue per retry tier, x-message-ttl = tier delay,
                                     dead-letters (at-least-once) back into the work queue
    {prefix}.{service}.dlq           quorum parking queue, replayable

Retries and DLQ copies travel through the default exchange, addressed to one
queue by name, so a retried message never fans out to other services again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractQueue


class Exchange(StrEnum):
    """The logical exchanges of CONTRACT §4; `Topology.exchange()` gives their names."""

    INGRESS = "ingress"
    EVENTS = "events"


DEFAULT_DELIVERY_LIMIT = 20


@dataclass(frozen=True)
class Topology:
    """Names under one `BROKER_PREFIX`."""

    prefix: str

    def exchange(self, exchange: Exchange) -> str:
        return f"{self.prefix}.{exchange.value}"

    def service(self, name: str, *, retry_tiers: Iterable[float]) -> ServiceTopology:
        return ServiceTopology(prefix=self.prefix, service=name, retry_tiers=tuple(retry_tiers))

    async def declare_exchanges(self, channel: AbstractChannel) -> None:
        """Declare both topic exchanges (durable); idempotent."""
        for exchange in Exchange:
            await channel.declare_exchange(
                self.exchange(exchange), aio_pika.ExchangeType.TOPIC, durable=True
            )


@dataclass(frozen=True)
class ServiceTopology:
    """One consuming service's queues: work queue, retry tiers (seconds) and DLQ."""

    prefix: str
    service: str
    retry_tiers: tuple[float, ...]
    delivery_limit: int = DEFAULT_DELIVERY_LIMIT
    # A tier queue's TTL in multiples of its delay: above 1 when messages carry their own
    # (shorter) expiration, e.g. jittered delays; the queue's TTL then only caps them.
    ttl_cap: float = 1.0

    @property
    def work_queue(self) -> str:
        return f"{self.prefix}.{self.service}"

    @property
    def dlq(self) -> str:
        return f"{self.prefix}.{self.service}.dlq"

    def retry_queue(self, tier: int) -> str:
        """Name of retry tier `tier` (1-based)."""
        return f"{self.prefix}.{self.service}.retry.{tier}"

    @property
    def all_queues(self) -> list[str]:
        tiers = [self.retry_queue(n) for n in range(1, len(self.retry_tiers) + 1)]
        return [self.work_queue, *tiers, self.dlq]

    async def declare_delay(self, channel: AbstractChannel, name: str, seconds: float) -> None:
        """A queue whose messages wait `seconds` (or their own shorter expiration), then
        dead-letter, at least once, into the work queue: a retry tier, or any other pause."""
        await channel.declare_queue(
            name,
            durable=True,
            arguments={
                **_at_least_once_dead_lettering(self.work_queue),
                "x-message-ttl": max(1, round(seconds * 1000)),
            },
        )

    async def declare(
        self, channel: AbstractChannel, bindings: Iterable[tuple[str, str]]
    ) -> AbstractQueue:
        """Declare DLQ, retry tiers and work queue, bind `(exchange name, routing key)` pairs.

        Idempotent while the arguments stay the same; RabbitMQ refuses a
        redeclaration with other arguments (PRECONDITION_FAILED), which surfaces
        as an error at start rather than as silently different behaviour.
        """
        await channel.declare_queue(self.dlq, durable=True, arguments={"x-queue-type": "quorum"})
        for tier, delay in enumerate(self.retry_tiers, start=1):
            await self.declare_delay(channel, self.retry_queue(tier), delay * self.ttl_cap)
        work = await channel.declare_queue(
            self.work_queue,
            durable=True,
            arguments={
                **_at_least_once_dead_lettering(self.dlq),
                "x-delivery-limit": self.delivery_limit,
            },
        )
        for exchange, routing_key in bindings:
            await work.bind(exchange, routing_key)
        return work


@dataclass(frozen=True)
class QueueState:
    """What the broker says about a queue right now."""

    messages: int
    consumers: int


async def inspect_queue(channel: AbstractChannel, name: str) -> QueueState:
    """Ask the broker for `name`'s ready messages and consumer count (passive declare).

    Goes to the underlying channel: aio-pika's robust channel answers a passive
    declare of a queue it already knows from its cache, with stale counts.
    A missing queue raises aiormq's ChannelNotFoundEntity (and closes the channel).
    """
    underlay = await channel.get_underlay_channel()
    declared = await underlay.queue_declare(queue=name, passive=True)
    return QueueState(messages=declared.message_count or 0, consumers=declared.consumer_count or 0)


def _at_least_once_dead_lettering(target_queue: str) -> dict[str, str]:
    # Quorum queues dead-letter with confirms only under this strategy, which
    # needs overflow=reject-publish (RabbitMQ docs, quorum-queues "Dead Lettering").
    return {
        "x-queue-type": "quorum",
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": target_queue,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }
