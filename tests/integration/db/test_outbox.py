"""The outbox publishes a committed event exactly once, even across a broker outage; never a rolled-back one."""

from __future__ import annotations

import pytest

from libs.broker import BrokerConnection, Exchange, Publisher
from libs.db import OutboxRelay, outbox
from tests.support.events import make_event
from tests.support.polling import eventually


class Rollback(Exception):
    pass


async def _pending(db, service: str) -> int:
    return int(await db.pool.fetchval("SELECT count(*) FROM outbox WHERE service = $1", service))


async def _drain(queue) -> list[str]:
    ids = []
    while (message := await queue.get(no_ack=True, fail=False)) is not None:
        ids.append(message.message_id)
    return ids


@pytest.fixture
async def watch_queue(broker, topology):
    channel = await broker.channel()
    queue = await channel.declare_queue(exclusive=True)
    await queue.bind(topology.exchange(Exchange.EVENTS), "test.outbox.#")
    yield queue
    await channel.close()


async def test_event_committed_while_the_broker_is_unreachable_is_published_exactly_once(
    db, topology, service_name, tcp_proxy, watch_queue
):
    connection = BrokerConnection(
        url=tcp_proxy.url(), name="test:outbox-relay", service=service_name
    )
    await connection.connect()
    publisher = Publisher(connection=connection, service=service_name, timeout=2.0)
    await publisher.start()
    relay = OutboxRelay(db=db, publisher=publisher, service=service_name, poll_interval=0.2)
    relay.start()
    try:
        await tcp_proxy.cut()  # the broker link is down from here on
        events = topology.exchange(Exchange.EVENTS)
        committed = make_event("test.outbox.committed")
        async with db.transaction() as tx:
            await outbox.enqueue(tx, service=service_name, event=committed, exchange=events)
        with pytest.raises(Rollback):
            async with db.transaction() as tx:
                rolled_back = make_event("test.outbox.rolled_back")
                await outbox.enqueue(tx, service=service_name, event=rolled_back, exchange=events)
                raise Rollback

        assert await _pending(db, service_name) == 1  # kept while the relay cannot publish
        tcp_proxy.restore()
        await eventually(lambda: _pending(db, service_name), until=lambda n: n == 0, within=30)
        received = await eventually(lambda: _drain(watch_queue), until=lambda ids: len(ids) >= 1)
        received += await _drain(watch_queue)
        assert received == [committed.id]
    finally:
        await relay.stop()
        await publisher.close()
        await connection.close()


async def test_relay_publishes_a_burst_once_each_in_batches(
    db, topology, publisher, service_name, watch_queue
):
    events = [make_event("test.outbox.burst", n=i) for i in range(1200)]
    async with db.transaction() as tx:
        for event in events:
            await outbox.enqueue(
                tx, service=service_name, event=event, exchange=topology.exchange(Exchange.EVENTS)
            )
    relay = OutboxRelay(db=db, publisher=publisher, service=service_name, batch_size=500)
    relay.start()
    try:
        await eventually(lambda: _pending(db, service_name), until=lambda n: n == 0, within=30)
    finally:
        await relay.stop()
    received: list[str] = []
    await eventually(
        lambda: _collect(watch_queue, received), until=lambda n: n >= len(events), what="all events"
    )
    assert sorted(received) == sorted(e.id for e in events)


async def _collect(queue, into: list[str]) -> int:
    into.extend(await _drain(queue))
    return len(into)
