"""The sandbox's webhook receivers stand in for a tenant's endpoint: `make run`'s demo uses one."""

from __future__ import annotations

from libs.broker import Publisher, Topology
from libs.crypto import SecretBox
from libs.db import Database
from tests.support.outbound import new_endpoint, outbound_running, publish_events
from tests.support.polling import eventually
from tests.support.sandbox import SandboxControl


async def test_a_sandbox_receiver_records_and_verifies_outbound_deliveries(
    db: Database, secret_box: SecretBox, publisher: Publisher, topology: Topology,
    sandbox: SandboxControl, tenant_id: str,
) -> None:  # fmt: skip
    _, secret = await new_endpoint(
        db, secret_box, tenant_id=tenant_id, url=sandbox.receiver_url("books")
    )
    _, other = await new_endpoint(
        db, secret_box, tenant_id=tenant_id, url=sandbox.receiver_url("wrong")
    )
    await sandbox.configure_receiver("books", secret=secret)
    await sandbox.configure_receiver("wrong", secret=secret)  # not this endpoint's secret
    async with outbound_running():
        await publish_events(publisher, topology, tenant_id, "invoice.fiscalized", 2, fdn="3200")
        books = await eventually(lambda: sandbox.received("books"), until=lambda r: len(r) == 2)
        wrong = await eventually(lambda: sandbox.received("wrong"), until=lambda r: len(r) == 2)

    assert [r["verified"] for r in books] == [True, True]
    assert [r["verified"] for r in wrong] == [False, False]
    assert {r["body"]["data"]["seq"] for r in books} == {0, 1}
    assert all(r["body"]["type"] == "invoice.fiscalized" for r in books)
    assert all(r["webhook_id"].startswith("msg_") for r in books)
    assert other != secret
