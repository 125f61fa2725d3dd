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

# The EFRIS tax category (01 standard, 02 zero-rated, 03 exempt) of each ERP's tax on a line:
# a QuickBooks tax code, a Xero tax type, a Zoho tax_percentage (none: exempt).
QUICKBOOKS_CATEGORIES = {"TAX": "01", "ZR": "02", "NON": "03"}
XERO_CATEGORIES = {"OUTPUT": "01", "NONE": "02", "EXEMPTOUTPUT": "03"}
ZOHO_CATEGORIES = {18: "01", 0: "02", None: "03"}
# Two discounted lines as every ERP here can key them: 2 x 50,000 cement (18 %) less 10 %,
# 5 x 3,000 exempt maize less 1,500. Net 103,500, tax 16,200 on 90,000.
TWO_DISCOUNTED_GOODS = [("Cement", "1", "118000.00", "18000.00", "-11800.00"),
                        ("Cement (Discount)", "0", "-11800.00", "-1800.00", ""),
                        ("Maize grain", "1", "15000.00", "0.00", "-1500.00"),
                        ("Maize grain (Discount)", "0", "-1500.00", "0.00", "")]  # fmt: skip


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
    """The invoice's realm and id; the company has tax codes TAX (18 %), ZR (0 %) and NON."""
    realm = await stack.sandbox.create_quickbooks_company()
    await stack.sandbox.call("POST", f"/_sandbox/quickbooks/companies/{realm}/tax-codes",
                             {"id": "ZR", "name": "Zero-rated", "percent": 0})  # fmt: skip
    await stack.connect(tenant, "quickbooks", realm)
    customer = await stack.sandbox.seed_quickbooks_customer(
        realm, {"DisplayName": "Kampala Traders", "PrimaryTaxIdentifier": "1000023456"}
    )
    seeded = await stack.sandbox.seed_quickbooks_invoice(
        realm, {"CustomerRef": {"value": customer["Id"]}, "Line": lines}, notify="cloudevents"
    )
    return realm, str(seeded.record["Id"])


async def xero_invoice(
    stack: ErpStack, tenant: Tenant, lines: list[dict[str, Any]], *, mode: str = "Exclusive"
) -> dict[str, Any]:
    """The stored Xero invoice, AUTHORISED and notified; the organisation also has Xero's
    exempt-sales tax type EXEMPTOUTPUT (0 %) beside OUTPUT (18 %) and NONE (0 %)."""
    organisation = await stack.sandbox.create_xero_organisation()
    await stack.sandbox.call("POST", f"/_sandbox/xero/organisations/{organisation}/tax-types",
                             {"name": "EXEMPTOUTPUT", "rate": 0})  # fmt: skip
    await stack.connect(tenant, "xero", organisation)
    invoice = {"Type": "ACCREC", "Contact": {"Name": "Gulu Dairy"}, "Status": "AUTHORISED",
               "LineAmountTypes": mode, "LineItems": lines}  # fmt: skip
    seeded = await stack.sandbox.seed_xero_invoice(organisation, invoice, notify=True)
    return seeded.record


def xero_line(
    description: str, qty: int, price: int, tax_type: str, **discount: int
) -> dict[str, Any]:
    """A line; `discount` is DiscountRate=<percent> or DiscountAmount=<amount>."""
    line = {"Description": description, "Quantity": qty, "UnitAmount": price, "TaxType": tax_type}
    return {**line, **discount}


async def zoho_invoice(stack: ErpStack, tenant: Tenant, invoice: dict[str, Any]) -> dict[str, Any]:
    """The stored Zoho invoice, once ingress has accepted its signed webhook."""
    organization = await stack.sandbox.create_zoho_organization()
    connected = await stack.connect(tenant, "zoho", organization)
    [webhook] = connected["zoho_webhooks"]
    seeded = await stack.sandbox.seed_zoho_invoice(
        organization, {"customer_name": "Mbale Dairy", **invoice},
        notify={"path_token": webhook["url"].rsplit("/", 1)[1], "secret": webhook["secret"]},
    )  # fmt: skip
    assert seeded.delivery is not None
    delivery_id = seeded.delivery["delivery_id"]
    # Ingress learns a new Zoho URL through LISTEN/NOTIFY; a webhook racing it is retried.
    await eventually(
        lambda: stack.sandbox.redeliver(delivery_id),
        until=lambda answer: answer["status"] == 200,
        what="ingress to know the URL",
    )
    return seeded.record


