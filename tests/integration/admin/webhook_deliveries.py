"""A webhook delivery stored as outbound's delivery worker would after one attempt (no broker)."""

from __future__ import annotations

from datetime import UTC, datetime

from libs.db import Database
from services.outbound.delivery.messages import random_webhook_id
from services.outbound.storage import deliveries


async def stored_delivery(db: Database, *, tenant_id: str, endpoint_id: str) -> str:
    """A failed `invoice.fiscalized` delivery to the endpoint, with its one attempt; its id."""
    webhook_id = random_webhook_id()
    attempt = deliveries.AttemptRow(
        delivery_id=webhook_id, tenant_id=tenant_id, endpoint_id=endpoint_id,
        event_id=webhook_id.replace("msg_", "evt_"), event_type="invoice.fiscalized",
        payload=b'{"type": "invoice.fiscalized", "data": {}}', attempt=1, trigger="scheduled",
        started_at=datetime.now(UTC), duration_ms=12, status_code=500, response="down",
        error=None, state=deliveries.FAILED, next_attempt_at=None,
    )  # fmt: skip
    async with db.transaction() as tx:
        await deliveries.record(tx, [attempt])
    return webhook_id
