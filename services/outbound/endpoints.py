"""The endpoints deliveries go to, as the fan-out and the delivery worker see them.

`Directory` holds each tenant's endpoints in memory, with their secrets already decoded
to signing keys. A change to a tenant's endpoints NOTIFYs (storage.endpoints.CHANNEL) and
drops that tenant's entry, so the next message reloads it; entries also expire after
`ttl` seconds, the backstop for a missed notification. Loads are single-flight per tenant.

Event type filters use the broker's topic syntax: `invoice.fiscalized` exactly,
`invoice.*` one more segment, `quickbooks.#` anything under quickbooks; no filter at all
means every event.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from libs.broker import topic_matches
from libs.crypto import SecretBox
from libs.db import Database, Notifications
from services.outbound.delivery.signing import SigningKey, signing_key
from services.outbound.storage import endpoints as storage
from services.outbound.storage.endpoints import EndpointRow


@dataclass(frozen=True)
class Endpoint:
    """An endpoint with what delivering to it needs: its keys and extra headers."""

    row: EndpointRow
    keys: tuple[SigningKey, ...]

    @property
    def id(self) -> str:
        return self.row.id

    @property
    def tenant_id(self) -> str:
        return self.row.tenant_id

    @property
    def url(self) -> str:
        return self.row.url

    @property
    def headers(self) -> Mapping[str, str]:
        return self.row.headers

    def wants(self, event_type: str) -> bool:
        """Enabled, and `event_type` passes its filters (none: every type)."""
        if not self.row.enabled:
            return False
        filters = self.row.event_types
        return not filters or any(topic_matches(f, event_type) for f in filters)


def endpoint_of(row: EndpointRow, secrets: list[storage.SecretRow]) -> Endpoint:
    keys = tuple(
        signing_key(s.secret, expires_at=s.expires_at.timestamp() if s.expires_at else None)
        for s in secrets
    )
    return Endpoint(row=row, keys=keys)


class Directory:
    """Tenant → endpoints, in memory; see the module docstring."""

    def __init__(
        self,
        db: Database,
        box: SecretBox,
        *,
        ttl: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = db
        self._box = box
        self._ttl = ttl
        self._clock = clock
        self._tenants: dict[str, tuple[float, dict[str, Endpoint]]] = {}
        self._loading: dict[str, asyncio.Future[dict[str, Endpoint]]] = {}
        self._generation = 0
        self._notifications = Notifications(db, channel=storage.CHANNEL, on_payload=self.forget)

    async def start(self) -> None:
        await self._notifications.ensure()

    async def close(self) -> None:
        await self._notifications.close()

    def forget(self, tenant_id: str) -> None:
        """Drop the tenant's entry (its endpoints changed); the next lookup reloads."""
        self._tenants.pop(tenant_id, None)
        self._generation += 1

    async def of_tenant(self, tenant_id: str) -> Mapping[str, Endpoint]:
        cached = self._tenants.get(tenant_id)
        if cached is not None and self._clock() < cached[0]:
            return cached[1]
        if not await self._notifications.ensure():
            self._tenants.clear()  # unnotified meanwhile: trust nothing cached
        loading = self._loading.get(tenant_id)
        if loading is None:
            loading = asyncio.ensure_future(self._load(tenant_id))
            self._loading[tenant_id] = loading
            loading.add_done_callback(lambda _: self._loading.pop(tenant_id, None))
        return await asyncio.shield(loading)

    async def get(self, tenant_id: str, endpoint_id: str) -> Endpoint | None:
        return (await self.of_tenant(tenant_id)).get(endpoint_id)

    async def _load(self, tenant_id: str) -> dict[str, Endpoint]:
        generation = self._generation
        now = datetime.now(UTC)
        async with self._db.transaction() as tx:
            rows = await storage.of_tenant(tx, tenant_id)
            secrets = await storage.live_secrets(tx, self._box, tenant_id=tenant_id, now=now)
        loaded = {row.id: endpoint_of(row, secrets.get(row.id, [])) for row in rows}
        if generation == self._generation:  # no change was announced while loading
            self._tenants[tenant_id] = (self._clock() + self._ttl, loaded)
        return loaded
