"""The `make run` demo: a signed QuickBooks webhook in, tenant events out, a retry deduplicated.

It links a demo tenant's QuickBooks realm (as the OAuth connect flow will),
posts a signed CloudEvents webhook for two invoices to ingress, prints the
tenant events the router emits, then posts the same webhook again (Intuit's
retry) and shows that nothing new comes out. It grows as services arrive.
"""

from __future__ import annotations

import asyncio
import uuid

import aio_pika
import aiohttp
import orjson

from libs.broker import Exchange, Topology
from libs.db import Database
from libs.events import CloudEvent
from libs.signatures import sign_quickbooks
from services.router.storage import link_account

TENANT, REALM = "demo-acme-ltd", "9130350001"


async def run_demo(env: dict[str, str], *, ingress_url: str) -> None:
    db = await Database.connect(env["DATABASE_URL"], min_size=1, max_size=2)
    try:
        await link_account(
            db, tenant_id=TENANT, provider="quickbooks", account_id=REALM, connection_id="demo-qbo"
        )
    finally:
        await db.close()
    connection = await aio_pika.connect(env["AMQP_URL"])
    async with connection, aiohttp.ClientSession() as session:
        channel = await connection.channel()
        watch = await channel.declare_queue(exclusive=True)
        prefix = env.get("BROKER_PREFIX", "switchyard")
        await watch.bind(Topology(prefix).exchange(Exchange.EVENTS), "#")
        body = _webhook(["1001", "1002"])
        token = env["QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN"]
        for attempt in ("first delivery", "Intuit's retry of the same POST"):
            async with session.post(
                f"{ingress_url}/webhooks/quickbooks",
                data=body,
                headers={"intuit-signature": sign_quickbooks(body, token)},
            ) as response:
                print(f"demo: POST /webhooks/quickbooks ({attempt}) -> {response.status}")
            for event in await _drain(watch, expect=2 if attempt == "first delivery" else 0):
                print(
                    f"demo:   {event.tenantid} <- {event.type} {event.subject} (id {event.id[:8]})"
                )
        print("demo: the retry produced no new tenant events (router inbox, dedupe key)")


def _webhook(invoice_ids: list[str]) -> bytes:
    return orjson.dumps(
        [
            {
                "specversion": "1.0",
                "id": str(uuid.uuid4()),
                "source": "intuit.demo",
                "type": "qbo.invoice.created.v1",
                "datacontenttype": "application/json",
                "time": "2026-11-21T08:00:00Z",
                "intuitentityid": invoice_id,
                "intuitaccountid": REALM,
                "data": {},
            }
            for invoice_id in invoice_ids
        ]
    )


async def _drain(queue: aio_pika.abc.AbstractQueue, *, expect: int) -> list[CloudEvent]:
    """The tenant events that arrive within a few seconds (stops early once `expect` came)."""
    events: list[CloudEvent] = []
    deadline = asyncio.get_running_loop().time() + (5 if expect else 2)
    while asyncio.get_running_loop().time() < deadline and (not expect or len(events) < expect):
        message = await queue.get(no_ack=True, fail=False)
        if message is None:
            await asyncio.sleep(0.05)  # poll interval of a bounded wait
            continue
        events.append(CloudEvent.from_bytes(message.body))
    return events
