"""Tenant events reach the tenant's endpoints, signed per Standard Webhooks, as filtered.

Every request is verified with `standardwebhooks`, the reference library from PyPI.
"""

from __future__ import annotations

import pytest
from standardwebhooks.webhooks import WebhookVerificationError

from libs.broker import Publisher, Topology
from libs.crypto import SecretBox
from libs.db import Database
from services.outbound.registry import EndpointSpec, rotate_secret, update
from tests.support.outbound import (
    LOCAL_POLICY,
    Receiver,
    new_endpoint,
    outbound_running,
    publish_events,
)


async def test_every_matching_endpoint_receives_each_event_signed_and_byte_exact(
    db: Database, secret_box: SecretBox, publisher: Publisher, topology: Topology,
    receiver: Receiver, tenant_id: str,
) -> None:  # fmt: skip
    everything, everything_secret = await new_endpoint(
        db, secret_box, tenant_id=tenant_id, url=receiver.url("/all"),
        headers={"X-Tenant-Token": "abc"},
    )  # fmt: skip
    _, invoices_secret = await new_endpoint(
        db, secret_box, tenant_id=tenant_id, url=receiver.url("/invoices"),
        event_types=["invoice.*"],
    )  # fmt: skip
    await new_endpoint(db, secret_box, tenant_id=tenant_id, url=receiver.url("/off"), enabled=False)
    await new_endpoint(db, secret_box, tenant_id="someone_else", url=receiver.url("/other"))
    async with outbound_running():
        fiscalized = await publish_events(
            publisher, topology, tenant_id, "invoice.fiscalized", 3, fdn="1"
        )
        await publish_events(publisher, topology, tenant_id, "connection.needs_reconnect", 2)
        all_requests = await receiver.wait_for("/all", count=5)
        invoice_requests = await receiver.wait_for("/invoices", count=3)

    for request in all_requests:
        assert receiver.verify(request, everything_secret) == request.payload
        assert request.headers["X-Tenant-Token"] == "abc"
        assert request.headers["Content-Type"] == "application/json"
        assert request.webhook_id.startswith("msg_")
    for request in invoice_requests:
        receiver.verify(request, invoices_secret)
        assert request.payload["type"] == "invoice.fiscalized"
        with pytest.raises(WebhookVerificationError):
            receiver.verify(request, everything_secret)  # each endpoint has its own secret
    first = next(r for r in invoice_requests if r.payload["data"]["seq"] == 0)
    assert first.payload == {
        "type": "invoice.fiscalized",
        "timestamp": fiscalized[0].time.isoformat(),
        "data": {"fdn": "1", "seq": 0},
    }
    # one webhook-id per (event, endpoint): the same event has different ids per endpoint
    assert len({r.webhook_id for r in all_requests + invoice_requests}) == 8
    assert receiver.at("/off") == []
    assert receiver.at("/other") == []
    assert everything.enabled


async def test_during_a_secret_rotation_both_secrets_verify_every_delivery(
    db: Database, secret_box: SecretBox, publisher: Publisher, topology: Topology,
    receiver: Receiver, tenant_id: str,
) -> None:  # fmt: skip
    endpoint, old_secret = await new_endpoint(
        db, secret_box, tenant_id=tenant_id, url=receiver.url("/r")
    )
    async with outbound_running():
        await publish_events(publisher, topology, tenant_id, "invoice.ready", 1)
        before = await receiver.wait_for("/r", count=1)
        new_secret = await rotate_secret(
            db, secret_box, tenant_id=tenant_id, endpoint_id=endpoint.id
        )
        assert new_secret is not None
        assert new_secret != old_secret
        await publish_events(publisher, topology, tenant_id, "invoice.ready", 2)
        after = (await receiver.wait_for("/r", count=3))[1:]

    assert len(before[0].headers["webhook-signature"].split()) == 1
    receiver.verify(before[0], old_secret)
    for request in after:
        assert len(request.headers["webhook-signature"].split()) == 2
        receiver.verify(request, old_secret)  # receivers still on the old secret keep working
        receiver.verify(request, new_secret)  # and those already moved on, too


async def test_changing_an_endpoints_filters_takes_effect_for_the_next_event(
    db: Database, secret_box: SecretBox, publisher: Publisher, topology: Topology,
    receiver: Receiver, tenant_id: str,
) -> None:  # fmt: skip
    endpoint, _ = await new_endpoint(
        db, secret_box, tenant_id=tenant_id, url=receiver.url("/f"), event_types=["invoice.ready"]
    )
    async with outbound_running():
        await publish_events(publisher, topology, tenant_id, "invoice.ready", 1)
        await receiver.wait_for("/f", count=1)
        spec = EndpointSpec(url=endpoint.url, event_types=["payment.#"])
        await update(db, LOCAL_POLICY, tenant_id=tenant_id, endpoint_id=endpoint.id, spec=spec)
        await publish_events(publisher, topology, tenant_id, "invoice.ready", 1)
        await publish_events(publisher, topology, tenant_id, "payment.received.stripe", 1)
        second = await receiver.wait_for("/f", count=2)

    assert [r.payload["type"] for r in second] == ["invoice.ready", "payment.received.stripe"]
