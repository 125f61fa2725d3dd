"""t110_payload: a full credit note mirrors EFRIS's copy of the invoice, negated."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from services.fiscalizer.t109 import t109_payload
from services.fiscalizer.t110 import T110Error, t110_payload
from services.sandbox.providers.efris.credit_rules import check_application
from services.sandbox.providers.efris.ledger import INVOICE, FiscalDocument
from tests.unit.fiscalizer.invoices import ISSUED_AT, SELLER, D, Sale, invoice_of, registered

APPLIED_AT = datetime(2025, 3, 20, 6, 0, tzinfo=UTC)


@pytest.fixture
def original():
    """A T108 answer: the uploaded T109 content with URA's fields added (efris.md §5.10)."""
    invoice = invoice_of(
        Sale(D(10), D(30000), D(18)),
        Sale(D(2), D(95000), None, description="Maize grain 50kg", item_code="MZG-050"),
        buyer_tin="1000098765",
    )
    document = t109_payload(invoice, seller=SELLER, goods=registered(invoice),
                            reference_no="SINV-1", issued_at=ISSUED_AT)  # fmt: skip
    document["basicInformation"] |= {"invoiceId": "3250412369874512036",
                                     "invoiceNo": "325012345678",
                                     "issuedDate": "14/03/2025 10:25:31"}  # fmt: skip
    document["sellerDetails"]["branchId"] = "206637525568955296"
    document["taxDetails"][0]["taxCategory"] = "Standard"
    return document


def fiscalized(*sales: Sale) -> dict[str, Any]:
    """The T108 copy of an invoice of `sales`, as the sandbox issues it."""
    invoice = invoice_of(*sales, buyer_tin="1000098765")
    document = t109_payload(invoice, seller=SELLER, goods=registered(invoice),
                            reference_no="SINV-2", issued_at=ISSUED_AT)  # fmt: skip
    document["basicInformation"] |= {"invoiceId": "3250412369874512037",
                                     "invoiceNo": "325012345679"}  # fmt: skip
    return document


def accepted_by_the_sandbox(original: dict[str, Any], payload: dict[str, Any]) -> None:
    """The EFRIS simulator's T110 rules (credit_rules) pass `payload` against `original`."""
    document = FiscalDocument(
        tin=SELLER.tin, device_no=SELLER.device_no,
        invoice_id=original["basicInformation"]["invoiceId"],
        invoice_no=original["basicInformation"]["invoiceNo"], antifake_code="", qr_code="",
        reference_no="SINV-2", invoice_type=INVOICE, issued_at=ISSUED_AT, document=original,
    )  # fmt: skip
    check_application(payload, document, earlier=[], now=APPLIED_AT)


def credit(original, **overrides):
    arguments: dict[str, Any] = {"reason_code": "102", "application_time": APPLIED_AT,
                 "seller_reference_no": "CN-SINV-1"} | overrides  # fmt: skip
    return t110_payload(original, **arguments)


def test_names_the_original_and_the_application(original):
    payload = credit(original)

    assert {key: payload[key] for key in (
        "oriInvoiceId", "oriInvoiceNo", "reasonCode", "applicationTime",
        "invoiceApplyCategoryCode", "currency", "source", "sellersReferenceNo")} == {
        "oriInvoiceId": "3250412369874512036", "oriInvoiceNo": "325012345678",
        "reasonCode": "102", "applicationTime": "2025-03-20 09:00:00",
        "invoiceApplyCategoryCode": "101", "currency": "UGX", "source": "103",
        "sellersReferenceNo": "CN-SINV-1",
    }  # fmt: skip
    assert payload["basicInformation"] == {
        "operator": "Jane Akello", "invoiceKind": "1", "invoiceIndustryCode": "101",
        "branchId": "206637525568955296",
    }  # fmt: skip
    assert payload["buyerDetails"] == original["buyerDetails"]


def test_lines_repeat_the_original_with_quantity_total_and_tax_negated(original):
    payload = credit(original)

    cement, maize = payload["goodsDetails"]
    assert (cement["qty"], cement["unitPrice"], cement["total"], cement["tax"]) == (
        "-10",
        "35400.00",
        "-354000.00",
        "-54000.00",
    )
    assert (maize["qty"], maize["total"], maize["tax"], maize["taxRate"]) == (
        "-2",
        "-190000.00",
        "0.00",
        "-",
    )
    for mine, theirs in zip(payload["goodsDetails"], original["goodsDetails"], strict=True):
        for key in ("item", "itemCode", "unitOfMeasure", "orderNumber", "goodsCategoryId"):
            assert mine[key] == theirs[key]
        assert "discountFlag" not in mine


