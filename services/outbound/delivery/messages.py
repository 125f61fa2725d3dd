"""A delivery on the broker: the exact body to POST, addressed by AMQP headers.

body                     the payload bytes, signed and sent as they are (never re-serialized)
message_id               the webhook-id: "msg_" + 26 base32 characters, the same on every
                         try (derived from event id and endpoint id, so a fan-out run twice
                         yields the same id), and the key of the webhook_deliveries row
type                     the event type
x-outbound-tenant        the tenant
x-outbound-endpoint      the endpoint id
x-outbound-event         the event id
x-outbound-queued        unix seconds the fan-out queued it (latency from event to delivery)
x-outbound-trigger       "scheduled" (fan-out and retries) or "manual" (replay, test event)
x-switchyard-attempt     failed attempts so far (absent: none)
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from libs.broker import ATTEMPT, DEFAULT_EXCHANGE, ERROR, OutgoingMessage, attempt_of

TENANT = "x-outbound-tenant"
ENDPOINT = "x-outbound-endpoint"
EVENT = "x-outbound-event"
QUEUED = "x-outbound-queued"
TRIGGER = "x-outbound-trigger"


class MalformedDelivery(ValueError):
    """A message on the delivery queue without the headers that address it."""


def webhook_id(event_id: str, endpoint_id: str) -> str:
    return "msg_" + hashlib.sha256(f"{event_id}\x00{endpoint_id}".encode()).hexdigest()[:32]


def random_webhook_id() -> str:
    return "msg_" + secrets.token_hex(16)


@dataclass(frozen=True)
class Delivery:
    id: str
    tenant_id: str
    endpoint_id: str
    event_id: str
    event_type: str
    queued_at: float
    attempt: int = 0  # failed attempts so far
    trigger: str = "scheduled"

    @classmethod
    def of(
        cls, message_id: str | None, event_type: str | None, headers: Mapping[str, Any]
    ) -> Delivery:
        try:
            return cls(
                id=_text(message_id),
                tenant_id=_text(headers.get(TENANT)),
                endpoint_id=_text(headers.get(ENDPOINT)),
                event_id=_text(headers.get(EVENT)),
                event_type=_text(event_type),
                queued_at=float(headers.get(QUEUED, 0.0)),
                attempt=attempt_of(headers),
                trigger="manual" if headers.get(TRIGGER) == "manual" else "scheduled",
            )
        except (TypeError, ValueError) as exc:
            raise MalformedDelivery(str(exc)) from None

    def headers(self) -> dict[str, Any]:
        return {
            TENANT: self.tenant_id, ENDPOINT: self.endpoint_id, EVENT: self.event_id,
            QUEUED: self.queued_at, TRIGGER: self.trigger, ATTEMPT: self.attempt,
        }  # fmt: skip

    def message(
        self, body: bytes, *, queue: str, expiration: float | None = None,
        error: str | None = None,
    ) -> OutgoingMessage:  # fmt: skip
        """This delivery as a message addressed to `queue` through the default exchange."""
        return OutgoingMessage(
            exchange=DEFAULT_EXCHANGE, routing_key=queue, body=body, message_id=self.id,
            type=self.event_type, expiration=expiration,
            headers={**self.headers(), **({ERROR: error} if error else {})},
        )  # fmt: skip


def _text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode()
    if not isinstance(value, str) or not value:
        raise ValueError("missing")
    return value
