"""EFRIS goods and invoices over real HTTP: T130, T109 (FDN, validation codes, 2253 with
existInvoiceList, never a second FDN), T106 and T108 lookups."""

from __future__ import annotations

import pytest

from libs.efris import kampala_time
from tests.integration.sandbox.efris_device import EfrisDevice
from tests.integration.sandbox.efris_documents import (
    CEMENT,
    MAIZE,
    MILK,
    changed,
    goods,
    one_line_invoice,
    sample_invoice,
)


async def ready(sandbox, **registration):
    """A device with a session key and the cement and maize registered."""
    device = await EfrisDevice.registered(sandbox, **registration)
    await device.sign_on()
    answer = await device.send("T130", goods(CEMENT, MAIZE, MILK))
    assert (answer.code, answer.payload) == ("00", [])
    return device


async def issued_now(device):
    return kampala_time(await device.now())


async def test_t109_issues_an_fdn_with_verification_code_qr_and_invoice_id(sandbox):
    device = await ready(sandbox)
    invoice = sample_invoice(device.tin, device.device_no, "SINV-000123", await issued_now(device))
    answer = await device.send("T109", invoice)
    assert (answer.code, answer.message) == ("00", "SUCCESS")
    assert answer.body["data"]["dataDescription"]["codeType"] == "1"
    basic = answer.payload["basicInformation"]
    assert len(basic["invoiceNo"]) >= 14
    assert basic["invoiceNo"].isdigit()
    assert len(basic["antifakeCode"]) == 20
    assert basic["antifakeCode"].isdigit()
    assert basic["invoiceId"].isdigit()
    assert basic["deviceNo"] == device.device_no
    assert "/" in basic["issuedDate"]  # dd/MM/yyyy HH:mm:ss
    assert basic["invoiceNo"] in answer.payload["summary"]["qrCode"]
    assert [row["taxCategory"] for row in answer.payload["taxDetails"]] == ["Standard", "Exempt"]
    assert answer.payload["sellerDetails"]["branchCode"] == "00"
    [stored] = await sandbox.efris_invoices(tin=device.tin, reference_no="SINV-000123")
    assert stored["invoice_no"] == basic["invoiceNo"]
    assert stored["gross_amount"] == "526300.00"


async def test_fdns_increase_per_device(sandbox):
    device = await ready(sandbox)
    issued = await issued_now(device)
    numbers = []
    for reference in ("A-1", "A-2", "A-3"):
        answer = await device.send("T109", one_line_invoice(device.tin, device.device_no,
                                                            reference, issued))  # fmt: skip
        numbers.append(int(answer.payload["basicInformation"]["invoiceNo"]))
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 3


async def test_the_same_reference_again_answers_2253_with_the_existing_invoice_never_a_second_fdn(
    sandbox,
):
    device = await ready(sandbox)
    invoice = one_line_invoice(device.tin, device.device_no, "SINV-42", await issued_now(device))
    first = await device.send("T109", invoice)
    again = await device.send("T109", invoice)
    assert (again.code, again.message) == ("2253", "The seller's reference number already exists!")
    [existing] = again.payload["existInvoiceList"]
    basic = first.payload["basicInformation"]
    assert existing == {"invoiceNo": basic["invoiceNo"], "antifakeCode": basic["antifakeCode"],
                        "qrCode": first.payload["summary"]["qrCode"]}  # fmt: skip
    assert len(await sandbox.efris_invoices(tin=device.tin, reference_no="SINV-42")) == 1


