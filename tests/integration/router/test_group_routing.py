"""Routing in groups: the events in flight share one transaction, each keeps its own fate."""

from __future__ import annotations

import asyncio
import uuid

from libs.broker import Exchange
from libs.events import CloudEvent
from services.router.bootstrap import NAME
from services.router.group_routing import GroupRouter
from services.router.storage import link_account
from tests.integration.router.conftest import ingress_event
from tests.support.events import queue_depth
from tests.support.polling import eventually


async def test_a_batch_with_repeats_routes_each_notification_once(db) -> None:
    service = f"router-{uuid.uuid4().hex[:8]}"
    tenant, realm, unknown = f"t-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex[:12], uuid.uuid4().hex
    await link_account(
        db, tenant_id=tenant, provider="quickbooks", account_id=realm, connection_id="qbo"
    )
    grouped = GroupRouter(
        db=db, service=service, events_exchange="x.events", unrouted_queue="x.unrouted", writers=1
    )
    notifications = [ingress_event("quickbooks", realm, str(n)) for n in range(20)]
    # Each notification twice (a provider retry under a new event id), and 5 for nobody's account.
    batch = [*notifications, *(n.derive() for n in notifications)]
    batch += [ingress_event("quickbooks", unknown, str(n)) for n in range(5)]
    try:
        outcomes = await asyncio.gather(*(grouped.route(event) for event in batch))
        again = await grouped.route(notifications[0].derive())  # a later batch: still a repeat
    finally:
        await grouped.close()
    try:
        rows = await db.pool.fetch(
            "SELECT exchange, routing_key, body FROM outbox WHERE service = $1 ORDER BY id", service
        )
        seen = await db.pool.fetchval("SELECT count(*) FROM inbox WHERE consumer = $1", service)
    finally:
        await db.pool.execute("DELETE FROM outbox WHERE service = $1", service)
        await db.pool.execute("DELETE FROM inbox WHERE consumer = $1", service)

    assert [o.outcome for o in outcomes] == ["routed"] * 20 + ["duplicate"] * 20 + ["parked"] * 5
    assert again.outcome == "duplicate"
    assert seen == 20
    routed = [CloudEvent.from_bytes(r["body"]) for r in rows if r["exchange"] == "x.events"]
    assert sorted(e.subject or "" for e in routed) == sorted(f"invoice/{n}" for n in range(20))
    assert {(e.tenantid, e.connectionid) for e in routed} == {(tenant, "qbo")}
    parked = [r for r in rows if r["routing_key"] == "x.unrouted"]
    assert [r["exchange"] for r in parked] == [""] * 5


async def test_an_unroutable_event_is_parked_in_the_dlq_and_its_batch_routes_on(
    router,
    db,
    publisher,
    topology,
    tenant_events,
    broker,
) -> None:
    tenant, realm = f"t-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex[:12]
    await link_account(
        db, tenant_id=tenant, provider="quickbooks", account_id=realm, connection_id="qbo"
    )
    good = [ingress_event("quickbooks", realm, str(n)) for n in range(10)]
    bad = ingress_event("quickbooks", f"{realm}\x00", "x")  # PostgreSQL text cannot hold NUL
    exchange = topology.exchange(Exchange.INGRESS)
    await asyncio.gather(
        *(publisher.publish(e, exchange=exchange) for e in [*good[:5], bad, *good[5:]])
    )

    received = await eventually(tenant_events, until=lambda r: len(r) >= 10, what="10 routed")
    dlq = f"{topology.prefix}.{NAME}.dlq"
    await eventually(
        lambda: queue_depth(broker, dlq), until=lambda n: n == 1, what="bad one parked"
    )
    assert sorted(e.subject or "" for e in received) == sorted(f"invoice/{n}" for n in range(10))
    assert {e.tenantid for e in received} == {tenant}
