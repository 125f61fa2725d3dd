"""The router: ingress events become tenant events, once, for every connection that owns the account."""

from __future__ import annotations

import uuid

import pytest

from libs.broker import Exchange
from libs.events import CloudEvent
from services.router.bootstrap import NAME, SPEC
from services.router.storage import link_account
from tests.support.events import queue_depth
from tests.support.polling import eventually
from tests.support.running import running


def ingress_event(
    provider: str, account: str, entity_id: str, *, dedupe: str | None = None
) -> CloudEvent:
    return CloudEvent(
        source=f"/providers/{provider}",
        type=f"{provider}.invoice.created",
        subject=f"invoice/{entity_id}",
        accountid=account,
        dedupekey=dedupe or f"{provider}:{account}:invoice:{entity_id}:create",
        data={"id": entity_id},
    )


@pytest.fixture
async def router(topology, delete_queues_after):
    queues = topology.service(NAME, retry_tiers=(1, 10, 60, 600, 3600))
    delete_queues_after([*queues.all_queues, f"{topology.prefix}.{NAME}.unrouted"])
    async with running(SPEC, unrouted_sweep_s=30) as health:
        yield health


@pytest.fixture
async def tenant_events(broker, topology):
    channel = await broker.channel()
    queue = await channel.declare_queue(exclusive=True)
    await queue.bind(topology.exchange(Exchange.EVENTS), "#")
    received: list[CloudEvent] = []

    async def collect() -> list[CloudEvent]:
        while (message := await queue.get(no_ack=True, fail=False)) is not None:
            received.append(CloudEvent.from_bytes(message.body))
        return received

    yield collect
    await channel.close()


def _tenant() -> str:
    return f"tenant-{uuid.uuid4().hex[:8]}"


async def test_events_of_two_realms_reach_their_own_tenants_once(
    router, db, publisher, topology, tenant_events
):
    alpha, beta = _tenant(), _tenant()
    realm_a, realm_b = uuid.uuid4().hex[:12], uuid.uuid4().hex[:12]
    await link_account(
        db, tenant_id=alpha, provider="quickbooks", account_id=realm_a, connection_id="qbo-a"
    )
    await link_account(
        db, tenant_id=beta, provider="quickbooks", account_id=realm_b, connection_id="qbo-b"
    )
    first, second = (
        ingress_event("quickbooks", realm_a, "1"),
        ingress_event("quickbooks", realm_b, "2"),
    )
    for event in (first, second, first.derive(), second.derive()):  # each delivered twice, new ids
        await publisher.publish(event, exchange=topology.exchange(Exchange.INGRESS))

    received = await eventually(tenant_events, until=lambda r: len(r) >= 2, what="tenant events")
    await eventually(
        lambda: db.pool.fetchval("SELECT count(*) FROM outbox WHERE service = 'router'"),
        until=lambda n: n == 0,
    )
    received = await tenant_events()
    assert sorted((e.tenantid, e.accountid, e.subject) for e in received) == sorted(
        [(alpha, realm_a, "invoice/1"), (beta, realm_b, "invoice/2")]
    )
    assert {e.connectionid for e in received} == {"qbo-a", "qbo-b"}


async def test_account_linked_to_several_connections_fans_out_to_each(
    router, db, publisher, topology, tenant_events
):
    tenant, phone = _tenant(), uuid.uuid4().hex[:12]
    for bot in ("sales-bot", "support-bot"):
        await link_account(
            db, tenant_id=tenant, provider="whatsapp", account_id=phone, connection_id=bot
        )
    await publisher.publish(
        ingress_event("whatsapp", phone, "m1"), exchange=topology.exchange(Exchange.INGRESS)
    )
    received = await eventually(tenant_events, until=lambda r: len(r) >= 2)
    assert sorted(e.connectionid for e in received) == ["sales-bot", "support-bot"]
    assert len({e.id for e in received}) == 2


async def test_event_for_an_unknown_account_is_parked_then_flows_on_once_connected(
    router, db, publisher, topology, tenant_events, broker
):
    tenant, realm = _tenant(), uuid.uuid4().hex[:12]
    event = ingress_event("quickbooks", realm, "77")
    await publisher.publish(event, exchange=topology.exchange(Exchange.INGRESS))
    parked_queue = f"{topology.prefix}.{NAME}.unrouted"
    await eventually(
        lambda: queue_depth(broker, parked_queue), until=lambda n: n == 1, what="parked"
    )
    assert await tenant_events() == []

    await link_account(
        db, tenant_id=tenant, provider="quickbooks", account_id=realm, connection_id="qbo"
    )
    received = await eventually(
        tenant_events, until=lambda r: len(r) == 1, within=20, what="flowed on"
    )
    assert received[0].tenantid == tenant
    assert received[0].subject == "invoice/77"
    assert await queue_depth(broker, parked_queue) == 0
