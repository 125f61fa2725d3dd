"""A signed QuickBooks webhook in, tenant events out: routed, deduplicated, parked until connected."""

from __future__ import annotations

import uuid

import orjson
import pytest

from libs.broker import Exchange
from libs.signatures import sign_quickbooks
from services.router.storage import link_account
from tests.support.events import queue_depth
from tests.support.polling import eventually
from tests.support.stack import (
    PROVIDER_SECRETS,
    ingress_and_router,
    router_queues,
)

SECRET = PROVIDER_SECRETS["quickbooks_webhook_verifier_token"]


def cloudevents_body(*entities: tuple[str, str, str]) -> bytes:
    """A CloudEvents-format QuickBooks POST (specs/providers.md §1.2): (realm, entity, action)."""
    return orjson.dumps(
        [
            {
                "specversion": "1.0",
                "id": str(uuid.uuid4()),
                "source": "intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=",
                "type": f"qbo.invoice.{action}.v1",
                "datacontenttype": "application/json",
                "time": "2026-11-21T08:00:00.000Z",
                "intuitentityid": entity,
                "intuitaccountid": realm,
                "data": {},
            }
            for realm, entity, action in entities
        ]
    )


async def post(stack, body: bytes, *, secret: str = SECRET):
    headers = {
        "intuit-signature": sign_quickbooks(body, secret),
        "content-type": "application/json",
    }
    async with stack.session.post(
        f"{stack.ingress_url}/webhooks/quickbooks", data=body, headers=headers
    ) as response:
        return response.status, await response.read()


@pytest.fixture
async def stack(topology, delete_queues_after):
    delete_queues_after(router_queues(topology))
    async with ingress_and_router() as running_stack:
        yield running_stack


async def test_one_post_for_two_realms_yields_one_event_per_entity_for_the_right_tenant_once(
    stack, db, tenant_events
):
    alpha, beta = f"tenant-{uuid.uuid4().hex[:6]}", f"tenant-{uuid.uuid4().hex[:6]}"
    realm_a, realm_b = str(uuid.uuid4().int)[:12], str(uuid.uuid4().int)[:12]
    await link_account(
        db, tenant_id=alpha, provider="quickbooks", account_id=realm_a, connection_id="qb-a"
    )
    await link_account(
        db, tenant_id=beta, provider="quickbooks", account_id=realm_b, connection_id="qb-b"
    )
    body = cloudevents_body(
        (realm_a, "145", "created"), (realm_b, "146", "created"), (realm_a, "147", "updated")
    )

    assert (await post(stack, body))[0] == 200
    assert (await post(stack, body))[0] == 200  # Intuit retries the same POST

    await eventually(tenant_events, until=lambda r: len(r) >= 3, what="tenant events")
    await eventually(
        lambda: db.pool.fetchval("SELECT count(*) FROM outbox WHERE service = 'router'"),
        until=lambda n: n == 0,
    )
    received = await tenant_events()
    assert sorted((e.tenantid, e.type, e.subject) for e in received) == sorted(
        [
            (alpha, "quickbooks.invoice.created", "invoice/145"),
            (beta, "quickbooks.invoice.created", "invoice/146"),
            (alpha, "quickbooks.invoice.updated", "invoice/147"),
        ]
    )


async def test_event_for_an_unknown_realm_is_parked_and_flows_on_once_connected(
    stack, db, tenant_events, broker, topology
):
    realm, tenant = str(uuid.uuid4().int)[:12], f"tenant-{uuid.uuid4().hex[:6]}"
    assert (await post(stack, cloudevents_body((realm, "9", "created"))))[0] == 200
    parked = f"{topology.prefix}.router.unrouted"
    await eventually(lambda: queue_depth(broker, parked), until=lambda n: n == 1, what="parked")

    await link_account(
        db, tenant_id=tenant, provider="quickbooks", account_id=realm, connection_id="qb"
    )
    received = await eventually(tenant_events, until=lambda r: len(r) == 1, within=20)
    assert (received[0].tenantid, received[0].subject) == (tenant, "invoice/9")


async def test_wrong_signature_is_refused_with_401_and_publishes_nothing(stack, broker, topology):
    channel = await broker.channel()
    watch = await channel.declare_queue(exclusive=True)
    await watch.bind(topology.exchange(Exchange.INGRESS), "#")
    status, body = await post(
        stack, cloudevents_body(("1", "1", "created")), secret="not-the-token"
    )
    assert status == 401
    assert orjson.loads(body)["error"]["code"] == "invalid_signature"
    # Ingress answers only after confirms, so anything it had published would be here already.
    assert await watch.get(no_ack=True, fail=False) is None
    await channel.close()
