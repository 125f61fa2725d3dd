"""Bad provider answers end as clear activity entries or DLQ records: never a crash, never silence."""

from __future__ import annotations

from tests.integration.erp_sync.test_tokens import notify_created, seed_invoices
from tests.support.polling import eventually


async def test_a_deleted_invoice_becomes_a_not_found_entry(stack):
    tenant = await stack.new_tenant()
    realm = await stack.sandbox.create_quickbooks_company()
    await stack.connect(tenant, "quickbooks", realm)
    [invoice_id] = await seed_invoices(stack.sandbox, realm, 1)
    await stack.sandbox.call(
        "DELETE", f"/_sandbox/quickbooks/companies/{realm}/invoices/{invoice_id}"
    )

    await notify_created(stack.sandbox, realm, [invoice_id])  # a late Create for a deleted invoice

    [failed] = await stack.wait_for("invoice.sync_failed", count=1, tenant=tenant)
    assert failed.data["reason"] == "not_found"
    assert failed.subject == f"invoice/{invoice_id}"
    assert await stack.events("invoice.ready", tenant=tenant) == []


async def test_a_record_missing_required_fields_becomes_an_invalid_invoice_entry(stack):
    tenant = await stack.new_tenant()
    organisation = await stack.sandbox.create_xero_organisation()
    await stack.connect(tenant, "xero", organisation)
    seeded = await stack.sandbox.seed_xero_invoice(organisation, {
        "Type": "ACCREC", "Contact": {"Name": "Gulu Hardware"},
        "LineItems": [{"Description": "Crates", "Quantity": 1, "UnitAmount": 10}],
    })  # fmt: skip
    invoice_id = seeded.record["InvoiceID"]
    # Xero answers the invoice without its lines' prices (a field the fiscal document needs).
    broken = {
        "Invoices": [{**seeded.record, "LineItems": [{"Description": "Crates", "Quantity": 1}]}]
    }
    await stack.sandbox.set_fault("xero", account_id=organisation, body="json", json=broken,
                                  paths=[f"/Invoices/{invoice_id}"])  # fmt: skip
    await stack.sandbox.call("POST", "/_sandbox/webhooks/xero", {
        "events": [{"tenant_id": organisation, "resource_id": invoice_id}]
    })  # fmt: skip

    [failed] = await stack.wait_for("invoice.sync_failed", count=1, tenant=tenant)
    assert failed.data["reason"] == "invalid_invoice"
    assert "LineItems[0]" in failed.data["detail"]

    async def activity():
        status, body = await stack.admin.call(
            "GET", "/api/tenant/activity", token=tenant.token, params={"status": "failed"}
        )
        assert status == 200
        return body["items"]

    [entry] = await eventually(activity, what="the failed entry in the tenant's activity")
    assert entry["type"] == "invoice.sync_failed"
    assert "(invalid invoice): Invoices[0].LineItems[0]" in entry["summary"]
    assert await stack.events("invoice.ready", tenant=tenant) == []


async def test_malformed_json_is_retried_then_parked_with_the_reason(stack, dead_letters):
    tenant = await stack.new_tenant()
    realm = await stack.sandbox.create_quickbooks_company()
    await stack.connect(tenant, "quickbooks", realm)
    [invoice_id] = await seed_invoices(stack.sandbox, realm, 1)
    await stack.sandbox.set_fault("quickbooks", account_id=realm, error_rate=1.0, body="malformed",
                                  paths=[f"/invoice/{invoice_id}"])  # fmt: skip

    await notify_created(stack.sandbox, realm, [invoice_id])

    [parked] = await eventually(
        dead_letters.list, until=lambda found: len(found) == 1, within=20,
        what="the event parked after its retry tiers",
    )  # fmt: skip
    assert parked.kind == "exhausted"
    assert "not JSON" in parked.error
    assert parked.attempts == 4  # the first try and three tiers (FAST_TIERS)
    assert await stack.events("invoice.ready", tenant=tenant) == []

    # Fixed at the provider, replayed by the operator: processed once.
    await stack.sandbox.clear_faults("quickbooks")
    assert await dead_letters.replay() == 1
    [ready] = await stack.wait_for("invoice.ready", count=1, tenant=tenant)
    assert ready.data["source"]["invoice_id"] == invoice_id


async def test_voided_and_deleted_invoices_become_invoice_voided(stack):
    tenant = await stack.new_tenant()
    realm = await stack.sandbox.create_quickbooks_company()
    await stack.connect(tenant, "quickbooks", realm)
    voided_id, deleted_id = await seed_invoices(stack.sandbox, realm, 2)
    base = f"/_sandbox/quickbooks/companies/{realm}/invoices"
    await stack.sandbox.call("POST", f"{base}/{voided_id}/void", {"notify": "cloudevents"})
    await stack.sandbox.call("POST", "/_sandbox/webhooks/quickbooks", {
        "format": "legacy",
        "events": [{"realm_id": realm, "entity": "Invoice", "id": deleted_id, "operation": "Delete"}],
    })  # fmt: skip

    voided = await stack.wait_for("invoice.voided", count=2, tenant=tenant)
    assert sorted((e.subject, e.data["reason"]) for e in voided) == sorted(
        [(f"invoice/{voided_id}", "voided"), (f"invoice/{deleted_id}", "deleted")]
    )
    assert await stack.events("invoice.ready", tenant=tenant) == []
