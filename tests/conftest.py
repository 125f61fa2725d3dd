"""Fixtures: one isolated BROKER_PREFIX + database per run; factories that clean up after themselves."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Any

import aio_pika
import pytest

from libs.broker import (
    BrokerConnection,
    Consumer,
    Exchange,
    Publisher,
    ServiceTopology,
    Subscription,
    Topology,
)
from libs.crypto import SecretBox
from libs.db import Database
from libs.events import CloudEvent
from tests.support.environment import TestEnvironment, create_environment, drop_environment
from tests.support.sandbox import SandboxControl, sandbox_running
from tests.support.stack import collect_tenant_events
from tests.support.tcp_proxy import TcpProxy


@pytest.fixture(scope="session")
def test_env() -> Iterator[TestEnvironment]:
    env = create_environment()
    os.environ.update(
        SWITCHYARD_ENV="test",
        ENCRYPTION_KEYS=SecretBox.generate_key(),
        AMQP_URL=env.amqp_url,
        DATABASE_URL=env.database_url,
        BROKER_PREFIX=env.broker_prefix,
    )
    yield env
    asyncio.run(_delete_exchanges(env))
    drop_environment(env)


async def _delete_exchanges(env: TestEnvironment) -> None:
    connection = await aio_pika.connect(env.amqp_url)
    async with connection:
        channel = await connection.channel()
        topology = Topology(env.broker_prefix)
        for exchange in Exchange:
            await channel.exchange_delete(topology.exchange(exchange))


@pytest.fixture
def secret_box(test_env: TestEnvironment) -> SecretBox:
    """The box services of this run decrypt with (ENCRYPTION_KEYS of the session)."""
    return SecretBox.from_setting(os.environ["ENCRYPTION_KEYS"])


@pytest.fixture
def topology(test_env: TestEnvironment) -> Topology:
    return Topology(test_env.broker_prefix)


@pytest.fixture
def service_name() -> str:
    """A service name of its own for each test, so its queues are its own."""
    return f"svc{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def broker(
    test_env: TestEnvironment, request: pytest.FixtureRequest
) -> AsyncIterator[BrokerConnection]:
    connection = BrokerConnection(
        url=test_env.amqp_url, name=f"test:{request.node.nodeid}", service="test"
    )
    await connection.connect()
    channel = await connection.channel(publisher_confirms=False)
    await Topology(test_env.broker_prefix).declare_exchanges(channel)
    await channel.close()
    yield connection
    await connection.close()


@pytest.fixture
async def tenant_events(
    broker: BrokerConnection, topology: Topology
) -> AsyncIterator[Callable[[], Awaitable[list[CloudEvent]]]]:
    """Every event on {prefix}.events from now on: `await tenant_events()` takes what arrived."""
    channel = await broker.channel()
    yield await collect_tenant_events(channel, topology)
    await channel.close()


@pytest.fixture
async def publisher(broker: BrokerConnection) -> AsyncIterator[Publisher]:
    publisher = Publisher(connection=broker, service="test", timeout=5.0)
    await publisher.start()
    yield publisher
    await publisher.close()


@pytest.fixture
async def db(test_env: TestEnvironment) -> AsyncIterator[Database]:
    database = await Database.connect(test_env.database_url)
    yield database
    await database.close()


@pytest.fixture
async def delete_queues_after(
    test_env: TestEnvironment,
) -> AsyncIterator[Callable[[Sequence[str]], None]]:
    """Register queue names to delete when the test ends."""
    names: list[str] = []
    yield names.extend
    connection = await aio_pika.connect(test_env.amqp_url)
    async with connection:
        for name in names:
            channel = await connection.channel()
            with contextlib.suppress(Exception):
                await channel.queue_delete(name)


StartConsumer = Callable[..., Awaitable[Consumer[Any]]]


@pytest.fixture
async def start_consumer(
    broker: BrokerConnection,
    publisher: Publisher,
    topology: Topology,
    service_name: str,
    delete_queues_after: Callable[[Sequence[str]], None],
) -> AsyncIterator[StartConsumer]:
    """Start a real consumer runtime on this test's service queues; stopped and deleted after."""
    started: list[Consumer[Any]] = []

    async def start(
        subscriptions: Sequence[Subscription[Any, Any]],
        *,
        deps: Any = None,
        retry_tiers: Sequence[float] = (0.05, 0.1, 0.2),
        prefetch: int = 50,
        connection: BrokerConnection | None = None,
        consumer_publisher: Publisher | None = None,
    ) -> Consumer[Any]:
        queues = ServiceTopology(
            prefix=topology.prefix, service=service_name, retry_tiers=tuple(retry_tiers)
        )
        delete_queues_after(queues.all_queues)
        consumer: Consumer[Any] = Consumer(
            connection=connection or broker,
            publisher=consumer_publisher or publisher,
            topology=topology,
            service=queues,
            subscriptions=subscriptions,
            deps=deps,
            prefetch=prefetch,
        )
        await consumer.start()
        started.append(consumer)
        return consumer

    yield start
    for consumer in started:
        await consumer.stop(drain_timeout=5)


@pytest.fixture
async def tcp_proxy() -> AsyncIterator[TcpProxy]:
    proxy = TcpProxy()
    await proxy.start()
    yield proxy
    await proxy.close()


@pytest.fixture
async def sandbox(test_env: TestEnvironment) -> AsyncIterator[SandboxControl]:
    """A provider sandbox of this test's own (in-process, free port); see tests/support/sandbox.py.

    Its webhooks go to SANDBOX_INGRESS_URL (nothing listens by default); a test that wants them
    delivered starts ingress and its own sandbox with `sandbox_running(sandbox_ingress_url=...)`.
    """
    async with sandbox_running() as control:
        yield control
