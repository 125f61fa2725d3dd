"""t109_payload on hand-checked invoices: the arithmetic of efris.md §5.9, category by category."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from libs.invoices import InvoiceLine
from services.fiscalizer.t109 import (
    Goods,
    MissingGoods,
    T109Error,
    goods_code_for,
    t109_payload,
)
from tests.unit.fiscalizer.invoices import (
    ISSUED_AT,
    SELLER,
    D,
    Sale,
    invoice_of,
    line_of,
    registered,
)

CEMENT = Sale(D(10), D(30000), D(18))
MAIZE = Sale(D(2), D(95000), None, description="Maize grain 50kg", item_code="MZG-050")
EXPORT_TEA = Sale(D(4), D(12500), D(0), description="Black tea 1kg", item_code="TEA-001")


def payload_of(invoice, **overrides):
    arguments: dict[str, Any] = {"seller": SELLER, "goods": registered(invoice),
                 "reference_no": "SINV-2025-000123", "issued_at": ISSUED_AT} | overrides  # fmt: skip
    return t109_payload(invoice, **arguments)


def test_standard_rated_line_is_vat_inclusive_like_the_documented_sample():
    payload = payload_of(invoice_of(CEMENT))

    line = payload["goodsDetails"][0]
    assert {
        key: line[key]
        for key in (
            "item",
            "itemCode",
            "qty",
            "unitOfMeasure",
            "unitPrice",
            "total",
            "taxRate",
            "tax",
            "orderNumber",
            "discountFlag",
            "goodsCategoryId",
        )
    } == {
        "item": "Portland Cement 50kg",
        "itemCode": "CEM-050",
        "qty": "10",
        "unitOfMeasure": "101",
        "unitPrice": "35400.00",
        "total": "354000.00",
        "taxRate": "0.18",
        "tax": "54000.00",
        "orderNumber": "0",
        "discountFlag": "2",
        "goodsCategoryId": "30111601",
    }
    assert payload["taxDetails"] == [{
        "taxCategoryCode": "01", "netAmount": "300000.00", "taxRate": "0.18",
        "taxAmount": "54000.00", "grossAmount": "354000.00", "exciseUnit": "",
        "exciseCurrency": "", "taxRateName": "",
    }]  # fmt: skip
    assert payload["summary"] == {
        "netAmount": "300000.00", "taxAmount": "54000.00", "grossAmount": "354000.00",
        "itemCount": "1", "modeCode": "1", "remarks": "", "qrCode": "",
    }  # fmt: skip
    assert payload["payWay"] == [
        {"paymentMode": "101", "paymentAmount": "354000.00", "orderNumber": "a"}
    ]


def test_zero_rated_line_is_category_02_with_no_tax():
    payload = payload_of(invoice_of(EXPORT_TEA))

    line = payload["goodsDetails"][0]
    assert (line["taxRate"], line["tax"], line["total"], line["unitPrice"]) == (
        "0",
        "0.00",
        "50000.00",
        "12500.00",
    )
    assert [
        (
            row["taxCategoryCode"],
            row["taxRate"],
            row["netAmount"],
            row["taxAmount"],
            row["grossAmount"],
        )
        for row in payload["taxDetails"]
    ] == [("02", "0", "50000.00", "0.00", "50000.00")]


def test_exempt_line_is_category_03_with_a_dash_rate():
    payload = payload_of(invoice_of(MAIZE))

    line = payload["goodsDetails"][0]
    assert (line["taxRate"], line["tax"], line["total"]) == ("-", "0.00", "190000.00")
    assert payload["taxDetails"][0]["taxCategoryCode"] == "03"
    assert payload["taxDetails"][0]["taxRate"] == "-"


def test_mixed_invoice_has_one_tax_row_per_category_and_summary_of_all():
    payload = payload_of(invoice_of(MAIZE, CEMENT, EXPORT_TEA))

    assert [line["orderNumber"] for line in payload["goodsDetails"]] == ["0", "1", "2"]
    assert [(row["taxCategoryCode"], row["grossAmount"]) for row in payload["taxDetails"]] == [
        ("01", "354000.00"), ("02", "50000.00"), ("03", "190000.00")
    ]  # fmt: skip
    assert payload["summary"]["grossAmount"] == "594000.00"
    assert payload["summary"]["taxAmount"] == "54000.00"
    assert payload["summary"]["netAmount"] == "540000.00"
    assert payload["summary"]["itemCount"] == "3"
    assert payload["payWay"][0]["paymentAmount"] == "594000.00"


def test_a_discount_is_itemized_as_the_documented_sample_writes_it():
    # §5.9's discounted cement: 10 x 35,400 less a 17,700 (VAT-inclusive) discount.
    discounted = Sale(D(10), D(30000), D(18), discount=D(15000))

    payload = payload_of(invoice_of(discounted, MAIZE))

    fields = ("item", "itemCode", "qty", "unitOfMeasure", "unitPrice", "total", "taxRate", "tax",
              "discountTotal", "discountTaxRate", "orderNumber", "discountFlag")  # fmt: skip
    assert [tuple(line[key] for key in fields) for line in payload["goodsDetails"]] == [
        ("Portland Cement 50kg", "CEM-050", "10", "101", "35400.00", "354000.00", "0.18",
         "54000.00", "-17700.00", "0.18", "0", "1"),
        ("Portland Cement 50kg (Discount)", "CEM-050", "", "", "", "-17700.00", "0.18",
         "-2700.00", "", "0.18", "1", "0"),
        ("Maize grain 50kg", "MZG-050-EX", "2", "101", "95000.00", "190000.00", "-", "0.00", "",
         "", "2", "2"),
    ]  # fmt: skip
    # The documented sample's totals: 3 lines, 1 of them a discount line.
    assert payload["summary"]["itemCount"] == "2"
    assert (payload["summary"]["netAmount"], payload["summary"]["taxAmount"],
            payload["summary"]["grossAmount"]) == ("475000.00", "51300.00", "526300.00")  # fmt: skip
    assert [(row["taxCategoryCode"], row["grossAmount"], row["taxAmount"])
            for row in payload["taxDetails"]] == [("01", "336300.00", "51300.00"),
                                                  ("03", "190000.00", "0.00")]  # fmt: skip


def test_an_uneven_discount_line_carries_the_tax_the_pair_needs():
    payload = payload_of(invoice_of(Sale(D(3), D("30.00"), D(18), discount=D("5.25"))))

    # net 84.75 + tax 15.26 = 100.01 (tax 15.26 inside it); listed 3 x 35.40 = 106.20 (16.20).
    listed, discount = payload["goodsDetails"]
    assert (listed["unitPrice"], listed["total"], listed["tax"], listed["discountTotal"]) == (
        "35.40", "106.20", "16.20", "-6.19"
    )  # fmt: skip
    # -6.19 x 0.18 / 1.18 = -0.944: -0.94 keeps the pair's tax at 15.26, within 2776's cent.
    assert (discount["total"], discount["tax"]) == ("-6.19", "-0.94")
    assert (payload["summary"]["grossAmount"], payload["summary"]["taxAmount"]) == (
        "100.01", "15.26"
    )  # fmt: skip


def test_a_discount_of_less_than_a_cent_is_not_itemized():
    # 3 x 33.3333 = 99.9999: the ERP's net 100.00 is above the list amount.
    payload = payload_of(invoice_of(Sale(D(3), D("33.3333"), D(18))))

    [line] = payload["goodsDetails"]
    assert (line["discountFlag"], line["discountTotal"]) == ("2", "")


def test_an_uneven_price_gets_8_decimals_that_truncate_to_the_total():
    payload = payload_of(invoice_of(Sale(D(3), D("33.3333"), D(18))))

    line = payload["goodsDetails"][0]
    # net 100.00 + tax 18.00 = 118.00; the list price 39.33 gives 117.99, so 118.00 / 3
    # rounded up to 8 places: 3 x 39.33333334 = 118.00000002, which truncates (1316).
    assert (line["qty"], line["unitPrice"], line["total"], line["tax"]) == (
        "3",
        "39.33333334",
        "118.00",
        "18.00",
    )


def test_b2b_buyer_with_a_tin_is_type_0_and_b2c_is_type_1():
    b2b = payload_of(invoice_of(CEMENT, buyer_tin="1000098765"))["buyerDetails"]
    b2c = payload_of(invoice_of(CEMENT))["buyerDetails"]

    assert (b2b["buyerType"], b2b["buyerTin"]) == ("0", "1000098765")
    assert (b2c["buyerType"], b2c["buyerTin"]) == ("1", "")
    assert b2b["buyerLegalName"] == b2c["buyerLegalName"] == "KAMPALA HARDWARE SUPPLIES LIMITED"
    assert b2c["buyerEmail"] == "procurement@khs.co.ug"


def test_foreign_currency_keeps_its_code_and_two_decimals():
    invoice = invoice_of(Sale(D("1.5"), D("99.99"), D(18)), currency="USD")

    payload = payload_of(invoice)

    assert payload["basicInformation"]["currency"] == "USD"
    line = payload["goodsDetails"][0]
    # net 149.985 → 149.99 (half up), tax 27.00, total 176.99.
    assert (line["qty"], line["total"], line["tax"]) == ("1.5", "176.99", "27.00")
    assert payload["summary"]["grossAmount"] == "176.99"


def test_seller_basic_information_and_reference_follow_the_sample():
    payload = payload_of(invoice_of(CEMENT))

    assert payload["sellerDetails"] == {
        "tin": "1000012345", "ninBrn": "", "legalName": "ACME TRADING (U) LIMITED",
        "businessName": "ACME TRADING", "address": "Plot 12 Industrial Area, Kampala",
        "mobilePhone": "", "linePhone": "", "emailAddress": "accounts@acme.co.ug",
        "placeOfBusiness": "", "referenceNo": "SINV-2025-000123", "branchId": "",
        "isCheckReferenceNo": "1",
    }  # fmt: skip
    assert payload["basicInformation"] == {
        "invoiceNo": "", "antifakeCode": "", "deviceNo": "1000012345_02",
        "issuedDate": "2025-03-14 10:25:31", "operator": "Jane Akello", "currency": "UGX",
        "oriInvoiceId": "", "invoiceType": "1", "invoiceKind": "1", "dataSource": "103",
        "invoiceIndustryCode": "101", "isBatch": "0",
    }  # fmt: skip
    assert payload["extend"] == {"reason": "", "reasonCode": ""}


def test_every_number_is_a_string():
    payload = payload_of(invoice_of(MAIZE, CEMENT, EXPORT_TEA))

    def leaves(value):
        if isinstance(value, dict):
            for item in value.values():
                yield from leaves(item)
        elif isinstance(value, list):
            for item in value:
                yield from leaves(item)
        else:
            yield value

    assert all(isinstance(leaf, str) for leaf in leaves(payload))


def test_zero_value_lines_are_left_out_and_order_numbers_stay_dense():
    free = Sale(D(1), D(0), D(18), description="Free delivery", item_code="DLV")

    payload = payload_of(invoice_of(CEMENT, free, MAIZE))

    assert [line["itemCode"] for line in payload["goodsDetails"]] == ["CEM-050", "MZG-050-EX"]
    assert [line["orderNumber"] for line in payload["goodsDetails"]] == ["0", "1"]


def test_missing_goods_are_reported_all_at_once():
    invoice = invoice_of(CEMENT, MAIZE, EXPORT_TEA)

    with pytest.raises(MissingGoods) as raised:
        payload_of(invoice, goods={"MZG-050-EX": registered(invoice)["MZG-050-EX"]})

    assert raised.value.codes == ("CEM-050", "TEA-001-ZR")


def test_the_registered_goods_name_code_and_unit_are_what_the_line_carries():
    invoice = invoice_of(CEMENT)
    goods = {"CEM-050": Goods(code="URA-77", name="CEMENT 50KG BAG", unit_of_measure="103",
                              commodity_category_id="30111601")}  # fmt: skip

    line = payload_of(invoice, goods=goods)["goodsDetails"][0]

    assert (line["itemCode"], line["item"], line["unitOfMeasure"]) == (
        "URA-77",
        "CEMENT 50KG BAG",
        "103",
    )


@pytest.mark.parametrize(
    ("sale", "problem"),
    [
        (Sale(D(1), D(100), D(5)), "5%"),
        (Sale(D(-1), D(100), D(18)), "positive"),
        (Sale(D(1), D(-100), D(18)), "positive"),
        (Sale(D("0.123456789"), D(100), D(18)), "decimal digits"),
    ],
)
def test_lines_efris_cannot_carry_are_refused_naming_the_line(sale, problem):
    with pytest.raises(T109Error, match=problem) as raised:
        payload_of(invoice_of(CEMENT, sale))

    assert raised.value.line == 1


def test_a_tax_that_does_not_belong_to_its_rate_is_refused():
    wrong = InvoiceLine(description="x", item_code="X", quantity=D(1), unit_price=D(100),
                        net=D(100), tax_rate=D(18), tax=D(0))  # fmt: skip

    with pytest.raises(T109Error, match="does not belong"):
        payload_of(invoice_of(lines=[line_of(CEMENT), wrong]))


def test_an_exempt_line_with_tax_is_refused():
    wrong = InvoiceLine(description="x", item_code="X", quantity=D(1), unit_price=D(100),
                        net=D(100), tax_rate=None, tax=D(18))  # fmt: skip

    with pytest.raises(T109Error, match="does not belong"):
        payload_of(invoice_of(lines=[wrong]))


@pytest.mark.parametrize("reference", ["", "R" * 51])
def test_reference_must_fit_efris(reference):
    with pytest.raises(T109Error, match="referenceNo"):
        payload_of(invoice_of(CEMENT), reference_no=reference)


def test_issued_date_is_kampala_time_of_an_aware_datetime():
    from datetime import timedelta, timezone

    issued = datetime(2025, 3, 14, 23, 30, tzinfo=timezone(timedelta(hours=1)))

    payload = payload_of(invoice_of(CEMENT), issued_at=issued)

    assert payload["basicInformation"]["issuedDate"] == "2025-03-15 01:30:00"


def test_payment_mode_can_be_chosen():
    payload = payload_of(invoice_of(CEMENT), payment_mode="105")

    assert payload["payWay"][0]["paymentMode"] == "105"


def test_goods_code_is_the_item_code_or_a_stable_hash_of_the_description():
    coded = line_of(CEMENT)
    uncoded = line_of(Sale(D(1), D(1), D(18), description="  Portland   cement ", item_code=None))
    same = line_of(Sale(D(9), D(7), D(18), description="PORTLAND CEMENT", item_code=None))
    long_code = line_of(Sale(D(1), D(1), D(18), item_code="X" * 51))

    assert goods_code_for(coded) == "CEM-050"
    assert goods_code_for(uncoded) == goods_code_for(same)
    assert goods_code_for(uncoded).startswith("SY-")
    assert len(goods_code_for(uncoded)) == 19
    assert goods_code_for(long_code).startswith("SY-")
    assert goods_code_for(long_code) != goods_code_for(uncoded)


def test_goods_t130_item_registers_what_t109_will_name():
    goods = Goods(code="CEM-050", name="Portland Cement 50kg", unit_of_measure="101",
                  commodity_category_id="30111601")  # fmt: skip

    item = goods.t130_item(unit_price=D("35400"))

    assert {
        key: item[key]
        for key in (
            "operationType",
            "goodsName",
            "goodsCode",
            "measureUnit",
            "unitPrice",
            "currency",
            "commodityCategoryId",
            "haveExciseTax",
        )
    } == {
        "operationType": "101",
        "goodsName": "Portland Cement 50kg",
        "goodsCode": "CEM-050",
        "measureUnit": "101",
        "unitPrice": "35400.00",
        "currency": "101",
        "commodityCategoryId": "30111601",
        "haveExciseTax": "102",
    }


def test_one_erp_item_under_two_vat_treatments_is_two_efris_goods():
    # QuickBooks puts every line on item "1" (Services) whatever its tax code.
    standard = Sale(D(1), D(100), D(18), description="Services", item_code="1")
    exempt = Sale(D(1), D(100), None, description="Services", item_code="1")
    zero = Sale(D(1), D(100), D(0), description="Services", item_code="1")
    codes = [goods_code_for(line) for line in invoice_of(standard, exempt, zero).lines]
    assert codes == ["1", "1-EX", "1-ZR"]
