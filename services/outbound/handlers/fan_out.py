"""Every tenant event: one delivery per enabled endpoint of the tenant whose filters match.

The payload is Standard Webhooks' shape, serialized once and sent byte for byte:

    {"type": "invoice.fiscalized", "timestamp": "<event time, RFC 3339>", "data": {...}}

Each delivery's first attempt goes out here, inline, through the dispatcher (no queue hop);
one that fails moves to its retry tier and one whose endpoint is saturated to the defer
queue, both confirmed by the broker before the event is acked. A crash before that leaves
the event unacked: it is fanned out again, and each delivery's webhook-id, derived from
(event id, endpoint id), is the same, so receivers deduplicate the repeat.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import orjson

from libs.broker import OutgoingMessage, RetryableError
from libs.events import CloudEvent
from services.outbound import metrics
from services.outbound.delivery.dispatch import RetryLater, Settled
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
    deliveries = [
        (Delivery(
            id=webhook_id(event.id, endpoint.id), tenant_id=event.tenantid,
            endpoint_id=endpoint.id, event_id=event.id, event_type=event.type, queued_at=queued,
        ), endpoint)
        for endpoint in targets
    ]  # fmt: skip
    metrics.fanned_out.inc(len(deliveries))
    if len(deliveries) == 1:  # the common case, without a task per delivery
        outcomes = [await deps.dispatcher.dispatch(deliveries[0][0], body, deliveries[0][1])]
    else:
        outcomes = await asyncio.gather(
            *(deps.dispatcher.dispatch(d, body, e) for d, e in deliveries)
        )
    onward = [
        message
        for (delivery, _), settled in zip(deliveries, outcomes, strict=True)
        if (message := _onward(deps, delivery, body, settled)) is not None
    ]
    errors = await deps.publisher.send_many(onward) if onward else []
    failed = sum(error is not None for error in errors)
    if failed:
        raise RetryableError(f"{failed} of {len(onward)} deliveries could not be queued onward")


def _onward(
    deps: OutboundDeps, delivery: Delivery, body: bytes, settled: Settled
) -> OutgoingMessage | None:
    hop = deps.queues.next_hop(settled)
    if hop is None:
        return None
    queue, expiration = hop
    if isinstance(settled, RetryLater):
        moved = replace(delivery, attempt=delivery.attempt + 1)
        return moved.message(body, queue=queue, expiration=expiration, error=settled.error)
    return delivery.message(body, queue=queue, expiration=expiration)
