"""A fiscalized invoice is never re-fiscalized: an edit or a void in the ERP asks for a credit note."""

from __future__ import annotations

from tests.integration.fiscalizer.test_fiscalize_end_to_end import (
    qbo_discount,
    qbo_line,
    quickbooks_invoice,
)


async def test_editing_then_voiding_a_fiscalized_invoice_asks_for_credit_notes(stack, db):
    tenant = await stack.new_tenant()
    realm, invoice_id = await quickbooks_invoice(
        stack, tenant, [qbo_line("Cement", 2, 50000, "TAX")]
    )
    [fiscalized] = await stack.wait_for("invoice.fiscalized", count=1, tenant=tenant, within=30)

    await stack.sandbox.update_quickbooks_invoice(realm, invoice_id, {
        "Line": [qbo_line("Cement", 3, 50000, "TAX")], "sparse": True,
    }, notify="cloudevents")  # fmt: skip
    [changed] = await stack.wait_for(
        "invoice.credit_note_needed", count=1, tenant=tenant, within=30
    )
    assert changed.data["reason"] == "changed after fiscalization"
    assert changed.data["fdn"] == fiscalized.data["fdn"]

    base = f"/_sandbox/quickbooks/companies/{realm}/invoices/{invoice_id}"
    await stack.sandbox.call("POST", f"{base}/void", {"notify": "cloudevents"})
    needed = await stack.wait_for("invoice.credit_note_needed", count=2, tenant=tenant, within=30)
    assert needed[1].data["reason"] == "voided in the erp"
    assert needed[1].data["fdn"] == fiscalized.data["fdn"]
    issued = await stack.sandbox.efris_invoices(tin=tenant.tin)
    assert [document["invoice_no"] for document in issued] == [fiscalized.data["fdn"]]
    assert len(await stack.events("invoice.fiscalized", tenant=tenant)) == 1


async def test_with_automatic_credit_notes_a_void_is_credited_and_approved(stack):
    tenant = await stack.new_tenant()
    status, view = await stack.admin.call("PUT", "/api/tenant/efris/credit-notes", token=tenant.token,
                                          json={"enabled": True})  # fmt: skip
    assert (status, view["auto_credit_notes"]) == (200, True)
    realm, invoice_id = await quickbooks_invoice(
        stack, tenant, [qbo_line("Cement", 2, 50000, "TAX")]
    )
    [fiscalized] = await stack.wait_for("invoice.fiscalized", count=1, tenant=tenant, within=30)

    base = f"/_sandbox/quickbooks/companies/{realm}/invoices/{invoice_id}"
    await stack.sandbox.call("POST", f"{base}/void", {"notify": "cloudevents"})

    [applied] = await stack.wait_for(
        "invoice.credit_note_applied", count=1, tenant=tenant, within=30
    )
    assert applied.data["fdn"] == fiscalized.data["fdn"]
    [issued] = await stack.wait_for("invoice.credit_note_issued", count=1, tenant=tenant, within=30)
    assert issued.data["credit_note_fdn"]
    assert issued.data["credit_note_fdn"] != fiscalized.data["fdn"]
    documents = {d["invoice_no"] for d in await stack.sandbox.efris_invoices(tin=tenant.tin)}
    assert {fiscalized.data["fdn"], issued.data["credit_note_fdn"]} <= documents
    assert await stack.events("invoice.credit_note_needed", tenant=tenant) == []


async def test_a_discounted_invoice_is_credited_at_its_value_after_the_discount(stack):
    tenant = await stack.new_tenant()
    await stack.admin.call("PUT", "/api/tenant/efris/credit-notes", token=tenant.token,
                           json={"enabled": True})  # fmt: skip
    realm, invoice_id = await quickbooks_invoice(
        stack, tenant, [qbo_line("Cement", 2, 50000, "TAX"), qbo_discount(percent=10)]
    )
    [fiscalized] = await stack.wait_for("invoice.fiscalized", count=1, tenant=tenant, within=30)

    base = f"/_sandbox/quickbooks/companies/{realm}/invoices/{invoice_id}"
    await stack.sandbox.call("POST", f"{base}/void", {"notify": "cloudevents"})

    [issued] = await stack.wait_for("invoice.credit_note_issued", count=1, tenant=tenant, within=30)
    assert issued.data["credit_note_fdn"] != fiscalized.data["fdn"]
    answer = await stack.sandbox.call("GET", "/_sandbox/efris/credit-notes",
                                      query={"tin": tenant.tin})  # fmt: skip
    [application] = answer["applications"]
    # 100,000 less 10 % plus 18 % VAT: 106,200, credited as the one line it was sold as.
    [line] = application["request"]["goodsDetails"]
    assert (line["orderNumber"], line["qty"], line["total"], line["tax"]) == (
        "0", "-2", "-106200.00", "-16200.00"
    )  # fmt: skip
    assert application["request"]["summary"]["grossAmount"] == "-106200.00"


async def test_a_credit_note_application_whose_answer_was_lost_is_adopted_not_sent_twice(stack):
    """EFRIS records the T110 application, then the answer is lost (504 after the effect);
    the retry asks T111 for the invoice's applications and adopts the one that arrived."""
    tenant = await stack.new_tenant()
    await stack.admin.call("PUT", "/api/tenant/efris/credit-notes", token=tenant.token,
                           json={"enabled": True})  # fmt: skip
    realm, invoice_id = await quickbooks_invoice(
        stack, tenant, [qbo_line("Cement", 2, 50000, "TAX")]
    )
    [fiscalized] = await stack.wait_for("invoice.fiscalized", count=1, tenant=tenant, within=30)
    await stack.sandbox.set_fault("efris", account_id=tenant.tin, paths=["T110"], error_rate=1.0,
                                  statuses=[504], when="after", count=1)  # fmt: skip

    base = f"/_sandbox/quickbooks/companies/{realm}/invoices/{invoice_id}"
    await stack.sandbox.call("POST", f"{base}/void", {"notify": "cloudevents"})

    [issued] = await stack.wait_for("invoice.credit_note_issued", count=1, tenant=tenant, within=30)
    answer = await stack.sandbox.call(
        "GET", "/_sandbox/efris/credit-notes", query={"tin": tenant.tin}
    )
    assert len(answer["applications"]) == 1  # one application, though the first answer was lost
    faults = await stack.sandbox.call("GET", "/_sandbox/faults")
    assert faults["faults"] == []  # the lost answer really happened: its one-shot rule was used
    assert issued.data["credit_note_fdn"] != fiscalized.data["fdn"]
