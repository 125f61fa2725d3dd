"""The webhook receiver of the outbound benchmark: a keep-alive aiohttp server that counts.

    python -m tests.bench._outbound_receiver --port P

POST /<any path>          204 at once (or, for a path set to hang, after `hang_s` seconds);
                          records (path, webhook-id, arrival unix time, the body's data.t0)
POST /_ctl/reset          forget every record; body {"hang": [paths], "hang_s": seconds}
GET  /_ctl/count          {"count": n, "by_path": {path: n}}
GET  /_ctl/records        {"records": [[path, webhook_id, at, t0 | null], ...]}

Arrival times are `time.time()` on this machine, the same clock the publisher stamps `t0`
with, so arrival - t0 is the delivery latency. The body is parsed only for `data.t0`.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson
import uvloop
from aiohttp import web

CONTROL = "/_ctl/"


@dataclass
class Records:
    rows: list[tuple[str, str, float, float | None]] = field(default_factory=list)
    by_path: Counter[str] = field(default_factory=Counter)
    hang: frozenset[str] = frozenset()
    hang_s: float = 0.0


def t0_of(body: bytes) -> float | None:
    try:
        t0 = orjson.loads(body)["data"]["t0"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return None
    return float(t0) if isinstance(t0, int | float) else None


def create_app(records: Records) -> web.Application:
    async def receive(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        at = time.time()
        path = request.path
        records.rows.append((path, request.headers.get("webhook-id", ""), at, t0_of(body)))
        records.by_path[path] += 1
        if path in records.hang:
            await asyncio.sleep(records.hang_s)  # longer than outbound's timeout: it gives up
        return web.Response(status=204)

    async def reset(request: web.Request) -> web.StreamResponse:
        spec: dict[str, Any] = await request.json() if request.can_read_body else {}
        records.rows.clear()
        records.by_path.clear()
        records.hang = frozenset(spec.get("hang", ()))
        records.hang_s = float(spec.get("hang_s", 0.0))
        return web.json_response({"ok": True})

    async def count(_: web.Request) -> web.StreamResponse:
        return web.json_response({"count": len(records.rows), "by_path": dict(records.by_path)})

    async def dump(_: web.Request) -> web.StreamResponse:
        return web.Response(
            body=orjson.dumps({"records": records.rows}), content_type="application/json"
        )

    app = web.Application(client_max_size=1 << 20)
    app.router.add_post(f"{CONTROL}reset", reset)
    app.router.add_get(f"{CONTROL}count", count)
    app.router.add_get(f"{CONTROL}records", dump)
    app.router.add_get("/readyz", count)
    app.router.add_post("/{path:.*}", receive)
    return app


async def serve(port: int) -> None:
    runner = web.AppRunner(create_app(Records()), access_log=None, keepalive_timeout=75)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, backlog=1024).start()
    await asyncio.Event().wait()  # until SIGTERM ends the process


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench._outbound_receiver")
    parser.add_argument("--port", type=int, required=True)
    uvloop.run(serve(parser.parse_args().port))


if __name__ == "__main__":
    main()
