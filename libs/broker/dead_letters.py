"""Reading, replaying and discarding a service's DLQ, straight from the broker.

Browsing uses basic.get without ack on a private channel; closing that channel
returns every message it did not settle to the queue, so listing is
non-destructive. Replay republishes the original body to the work queue with
confirms (attempt count reset, replay count + 1) and only then acks the DLQ copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aio_pika.abc import AbstractIncomingMessage, AbstractQueue

from libs.broker import _headers as hdr
from libs.broker.connection import BrokerConnection
from libs.broker.publisher import DEFAULT_EXCHANGE, OutgoingMessage, Publisher
from libs.broker.topology import ServiceTopology

_CLEARED_ON_REPLAY = frozenset({hdr.ATTEMPT, hdr.ERROR, hdr.ERROR_KIND, hdr.FAILED_AT, hdr.SERVICE})


@dataclass(frozen=True)
class DeadLetter:
    """One parked message as an operator sees it."""

    message_id: str
    event_type: str
    attempts: int
    error: str
    kind: str
    failed_at: str
    body: bytes


class DeadLetters:
    """The DLQ of one service."""

    def __init__(
        self, *, connection: BrokerConnection, publisher: Publisher, queues: ServiceTopology
    ) -> None:
        self._connection = connection
        self._publisher = publisher
        self._queues = queues

    async def list(self, *, limit: int = 100) -> list[DeadLetter]:
        """Up to `limit` parked messages, oldest first; leaves the queue as it was."""
        channel = await self._connection.channel(publisher_confirms=False)
        try:
            queue = await channel.declare_queue(self._queues.dlq, passive=True, robust=False)
            return [_describe(m) for m in await _take(queue, limit)]
        finally:
            await channel.close()

    async def replay(self, *, message_id: str | None = None, limit: int = 10_000) -> int:
        """Send parked messages (all, or those with `message_id`) back to the work queue; count them."""
        return await self._drain(message_id=message_id, limit=limit, replay=True)

    async def discard(self, *, message_id: str | None = None, limit: int = 10_000) -> int:
        """Drop parked messages (all, or those with `message_id`); count them."""
        return await self._drain(message_id=message_id, limit=limit, replay=False)

    async def _drain(self, *, message_id: str | None, limit: int, replay: bool) -> int:
        channel = await self._connection.channel(publisher_confirms=False)
        done = 0
        try:
            queue = await channel.declare_queue(self._queues.dlq, passive=True, robust=False)
            for message in await _take(queue, limit):
                if message_id is not None and message.message_id != message_id:
                    continue
                if replay:
                    await self._publisher.send(_replay_of(message, self._queues.work_queue))
                await message.ack()
                done += 1
        finally:
            await channel.close()  # unsettled messages go back to the DLQ
        return done


async def _take(queue: AbstractQueue, limit: int) -> list[AbstractIncomingMessage]:
    taken: list[AbstractIncomingMessage] = []
    while len(taken) < limit:
        message = await queue.get(no_ack=False, fail=False)
        if message is None:
            break
        taken.append(message)
    return taken


def _describe(message: AbstractIncomingMessage) -> DeadLetter:
    headers: Mapping[str, Any] = message.headers or {}
    return DeadLetter(
        message_id=message.message_id or "",
        event_type=message.type or "",
        attempts=hdr.attempt_of(headers),
        error=str(headers.get(hdr.ERROR, "delivery limit reached" if "x-death" in headers else "")),
        kind=str(headers.get(hdr.ERROR_KIND, "delivery-limit" if "x-death" in headers else "")),
        failed_at=str(headers.get(hdr.FAILED_AT, "")),
        body=message.body,
    )


def _replay_of(message: AbstractIncomingMessage, work_queue: str) -> OutgoingMessage:
    headers = {
        k: v
        for k, v in hdr.without_death_headers(message.headers).items()
        if k not in _CLEARED_ON_REPLAY
    }
    replays = headers.get(hdr.REPLAYS, 0)
    headers[hdr.REPLAYS] = (replays if isinstance(replays, int) else 0) + 1
    return OutgoingMessage(
        exchange=DEFAULT_EXCHANGE,
        routing_key=work_queue,
        body=message.body,
        message_id=message.message_id or "",
        type=message.type or "",
        headers=headers,
    )
