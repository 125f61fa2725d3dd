"""Broker faults while webhooks arrive: each request is answered 503, or 200 and its event is routed."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import pytest

from services.router.storage import link_account
from tests.integration.ingress.test_quickbooks_end_to_end import cloudevents_body, post
from tests.support.polling import eventually
from tests.support.stack import collect_tenant_events, ingress_and_router, router_queues

REQUESTS = 400
CONCURRENCY = 16


@pytest.fixture
async def stack_behind_proxy(topology, delete_queues_after, tcp_proxy):
    delete_queues_after(router_queues(topology))
    async with ingress_and_router(amqp_url=tcp_proxy.url()) as stack:
        yield stack


async def test_no_accepted_webhook_is_lost_while_the_broker_link_drops(
    stack_behind_proxy, tcp_proxy, db, broker, topology
):
    tenant, realm = f"tenant-{uuid.uuid4().hex[:6]}", str(uuid.uuid4().int)[:12]
    await link_account(
        db, tenant_id=tenant, provider="quickbooks", account_id=realm, connection_id="qb"
    )
    channel = await broker.channel()
    tenant_events = await collect_tenant_events(channel, topology)

    statuses: dict[str, int] = {}
    pending = asyncio.Queue[str]()
    for n in range(REQUESTS):
        pending.put_nowait(str(n))

    async def sender() -> None:
        while not pending.empty():
            entity = pending.get_nowait()
            status, _ = await post(stack_behind_proxy, cloudevents_body((realm, entity, "created")))
            statuses[entity] = status

    async def outage() -> None:
        await eventually(lambda: _value(len(statuses)), until=lambda n: n >= REQUESTS // 4)
        await tcp_proxy.cut()  # every ingress connection to the broker drops, reconnects refused
        await eventually(lambda: _value(len(statuses)), until=lambda n: n >= REQUESTS // 2)
        tcp_proxy.restore()

    await asyncio.gather(outage(), *(sender() for _ in range(CONCURRENCY)))

    recovered = await eventually(  # the link is back: ingress accepts again without a restart
        lambda: post(stack_behind_proxy, cloudevents_body((realm, "after", "created"))),
        until=lambda answer: answer[0] == 200,
        within=30,
    )
    assert recovered[0] == 200
    outcomes = Counter(statuses.values())
    assert set(outcomes) <= {200, 503}, outcomes
    assert outcomes[503] > 0, "the outage never showed: the test proved nothing"
    accepted = {entity for entity, status in statuses.items() if status == 200}
    received = await eventually(
        tenant_events,
        until=lambda events: (
            accepted <= {e.subject.removeprefix("invoice/") for e in events if e.subject}
        ),
        within=60,
        what="every accepted webhook routed",
    )
    routed = [e.subject for e in received if e.subject]
    assert len(routed) == len(set(routed)), "an accepted webhook was routed twice"
    print(f"outcomes={dict(outcomes)} accepted={len(accepted)} routed={len(routed)} lost=0")
    await channel.close()


async def _value(value: int) -> int:
    return value
