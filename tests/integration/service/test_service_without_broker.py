"""`uses_broker=False`: a service that needs no RabbitMQ starts, and is ready, without one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from libs.broker import Exchange, Subscription, Topology
from libs.config import ServiceSettings
from libs.service import Platform, ServiceSpec, StartupError
from tests.support.processes import free_port
from tests.support.running import running


@asynccontextmanager
async def no_deps(_: ServiceSettings, platform: Platform) -> AsyncIterator[Platform]:
    yield platform


async def _ignore(event: Any, deps: Any) -> None:
    return None


def _one_subscription(_: Any) -> Sequence[Subscription[Any, Any]]:
    return [Subscription(Exchange.EVENTS, "probe.#", _ignore)]


BROKERLESS = ServiceSpec(
    name="brokerless", settings=ServiceSettings, bootstrap=no_deps, uses_database=False,
    uses_broker=False,
)  # fmt: skip


async def test_service_without_broker_is_ready_while_no_broker_listens(test_env):
    unreachable = f"amqp://guest:guest@127.0.0.1:{free_port()}/"
    async with (
        running(BROKERLESS, amqp_url=unreachable) as health,
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{health.bound_port}/readyz") as response,
    ):
        assert response.status == 200
        assert await response.json() == {"status": "ready", "failing": []}


async def test_service_without_broker_refuses_to_start_with_subscriptions(test_env):
    spec = ServiceSpec(
        name="brokerless", settings=ServiceSettings, bootstrap=no_deps, uses_database=False,
        uses_broker=False, subscriptions=_one_subscription,
    )  # fmt: skip
    with pytest.raises(StartupError, match="without a broker"):
        async with running(spec):
            pass


def test_platform_without_broker_names_the_service_when_asked_for_a_publisher(test_env):
    platform = Platform(
        service="brokerless",
        settings=ServiceSettings(),
        topology=Topology("brokerless"),
        db=None,
    )
    assert not platform.uses_broker
    with pytest.raises(StartupError, match="brokerless"):
        _ = platform.publisher


async def test_a_services_own_readiness_checks_join_readyz(test_env):
    async def not_yet() -> bool:
        return False

    spec = ServiceSpec(
        name="brokerless", settings=ServiceSettings, bootstrap=no_deps, uses_database=False,
        uses_broker=False, readiness=lambda _: {"second_consumer": not_yet},
    )  # fmt: skip
    async with (
        running(spec) as health,
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{health.bound_port}/readyz") as response,
    ):
        assert response.status == 503
        assert await response.json() == {"status": "not ready", "failing": ["second_consumer"]}


def test_platform_names_what_is_missing_when_a_bootstrap_needs_a_database_or_keys(test_env):
    platform = Platform(
        service="dbless",
        settings=ServiceSettings(encryption_keys=None),
        topology=Topology("dbless"),
        db=None,
    )
    with pytest.raises(StartupError, match="dbless was started without a database"):
        _ = platform.database
    with pytest.raises(StartupError, match="ENCRYPTION_KEYS is required: tokens are sealed"):
        platform.secret_box(needed_for="tokens are sealed")