async def test_the_reference_is_unique_per_tin_and_only_checked_when_asked(sandbox):
    device = await ready(sandbox)
    other = await ready(sandbox)
    issued = await issued_now(device)
    mine = one_line_invoice(device.tin, device.device_no, "SHARED-1", issued)
    assert (await device.send("T109", mine)).code == "00"
    theirs = one_line_invoice(other.tin, other.device_no, "SHARED-1", issued)
    assert (await other.send("T109", theirs)).code == "00"  # another taxpayer's namespace
    unchecked = changed(mine, "sellerDetails.isCheckReferenceNo", "0")
    assert (await device.send("T109", unchecked)).code == "00"  # URA checks only when asked
    assert len(await sandbox.efris_invoices(tin=device.tin, reference_no="SHARED-1")) == 2
    missing = changed(mine, "sellerDetails.referenceNo", "")
    assert (await device.send("T109", missing)).code == "2254"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"sellerDetails.tin": "12345"}, "1101"),
        ({"sellerDetails.tin": "1999999999"}, "1102"),
        ({"sellerDetails.emailAddress": "not-an-email"}, "1117"),
        ({"basicInformation.deviceNo": "someone_else"}, "1127"),
        ({"basicInformation.issuedDate": "14/03/2025"}, "1130"),
        ({"basicInformation.currency": "XYZ"}, "2180"),
        ({"basicInformation.invoiceType": "2"}, "3075"),
        ({"basicInformation.invoiceNo": "325012345678"}, "1323"),
        ({"buyerDetails.buyerTin": ""}, "3077"),
        ({"buyerDetails.buyerTin": "12AB"}, "1143"),
        ({"goodsDetails.0.total": "3500.00"}, "1316"),
        ({"goodsDetails.0.tax": "500.00"}, "2776"),
        ({"goodsDetails.0.qty": "0"}, "1185"),
        ({"goodsDetails.0.orderNumber": "1"}, "1219"),
        ({"goodsDetails.0.itemCode": "NOPE-1"}, "2122"),
        ({"goodsDetails.0.item": "Cement, other"}, "2123"),
        ({"goodsDetails.0.goodsCategoryId": "50221101"}, "2124"),
        ({"goodsDetails.0.taxRate": "-"}, "1332"),
        ({"goodsDetails.0.taxRate": "0"}, "1334"),
        ({"goodsDetails.0.exciseFlag": "1"}, "2850"),
        ({"taxDetails.0.taxAmount": "530.00", "taxDetails.0.netAmount": "3010.00"}, "2785"),
        ({"taxDetails.0.netAmount": "3100.00"}, "1342"),
        ({"taxDetails.0.taxCategoryCode": ""}, "2828"),
        ({"taxDetails.0.taxRate": "0"}, "2833"),
        ({"summary.grossAmount": "3600.00"}, "1345"),
        ({"summary.itemCount": "2"}, "1304"),
        ({"summary.modeCode": "0"}, "2786"),
        ({"payWay.0.paymentAmount": "3000.00"}, "2270"),
        ({"payWay.0.paymentMode": "999"}, "2264"),
    ],
)
async def test_t109_validation_failures_answer_urAs_codes_and_issue_nothing(sandbox, changes, code):
    device = await ready(sandbox)
    invoice = one_line_invoice(device.tin, device.device_no, "BAD-1", await issued_now(device))
    for path, value in changes.items():
        invoice = changed(invoice, path, value)
    answer = await device.send("T109", invoice)
    assert answer.code == code, answer.message
    assert answer.message
    assert answer.payload is None
    assert await sandbox.efris_invoices(tin=device.tin) == []


async def test_discount_and_exempt_lines_follow_urAs_rules(sandbox):
    device = await ready(sandbox)
    invoice = sample_invoice(device.tin, device.device_no, "DISC-1", await issued_now(device))
    cases = [
        ("goodsDetails.1.total", "-17000.00", "1206"),
        ("goodsDetails.1.item", "Portland Cement 50kg", "1178"),
        ("goodsDetails.0.discountFlag", "2", "2787"),
        ("goodsDetails.2.taxRate", "0.18", "2048"),
        ("goodsDetails.2.tax", "10.00", "2776"),
        ("taxDetails.1.taxAmount", "5.00", "3051"),
    ]
    for path, value, code in cases:
        wrong = changed(invoice, path, value)
        if path == "taxDetails.1.taxAmount":
            wrong = changed(wrong, "taxDetails.1.netAmount", "189995.00")  # still adds up
        assert (await device.send("T109", wrong)).code == code, path
    assert (await device.send("T109", invoice)).code == "00"


