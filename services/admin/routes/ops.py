"""The platform operator's view of the machinery: webhook health, queues, parked messages."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from libs.broker import ServiceTopology
from services.admin.dead_letters import ParkedMessages
from services.admin.deps import AdminDeps
from services.admin.endpoints import Access, Call, Endpoint
from services.admin.errors import NotFound
from services.admin.queues import ProbedQueue, service_queues
from services.admin.storage import audit
from services.ingress import storage as ingress


class ProviderWebhooks(BaseModel):
    provider: str
    last_received_at: datetime | None  # the last accepted webhook, any day
    last_rejected_at: datetime | None
    requests_today: int
    events_today: int
    accepted_today: int
    rejections_today: dict[str, int]  # reason (invalid_signature, too_large, ...) -> requests


class WebhookHealth(BaseModel):
    day: date  # "today", in UTC
    providers: list[ProviderWebhooks]


class QueueView(BaseModel):
    name: str
    present: bool
    messages: int | None  # ready messages; None when absent
    consumers: int | None


class ServiceQueuesView(BaseModel):
    service: str
    work: QueueView
    retry_tiers: list[QueueView]
    dlq: QueueView


class QueuesView(BaseModel):
    services: list[ServiceQueuesView]


class DeadLetterQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(default=100, ge=1, le=1000)


class DeadLetterView(BaseModel):
    message_id: str
    event_type: str
    attempts: int
    error: str
    kind: str
    failed_at: str
    tenant_id: str | None
    type: str | None
    subject: str | None


class DeadLetterPage(BaseModel):
    service: str
    items: list[DeadLetterView]


class DeadLetterSelection(BaseModel):
    """`{}` for every parked message, or one message by id."""

    model_config = ConfigDict(extra="forbid")
    message_id: str | None = Field(default=None, min_length=1, max_length=200)


class DeadLetterOutcome(BaseModel):
    service: str
    message_id: str | None
    count: int


async def webhook_health(call: Call[None, None], deps: AdminDeps) -> WebhookHealth:
    """Per provider: when it last sent, and today's requests, events and refusals by reason."""
    today = datetime.now(UTC).date()
    rows = await ingress.webhook_health(deps.db, day=today)
    providers = [
        ProviderWebhooks(
            provider=row.provider, last_received_at=row.last_received_at,
            last_rejected_at=row.last_rejected_at, requests_today=row.requests,
            events_today=row.events, accepted_today=row.accepted, rejections_today=row.rejections,
        )
        for row in rows
    ]  # fmt: skip
    return WebhookHealth(day=today, providers=providers)


async def queue_depths(call: Call[None, None], deps: AdminDeps) -> QueuesView:
    """Each consuming service's work queue, retry tiers and DLQ, as the broker reports them now."""
    found = await asyncio.gather(
        *(service_queues(deps.broker, _names(deps, s)) for s in deps.consuming_services)
    )
    return QueuesView(
        services=[
            ServiceQueuesView(
                service=queues.service,
                work=_queue_view(queues.work),
                retry_tiers=[_queue_view(tier) for tier in queues.retry],
                dlq=_queue_view(queues.dlq),
            )
            for queues in found
        ]
    )


async def list_dead_letters(call: Call[None, DeadLetterQuery], deps: AdminDeps) -> DeadLetterPage:
    """A service's parked messages, oldest first, without their data; the DLQ stays as it was."""
    service = _service(call, deps)
    parked = await _parked(deps, service).list(limit=call.query.limit)
    return DeadLetterPage(
        service=service, items=[DeadLetterView(**asdict(message)) for message in parked]
    )


async def replay_dead_letters(
    call: Call[DeadLetterSelection, None], deps: AdminDeps
) -> DeadLetterOutcome:
    """Send one parked message, or all, back to the service's work queue (audit-logged)."""
    service, message_id = _service(call, deps), call.body.message_id
    count = await _parked(deps, service).replay(message_id=message_id)
    return await _settled(call, deps, service=service, action="dlq.replayed", count=count)


async def discard_dead_letters(
    call: Call[DeadLetterSelection, None], deps: AdminDeps
) -> DeadLetterOutcome:
    """Drop one parked message, or all, for good (audit-logged)."""
    service, message_id = _service(call, deps), call.body.message_id
    count = await _parked(deps, service).discard(message_id=message_id)
    return await _settled(call, deps, service=service, action="dlq.discarded", count=count)


async def _settled(
    call: Call[DeadLetterSelection, None], deps: AdminDeps, *, service: str, action: str, count: int
) -> DeadLetterOutcome:
    message_id = call.body.message_id
    await audit.record(deps.db, actor=call.who(), action=action, target=service, tenant_id=None,
                       details={"message_id": message_id or "all", "count": count})  # fmt: skip
    return DeadLetterOutcome(service=service, message_id=message_id, count=count)


def _service(call: Call[Any, Any], deps: AdminDeps) -> str:
    service = call.path["service"]
    if service not in deps.consuming_services:
        raise NotFound("no such consuming service")
    return service


def _names(deps: AdminDeps, service: str) -> ServiceTopology:
    return deps.topology.service(service, retry_tiers=deps.retry_tiers)


def _parked(deps: AdminDeps, service: str) -> ParkedMessages:
    return ParkedMessages(broker=deps.broker, publisher=deps.publisher, names=_names(deps, service))


def _queue_view(queue: ProbedQueue) -> QueueView:
    state = queue.state
    return QueueView(
        name=queue.name,
        present=state is not None,
        messages=state.messages if state else None,
        consumers=state.consumers if state else None,
    )


ENDPOINTS = [
    Endpoint("GET", "/api/ops/webhooks", webhook_health, "Webhook health per provider",
             Access.OWNER, response=WebhookHealth, tags=("ops",)),
    Endpoint("GET", "/api/ops/queues", queue_depths, "Queue depths and consumers per service",
             Access.OWNER, response=QueuesView, tags=("ops",)),
    Endpoint("GET", "/api/ops/dlq/{service}", list_dead_letters, "A service's parked messages",
             Access.OWNER, query=DeadLetterQuery, response=DeadLetterPage, tags=("ops",)),
    Endpoint("POST", "/api/ops/dlq/{service}/replay", replay_dead_letters,
             "Replay parked messages", Access.OWNER, body=DeadLetterSelection,
             response=DeadLetterOutcome, tags=("ops",)),
    Endpoint("POST", "/api/ops/dlq/{service}/discard", discard_dead_letters,
             "Discard parked messages", Access.OWNER, body=DeadLetterSelection,
             response=DeadLetterOutcome, tags=("ops",)),
]  # fmt: skip
