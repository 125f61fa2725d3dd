"""Every tenant event: one delivery per enabled endpoint of the tenant whose filters match.

The payload is Standard Webhooks' shape, serialized once and sent byte for byte:

    {"type": "invoice.fiscalized", "timestamp": "<event time, RFC 3339>", "data": {...}}

Each delivery's webhook-id derives from (event id, endpoint id), so a fan-out run again
after a crash queues the same ids and receivers deduplicate the repeat. The deliveries are
confirmed by the broker before the event is acked; if any is not, the event is retried.
"""

from __future__ import annotations

import time

import orjson

from libs.broker import RetryableError
from libs.events import CloudEvent
from services.outbound import metrics
from services.outbound.delivery.messages import Delivery, webhook_id
from services.outbound.deps import OutboundDeps


def payload_of(event: CloudEvent) -> bytes:
    return orjson.dumps({"type": event.type, "timestamp": event.time, "data": event.data})


async def fan_out(event: CloudEvent, deps: OutboundDeps) -> None:
    if event.tenantid is None:
        return  # not a tenant's event: nobody subscribed to it
    endpoints = await deps.directory.of_tenant(event.tenantid)
    targets = [endpoint for endpoint in endpoints.values() if endpoint.wants(event.type)]
    if not targets:
        return
    body, queued = payload_of(event), time.time()
    messages = [
        Delivery(
            id=webhook_id(event.id, endpoint.id), tenant_id=event.tenantid,
            endpoint_id=endpoint.id, event_id=event.id, event_type=event.type, queued_at=queued,
        ).message(body, queue=deps.delivery_queue)
        for endpoint in targets
    ]  # fmt: skip
    errors = await deps.publisher.send_many(messages)
    failed = sum(error is not None for error in errors)
    if failed:
        raise RetryableError(f"{failed} of {len(messages)} deliveries were not queued")
    metrics.fanned_out.inc(len(messages))
