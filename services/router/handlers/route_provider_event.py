"""Every ingress event: find the tenant connection(s) that own its account, or park it."""

from __future__ import annotations

from libs.events import CloudEvent
from services.router import metrics
from services.router.deps import RouterDeps


async def route_provider_event(event: CloudEvent, deps: RouterDeps) -> None:
    """Publish one tenant event per route (via the outbox), once per notification.

    Unknown accounts are parked on the unrouted queue (also via the outbox, so
    parking commits or not with nothing else); they flow on when a route appears.
    A duplicate notification (same provider dedupe key) is dropped. The events in
    flight are routed together, in one transaction (`GroupRouter`).
    """
    routing = await deps.router.route(event)
    if routing.outcome == "routed":
        metrics.routed.labels(routing.provider).inc(routing.routes)
    elif routing.outcome == "parked":
        metrics.unrouted.labels(routing.provider).inc()
    else:
        metrics.duplicates.labels(routing.provider).inc()
