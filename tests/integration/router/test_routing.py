"""The router: ingress events become tenant events, once, for every connection that owns the account."""

from __future__ import annotations

import uuid

from libs.broker import Exchange
from services.router.bootstrap import NAME
from services.router.storage import link_account
from tests.integration.router.conftest import ingress_event
from tests.support.events import queue_depth
from tests.support.polling import eventually


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
