"""Every tenant event on the events exchange: one activity entry and the usage it counts."""

from __future__ import annotations

from libs.db import inbox
from libs.events import CloudEvent
from services.admin import feed
from services.admin.deps import AdminDeps
from services.admin.storage import activity, usage

CONSUMER = "admin"


async def record_activity(event: CloudEvent, deps: AdminDeps) -> None:
    """Record `event` in its tenant's feed and usage counters, once per event id.

    Events without a tenant (ingress-level or platform events) are not tenant
    activity: they are acknowledged and ignored. The inbox row, the entry and the
    counters commit together, so a redelivery neither doubles nor loses them.
    """
    if event.tenantid is None:
        return
    async with deps.db.transaction() as tx:
        if not await inbox.mark_seen(tx, consumer=CONSUMER, event_id=event.id):
            return
        recorded = await activity.record(
            tx, tenant_id=event.tenantid, event_id=event.id, type=event.type,
            status=feed.status_of(event.type), subject=event.subject,
            summary=feed.summary_of(event.type, event.subject, event.data.get("reason"),
                                  event.data.get("detail")),
            at=event.time,
        )  # fmt: skip
        if recorded:  # the feed's own (tenant, event) key backs the inbox up
            await usage.increment(tx, tenant_id=event.tenantid, metrics=feed.metrics_of(event.type))
