"""After the broker drops every connection, consumers and publishers resume without a restart."""

from __future__ import annotations

import asyncio
from typing import Any

from libs.broker import (
    BrokerConnection,
    ConsumerWatchdog,
    Exchange,
    Publisher,
    PublishError,
    Subscription,
    inspect_queue,
)
from libs.events import CloudEvent
from tests.support.events import make_event
from tests.support.polling import eventually
from tests.support.rabbitmqctl import close_connections


async def _publish_until_confirmed(publisher: Publisher, event: CloudEvent, exchange: str) -> bool:
    try:
        await publisher.publish(event, exchange=exchange)
    except PublishError:
        return False  # channel still reopening: the caller polls again
    return True


async def test_consumer_resumes_after_the_broker_force_closes_its_connection(
    test_env, start_consumer, topology, service_name
):
    connection = BrokerConnection(
        url=test_env.amqp_url, name=f"drop-{service_name}", service=service_name
    )
    await connection.connect()
    publisher = Publisher(connection=connection, service=service_name, timeout=2.0)
    await publisher.start()
    handled: list[str] = []

    async def handle(event: CloudEvent, deps: Any) -> None:
        handled.append(event.id)

    consumer = await start_consumer(
        [Subscription(Exchange.EVENTS, "test.drop.happened", handle)],
        connection=connection,
        consumer_publisher=publisher,
    )
    watchdog = ConsumerWatchdog(connection=connection, consumer=consumer, interval=0.2)
    watchdog.start()
    exchange = topology.exchange(Exchange.EVENTS)
    try:
        before = make_event("test.drop.happened")
        await publisher.publish(before, exchange=exchange)
        await eventually(lambda: _ids(handled), until=lambda ids: before.id in ids)

        assert await close_connections(f"drop-{service_name}") == 1
        await asyncio.wait_for(connection.reconnected.wait(), 15)

        after = make_event("test.drop.happened")
        await eventually(
            lambda: _publish_until_confirmed(publisher, after, exchange), within=15, what="publish"
        )
        await eventually(lambda: _ids(handled), until=lambda ids: after.id in ids, within=15)
        channel = await connection.channel()
        state = await inspect_queue(channel, consumer.queues.work_queue)
        assert state.consumers == 1  # restored once, not duplicated
        assert connection.reconnects == 1
    finally:
        await watchdog.stop()
        await consumer.stop(drain_timeout=2)
        await publisher.close()
        await connection.close()


async def test_watchdog_reattaches_a_consumer_the_broker_no_longer_has(
    start_consumer, publisher, topology, broker
):
    handled: list[str] = []

    async def handle(event: CloudEvent, deps: Any) -> None:
        handled.append(event.id)

    consumer = await start_consumer([Subscription(Exchange.EVENTS, "test.lost.happened", handle)])
    await consumer.detach()  # the state aio-pika #334 leaves behind: connected, consuming nothing
    event = make_event("test.lost.happened")
    await publisher.publish(event, exchange=topology.exchange(Exchange.EVENTS))

    watchdog = ConsumerWatchdog(connection=broker, consumer=consumer, interval=60)
    await watchdog.check_once()
    assert consumer.attached
    await eventually(lambda: _ids(handled), until=lambda ids: event.id in ids)
    assert await watchdog.check()
    await watchdog.stop()


async def _ids(handled: list[str]) -> list[str]:
    return list(handled)
