"""SIGKILL a real consumer process mid-handler: nothing is lost and the effect happens once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from libs.broker import Exchange
from libs.db import Database
from tests.support.events import make_event
from tests.support.polling import eventually
from tests.support.probe_service import RECORDED, REQUESTED
from tests.support.processes import ServiceProcess


@pytest.fixture
def processes() -> Iterator[list[ServiceProcess]]:
    started: list[ServiceProcess] = []
    yield started
    for process in started:
        process.close()


async def _count(db: Database, table: str, event_id: str) -> int:
    return int(
        await db.pool.fetchval(f"SELECT count(*) FROM {table} WHERE event_id = $1", event_id)
    )


@pytest.mark.parametrize("mode", ["hang_before_commit", "hang_after_commit"])
async def test_sigkilled_consumer_loses_nothing_and_the_effect_happens_once(
    mode, test_env, db, publisher, topology, broker, service_name, processes, delete_queues_after
):
    queues = topology.service(service_name, retry_tiers=(1, 10, 60, 600, 3600))
    delete_queues_after(queues.all_queues)
    probe = ServiceProcess(
        test_env, "tests.support.probe_service", PROBE_NAME=service_name, PROBE_MODE=mode
    )
    processes.append(probe)
    await probe.ready()

    # A queue of our own bound to what the probe emits through its outbox.
    watch = await (await broker.channel()).declare_queue(exclusive=True)
    await watch.bind(topology.exchange(Exchange.EVENTS), RECORDED)

    event = make_event(REQUESTED)
    await publisher.publish(event, exchange=topology.exchange(Exchange.EVENTS))
    await eventually(
        lambda: _count(db, "probe_runs", event.id), until=lambda n: n == 1, what="run 1"
    )
    if mode == "hang_after_commit":
        await eventually(lambda: _count(db, "probe_effects", event.id), until=lambda n: n == 1)
    probe.kill()  # SIGKILL: no ack, no cleanup

    restarted = ServiceProcess(test_env, "tests.support.probe_service", PROBE_NAME=service_name)
    processes.append(restarted)
    await restarted.ready()
    await eventually(
        lambda: _count(db, "probe_runs", event.id), until=lambda n: n == 2, what="redelivery"
    )
    await eventually(lambda: _count(db, "probe_effects", event.id), until=lambda n: n >= 1)
    assert await _count(db, "probe_effects", event.id) == 1

    recorded = await eventually(lambda: _drain(watch), until=lambda m: len(m) >= 1, what="outbox")
    assert len(recorded) == 1  # the effect's event was published once, from the one commit
    await eventually(  # the relay deletes the row in the transaction that saw its confirm
        lambda: db.pool.fetchval("SELECT count(*) FROM outbox WHERE service = $1", service_name),
        until=lambda n: n == 0,
        what="outbox drained",
    )
    assert await _drain(watch) == []  # and nothing was published twice
    assert await restarted.terminate() == 0


async def _drain(queue) -> list[bytes]:
    bodies = []
    while (message := await queue.get(no_ack=True, fail=False)) is not None:
        bodies.append(message.body)
    return bodies
