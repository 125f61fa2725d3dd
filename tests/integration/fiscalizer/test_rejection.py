"""A permanent EFRIS refusal reaches the tenant's activity with EFRIS's code and message."""

from __future__ import annotations

from tests.integration.fiscalizer.test_fiscalize_end_to_end import qbo_line
from tests.support.polling import eventually


async def test_a_refused_invoice_shows_efris_code_and_message_in_activity(stack, db):
    tenant = await stack.new_tenant()
    # A QuickBooks company in a currency URA's list does not have: EFRIS refuses the upload.
    realm = await stack.sandbox.create_quickbooks_company(currency="ZZZ")
    await stack.connect(tenant, "quickbooks", realm)
    customer = await stack.sandbox.seed_quickbooks_customer(realm, {"DisplayName": "Far Away Ltd"})
    seeded = await stack.sandbox.seed_quickbooks_invoice(realm, {
        "CustomerRef": {"value": customer["Id"]}, "Line": [qbo_line("Cement", 1, 50000, "TAX")],
    }, notify="cloudevents")  # fmt: skip

    [failed] = await stack.wait_for(
        "invoice.fiscalization_failed", count=1, tenant=tenant, within=30
    )
    assert failed.data["code"] in {"1133", "2180"}
    assert failed.data["message"]
    row = await db.pool.fetchrow(
        "SELECT state, error_code, error_message, fdn FROM fiscal_invoices "
        "WHERE tenant_id = $1 AND invoice_id = $2", tenant.id, str(seeded.record["Id"]),
    )  # fmt: skip
    assert (row["state"], row["error_code"], row["fdn"]) == ("failed", failed.data["code"], None)
    assert await stack.sandbox.efris_invoices(tin=tenant.tin) == []

    async def activity():
        status, body = await stack.admin.call("GET", "/api/tenant/activity", token=tenant.token,
                                              params={"status": "failed"})  # fmt: skip
        assert status == 200
        return [item for item in body["items"] if item["type"] == "invoice.fiscalization_failed"]

    [entry] = await eventually(activity, what="the refusal in the tenant's activity")
    assert entry["subject"] == f"invoice/{seeded.record['Id']}"
    assert f"EFRIS {failed.data['code']}: {failed.data['message']}" in entry["summary"]
