"""Ingress and router running in-process, with known provider secrets, for end-to-end tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp

from libs.broker import Exchange, Topology
from libs.events import CloudEvent
from services.ingress.bootstrap import SPEC as INGRESS
from services.router.bootstrap import NAME as ROUTER_NAME
from services.router.bootstrap import SPEC as ROUTER
from tests.support.running import running

PROVIDER_SECRETS = {
    "quickbooks_webhook_verifier_token": "qb-verifier-token",
    "xero_webhook_key": "xero-webhook-key",
    "stripe_webhook_secrets": "whsec_old_secret,whsec_new_secret",
    "whatsapp_app_secrets": "meta-app-secret",
    "whatsapp_verify_token": "fallback-verify-token",
    "shopify_api_secrets": "shpss_secret",
    "hubspot_client_secret": "hubspot-client-secret",
}


@dataclass(frozen=True)
class Stack:
    ingress_url: str
    session: aiohttp.ClientSession


def router_queues(topology: Topology) -> list[str]:
    queues = topology.service(ROUTER_NAME, retry_tiers=(1, 10, 60, 600, 3600))
    return [*queues.all_queues, f"{topology.prefix}.{ROUTER_NAME}.unrouted"]


@asynccontextmanager
async def ingress_and_router(**ingress_overrides: str) -> AsyncIterator[Stack]:
    async with (
        running(ROUTER, unrouted_sweep_s=30),
        running(INGRESS, **{**PROVIDER_SECRETS, **ingress_overrides}) as ingress,
        aiohttp.ClientSession() as session,
    ):
        yield Stack(ingress_url=f"http://127.0.0.1:{ingress.bound_port}", session=session)


async def collect_tenant_events(
    broker_channel, topology: Topology
) -> Callable[[], Awaitable[list[CloudEvent]]]:
    """Every event on {prefix}.events from now on; each call takes what arrived since."""
    return await collect_events(broker_channel, topology.exchange(Exchange.EVENTS))


async def collect_events(
    broker_channel, exchange: str, pattern: str = "#"
) -> Callable[[], Awaitable[list[CloudEvent]]]:
    """Every event published to `exchange` matching `pattern` from now on, on a queue of the
    channel's own; each call of the result takes what arrived since and returns them all."""
    queue = await broker_channel.declare_queue(exclusive=True)
    await queue.bind(exchange, pattern)
    received: list[CloudEvent] = []

    async def collect() -> list[CloudEvent]:
        while (message := await queue.get(no_ack=True, fail=False)) is not None:
            received.append(CloudEvent.from_bytes(message.body))
        return list(received)

    return collect
