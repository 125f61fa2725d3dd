"""What outbound sent to a tenant's webhook endpoints, and sending again by hand.

    POST /api/tenant/webhooks/endpoints/{endpoint_id}/test        queue a webhook.test event
    GET  /api/tenant/webhooks/endpoints/{endpoint_id}/deliveries  its deliveries, newest first
    POST /api/tenant/webhooks/endpoints/{endpoint_id}/replay      every failed one since a time
    GET  /api/tenant/webhooks/deliveries/{webhook_id}/attempts    one delivery and its attempts
    POST /api/tenant/webhooks/deliveries/{webhook_id}/replay      send one delivery again

Sends go straight onto outbound's delivery queue with confirms (services.outbound.replay):
202 means the broker holds them; 503 when it did not confirm (outbound's queue absent, the
broker away), and then nothing may be assumed sent. A replay keeps its webhook-id, so a
receiver that already processed it can tell.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, cast

from pydantic import BaseModel, ConfigDict, Field

from services.admin.deps import AdminDeps
from services.admin.endpoints import Access, Call, Endpoint
from services.admin.errors import NotFound, Unavailable
from services.admin.paging import PageCursor, next_cursor
from services.admin.routes.tenant_webhooks import PATH, endpoint_of
from services.admin.storage import audit
from services.admin.times import Instant, PageBound
from services.outbound import replay
from services.outbound.storage import deliveries
from services.outbound.storage.deliveries import AttemptView, DeliveryRow

DELIVERIES = "/api/tenant/webhooks/deliveries/{webhook_id}"
Status = Literal["pending", "delivered", "failed"]


class DeliveryQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Status | None = None
    limit: int = Field(default=50, ge=1, le=200)
    before: PageBound | None = Field(default=None, description="next_before of the previous page")
    before_id: str | None = Field(
        default=None, max_length=100, description="next_before_id of the previous page"
    )


class ReplayFailed(BaseModel):
    model_config = ConfigDict(extra="forbid")
    failed_since: Instant = Field(description="replay the deliveries that failed since (RFC 3339)")


class WebhookDeliveryView(BaseModel):
    id: str = Field(description="the webhook-id every attempt and replay of it carries")
    endpoint_id: str
    event_id: str
    event_type: str
    status: Status = Field(description="pending (a retry is due), delivered or failed")
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime


class WebhookDeliveryPage(PageCursor):
    items: list[WebhookDeliveryView]


class WebhookAttemptView(BaseModel):
    attempt: int
    trigger: str = Field(description="what sent it: the event, a retry, or a manual send")
    started_at: datetime
    duration_ms: int
    status_code: int | None = Field(description="null when no answer came (error says why)")
    response: str | None = Field(description="the start of the answer's body (truncated)")
    error: str | None
    next_attempt_at: datetime | None


class WebhookAttempts(BaseModel):
    delivery: WebhookDeliveryView
    items: list[WebhookAttemptView] = Field(description="oldest first")


class QueuedTest(BaseModel):
    webhook_id: str


class ReplayQueued(BaseModel):
    queued: int


async def send_webhook_test(call: Call[None, None], deps: AdminDeps) -> QueuedTest:
    """Queue a `webhook.test` event for this endpoint alone (a new webhook-id)."""
    endpoint = await endpoint_of(call, deps)
    try:
        webhook_id = await replay.send_test(
            deps.publisher, prefix=deps.topology.prefix, endpoint=endpoint
        )
    except replay.NotQueued:
        raise _not_queued() from None
    await audit.record(deps.db, actor=call.who(), action="webhook_endpoint.test_sent",
                       target=endpoint.id, tenant_id=endpoint.tenant_id,
                       details={"webhook_id": webhook_id})  # fmt: skip
    return QueuedTest(webhook_id=webhook_id)


async def list_webhook_deliveries(
    call: Call[None, DeliveryQuery], deps: AdminDeps
) -> WebhookDeliveryPage:
    """The endpoint's deliveries, most recently updated first, optionally of one status."""
    endpoint, query = await endpoint_of(call, deps), call.query
    rows = await deliveries.of_endpoint(
        deps.db, tenant_id=endpoint.tenant_id, endpoint_id=endpoint.id, status=query.status,
        limit=query.limit,
        before=(query.before, query.before_id or "") if query.before else None,
    )  # fmt: skip
    return WebhookDeliveryPage(
        items=[_delivery(row) for row in rows], **next_cursor(rows, limit=query.limit)
    )


