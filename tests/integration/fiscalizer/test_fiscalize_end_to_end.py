"""From a signed ERP webhook to a stored FDN, through ingress, router, erp_sync and the
fiscalizer, against the sandbox's QuickBooks, Xero, Zoho and EFRIS (which validates T109 as
URA does: a document it accepts passed its signature, key, clock, goods and arithmetic checks).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.support.erp import ErpStack, Tenant
from tests.support.polling import eventually


def qbo_line(description: str, qty: int, price: int, tax_code: str) -> dict[str, Any]:
    return {"DetailType": "SalesItemLineDetail", "Description": description, "Amount": qty * price,
            "SalesItemLineDetail": {"Qty": qty, "UnitPrice": price, "TaxCodeRef": {"value": tax_code}}}  # fmt: skip


def qbo_discount(*, percent: int | None = None, amount: int | None = None) -> dict[str, Any]:
    """An invoice-level discount: `percent` of the sub-total, or a fixed `amount`."""
    if percent is not None:
        return {"DetailType": "DiscountLineDetail",
                "DiscountLineDetail": {"PercentBased": True, "DiscountPercent": percent}}  # fmt: skip
    return {"DetailType": "DiscountLineDetail", "Amount": amount,
            "DiscountLineDetail": {"PercentBased": False}}  # fmt: skip


async def quickbooks_invoice(
    stack: ErpStack, tenant: Tenant, lines: list[dict[str, Any]]
) -> tuple[str, str]:
    realm = await stack.sandbox.create_quickbooks_company()
    await stack.connect(tenant, "quickbooks", realm)
    customer = await stack.sandbox.seed_quickbooks_customer(
        realm, {"DisplayName": "Kampala Traders", "PrimaryTaxIdentifier": "1000023456"}
    )
    seeded = await stack.sandbox.seed_quickbooks_invoice(
        realm, {"CustomerRef": {"value": customer["Id"]}, "Line": lines}, notify="cloudevents"
    )
    return realm, str(seeded.record["Id"])


async def stored_fdn(db, tenant: Tenant, invoice_id: str):
    return await db.pool.fetchrow(
        "SELECT state, fdn, antifake_code, efris_invoice_id, qr_code, reference_no, error_code "
        "FROM fiscal_invoices WHERE tenant_id = $1 AND invoice_id = $2", tenant.id, invoice_id,
    )  # fmt: skip


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param([qbo_line("Cement", 6, 50000, "TAX")], id="standard-rated"),
        pytest.param([qbo_line("Maize grain", 10, 3000, "NON")], id="exempt"),
        pytest.param(
            [qbo_line("Cement", 2, 50000, "TAX"), qbo_line("Maize grain", 5, 3000, "NON")],
            id="mixed",
        ),
    ],
)
async def test_a_quickbooks_invoice_gets_one_stored_fdn(stack, db, lines):
    tenant = await stack.new_tenant()
    _, invoice_id = await quickbooks_invoice(stack, tenant, lines)

    [fiscalized] = await stack.wait_for("invoice.fiscalized", count=1, tenant=tenant, within=30)
    row = await stored_fdn(db, tenant, invoice_id)
    assert row["state"] == "fiscalized"
    assert fiscalized.data["fdn"] == row["fdn"]
    assert row["antifake_code"]
    assert row["efris_invoice_id"]
    [issued] = await stack.sandbox.efris_invoices(tin=tenant.tin, reference_no=row["reference_no"])
    assert issued["invoice_no"] == row["fdn"]
    assert Decimal(fiscalized.data["gross"]) == sum(
        Decimal(line["Amount"])
        * (Decimal("1.18") if line["SalesItemLineDetail"]["TaxCodeRef"]["value"] == "TAX" else 1)
        for line in lines
    )


@pytest.mark.parametrize(
    ("lines", "gross", "goods"),
    [
        pytest.param(
            # 115,000 less 10 %: 10,000 off the cement (tax 16,200 on 90,000), 1,500 off maize.
            [qbo_line("Cement", 2, 50000, "TAX"), qbo_line("Maize grain", 5, 3000, "NON"),
             qbo_discount(percent=10)],
            "119700.00",
            [("Cement", "1", "118000.00", "18000.00", "-11800.00"),
             ("Cement (Discount)", "0", "-11800.00", "-1800.00", ""),
             ("Maize grain", "1", "15000.00", "0.00", "-1500.00"),
             ("Maize grain (Discount)", "0", "-1500.00", "0.00", "")],
            id="percent-based",
        ),
        pytest.param(
            # 150,000 less 7,500: net 142,500, tax 25,650.
            [qbo_line("Cement", 3, 50000, "TAX"), qbo_discount(amount=7500)],
            "168150.00",
            [("Cement", "1", "177000.00", "27000.00", "-8850.00"),
             ("Cement (Discount)", "0", "-8850.00", "-1350.00", "")],
            id="amount-based",
        ),
    ],
)  # fmt: skip
async def test_a_discounted_quickbooks_invoice_is_fiscalized_with_discount_lines(
    stack, db, lines, gross, goods
):
    tenant = await stack.new_tenant()
    _, invoice_id = await quickbooks_invoice(stack, tenant, lines)

    [fiscalized] = await stack.wait_for("invoice.fiscalized", count=1, tenant=tenant, within=30)
    row = await stored_fdn(db, tenant, invoice_id)
    assert (row["state"], row["fdn"]) == ("fiscalized", fiscalized.data["fdn"])
    assert Decimal(fiscalized.data["gross"]) == Decimal(gross)
    [issued] = await stack.sandbox.efris_invoices(tin=tenant.tin, reference_no=row["reference_no"])
    document = issued["document"]
    assert [
        (line["item"], line["discountFlag"], line["total"], line["tax"], line["discountTotal"])
        for line in document["goodsDetails"]
    ] == goods
    assert document["summary"]["grossAmount"] == gross
    assert document["summary"]["itemCount"] == str(len(goods) // 2)


async def test_a_zero_rated_xero_invoice_gets_its_fdn(stack, db):
    tenant = await stack.new_tenant()
    organisation = await stack.sandbox.create_xero_organisation()
    await stack.connect(tenant, "xero", organisation)
    invoice = {"Type": "ACCREC", "Contact": {"Name": "Gulu Dairy"}, "LineAmountTypes": "Exclusive",
               "LineItems": [{"Description": "Milk", "Quantity": 20, "UnitAmount": 2500,
                              "TaxType": "NONE"}]}  # fmt: skip
    seeded = await stack.sandbox.seed_xero_invoice(organisation, invoice, notify=True)

    [fiscalized] = await stack.wait_for("invoice.fiscalized", count=1, tenant=tenant, within=30)
    row = await stored_fdn(db, tenant, seeded.record["InvoiceID"])
    assert (row["state"], row["fdn"]) == ("fiscalized", fiscalized.data["fdn"])


async def test_a_mixed_zoho_invoice_gets_its_fdn(stack, db):
    tenant = await stack.new_tenant()
    organization = await stack.sandbox.create_zoho_organization()
    connected = await stack.connect(tenant, "zoho", organization)
    [webhook] = connected["zoho_webhooks"]
    invoice = {"customer_name": "Mbale Dairy", "line_items": [
        {"name": "Maize flour", "rate": 3500, "quantity": 10, "tax_percentage": 18},
        {"name": "Milk", "rate": 500, "quantity": 10, "tax_percentage": 0}]}  # fmt: skip
    seeded = await stack.sandbox.seed_zoho_invoice(organization, invoice, notify={
        "path_token": webhook["url"].rsplit("/", 1)[1], "secret": webhook["secret"]})  # fmt: skip
    await eventually(lambda: stack.sandbox.redeliver(seeded.delivery["delivery_id"]),
                     until=lambda answer: answer["status"] == 200, what="ingress to know the URL")  # fmt: skip

    [fiscalized] = await stack.wait_for("invoice.fiscalized", count=1, tenant=tenant, within=30)
    row = await stored_fdn(db, tenant, str(seeded.record["invoice_id"]))
    assert (row["state"], row["fdn"]) == ("fiscalized", fiscalized.data["fdn"])
