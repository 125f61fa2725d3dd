"""Outbound under test: a local receiver that records and verifies, endpoints, events.

receiver = Receiver(); await receiver.start()
receiver.script("/a", 500, 500, 204)         # answers in order, then the last one forever
await receiver.wait_for("/a", count=3)        # event-driven, bounded by a deadline
receiver.verified("/a", secret)               # every request passes `standardwebhooks`
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web
from standardwebhooks.webhooks import Webhook

from libs.broker import Exchange, Publisher, Topology
from libs.crypto import SecretBox
from libs.db import Database
from libs.egress import EgressPolicy
from libs.events import CloudEvent
from libs.observability import HealthServer
from services.outbound.bootstrap import NAME
from services.outbound.bootstrap import SPEC as OUTBOUND
from services.outbound.delivery.worker import DeliveryQueues
from services.outbound.registry import EndpointSpec, create
from services.outbound.storage.endpoints import EndpointRow
from tests.support.running import running

LOCAL = "127.0.0.1/32,::1/128"
LOCAL_POLICY = EgressPolicy.from_text(LOCAL)


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.time() on arrival

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def payload(self) -> dict[str, Any]:
        parsed: dict[str, Any] = orjson.loads(self.body)
        return parsed


Answer = Callable[[Received, int], Awaitable[web.StreamResponse]]


@dataclass
class Receiver:
    """A tenant's webhook endpoint on 127.0.0.1: records every request, answers as scripted."""

    requests: list[Received] = field(default_factory=list)
    _answers: dict[str, Answer] = field(default_factory=dict)
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)
    _runner: web.AppRunner | None = None
    port: int = 0

    async def start(self, host: str = "127.0.0.1") -> None:
        app = web.Application()
        app.router.add_post("/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def answer(self, path: str, answer: Answer) -> None:
        self._answers[path] = answer

    def script(self, path: str, *statuses: int, headers: dict[str, str] | None = None) -> None:
        """Answer `path` with these statuses in order, the last one from then on."""

        async def scripted(_: Received, nth: int) -> web.StreamResponse:
            status = statuses[min(nth, len(statuses) - 1)]
            return web.Response(status=status, text=f"status {status}", headers=headers)

        self.answer(path, scripted)

    def at(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]

    async def wait_for(self, path: str, *, count: int, within: float = 30.0) -> list[Received]:
        """The first `count` requests to `path`, once they arrived (AssertionError at the deadline)."""

        def enough() -> bool:
            return len(self.at(path)) >= count

        async with self._arrived:
            try:
                await asyncio.wait_for(self._arrived.wait_for(enough), within)
            except TimeoutError:
                raise AssertionError(
                    f"{path}: {len(self.at(path))} of {count} requests within {within} s"
                ) from None
        return self.at(path)[:count]

    def verify(self, received: Received, secret: str) -> dict[str, Any]:
        """The reference library's verdict on one request (raises WebhookVerificationError)."""
        verified: dict[str, Any] = Webhook(secret).verify(received.body, received.headers)
        return verified

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        received = Received(
            path="/" + request.match_info["path"], headers=dict(request.headers),
            body=await request.read(), at=time.time(),
        )  # fmt: skip
        nth = len(self.at(received.path))
        async with self._arrived:
            self.requests.append(received)
            self._arrived.notify_all()
        answer = self._answers.get(received.path)
        if answer is None:
            return web.Response(status=204)
        return await answer(received, nth)


@asynccontextmanager
async def receiving() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    await receiver.start()
    try:
        yield receiver
    finally:
        await receiver.close()


def outbound_queues(topology: Topology) -> list[str]:
    """Every queue an outbound run may declare (up to 8 tiers each), to delete after a test."""
    fan_out = topology.service(NAME, retry_tiers=range(1, 9))
    delivery = DeliveryQueues.of(topology.prefix, tiers=range(1, 9), defer_seconds=1)
    return [*fan_out.all_queues, *delivery.all_queues]


@asynccontextmanager
async def outbound_running(**overrides: Any) -> AsyncIterator[HealthServer]:
    """outbound in-process, allowed to reach this machine's receivers, with fast retries."""
    settings: dict[str, Any] = {
        "outbound_allowed_networks": LOCAL, "outbound_retry_schedule_ms": "300,600,900",
        "outbound_retry_jitter": 0.0, "retry_tiers_ms": "200,400,800",
        "outbound_timeout_s": 5.0, "shutdown_timeout_s": 5.0, **overrides,
    }  # fmt: skip
    async with running(OUTBOUND, **settings) as health:
        yield health


async def new_endpoint(
    db: Database, box: SecretBox, *, tenant_id: str, url: str, **fields: Any
) -> tuple[EndpointRow, str]:
    """An endpoint registered as the admin API would (URL checked against LOCAL_POLICY)."""
    return await create(
        db, box, LOCAL_POLICY, tenant_id=tenant_id, spec=EndpointSpec(url=url, **fields)
    )


async def publish_events(
    publisher: Publisher, topology: Topology, tenant_id: str, event_type: str,
    count: int = 1, **data: Any,
) -> list[CloudEvent]:  # fmt: skip
    """`count` tenant events of `event_type` on the events exchange, `data` plus a `seq`."""
    events = [
        CloudEvent(source="/services/test", type=event_type, tenantid=tenant_id,
                   subject=f"test/{seq}", data={**data, "seq": seq})
        for seq in range(count)
    ]  # fmt: skip
    exchange = topology.exchange(Exchange.EVENTS)
    await asyncio.gather(*(publisher.publish(event, exchange=exchange) for event in events))
    return events


def distinct(requests: Sequence[Received], key: Callable[[Received], Any]) -> set[Any]:
    return {key(r) for r in requests}
