"""EFRIS credit notes over real HTTP: T110 against an FDN (validated), T111 polling from submitted
to approved (or rejected), and the approved credit note's own FDN through T108 and T106."""

from __future__ import annotations

from typing import Any

import pytest

from libs.efris import kampala_time
from tests.integration.sandbox.efris_documents import changed, one_line_invoice
from tests.integration.sandbox.test_efris_invoices import ready

Json = dict[str, Any]


def credit_note(original: Json, now: str, *, units: int = 1, reference: str = "CN-1") -> Json:
    """A T110 application crediting `units` of the original's one cement line at 1,180."""
    basic = original["basicInformation"]
    total = -1180 * units
    tax, net = -180 * units, -1000 * units
    return {
        "oriInvoiceId": basic["invoiceId"], "oriInvoiceNo": basic["invoiceNo"],
        "reasonCode": "102", "reason": "Goods returned", "applicationTime": now,
        "invoiceApplyCategoryCode": "101", "currency": "UGX", "source": "103",
        "sellersReferenceNo": reference,
        "goodsDetails": [{
            "item": original["goodsDetails"][0]["item"],
            "itemCode": original["goodsDetails"][0]["itemCode"],
            "qty": str(-units), "unitOfMeasure": "101", "unitPrice": "1180.00",
            "total": f"{total}.00", "taxRate": "0.18", "tax": f"{tax}.00", "orderNumber": "0",
            "deemedFlag": "2", "exciseFlag": "2", "goodsCategoryId": "30111601",
        }],
        "taxDetails": [{"taxCategoryCode": "01", "netAmount": f"{net}.00", "taxRate": "0.18",
                        "taxAmount": f"{tax}.00", "grossAmount": f"{total}.00"}],
        "summary": {"netAmount": f"{net}.00", "taxAmount": f"{tax}.00",
                    "grossAmount": f"{total}.00", "itemCount": "1", "modeCode": "1"},
        "payWay": [{"paymentMode": "102", "paymentAmount": f"{total}.00", "orderNumber": "a"}],
    }  # fmt: skip


async def invoiced(sandbox, reference="INV-CN"):
    device = await ready(sandbox)
    now = kampala_time(await device.now())
    answer = await device.send("T109", one_line_invoice(device.tin, device.device_no, reference,
                                                        now))  # fmt: skip
    assert answer.code == "00"
    return device, answer.payload, now


async def statuses(device, reference):
    answer = await device.send("T111", {"referenceNo": reference, "pageNo": "1", "pageSize": "10"})
    assert answer.code == "00", answer.message
    return [(r["approveStatus"], r["invoiceNo"]) for r in answer.payload["records"]]


async def test_t110_is_submitted_then_approved_on_the_next_t111_poll(sandbox):
    device, original, now = await invoiced(sandbox)
    applied = await device.send("T110", credit_note(original, now))
    assert applied.code == "00", applied.message
    reference = applied.payload["referenceNo"]
    assert await statuses(device, reference) == [("102", "")]
    [(status, credit_fdn)] = await statuses(device, reference)
    assert status == "101"
    assert credit_fdn
    details = await device.send("T108", {"invoiceNo": credit_fdn})
    basic = details.payload["basicInformation"]
    assert (basic["invoiceType"], basic["oriInvoiceNo"]) == (
        "2", original["basicInformation"]["invoiceNo"]
    )  # fmt: skip
    assert details.payload["summary"]["grossAmount"] == "-1180.00"
    found = await device.send("T106", {"invoiceType": "2", "pageNo": "1", "pageSize": "10"})
    assert [r["invoiceNo"] for r in found.payload["records"]] == [credit_fdn]
    issued = await sandbox.efris_invoices(tin=device.tin)
    assert [d["invoice_type"] for d in issued] == ["1", "2"]


async def test_approval_can_be_immediate_or_a_rejection(sandbox):
    device, original, now = await invoiced(sandbox)
    await sandbox.call("PUT", "/_sandbox/efris/credit-note-approval", {"after_polls": 0})
    applied = await device.send("T110", credit_note(original, now, reference="CN-now"))
    [(status, fdn)] = await statuses(device, applied.payload["referenceNo"])
    assert status == "101"
    assert fdn
    await sandbox.call("PUT", "/_sandbox/efris/credit-note-approval",
                       {"after_polls": 2, "outcome": "rejected"})  # fmt: skip
    rejected = await device.send("T110", credit_note(original, now, reference="CN-no"))
    reference = rejected.payload["referenceNo"]
    assert [s for s, _ in await statuses(device, reference)] == ["102"]
    assert [s for s, _ in await statuses(device, reference)] == ["102"]
    assert await statuses(device, reference) == [("103", "")]


async def test_credits_cannot_exceed_what_is_left_of_the_original(sandbox):
    device, original, now = await invoiced(sandbox)
    assert (await device.send("T110", credit_note(original, now, units=2))).code == "00"
    too_much = await device.send("T110", credit_note(original, now, units=2, reference="CN-2"))
    assert too_much.code == "1434"  # 3 sold, 2 credited and pending: 1 left
    assert (await device.send("T110", credit_note(original, now, reference="CN-3"))).code == "00"


@pytest.mark.parametrize(
    ("path", "value", "code"),
    [
        ("oriInvoiceNo", "99999999999999", "1400"),
        ("oriInvoiceId", "1234", "1403"),
        ("reasonCode", "999", "1404"),
        ("applicationTime", "yesterday", "1409"),
        ("currency", "USD", "1411"),
        ("goodsDetails.0.orderNumber", "7", "1426"),
        ("goodsDetails.0.item", "Something else", "1427"),
        ("goodsDetails.0.qty", "1", "1431"),
        ("goodsDetails.0.tax", "-100.00", "2776"),
        ("summary.grossAmount", "-1000.00", "1345"),
    ],
)
async def test_t110_validation_failures_answer_urAs_codes(sandbox, path, value, code):
    device, original, now = await invoiced(sandbox)
    answer = await device.send("T110", changed(credit_note(original, now), path, value))
    assert answer.code == code, answer.message
    applications = await sandbox.call("GET", "/_sandbox/efris/credit-notes",
                                      query={"tin": device.tin})  # fmt: skip
    assert applications["applications"] == []
