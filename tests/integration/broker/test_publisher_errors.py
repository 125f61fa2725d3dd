"""Publishes that are not confirmed as routed surface as errors to the caller."""

from __future__ import annotations

import asyncio

import pytest

from libs.broker import (
    DEFAULT_EXCHANGE,
    BrokerConnection,
    BrokerUnavailable,
    Exchange,
    Publisher,
    PublishNacked,
    PublishReturned,
    PublishTimeout,
    inspect_queue,
)
from tests.support.events import make_event


async def test_unroutable_mandatory_publish_raises_returned(publisher, topology):
    event = make_event("nobody.listens.here")
    with pytest.raises(PublishReturned) as raised:
        await publisher.publish(event, exchange=topology.exchange(Exchange.EVENTS))
    assert raised.value.routing_key == "nobody.listens.here"


async def test_publish_the_broker_does_not_confirm_in_time_raises_timeout(
    tcp_proxy, delete_queues_after, service_name
):
    connection = BrokerConnection(url=tcp_proxy.url(), name="test:stalled", service="test")
    await connection.connect()
    publisher = Publisher(connection=connection, service="test", timeout=0.5)
    await publisher.start()
    channel = await connection.channel()
    # Never consumed, so auto-delete would never fire: the fixture deletes it.
    delete_queues_after([f"{service_name}.stall"])
    queue = await channel.declare_queue(f"{service_name}.stall", durable=False)
    try:
        tcp_proxy.stall()  # bytes still reach the broker; its confirms never come back
        with pytest.raises(PublishTimeout):
            await publisher.publish(make_event(), exchange=DEFAULT_EXCHANGE, routing_key=queue.name)
    finally:
        tcp_proxy.resume()
        await connection.close()


async def test_publish_refused_by_a_full_queue_raises_nacked(
    broker, publisher, service_name, delete_queues_after
):
    name = f"{service_name}.full"
    delete_queues_after([name])
    channel = await broker.channel()
    await channel.declare_queue(
        name, durable=True, arguments={"x-max-length": 1, "x-overflow": "reject-publish"}
    )
    await publisher.publish(make_event(), exchange=DEFAULT_EXCHANGE, routing_key=name)
    with pytest.raises(PublishNacked):
        await publisher.publish(make_event(), exchange=DEFAULT_EXCHANGE, routing_key=name)


async def test_publish_without_a_connection_raises_unavailable(test_env):
    connection = BrokerConnection(url=test_env.amqp_url, name="test:closed", service="test")
    await connection.connect()
    publisher = Publisher(connection=connection, service="test")
    await publisher.start()
    await connection.close()
    with pytest.raises(BrokerUnavailable):
        await publisher.publish(make_event(), exchange=DEFAULT_EXCHANGE, routing_key="anything")


async def test_many_concurrent_publishes_all_confirm(
    publisher, broker, service_name, delete_queues_after
):
    name = f"{service_name}.many"
    delete_queues_after([name])
    channel = await broker.channel()
    queue = await channel.declare_queue(name, durable=True)
    await asyncio.gather(
        *(
            publisher.publish(make_event(n=i), exchange=DEFAULT_EXCHANGE, routing_key=name)
            for i in range(500)
        )
    )
    assert (await inspect_queue(channel, queue.name)).messages == 500