def zoho_line(
    name: str, qty: int, rate: int, percent: int | None, **discount: Any
) -> dict[str, Any]:
    """A line; `percent` None is exempt (no tax); `discount` is discount="10%" or an amount."""
    tax = {} if percent is None else {"tax_percentage": percent}
    return {"name": name, "quantity": qty, "rate": rate, **tax, **discount}


async def stored_fdn(db, tenant: Tenant, invoice_id: str):
    return await db.pool.fetchrow(
        "SELECT state, fdn, antifake_code, efris_invoice_id, qr_code, reference_no, error_code "
        "FROM fiscal_invoices WHERE tenant_id = $1 AND invoice_id = $2", tenant.id, invoice_id,
    )  # fmt: skip


def tax_categories(document: dict[str, Any]) -> list[str]:
    return sorted(row["taxCategoryCode"] for row in document["taxDetails"])


def discount_lines(document: dict[str, Any]) -> list[tuple[str, ...]]:
    return [(line["item"], line["discountFlag"], line["total"], line["tax"], line["discountTotal"])
            for line in document["goodsDetails"]]  # fmt: skip


async def one_fiscal_document(
    stack: ErpStack, db, tenant: Tenant, invoice_id: str, *, gross: object
):
    """The T109 the sandbox recorded for the invoice's one stored FDN, checked against `gross`."""
    [fiscalized] = await stack.wait_for("invoice.fiscalized", count=1, tenant=tenant, within=30)
    row = await stored_fdn(db, tenant, invoice_id)
    assert (row["state"], row["fdn"]) == ("fiscalized", fiscalized.data["fdn"])
    assert row["antifake_code"]
    assert Decimal(fiscalized.data["gross"]) == Decimal(str(gross))
    [issued] = await stack.sandbox.efris_invoices(tin=tenant.tin, reference_no=row["reference_no"])
    assert issued["invoice_no"] == row["fdn"]
    assert Decimal(issued["document"]["summary"]["grossAmount"]) == Decimal(str(gross))
    return issued["document"]


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param([qbo_line("Cement", 6, 50000, "TAX")], id="standard-rated"),
        pytest.param([qbo_line("Milk", 20, 2500, "ZR")], id="zero-rated"),
        pytest.param([qbo_line("Maize grain", 10, 3000, "NON")], id="exempt"),
        pytest.param(
            [
                qbo_line("Cement", 2, 50000, "TAX"),
                qbo_line("Maize grain", 5, 3000, "NON"),
                qbo_line("Milk", 10, 2500, "ZR"),
            ],
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
    codes = {line["SalesItemLineDetail"]["TaxCodeRef"]["value"] for line in lines}
    assert tax_categories(issued["document"]) == sorted(
        QUICKBOOKS_CATEGORIES[code] for code in codes
    )


@pytest.mark.parametrize(
    ("lines", "gross", "goods"),
    [
        pytest.param(
            # 115,000 less 10 %: 10,000 off the cement (tax 16,200 on 90,000), 1,500 off maize.
            [qbo_line("Cement", 2, 50000, "TAX"), qbo_line("Maize grain", 5, 3000, "NON"),
             qbo_discount(percent=10)],
            "119700.00", TWO_DISCOUNTED_GOODS, id="percent-based",
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


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param([xero_line("Cement", 6, 50000, "OUTPUT")], id="standard-rated"),
        pytest.param([xero_line("Milk", 20, 2500, "NONE")], id="zero-rated"),
        pytest.param([xero_line("Maize grain", 10, 3000, "EXEMPTOUTPUT")], id="exempt"),
        pytest.param([xero_line("Cement", 2, 50000, "OUTPUT"),
                      xero_line("Maize grain", 5, 3000, "EXEMPTOUTPUT"),
                      xero_line("Milk", 10, 2500, "NONE")], id="mixed"),
    ],
)  # fmt: skip
async def test_a_xero_invoice_gets_one_stored_fdn(stack, db, lines):
    tenant = await stack.new_tenant()
    invoice = await xero_invoice(stack, tenant, lines)

    document = await one_fiscal_document(
        stack, db, tenant, invoice["InvoiceID"], gross=invoice["Total"]
    )
    assert tax_categories(document) == sorted({XERO_CATEGORIES[line["TaxType"]] for line in lines})
    assert {line["discountFlag"] for line in document["goodsDetails"]} == {"2"}


@pytest.mark.parametrize(
    ("mode", "lines", "gross", "goods"),
    [
        pytest.param(
            "Exclusive",
            [xero_line("Cement", 2, 50000, "OUTPUT", DiscountRate=10),
             xero_line("Maize grain", 5, 3000, "EXEMPTOUTPUT", DiscountAmount=1500)],
            "119700.00", TWO_DISCOUNTED_GOODS, id="exclusive-rate-and-amount",
        ),
        pytest.param(
            # 2 x 59,000 VAT-inclusive less 10 %: 106,200 with 16,200 VAT in it.
            "Inclusive", [xero_line("Cement", 2, 59000, "OUTPUT", DiscountRate=10)],
            "106200.00", TWO_DISCOUNTED_GOODS[:2], id="inclusive-rate",
        ),
    ],
)  # fmt: skip
async def test_a_discounted_xero_invoice_is_fiscalized_with_discount_lines(
    stack, db, mode, lines, gross, goods
):
    tenant = await stack.new_tenant()
    invoice = await xero_invoice(stack, tenant, lines, mode=mode)
    assert Decimal(str(invoice["Total"])) == Decimal(gross)

    document = await one_fiscal_document(stack, db, tenant, invoice["InvoiceID"], gross=gross)
    assert discount_lines(document) == goods
    assert document["summary"]["itemCount"] == str(len(goods) // 2)


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param([zoho_line("Maize flour", 10, 3500, 18)], id="standard-rated"),
        pytest.param([zoho_line("Milk", 10, 500, 0)], id="zero-rated"),
        pytest.param([zoho_line("Maize grain", 10, 3000, None)], id="exempt"),
        pytest.param([zoho_line("Maize flour", 10, 3500, 18), zoho_line("Milk", 10, 500, 0),
                      zoho_line("Maize grain", 5, 3000, None)], id="mixed"),
    ],
)  # fmt: skip
async def test_a_zoho_invoice_gets_one_stored_fdn(stack, db, lines):
    tenant = await stack.new_tenant()
    invoice = await zoho_invoice(stack, tenant, {"line_items": lines})

    document = await one_fiscal_document(
        stack, db, tenant, str(invoice["invoice_id"]), gross=invoice["total"]
    )
    assert tax_categories(document) == sorted(
        {ZOHO_CATEGORIES[line.get("tax_percentage")] for line in lines}
    )
    assert {line["discountFlag"] for line in document["goodsDetails"]} == {"2"}


@pytest.mark.parametrize(
    ("invoice", "gross", "goods"),
    [
        pytest.param({"line_items": [zoho_line("Cement", 2, 50000, 18, discount="10%"),
                                     zoho_line("Maize grain", 5, 3000, None, discount=1500)]},
                     "119700.00", TWO_DISCOUNTED_GOODS, id="line-discounts"),
        pytest.param(
            # 150,000 less 5 % before tax: net 142,500, tax 25,650.
            {"line_items": [zoho_line("Cement", 3, 50000, 18)], "discount": "5%",
             "is_discount_before_tax": True},
            "168150.00",
            [("Cement", "1", "177000.00", "27000.00", "-8850.00"),
             ("Cement (Discount)", "0", "-8850.00", "-1350.00", "")],
            id="entity-level",
        ),
    ],
)  # fmt: skip
async def test_a_discounted_zoho_invoice_is_fiscalized_with_discount_lines(
    stack, db, invoice, gross, goods
):
    tenant = await stack.new_tenant()
    stored = await zoho_invoice(stack, tenant, invoice)
    assert Decimal(str(stored["total"])) == Decimal(gross)

    document = await one_fiscal_document(stack, db, tenant, str(stored["invoice_id"]), gross=gross)
    assert discount_lines(document) == goods
    assert document["summary"]["itemCount"] == str(len(goods) // 2)