async def list_webhook_attempts(call: Call[None, None], deps: AdminDeps) -> WebhookAttempts:
    """One delivery and every attempt at it, oldest first."""
    tenant_id, webhook_id = call.who().tenant(), call.path["webhook_id"]
    row = await deliveries.one(deps.db, tenant_id=tenant_id, delivery_id=webhook_id)
    if row is None:
        raise NotFound("no such delivery")
    attempts = await deliveries.attempts_of(deps.db, tenant_id=tenant_id, delivery_id=webhook_id)
    return WebhookAttempts(delivery=_delivery(row), items=[_attempt(a) for a in attempts])


async def replay_webhook_delivery(call: Call[None, None], deps: AdminDeps) -> ReplayQueued:
    """Send one delivery again, whatever its state, with its webhook-id and payload."""
    tenant_id, webhook_id = call.who().tenant(), call.path["webhook_id"]
    if await deliveries.one(deps.db, tenant_id=tenant_id, delivery_id=webhook_id) is None:
        raise NotFound("no such delivery")
    queued = await _replay(deps, tenant_id=tenant_id, delivery_id=webhook_id)
    if queued == 0:  # deleted with its endpoint meanwhile
        raise NotFound("no such delivery")
    await audit.record(deps.db, actor=call.who(), action="webhook_delivery.replayed",
                       target=webhook_id, tenant_id=tenant_id)  # fmt: skip
    return ReplayQueued(queued=queued)


async def replay_failed_webhooks(call: Call[ReplayFailed, None], deps: AdminDeps) -> ReplayQueued:
    """Send again every delivery to this endpoint that failed since `failed_since`."""
    endpoint, since = await endpoint_of(call, deps), call.body.failed_since
    queued = await _replay(
        deps, tenant_id=endpoint.tenant_id, endpoint_id=endpoint.id, failed_since=since
    )
    await audit.record(deps.db, actor=call.who(), action="webhook_endpoint.failed_replayed",
                       target=endpoint.id, tenant_id=endpoint.tenant_id,
                       details={"failed_since": since.isoformat(), "queued": queued})  # fmt: skip
    return ReplayQueued(queued=queued)


async def _replay(
    deps: AdminDeps, *, tenant_id: str, delivery_id: str | None = None,
    endpoint_id: str | None = None, failed_since: datetime | None = None,
) -> int:  # fmt: skip
    try:
        return await replay.replay(
            deps.db, deps.publisher, prefix=deps.topology.prefix, tenant_id=tenant_id,
            delivery_id=delivery_id, endpoint_id=endpoint_id, failed_since=failed_since,
        )  # fmt: skip
    except replay.NotQueued:
        raise _not_queued() from None


def _not_queued() -> Unavailable:
    return Unavailable("the delivery queue did not take the message; nothing was sent, try again")


def _delivery(row: DeliveryRow) -> WebhookDeliveryView:
    return WebhookDeliveryView(
        id=row.id, endpoint_id=row.endpoint_id, event_id=row.event_id,
        event_type=row.event_type, status=cast(Status, row.status),
        attempts=row.attempts, last_status_code=row.last_status_code, last_error=row.last_error,
        next_attempt_at=row.next_attempt_at, created_at=row.created_at, updated_at=row.updated_at,
    )  # fmt: skip


def _attempt(row: AttemptView) -> WebhookAttemptView:
    return WebhookAttemptView(
        attempt=row.attempt, trigger=row.trigger, started_at=row.started_at,
        duration_ms=row.duration_ms, status_code=row.status_code, response=row.response,
        error=row.error, next_attempt_at=row.next_attempt_at,
    )  # fmt: skip


_ONE = PATH + "/{endpoint_id}"

ENDPOINTS = [
    Endpoint("POST", _ONE + "/test", send_webhook_test, "Send a webhook.test event",
             Access.TENANT_WRITE, response=QueuedTest, status=202, tags=("tenant",),
             errors=(503,)),
    Endpoint("GET", _ONE + "/deliveries", list_webhook_deliveries,
             "A webhook endpoint's deliveries", Access.TENANT_READ, query=DeliveryQuery,
             response=WebhookDeliveryPage, tags=("tenant",)),
    Endpoint("POST", _ONE + "/replay", replay_failed_webhooks,
             "Send again the deliveries that failed since a time", Access.TENANT_WRITE,
             body=ReplayFailed, response=ReplayQueued, status=202, tags=("tenant",),
             errors=(400, 503)),
    Endpoint("GET", DELIVERIES + "/attempts", list_webhook_attempts,
             "A delivery and its attempts", Access.TENANT_READ, response=WebhookAttempts,
             tags=("tenant",)),
    Endpoint("POST", DELIVERIES + "/replay", replay_webhook_delivery,
             "Send a delivery again (same webhook-id)", Access.TENANT_WRITE,
             response=ReplayQueued, status=202, tags=("tenant",), errors=(503,)),
]  # fmt: skip
