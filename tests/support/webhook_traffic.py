"""A running ingress whose events have somewhere to go, and QuickBooks webhooks to send it.

Ingress publishes with the mandatory flag, so something must be bound to its exchange: a
queue of the test's own, bound with "#", stands in for the router.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson

from libs.broker import BrokerConnection, Exchange, Topology
from libs.signatures import sign_quickbooks
from services.ingress.bootstrap import SPEC as INGRESS
from tests.support.running import running
from tests.support.stack import PROVIDER_SECRETS

QUICKBOOKS_SECRET = PROVIDER_SECRETS["quickbooks_webhook_verifier_token"]


def quickbooks_body(events: int) -> bytes:
    """A CloudEvents-format QuickBooks POST with `events` invoice changes (one event each)."""
    realm = str(uuid.uuid4().int)[:12]
    return orjson.dumps(
        [
            {
                "specversion": "1.0", "id": str(uuid.uuid4()),
                "source": "intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=",
                "type": "qbo.invoice.created.v1", "datacontenttype": "application/json",
                "time": "2026-11-21T08:00:00.000Z", "intuitentityid": str(130 + n),
                "intuitaccountid": realm, "data": {},
            }
            for n in range(events)
        ]
    )  # fmt: skip


@dataclass(frozen=True)
class Traffic:
    """Signed (or wrongly signed) QuickBooks webhooks to a running ingress; each returns the status."""

    url: str
    session: aiohttp.ClientSession

    async def accepted(self, *, events: int) -> int:
        return await self.quickbooks(quickbooks_body(events))

    async def wrongly_signed(self) -> int:
        return await self.quickbooks(quickbooks_body(1), secret="not-the-verifier-token")

    async def not_json(self) -> int:
        return await self.quickbooks(b"this is not JSON")

    async def quickbooks(self, body: bytes, *, secret: str = QUICKBOOKS_SECRET) -> int:
        headers = {
            "intuit-signature": sign_quickbooks(body, secret),
            "content-type": "application/json",
        }
        async with self.session.post(
            f"{self.url}/webhooks/quickbooks", data=body, headers=headers
        ) as response:
            await response.read()
            return response.status


@asynccontextmanager
async def ingress_traffic(
    broker: BrokerConnection, topology: Topology, **overrides: Any
) -> AsyncIterator[Traffic]:
    """Ingress (webhook stats flushed every 50 ms unless overridden) with a sink for its events."""
    channel = await broker.channel(publisher_confirms=False)
    sink = await channel.declare_queue(exclusive=True, auto_delete=True)
    await sink.bind(topology.exchange(Exchange.INGRESS), "#")
    settings = {**PROVIDER_SECRETS, "webhook_stats_flush_s": 0.05, **overrides}
    try:
        async with running(INGRESS, **settings) as health, aiohttp.ClientSession() as session:
            yield Traffic(url=f"http://127.0.0.1:{health.bound_port}", session=session)
    finally:
        await sink.delete(if_unused=False, if_empty=False)
        await channel.close()
