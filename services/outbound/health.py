"""An endpoint's health: the failure streak, and disabling it.

    a 2xx                       ends the streak (failing_since cleared)
    a failed attempt            starts the streak if none runs; once it has run `disable_after`
                                (5 days) the endpoint is disabled
    410 Gone                    disables it at once

Disabling commits `endpoint.disabled` to the tenant (through the outbox, so it reaches their
activity and their other endpoints) in the same transaction. Writes happen only on changes:
the streak's start is read from the cached endpoint.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from libs.db import Database, outbox
from libs.events import CloudEvent
from services.outbound.endpoints import Endpoint
from services.outbound.storage import endpoints as storage

SOURCE = "/services/outbound"
DISABLED = "endpoint.disabled"


class Health:
    def __init__(self, db: Database, *, disable_after: timedelta, events_exchange: str) -> None:
        self._db = db
        self._disable_after = disable_after
        self._exchange = events_exchange

    async def succeeded(self, endpoint: Endpoint) -> None:
        if endpoint.row.failing_since is not None:
            await storage.mark_healthy(
                self._db, tenant_id=endpoint.tenant_id, endpoint_id=endpoint.id
            )

    async def failed(self, endpoint: Endpoint, *, now: datetime) -> None:
        since = endpoint.row.failing_since or await storage.mark_failing(
            self._db, tenant_id=endpoint.tenant_id, endpoint_id=endpoint.id, now=now
        )
        if since is not None and now - since >= self._disable_after:
            await self.disable(endpoint, reason=f"failing since {since.isoformat()}")

    async def disable(self, endpoint: Endpoint, *, reason: str) -> bool:
        """Disable it and tell the tenant; False when it was already disabled (or deleted)."""
        event = CloudEvent(
            source=SOURCE, type=DISABLED, tenantid=endpoint.tenant_id, subject=f"endpoint/{endpoint.id}",
            data={"endpoint_id": endpoint.id, "url": endpoint.url, "reason": reason,
                  "detail": f"webhook endpoint {endpoint.url} disabled: {reason}"},
        )  # fmt: skip
        async with self._db.transaction() as tx:
            if not await storage.disable(
                tx, tenant_id=endpoint.tenant_id, endpoint_id=endpoint.id, reason=reason
            ):
                return False
            await outbox.enqueue(tx, service="outbound", event=event, exchange=self._exchange)
        return True