async def test_zero_rated_goods_take_rate_0_and_category_02(sandbox):
    device = await ready(sandbox)
    invoice = one_line_invoice(device.tin, device.device_no, "MILK-1", await issued_now(device))
    for path, value in [("goodsDetails.0.item", MILK["goodsName"]),
                        ("goodsDetails.0.itemCode", MILK["goodsCode"]),
                        ("goodsDetails.0.unitOfMeasure", MILK["measureUnit"]),
                        ("goodsDetails.0.goodsCategoryId", MILK["commodityCategoryId"]),
                        ("goodsDetails.0.taxRate", "0"), ("goodsDetails.0.tax", "0.00"),
                        ("taxDetails.0.taxCategoryCode", "02"), ("taxDetails.0.taxRate", "0"),
                        ("taxDetails.0.taxAmount", "0.00"), ("taxDetails.0.netAmount", "3540.00"),
                        ("summary.taxAmount", "0.00"), ("summary.netAmount", "3540.00")]:  # fmt: skip
        invoice = changed(invoice, path, value)
    answer = await device.send("T109", invoice)
    assert answer.code == "00", answer.message
    assert answer.payload["taxDetails"][0]["taxCategory"] == "Zero"


async def test_t130_answers_failed_items_with_their_codes_and_keeps_the_good_ones(sandbox):
    device = await EfrisDevice.registered(sandbox)
    await device.sign_on()
    items = goods(CEMENT) + goods({**MAIZE, "commodityCategoryId": "grain"}) + goods(CEMENT)
    answer = await device.send("T130", items)
    assert answer.code == "45"
    assert [(item["goodsCode"], item["returnCode"]) for item in answer.payload] == [
        ("MZG-050", "616"), ("CEM-050", "602")
    ]  # fmt: skip
    listed = await sandbox.call("GET", "/_sandbox/efris/goods", query={"tin": device.tin})
    assert [item["goodsCode"] for item in listed["goods"]] == ["CEM-050"]
    inquiry = await device.send("T127", {"goodsCode": "CEM", "pageNo": "1", "pageSize": "10"})
    assert [r["goodsCode"] for r in inquiry.payload["records"]] == ["CEM-050"]


async def test_t106_finds_by_reference_and_t108_returns_the_document(sandbox):
    device = await ready(sandbox)
    issued = await issued_now(device)
    for reference in ("Q-1", "Q-2"):
        invoice = one_line_invoice(device.tin, device.device_no, reference, issued)
        assert (await device.send("T109", invoice)).code == "00"
    query = {"referenceNo": "Q-2", "invoiceKind": "1", "pageNo": "1", "pageSize": "10"}
    found = await device.send("T106", query)
    assert found.code == "00"
    [record] = found.payload["records"]
    assert record["referenceNo"] == "Q-2"
    assert found.payload["page"] == {"pageNo": "1", "pageSize": "10", "totalSize": "1",
                                     "pageCount": "1"}  # fmt: skip
    everything = await device.send("T106", {"pageNo": "1", "pageSize": "1"})
    assert everything.payload["page"]["totalSize"] == "2"
    assert everything.payload["records"][0]["referenceNo"] == "Q-2"  # newest first
    details = await device.send("T108", {"invoiceNo": record["invoiceNo"]})
    assert details.payload["basicInformation"]["invoiceNo"] == record["invoiceNo"]
    assert details.payload["sellerDetails"]["referenceNo"] == "Q-2"
    assert (await device.send("T108", {"invoiceNo": "99999999999999"})).code == "2031"
    assert (await device.send("T106", {"pageNo": "1", "pageSize": "101"})).code == "1526"


async def test_another_taxpayer_cannot_read_an_invoice(sandbox):
    device = await ready(sandbox)
    other = await ready(sandbox)
    invoice = one_line_invoice(device.tin, device.device_no, "MINE-1", await issued_now(device))
    fdn = (await device.send("T109", invoice)).payload["basicInformation"]["invoiceNo"]
    assert (await other.send("T108", {"invoiceNo": fdn})).code == "2031"
    query = {"referenceNo": "MINE-1", "pageNo": "1", "pageSize": "10"}
    assert (await other.send("T106", query)).payload["records"] == []
