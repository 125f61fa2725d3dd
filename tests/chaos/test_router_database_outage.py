"""The database goes away while the router routes: every event is still routed, exactly once.

A batch that cannot commit fails each of its handlers, so each message moves to its retry tier
and is routed when it comes back; a batch whose COMMIT reached the database before the link
dropped is recognised by the inbox on the retry, and its tenant events leave by the outbox.
"""

from __future__ import annotations

import asyncio
import uuid

from prometheus_client import REGISTRY
from yarl import URL

from libs.broker import Exchange
from services.router.bootstrap import SPEC
from services.router.storage import link_account
from tests.integration.router.conftest import ingress_event
from tests.support.events import queue_depth
from tests.support.polling import eventually
from tests.support.running import running
from tests.support.stack import router_queues
from tests.support.tcp_proxy import TcpProxy

WAVE = 150


async def test_every_event_is_routed_once_across_a_database_outage(
    test_env, topology, delete_queues_after, db, publisher, tenant_events, broker
):
    delete_queues_after(router_queues(topology))
    database = URL(test_env.database_url)
    proxy = TcpProxy(
        upstream_host=database.host or "127.0.0.1", upstream_port=database.port or 5432
    )
    await proxy.start()
    tenant, realm = f"tenant-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex[:12]
    await link_account(
        db, tenant_id=tenant, provider="quickbooks", account_id=realm, connection_id="qb"
    )
    exchange = topology.exchange(Exchange.INGRESS)

    async def send(first: int) -> None:
        events = [ingress_event("quickbooks", realm, str(n)) for n in range(first, first + WAVE)]
        await asyncio.gather(*(publisher.publish(e, exchange=exchange) for e in events))

    try:
        async with running(SPEC, database_url=str(database.with_port(proxy.port))):
            await send(0)
            await eventually(tenant_events, until=lambda got: len(got) >= WAVE // 3)
            await proxy.cut()  # every pooled connection drops; new ones are refused
            retried = await _retries()
            await send(WAVE)
            await eventually(_retries, until=lambda n: n > retried, what="a batch failing")
            proxy.restore()
            await send(2 * WAVE)
            received = await eventually(
                tenant_events, until=lambda got: len(got) >= 3 * WAVE, within=60,
                what="every event routed",
            )  # fmt: skip
            dlq = await queue_depth(broker, f"{topology.prefix}.router.dlq")
    finally:
        await proxy.close()

    subjects = [e.subject for e in received]
    assert len(subjects) == len(set(subjects)), "an event was routed twice"
    assert set(subjects) == {f"invoice/{n}" for n in range(3 * WAVE)}
    assert {e.tenantid for e in received} == {tenant}
    assert dlq == 0


async def _retries() -> float:
    total = 0.0
    for tier in ("1", "2", "3"):
        value = REGISTRY.get_sample_value(
            "switchyard_retries_scheduled_total", {"service": "router", "tier": tier}
        )
        total += value or 0.0
    return total
