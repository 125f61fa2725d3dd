"""The router's composition root: settings, deps, subscription table, SPEC."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from pydantic import Field

from libs.broker import Exchange, Subscription
from libs.config import ServiceSettings
from libs.service import Platform, ServiceSpec
from services.router.deps import RouterDeps
from services.router.group_routing import GroupRouter
from services.router.handlers.route_provider_event import route_provider_event
from services.router.unrouted import UnroutedParking

NAME = "router"


class RouterSettings(ServiceSettings):
    unrouted_sweep_s: float = Field(default=60.0, gt=0)


@asynccontextmanager
async def build(settings: RouterSettings, platform: Platform) -> AsyncIterator[RouterDeps]:
    db = platform.database
    queues = platform.topology.service(NAME, retry_tiers=settings.retry_tiers)
    parking = UnroutedParking(
        broker=platform.broker,
        publisher=platform.publisher,
        db=db,
        queue=f"{platform.topology.prefix}.{NAME}.unrouted",
        work_queue=queues.work_queue,
        sweep_interval=settings.unrouted_sweep_s,
    )
    router = GroupRouter(
        db=db,
        service=NAME,
        events_exchange=platform.topology.exchange(Exchange.EVENTS),
        unrouted_queue=parking.queue,
    )
    await parking.start()
    try:
        yield RouterDeps(router=router, parking=parking)
    finally:
        await router.close()
        await parking.stop()


def subscriptions(deps: RouterDeps) -> Sequence[Subscription[Any, RouterDeps]]:
    # Everything ingress publishes is routed; `#` binds the whole ingress exchange.
    return [Subscription(Exchange.INGRESS, "#", route_provider_event)]


SPEC = ServiceSpec(
    name=NAME,
    settings=RouterSettings,
    bootstrap=build,
    subscriptions=subscriptions,
    relays_outbox=True,
)
