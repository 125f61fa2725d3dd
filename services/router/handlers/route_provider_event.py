"""Every ingress event: find the tenant connection(s) that own its account, or park it."""

from __future__ import annotations

from libs.db import inbox, outbox
from libs.events import CloudEvent
from services.router import metrics
from services.router.deps import RouterDeps
from services.router.routing import account_of, dedupe_key, provider_of, tenant_event
from services.router.storage import routes_for


async def route_provider_event(event: CloudEvent, deps: RouterDeps) -> None:
    """Publish one tenant event per route (via the outbox), once per notification.

    Unknown accounts are parked on the unrouted queue (also via the outbox, so
    parking commits or not with nothing else); they flow on when a route appears.
    A duplicate notification (same provider dedupe key) is dropped.
    """
    provider, account = provider_of(event), account_of(event)
    async with deps.db.transaction() as tx:
        routes = await routes_for(tx, provider=provider, account_id=account)
        if not routes:
            await outbox.enqueue(
                tx, service=deps.name, event=event, exchange="", routing_key=deps.unrouted_queue
            )
            metrics.unrouted.labels(provider).inc()
            return
        if not await inbox.mark_seen(tx, consumer=deps.name, event_id=dedupe_key(event)):
            metrics.duplicates.labels(provider).inc()
            return
        for route in routes:
            routed = tenant_event(event, route)
            await outbox.enqueue(tx, service=deps.name, event=routed, exchange=deps.events_exchange)
    metrics.routed.labels(provider).inc(len(routes))
