"""A service's parked messages as the operator sees them: never the event's data.

The listing names each message (id, type, attempts, error, kind, when) and, when the body
is a JSON object, its CloudEvent `tenantid`, `type` and `subject`; `data` may carry
customer details and credentials, so it never leaves this module. A DLQ that does not
exist yet holds nothing: listing it gives [] and replaying or discarding it gives 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiormq
import orjson

from libs.broker import BrokerConnection, DeadLetter, DeadLetters, Publisher, ServiceTopology


@dataclass(frozen=True)
class ParkedMessage:
    message_id: str
    event_type: str  # the AMQP type property the message was parked with
    attempts: int
    error: str
    kind: str  # permanent | exhausted | invalid | delivery-limit
    failed_at: str
    tenant_id: str | None  # from the body, when it parses
    type: str | None
    subject: str | None


class ParkedMessages:
    """List, replay or discard one service's DLQ (see `libs.broker.DeadLetters`)."""

    def __init__(
        self, *, broker: BrokerConnection, publisher: Publisher, names: ServiceTopology
    ) -> None:
        self._dlq = DeadLetters(connection=broker, publisher=publisher, queues=names)

    async def list(self, *, limit: int) -> list[ParkedMessage]:
        """Up to `limit`, oldest first; the queue is left as it was."""
        try:
            return [_describe(letter) for letter in await self._dlq.list(limit=limit)]
        except aiormq.exceptions.ChannelNotFoundEntity:
            return []

    async def replay(self, *, message_id: str | None) -> int:
        """Back to the work queue (one id, or every message); how many went."""
        try:
            return await self._dlq.replay(message_id=message_id)
        except aiormq.exceptions.ChannelNotFoundEntity:
            return 0

    async def discard(self, *, message_id: str | None) -> int:
        """Drop them for good (one id, or every message); how many were dropped."""
        try:
            return await self._dlq.discard(message_id=message_id)
        except aiormq.exceptions.ChannelNotFoundEntity:
            return 0


def _describe(letter: DeadLetter) -> ParkedMessage:
    envelope = _envelope(letter.body)
    return ParkedMessage(
        message_id=letter.message_id,
        event_type=letter.event_type,
        attempts=letter.attempts,
        error=letter.error,
        kind=letter.kind,
        failed_at=letter.failed_at,
        tenant_id=envelope.get("tenantid"),
        type=envelope.get("type"),
        subject=envelope.get("subject"),
    )


def _envelope(body: bytes) -> dict[str, str]:
    """The CloudEvent attributes shown to operators; nothing from `data`."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return {}
    if not isinstance(parsed, dict):
        return {}
    return {
        key: value
        for key in ("tenantid", "type", "subject")
        if isinstance(value := parsed.get(key), str)
    }
