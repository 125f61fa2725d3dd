"""The router benchmark's bare baseline: one aio-pika consumer doing the router's work per event.

    python -m tests.bench._router_bare --queue NAME --exchange NAME --consumer NAME
        env TEST_AMQP_URL, DATABASE_URL; consumes until SIGTERM

Each message, in aio-pika's task of its own (prefetch 100, as the router): parse the ingress
CloudEvent with orjson; in one transaction, read the account's active routes and insert
`<provider>:<dedupekey>` into the inbox (ON CONFLICT DO NOTHING); when it was new, publish one
tenant event per route (`tenantid`, `connectionid`, a UUIDv5 id) to the events
exchange with confirms, mandatory and persistent; ack. No outbox and no batching: the publish
follows the commit, so a crash between them loses the tenant event (ours commits it with the
inbox row and relays it). No libs: this is the floor the router is compared with.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import uuid
from typing import Any

import aio_pika
import asyncpg
import orjson
import uvloop

CONTENT_TYPE = "application/cloudevents+json"
PREFETCH = 100


def tenant_events(event: dict[str, Any], key: str, routes: list[asyncpg.Record]) -> list[bytes]:
    out = []
    for route in routes:
        connection = route["connection_id"]
        routed = {
            **event,
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{key}|{connection}")),
            "tenantid": route["tenant_id"],
            "connectionid": connection,
        }
        out.append(orjson.dumps(routed))
    return out


async def serve(*, url: str, dsn: str, queue_name: str, exchange_name: str, consumer: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=10)
    connection = await aio_pika.connect_robust(
        url, client_properties={"connection_name": "bench:bare-router"}
    )
    async with connection, pool:
        publishing = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await publishing.get_exchange(exchange_name, ensure=False)
        consuming = await connection.channel(publisher_confirms=False)
        await consuming.set_qos(prefetch_count=PREFETCH)
        queue = await consuming.get_queue(queue_name, ensure=False)

        async def publish(body: bytes, event_type: str) -> None:
            message = aio_pika.Message(
                body,
                type=event_type,
                content_type=CONTENT_TYPE,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                headers={},
            )
            await exchange.publish(message, event_type, mandatory=True, timeout=10.0)

        async def route(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            event = orjson.loads(message.body)
            provider = event["source"].removeprefix("/providers/")
            key = f"{provider}:{event.get('dedupekey') or event['id']}"
            async with pool.acquire() as conn, conn.transaction():
                routes = await conn.fetch(
                    "SELECT tenant_id, connection_id FROM routes WHERE provider = $1 "
                    "AND account_id = $2 AND active ORDER BY created_at, id",
                    provider,
                    event["accountid"],
                )
                fresh = await conn.fetchval(
                    "INSERT INTO inbox (consumer, event_id) VALUES ($1, $2) "
                    "ON CONFLICT DO NOTHING RETURNING true",
                    consumer,
                    key,
                )
            if fresh:
                bodies = tenant_events(event, key, routes)
                await asyncio.gather(*(publish(body, event["type"]) for body in bodies))
            await message.ack()

        await queue.consume(route)
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench._router_bare")
    parser.add_argument("--queue", required=True)
    parser.add_argument("--exchange", required=True)
    parser.add_argument("--consumer", required=True)
    ns = parser.parse_args()
    uvloop.run(
        serve(
            url=os.environ["TEST_AMQP_URL"],
            dsn=os.environ["DATABASE_URL"],
            queue_name=ns.queue,
            exchange_name=ns.exchange,
            consumer=ns.consumer,
        )
    )


if __name__ == "__main__":
    main()
