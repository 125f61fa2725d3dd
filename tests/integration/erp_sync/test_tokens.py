"""Token refresh under concurrency, a 401 mid-flight, and a dead grant, against the sandbox."""

from __future__ import annotations

import asyncio
from typing import Any

from services.erp_sync import storage
from tests.support.polling import eventually


def refresh_grants(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in requests if (r.get("form") or {}).get("grant_type") == "refresh_token"]


async def seed_invoices(sandbox, realm: str, count: int) -> list[str]:
    customer = await sandbox.seed_quickbooks_customer(realm, {"DisplayName": "Masaka Co-op"})
    line = {"DetailType": "SalesItemLineDetail", "Amount": 1000,
            "SalesItemLineDetail": {"Qty": 1, "UnitPrice": 1000, "TaxCodeRef": {"value": "NON"}}}  # fmt: skip
    seeded = await asyncio.gather(*(
        sandbox.seed_quickbooks_invoice(realm, {"CustomerRef": {"value": customer["Id"]}, "Line": [line]})
        for _ in range(count)
    ))  # fmt: skip
    return [s.record["Id"] for s in seeded]


async def notify_created(sandbox, realm: str, invoice_ids: list[str]) -> None:
    """One CloudEvents POST naming every invoice: they arrive together, as a batch does."""
    answer = await sandbox.call("POST", "/_sandbox/webhooks/quickbooks", {
        "format": "cloudevents",
        "events": [{"realm_id": realm, "entity": "Invoice", "id": invoice_id, "operation": "Create"}
                   for invoice_id in invoice_ids],
    })  # fmt: skip
    assert answer["status"] == 200, answer


async def test_fifty_concurrent_events_on_an_expired_token_refresh_once(stack, db, secret_box):
    tenant = await stack.new_tenant()
    realm = await stack.sandbox.create_quickbooks_company()
    connected = await stack.connect(tenant, "quickbooks", realm)
    invoice_ids = await seed_invoices(stack.sandbox, realm, 50)
    before = await storage.tokens_of(db, secret_box, connected["connection_id"])
    assert await stack.sandbox.expire_tokens("quickbooks", realm) >= 1
    since = len(await stack.sandbox.requests())

    await notify_created(stack.sandbox, realm, invoice_ids)

    ready = await stack.wait_for("invoice.ready", count=50, tenant=tenant, within=30)
    assert sorted(e.data["source"]["invoice_id"] for e in ready) == sorted(invoice_ids)
    requests = await stack.sandbox.requests(provider="intuit-oauth", since=since)
    assert len(refresh_grants(requests)) == 1
    after = await storage.tokens_of(db, secret_box, connected["connection_id"])
    assert after is not None
    assert before is not None
    assert after.refresh_token != before.refresh_token  # Intuit rotated it, and we kept the new one
    assert after.version == before.version + 1


async def test_a_401_mid_flight_costs_one_refresh_and_one_retry(stack):
    tenant = await stack.new_tenant()
    realm = await stack.sandbox.create_quickbooks_company()
    await stack.connect(tenant, "quickbooks", realm)
    [invoice_id] = await seed_invoices(stack.sandbox, realm, 1)
    # The sandbox expires the token; our stored expiry still says it is fresh, so the first
    # call gets Intuit's 401 (AuthenticationFault 3200) and must refresh and retry once.
    await stack.sandbox.expire_tokens("quickbooks", realm)
    since = len(await stack.sandbox.requests())

    await notify_created(stack.sandbox, realm, [invoice_id])

    await stack.wait_for("invoice.ready", count=1, tenant=tenant)
    reads = await stack.sandbox.requests(provider="quickbooks", path_contains=f"/invoice/{invoice_id}",
                                         since=since)  # fmt: skip
    assert [r["status"] for r in reads] == [401, 200]
    grants = refresh_grants(await stack.sandbox.requests(provider="intuit-oauth", since=since))
    assert len(grants) == 1


async def test_a_revoked_grant_needs_reconnect_and_parks_the_event(stack, db, dead_letters):
    tenant = await stack.new_tenant()
    realm = await stack.sandbox.create_quickbooks_company()
    connected = await stack.connect(tenant, "quickbooks", realm)
    [invoice_id] = await seed_invoices(stack.sandbox, realm, 1)
    await stack.sandbox.revoke_tokens("quickbooks", realm)
    await stack.sandbox.expire_tokens("quickbooks", realm)
    since = len(await stack.sandbox.requests())

    await notify_created(stack.sandbox, realm, [invoice_id])

    [reconnect] = await stack.wait_for("connection.needs_reconnect", count=1, tenant=tenant)
    assert reconnect.connectionid == connected["connection_id"]
    status = await db.pool.fetchval(
        "SELECT status FROM erp_connections WHERE id = $1::uuid", connected["connection_id"]
    )
    assert status == "needs_reconnect"
    assert await erp_status_seen_by_owner(stack, tenant) == "needs_reconnect"
    [parked] = await eventually(
        dead_letters.list, until=lambda found: len(found) == 1, what="the event in erp_sync's DLQ"
    )
    assert parked.kind == "permanent"
    assert "reconnect" in parked.error
    grants = refresh_grants(await stack.sandbox.requests(provider="intuit-oauth", since=since))
    assert len(grants) == 1  # invalid_grant is not retried

    # Reconnecting makes the connection usable again (same row, fresh grant).
    again = await stack.connect(tenant, "quickbooks", realm)
    assert again["connection_id"] == connected["connection_id"]
    status = await db.pool.fetchval(
        "SELECT status FROM erp_connections WHERE id = $1::uuid", connected["connection_id"]
    )
    assert status == "connected"
    assert await erp_status_seen_by_owner(stack, tenant) == "connected"


async def erp_status_seen_by_owner(stack, tenant) -> str:
    status, client = await stack.admin.call(
        "GET", f"/api/owner/tenants/{tenant.id}", token=stack.owner_token
    )
    assert status == 200, client
    return str(client["erp_status"])
