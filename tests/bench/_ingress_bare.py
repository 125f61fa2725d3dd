"""The ingress benchmark's bare baseline: a minimal aiohttp app doing ingress's QuickBooks work.

    python -m tests.bench._ingress_bare --port PORT --exchange NAME
        env TEST_AMQP_URL, BENCH_QUICKBOOKS_TOKEN; serves until SIGTERM

POST /webhooks/quickbooks: read the body, check `intuit-signature` (base64 HMAC-SHA256 of
the raw body, `hmac.compare_digest`), parse the legacy JSON with orjson, build one
CloudEvent-shaped JSON per entity, publish each to the topic exchange with confirms,
mandatory and persistent (one channel; concurrent requests pipeline their confirms), and
answer 200 `{"accepted": n}` once every one is confirmed. 401 on a bad signature, 400 on a
body that is not the shape, 503 when a publish fails. GET /readyz answers 200.

No libs, no pydantic, no validation beyond what the work needs: this is the floor our
ingress is compared with. `bare_events` is also what the parent checks against
`services.ingress.notifications` (same attributes, same values but id and time format).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import signal
import uuid
from datetime import UTC, datetime
from typing import Any

import aio_pika
import orjson
import uvloop
from aiohttp import web

PROVIDER = "quickbooks"
CONTENT_TYPE = "application/cloudevents+json"
_ACTIONS = {"create": "created", "update": "updated", "delete": "deleted", "void": "voided"}


def bare_events(body: Any) -> list[dict[str, Any]]:
    """One CloudEvent-shaped dict per entity of a legacy QuickBooks body; KeyError/TypeError if malformed."""
    events = []
    for entry in body["eventNotifications"]:
        realm = str(entry["realmId"])
        for entity in entry["dataChangeEvent"]["entities"]:
            name, entity_id, operation = entity["name"], str(entity["id"]), entity["operation"]
            last_updated = entity.get("lastUpdated")
            action = _ACTIONS.get(operation.lower(), operation.lower())
            event: dict[str, Any] = {
                "specversion": "1.0",
                "id": str(uuid.uuid4()),
                "source": f"/providers/{PROVIDER}",
                "type": f"{PROVIDER}.{name.lower()}.{action}",
                "subject": f"{name.lower()}/{entity_id}",
                "datacontenttype": "application/json",
                "accountid": realm,
                "dedupekey": _digest_key([realm, name, entity_id, operation, last_updated]),
                "data": {**entity, "realmId": realm},
            }
            if isinstance(last_updated, str):
                when = datetime.fromisoformat(last_updated).astimezone(UTC)
                event["time"] = when.isoformat().replace("+00:00", "Z")
            events.append(event)
    return events


def _digest_key(fields: list[object]) -> str:
    canonical = json.dumps(
        [PROVIDER, *fields], ensure_ascii=True, sort_keys=True, separators=(",", ":")
    )
    return f"{PROVIDER}:{hashlib.sha256(canonical.encode('ascii')).hexdigest()}"


def _error(status: int, code: str) -> web.Response:
    body = orjson.dumps({"error": {"code": code, "message": code}})
    return web.Response(status=status, body=body, content_type="application/json")


def create_app(exchange: aio_pika.abc.AbstractExchange, token: str) -> web.Application:
    key = token.encode()

    async def publish(event: dict[str, Any]) -> None:
        message = aio_pika.Message(
            orjson.dumps(event),
            message_id=event["id"],
            type=event["type"],
            content_type=CONTENT_TYPE,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            headers={},
        )
        await exchange.publish(message, event["type"], mandatory=True, timeout=10.0)

    async def quickbooks(request: web.Request) -> web.Response:
        raw = await request.read()
        expected = base64.b64encode(hmac.digest(key, raw, "sha256"))
        if not hmac.compare_digest(request.headers.get("intuit-signature", "").encode(), expected):
            return _error(401, "invalid_signature")
        try:
            events = bare_events(orjson.loads(raw))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
            return _error(400, "invalid_body")
        try:
            await asyncio.gather(*(publish(event) for event in events))
        except Exception:
            return _error(503, "broker_unavailable")
        return web.json_response({"accepted": len(events)})

    async def readyz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ready"})

    app = web.Application()
    app.router.add_post("/webhooks/quickbooks", quickbooks)
    app.router.add_get("/readyz", readyz)
    return app


async def serve(*, url: str, exchange_name: str, port: int, token: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    connection = await aio_pika.connect_robust(
        url, client_properties={"connection_name": "bench:bare-ingress"}
    )
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.declare_exchange(
            exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
        )
        runner = web.AppRunner(create_app(exchange, token), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            await stop.wait()
        finally:
            await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench._ingress_bare")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--exchange", required=True)
    ns = parser.parse_args()
    uvloop.run(
        serve(
            url=os.environ["TEST_AMQP_URL"],
            exchange_name=ns.exchange,
            port=ns.port,
            token=os.environ["BENCH_QUICKBOOKS_TOKEN"],
        )
    )


if __name__ == "__main__":
    main()