def test_tax_details_summary_and_payment_are_negated(original):
    payload = credit(original)

    assert [
        (row["taxCategoryCode"], row["netAmount"], row["taxAmount"], row["grossAmount"])
        for row in payload["taxDetails"]
    ] == [
        ("01", "-300000.00", "-54000.00", "-354000.00"),
        ("03", "-190000.00", "0.00", "-190000.00"),
    ]
    assert "taxCategory" not in payload["taxDetails"][0]
    assert payload["summary"] == {
        "netAmount": "-490000.00", "taxAmount": "-54000.00", "grossAmount": "-544000.00",
        "itemCount": "2", "modeCode": "1", "qrCode": "",
    }  # fmt: skip
    assert payload["payWay"] == [
        {"paymentMode": "101", "orderNumber": "a", "paymentAmount": "-544000.00"}
    ]


def test_the_original_is_not_changed(original):
    before = copy.deepcopy(original)

    credit(original)

    assert original == before


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"reason_code": "106"}, "101-105"),
        ({"reason_code": "105"}, "needs a reason"),
    ],
)
def test_refuses_a_reason_efris_does_not_know(original, overrides, problem):
    with pytest.raises(T110Error, match=problem):
        credit(original, **overrides)


def test_reason_105_with_a_reason_is_accepted(original):
    assert (
        credit(original, reason_code="105", reason="Goods returned")["reason"] == "Goods returned"
    )


def test_refuses_a_document_that_is_not_fiscalized(original):
    del original["basicInformation"]["invoiceId"]

    with pytest.raises(T110Error, match="fiscalized"):
        credit(original)


def test_a_discounted_line_is_credited_once_at_its_value_after_the_discount():
    # §5.9: 10 cement at 35,400 with a 17,700 discount line, then 2 maize.
    original = fiscalized(Sale(D(10), D(30000), D(18), discount=D(15000)),
                          Sale(D(2), D(95000), None, description="Maize grain 50kg",
                               item_code="MZG-050"))  # fmt: skip
    assert [line["discountFlag"] for line in original["goodsDetails"]] == ["1", "0", "2"]

    payload = credit(original)

    cement, maize = payload["goodsDetails"]
    assert (cement["orderNumber"], cement["item"], cement["qty"], cement["unitPrice"],
            cement["total"], cement["tax"]) == ("0", "Portland Cement 50kg", "-10", "33630.00",
                                                "-336300.00", "-51300.00")  # fmt: skip
    assert (maize["orderNumber"], maize["total"]) == ("2", "-190000.00")
    assert (payload["summary"]["grossAmount"], payload["summary"]["taxAmount"],
            payload["summary"]["itemCount"]) == ("-526300.00", "-51300.00", "2")  # fmt: skip
    assert [row["grossAmount"] for row in payload["taxDetails"]] == ["-336300.00", "-190000.00"]


def test_an_uneven_discounted_line_gets_a_price_that_truncates_to_its_value():
    original = fiscalized(Sale(D(3), D("30.00"), D(18), discount=D("5.25")))

    [line] = credit(original)["goodsDetails"]

    # 106.20 - 6.19 = 100.01 over 3: 33.34 gives 100.02, so 33.33666667 (1316).
    assert (line["qty"], line["unitPrice"], line["total"], line["tax"]) == (
        "-3", "33.33666667", "-100.01", "-15.26"
    )  # fmt: skip


def test_the_sandbox_accepts_the_credit_of_a_discounted_invoice():
    original = fiscalized(Sale(D(7), D("1234.57"), D(18), discount=D("800.13")),
                          Sale(D(4), D(12500), D(0), discount=D(1000), description="Black tea",
                               item_code="TEA-001"))  # fmt: skip

    accepted_by_the_sandbox(original, credit(original))


@pytest.mark.parametrize(
    ("flags", "problem"),
    [(["0", "2"], "does not follow"), (["1", "2"], "not followed"), (["2", "1"], "not followed")],
)
def test_refuses_discount_lines_out_of_order(original, flags, problem):
    for line, flag in zip(original["goodsDetails"], flags, strict=True):
        line["discountFlag"] = flag

    with pytest.raises(T110Error, match=problem):
        credit(original)


@pytest.mark.parametrize("part", ["summary", "goodsDetails", "buyerDetails"])
def test_refuses_a_document_missing_a_part(original, part):
    original[part] = "gone"

    with pytest.raises(T110Error, match=part):
        credit(original)


def test_refuses_numbers_that_are_not_numbers(original):
    original["goodsDetails"][0]["total"] = "lots"

    with pytest.raises(T110Error, match="not a number"):
        credit(original)
