"""Each consuming service's queues as the broker reports them right now.

    {prefix}.{service}              work queue: ready messages and consumers
    {prefix}.{service}.retry.{n}    retry tiers, probed from 1 up until one is absent
    {prefix}.{service}.dlq          parked messages

Every probe is a passive declare on a channel of its own: RabbitMQ answers a missing
queue by closing the channel, and "absent" (the service never started here) is an
answer, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiormq

from libs.broker import BrokerConnection, QueueState, ServiceTopology, inspect_queue

MAX_RETRY_TIERS = 32  # where probing stops; far above any configured tier list


@dataclass(frozen=True)
class ProbedQueue:
    name: str
    state: QueueState | None  # None: no such queue


@dataclass(frozen=True)
class ServiceQueues:
    service: str
    work: ProbedQueue
    retry: list[ProbedQueue]
    dlq: ProbedQueue


async def service_queues(broker: BrokerConnection, names: ServiceTopology) -> ServiceQueues:
    """Work queue, every retry tier that exists, and DLQ of one service (only names are used)."""
    work = await probe(broker, names.work_queue)
    retry = []
    for tier in range(1, MAX_RETRY_TIERS + 1):
        found = await probe(broker, names.retry_queue(tier))
        if found.state is None:
            break
        retry.append(found)
    return ServiceQueues(
        service=names.service, work=work, retry=retry, dlq=await probe(broker, names.dlq)
    )


async def probe(broker: BrokerConnection, name: str) -> ProbedQueue:
    """Depth and consumers of `name`, or absent; raises only when the broker is unreachable."""
    channel = await broker.channel(publisher_confirms=False)
    try:
        return ProbedQueue(name=name, state=await inspect_queue(channel, name))
    except aiormq.exceptions.ChannelNotFoundEntity:
        return ProbedQueue(name=name, state=None)
    finally:
        await channel.close()
