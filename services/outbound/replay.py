"""Sending again: a kept delivery, every failed one since a time, or a test event.

These are the admin API's actions on deliveries. Each queues messages straight onto the
delivery queue (`{prefix}.outbound.delivery`) with trigger "manual" and a fresh attempt
count; a replay keeps its webhook-id (it is the same message), a test event gets a new one.
Manual sends follow the retry schedule like any other.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import orjson

from libs.broker import OutgoingMessage, Publisher
from libs.db import Database
from services.outbound.delivery.messages import Delivery, random_webhook_id
from services.outbound.delivery.worker import QUEUE_NAME
from services.outbound.storage import deliveries
from services.outbound.storage.endpoints import EndpointRow

TEST_EVENT = "webhook.test"


class NotQueued(Exception):
    """The broker did not confirm every message (outbound not running, or the broker away)."""


def delivery_queue(prefix: str) -> str:
    return f"{prefix}.{QUEUE_NAME}"


async def send_test(publisher: Publisher, *, prefix: str, endpoint: EndpointRow) -> str:
    """Queue a `webhook.test` event for this endpoint alone; its webhook-id."""
    delivery = Delivery(
        id=random_webhook_id(), tenant_id=endpoint.tenant_id, endpoint_id=endpoint.id,
        event_id=random_webhook_id().replace("msg_", "evt_"), event_type=TEST_EVENT,
        queued_at=time.time(), trigger="manual",
    )  # fmt: skip
    body = orjson.dumps({
        "type": TEST_EVENT, "timestamp": datetime.now(UTC),
        "data": {"endpoint_id": endpoint.id, "message": "a test event from Switchyard"},
    })  # fmt: skip
    await _queue(publisher, [delivery.message(body, queue=delivery_queue(prefix))])
    return delivery.id


async def replay(
    db: Database, publisher: Publisher, *, prefix: str, tenant_id: str,
    delivery_id: str | None = None, endpoint_id: str | None = None,
    failed_since: datetime | None = None,
) -> int:  # fmt: skip
    """Queue the named delivery, or the endpoint's failed ones since `failed_since`; how many."""
    rows = await deliveries.replayable(
        db, tenant_id=tenant_id, endpoint_id=endpoint_id, delivery_id=delivery_id,
        failed_since=failed_since,
    )  # fmt: skip
    queued = time.time()
    await _queue(publisher, [
        Delivery(
            id=row.id, tenant_id=tenant_id, endpoint_id=row.endpoint_id, event_id=row.event_id,
            event_type=row.event_type, queued_at=queued, trigger="manual",
        ).message(row.payload, queue=delivery_queue(prefix))
        for row in rows
    ])  # fmt: skip
    return len(rows)


async def _queue(publisher: Publisher, messages: list[OutgoingMessage]) -> None:
    errors = await publisher.send_many(messages)
    failed = [error for error in errors if error is not None]
    if failed:
        raise NotQueued(f"{len(failed)} of {len(messages)} not queued: {failed[0]}")
