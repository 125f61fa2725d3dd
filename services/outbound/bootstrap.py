"""outbound's composition root: settings, the endpoint directory, the delivery worker, SPEC."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from typing import Any

import aiohttp
from pydantic import Field

from libs.broker import ConsumerWatchdog, Exchange, Subscription
from libs.config import ServiceSettings
from libs.db import Database, GroupCommit
from libs.egress import EgressSettings, guarded_connector
from libs.service import Platform, ServiceSpec
from services.outbound.delivery.dispatch import Dispatcher
from services.outbound.delivery.gates import GatePolicy, Gates
from services.outbound.delivery.schedule import DEFAULT_TIERS_MS, parse_tiers
from services.outbound.delivery.sender import Sender
from services.outbound.delivery.worker import DeliveryQueues, DeliveryWorker
from services.outbound.deps import OutboundDeps
from services.outbound.endpoints import Directory
from services.outbound.handlers.fan_out import fan_out
from services.outbound.health import Health
from services.outbound.retention import Retention
from services.outbound.storage import deliveries
from services.outbound.storage.deliveries import AttemptRow

NAME = "outbound"


class OutboundSettings(ServiceSettings, EgressSettings):
    # Events the fan-out holds at once: each sends its first attempts inline.
    prefetch: int = Field(default=256, ge=1, le=2000)
    # Deliveries' retry schedule (ms, comma-separated) and its jitter (±fraction).
    outbound_retry_schedule_ms: str = Field(default=DEFAULT_TIERS_MS, pattern=r"^\d+(,\d+)*$")
    outbound_retry_jitter: float = Field(default=0.2, ge=0, lt=1)
    outbound_connect_timeout_s: float = Field(default=5.0, gt=0)
    outbound_timeout_s: float = Field(default=15.0, gt=0)
    outbound_prefetch: int = Field(default=512, ge=1, le=5000)
    outbound_endpoint_concurrency: int = Field(default=32, ge=1, le=1000)
    outbound_breaker_failures: int = Field(default=5, ge=1)
    outbound_breaker_cooldown_s: float = Field(default=30.0, gt=0)
    outbound_defer_ms: int = Field(default=1000, ge=1)
    # Continuous failure for this long disables an endpoint (Svix: 5 days).
    outbound_disable_after_s: float = Field(default=5 * 86400.0, gt=0)
    outbound_response_max_bytes: int = Field(default=4096, ge=0, le=1_000_000)
    outbound_retention_days: float = Field(default=30.0, gt=0)


@asynccontextmanager
async def build(settings: OutboundSettings, platform: Platform) -> AsyncIterator[OutboundDeps]:
    db = platform.database
    box = platform.secret_box(needed_for="endpoint secrets are stored encrypted")
    queues = DeliveryQueues.of(
        platform.topology.prefix,
        tiers=parse_tiers(settings.outbound_retry_schedule_ms),
        defer_seconds=settings.outbound_defer_ms / 1000,
    )
    async with AsyncExitStack() as stack:
        directory = Directory(db, box)
        await directory.start()
        stack.push_async_callback(directory.close)
        session = await stack.enter_async_context(_client(settings))
        # a 2 ms linger turns a few rows per commit into dozens under load (bench: 3.7 before)
        attempts = GroupCommit(_write_attempts(db), max_batch=500, writers=2, linger=0.002)
        stack.push_async_callback(attempts.close)
        dispatcher = Dispatcher(
            directory=directory, attempts=attempts,
            sender=Sender(session, settings.egress, timeout=settings.outbound_timeout_s,
                          response_limit=settings.outbound_response_max_bytes),
            health=Health(db, disable_after=timedelta(seconds=settings.outbound_disable_after_s),
                          events_exchange=platform.topology.exchange(Exchange.EVENTS)),
            gates=Gates(GatePolicy(concurrency=settings.outbound_endpoint_concurrency,
                                   failures=settings.outbound_breaker_failures,
                                   cooldown=settings.outbound_breaker_cooldown_s)),
            tiers=queues.topology.retry_tiers, jitter=settings.outbound_retry_jitter,
        )  # fmt: skip
        worker = DeliveryWorker(
            connection=platform.broker, publisher=platform.publisher, queues=queues,
            dispatcher=dispatcher, prefetch=settings.outbound_prefetch,
        )  # fmt: skip
        await worker.start()
        stack.push_async_callback(worker.stop, drain_timeout=settings.shutdown_timeout_s)
        watchdog = ConsumerWatchdog(connection=platform.broker, consumer=worker)
        watchdog.start()
        stack.push_async_callback(watchdog.stop)
        retention = Retention(db, keep=timedelta(days=settings.outbound_retention_days))
        retention.start()
        stack.push_async_callback(retention.stop)
        yield OutboundDeps(
            directory=directory, dispatcher=dispatcher, publisher=platform.publisher,
            queues=queues, delivery_consumer=watchdog.check,
            fan_out_timeout=2 * settings.outbound_timeout_s + 15,
        )  # fmt: skip


@asynccontextmanager
async def _client(settings: OutboundSettings) -> AsyncIterator[aiohttp.ClientSession]:
    # No pool limits: endpoints on one host (two tenants' hooks on one SaaS) must not share
    # connection slots, or one hanging endpoint starves the others; the gates bound each one.
    connector = guarded_connector(
        settings.egress, limit=0, limit_per_host=0, ttl_dns_cache=60, keepalive_timeout=30
    )
    timeout = aiohttp.ClientTimeout(
        total=settings.outbound_timeout_s, sock_connect=settings.outbound_connect_timeout_s
    )
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, trust_env=False, auto_decompress=False,
        skip_auto_headers=("User-Agent",),
    ) as session:  # fmt: skip
        yield session


def _write_attempts(db: Database) -> Callable[[Sequence[AttemptRow]], Awaitable[list[None]]]:
    async def write(rows: Sequence[AttemptRow]) -> list[None]:
        await deliveries.record(db, rows)
        return [None] * len(rows)

    return write


def subscriptions(deps: OutboundDeps) -> Sequence[Subscription[Any, OutboundDeps]]:
    # Every event on the events exchange: the endpoints' filters choose, not the binding.
    return [Subscription(Exchange.EVENTS, "#", fan_out, timeout=deps.fan_out_timeout)]


SPEC = ServiceSpec(
    name=NAME,
    settings=OutboundSettings,
    bootstrap=build,
    subscriptions=subscriptions,
    relays_outbox=True,
    readiness=lambda deps: {"delivery_consumer": deps.delivery_consumer},
)
