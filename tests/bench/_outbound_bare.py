"""The outbound benchmark's baseline: one bare aiohttp client POSTing signed webhooks.

    python -m tests.bench._outbound_bare --url URL --secret whsec_... --pad N
        --count N --concurrency C          throughput: N requests, C in flight
        --rate R --seconds S               steady: request i due at t0 + i/R (open model)
    prints one JSON line: ok, errors, seconds, cpu_s (this process, while sending)

Each request is what outbound sends, minus everything around it: the Standard Webhooks
body `{"type", "timestamp", "data"}` serialized with orjson, signed with HMAC-SHA256 under a
key decoded once (as outbound's endpoint directory does), POSTed with the same headers over
one pooled keep-alive session capped at C connections per host (outbound's per-endpoint
limit), and the answer read. No broker, no database, no gate, no attempt log. In steady mode
`data.t0` is the request's due time (unix seconds), so the receiver measures latency from the
schedule, as it does for outbound's events.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import aiohttp
import orjson
import uvloop

from libs.signatures import standard_webhooks_key

EVENT_TYPE = "invoice.fiscalized"
DRAIN_S = 10.0


class Client:
    def __init__(self, session: aiohttp.ClientSession, url: str, key: bytes, pad: str) -> None:
        self._session = session
        self._url = url
        self._key = key
        self._pad = pad
        self.ok = 0
        self.errors: Counter[str] = Counter()

    async def post(self, seq: int, t0: float | None) -> None:
        data: dict[str, Any] = {"seq": seq, "pad": self._pad}
        if t0 is not None:
            data["t0"] = t0
        body = orjson.dumps({"type": EVENT_TYPE, "timestamp": datetime.now(UTC), "data": data})
        msg_id, stamp = f"msg_bare{seq:022d}", int(time.time())
        signed = f"{msg_id}.{stamp}.".encode() + body
        signature = (
            "v1," + base64.b64encode(hmac.digest(self._key, signed, hashlib.sha256)).decode()
        )
        headers = {
            "content-type": "application/json", "user-agent": "bare/1.0", "webhook-id": msg_id,
            "webhook-timestamp": str(stamp), "webhook-signature": signature,
        }  # fmt: skip
        try:
            async with self._session.post(
                self._url, data=body, headers=headers, allow_redirects=False
            ) as response:
                await response.content.read(4096)
                status = response.status
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            self.errors[type(exc).__name__] += 1
            return
        if 200 <= status < 300:
            self.ok += 1
        else:
            self.errors[f"http {status}"] += 1


async def throughput(client: Client, count: int, concurrency: int) -> None:
    sequence = iter(range(count))

    async def worker() -> None:
        for seq in sequence:
            await client.post(seq, None)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def steady(client: Client, rate: float, seconds: float) -> int:
    """Posts on schedule; the number not answered within DRAIN_S after the last was due."""
    in_flight: set[asyncio.Task[None]] = set()
    start, wall = time.perf_counter() + 0.05, time.time() + 0.05
    for i in range(round(rate * seconds)):
        due = start + i / rate
        if (delay := due - time.perf_counter()) > 0:
            await asyncio.sleep(delay)  # the schedule, not a wait for an answer
        task = asyncio.create_task(client.post(i, wall + i / rate))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
    if not in_flight:
        return 0
    _, pending = await asyncio.wait(set(in_flight), timeout=DRAIN_S)
    for task in pending:
        task.cancel()
    return len(pending)


async def run(ns: argparse.Namespace) -> dict[str, Any]:
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=ns.concurrency, keepalive_timeout=30)
    timeout = aiohttp.ClientTimeout(total=15, sock_connect=5)
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, trust_env=False, auto_decompress=False,
        skip_auto_headers=("User-Agent",),
    ) as session:  # fmt: skip
        client = Client(session, ns.url, standard_webhooks_key(ns.secret), "x" * ns.pad)
        cpu, clock = time.process_time(), time.perf_counter()
        cutoff = 0
        if ns.rate:
            cutoff = await steady(client, ns.rate, ns.seconds)
        else:
            await throughput(client, ns.count, ns.concurrency)
        seconds, cpu_s = time.perf_counter() - clock, time.process_time() - cpu
    return {
        "ok": client.ok, "errors": sum(client.errors.values()), "error_kinds": dict(client.errors),
        "cutoff": cutoff, "seconds": seconds, "cpu_s": cpu_s,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench._outbound_bare")
    parser.add_argument("--url", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--pad", type=int, default=0)
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, default=0.0)
    parser.add_argument("--seconds", type=float, default=0.0)
    print(json.dumps(uvloop.run(run(parser.parse_args()))), flush=True)


if __name__ == "__main__":
    main()
