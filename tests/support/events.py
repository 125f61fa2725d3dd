"""Event factories and probes for tests."""

from __future__ import annotations

import uuid
from typing import Any

import aio_pika

from libs.broker import BrokerConnection, inspect_queue
from libs.events import CloudEvent


def make_event(event_type: str = "test.thing.happened", **data: Any) -> CloudEvent:
    return CloudEvent(
        source="/services/tests",
        type=event_type,
        subject=f"thing/{uuid.uuid4().hex[:6]}",
        data=data or {"n": 1},
    )


async def queue_depth(broker: BrokerConnection, queue: str) -> int:
    """Ready messages in `queue`, from the broker (passive declare)."""
    channel = await broker.channel(publisher_confirms=False)
    try:
        return (await inspect_queue(channel, queue)).messages
    finally:
        await channel.close()


async def get_all(
    broker: BrokerConnection, queue: str
) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Take (and ack) every ready message in `queue`."""
    channel = await broker.channel(publisher_confirms=False)
    taken = []
    try:
        q = await channel.declare_queue(queue, passive=True, robust=False)
        while (message := await q.get(no_ack=True, fail=False)) is not None:
            taken.append(message)
    finally:
        await channel.close()
    return taken
