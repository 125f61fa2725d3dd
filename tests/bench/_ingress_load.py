"""Open-model load for the ingress benchmark: requests at fixed times, latency from those times.

    python -m tests.bench._ingress_load --url URL --rate R --seconds S --signature SIG
        body on stdin; prints one JSON line (see `Ledger.report`)

Request i is due at t0 + i/R whatever happened to earlier ones (an open model: a slow
server does not slow the arrivals, as providers do not wait for each other). Its latency is
measured from that due time, not from when it was sent, so any lag of this generator is
counted against the server rather than hidden (Outpost's method, specs §2). Every scheduled
request ends in exactly one of ok (2xx), error (other status or exception) or cutoff (not
answered by the deadline); a ledger that does not balance makes the run void.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import uvloop

CONNECTIONS = 256
REQUEST_TIMEOUT_S = 5.0
DRAIN_S = 6.0


@dataclass
class Ledger:
    scheduled: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    cutoff: int = 0
    max_lag: float = 0.0

    def report(self, *, rate: float, seconds: float) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        ok, errors = len(ordered), sum(self.errors.values())
        return {
            "rate": rate,
            "seconds": seconds,
            "scheduled": self.scheduled,
            "ok": ok,
            "errors": errors,
            "error_kinds": dict(self.errors),
            "cutoff": self.cutoff,
            "balanced": self.scheduled == ok + errors + self.cutoff,
            "p50_ms": percentile(ordered, 50) * 1000,
            "p95_ms": percentile(ordered, 95) * 1000,
            "p99_ms": percentile(ordered, 99) * 1000,
            "max_ms": (ordered[-1] if ordered else float("nan")) * 1000,
            "max_send_lag_ms": self.max_lag * 1000,
        }


def percentile(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list (nan when empty)."""
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil
    return ordered[int(rank) - 1]


async def generate(*, url: str, body: bytes, signature: str, rate: float, seconds: float) -> Ledger:
    ledger = Ledger()
    headers = {"Content-Type": "application/json", "intuit-signature": signature}
    connector = aiohttp.TCPConnector(limit=CONNECTIONS)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)

    async def one(session: aiohttp.ClientSession, due: float) -> None:
        ledger.max_lag = max(ledger.max_lag, time.perf_counter() - due)
        try:
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            ledger.errors[type(exc).__name__] += 1
            return
        if 200 <= status < 300:
            ledger.latencies.append(time.perf_counter() - due)
        else:
            ledger.errors[f"http {status}"] += 1

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        total = round(rate * seconds)
        in_flight: set[asyncio.Task[None]] = set()
        t0 = time.perf_counter() + 0.05
        for i in range(total):
            due = t0 + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(one(session, due))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
            ledger.scheduled += 1
        if in_flight:
            _done, pending = await asyncio.wait(set(in_flight), timeout=DRAIN_S)
            ledger.cutoff = len(pending)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
    return ledger


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench._ingress_load")
    parser.add_argument("--url", required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--signature", required=True)
    ns = parser.parse_args()
    body = sys.stdin.buffer.read()
    ledger = uvloop.run(
        generate(url=ns.url, body=body, signature=ns.signature, rate=ns.rate, seconds=ns.seconds)
    )
    print(json.dumps(ledger.report(rate=ns.rate, seconds=ns.seconds)), flush=True)


if __name__ == "__main__":
    main()
