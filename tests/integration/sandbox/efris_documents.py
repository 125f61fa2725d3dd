"""T130 goods and T109 invoices for the sandbox's EFRIS tests: efris.md §5.9's sample, arithmetic
checked (cement 18 % with a discount line, maize exempt), and a one-line invoice maker."""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CEMENT = {"goodsCode": "CEM-050", "goodsName": "Portland Cement 50kg", "measureUnit": "101",
          "commodityCategoryId": "30111601"}  # fmt: skip
MAIZE = {"goodsCode": "MZG-050", "goodsName": "Maize grain 50kg", "measureUnit": "103",
         "commodityCategoryId": "50221101"}  # fmt: skip
MILK = {"goodsCode": "MLK-001", "goodsName": "Fresh milk 1l", "measureUnit": "102",
        "commodityCategoryId": "50131702"}  # fmt: skip


def goods(*items: dict[str, str], price: str = "1000.00") -> list[dict[str, str]]:
    """T130 items to add (operationType 101), UGX ("101"), no excise."""
    return [
        {"operationType": "101", "unitPrice": price, "currency": "101", "haveExciseTax": "102",
         "stockPrewarning": "0", **item}
        for item in items
    ]  # fmt: skip


def _line(registered: dict[str, str], order: int, **fields: str) -> dict[str, str]:
    return {"item": registered["goodsName"], "itemCode": registered["goodsCode"],
            "unitOfMeasure": registered["measureUnit"],
            "goodsCategoryId": registered["commodityCategoryId"],
            "orderNumber": str(order), "discountFlag": "2", "deemedFlag": "2", "exciseFlag": "2",
            "vatApplicableFlag": "1", **fields}  # fmt: skip


def _header(tin: str, device_no: str, reference_no: str, issued: str) -> dict[str, Any]:
    return {
        "sellerDetails": {"tin": tin, "legalName": "ACME TRADING (U) LIMITED",
                          "businessName": "ACME TRADING", "emailAddress": "accounts@acme.co.ug",
                          "referenceNo": reference_no, "isCheckReferenceNo": "1"},
        "basicInformation": {"invoiceNo": "", "antifakeCode": "", "deviceNo": device_no,
                             "issuedDate": issued, "operator": "Jane Akello", "currency": "UGX",
                             "oriInvoiceId": "", "invoiceType": "1", "invoiceKind": "1",
                             "dataSource": "103", "invoiceIndustryCode": "101", "isBatch": "0"},
        "buyerDetails": {"buyerTin": "1000098765", "buyerLegalName": "KAMPALA HARDWARE LIMITED",
                         "buyerType": "0", "buyerEmail": "procurement@khs.co.ug",
                         "nonResidentFlag": "0"},
    }  # fmt: skip


def sample_invoice(tin: str, device_no: str, reference_no: str, issued: str) -> dict[str, Any]:
    """efris.md §5.9: 10 cement at 35,400 with a 17,700 discount, 2 maize (exempt) at 95,000."""
    return {
        **_header(tin, device_no, reference_no, issued),
        "goodsDetails": [
            _line(CEMENT, 0, qty="10", unitPrice="35400.00", total="354000.00", taxRate="0.18",
                  tax="54000.00", discountTotal="-17700.00", discountTaxRate="0.18",
                  discountFlag="1"),
            _line(CEMENT, 1, item=f"{CEMENT['goodsName']} (Discount)", qty="", unitPrice="",
                  unitOfMeasure="", total="-17700.00", taxRate="0.18", tax="-2700.00",
                  discountTotal="", discountTaxRate="0.18", discountFlag="0"),
            _line(MAIZE, 2, qty="2", unitPrice="95000.00", total="190000.00", taxRate="-",
                  tax="0.00"),
        ],
        "taxDetails": [
            {"taxCategoryCode": "01", "netAmount": "285000.00", "taxRate": "0.18",
             "taxAmount": "51300.00", "grossAmount": "336300.00"},
            {"taxCategoryCode": "03", "netAmount": "190000.00", "taxRate": "-",
             "taxAmount": "0.00", "grossAmount": "190000.00"},
        ],
        "summary": {"netAmount": "475000.00", "taxAmount": "51300.00", "grossAmount": "526300.00",
                    "itemCount": "2", "modeCode": "1", "remarks": "Thank you", "qrCode": ""},
        "payWay": [{"paymentMode": "107", "paymentAmount": "526300.00", "orderNumber": "a"}],
        "extend": {"reason": "", "reasonCode": ""},
    }  # fmt: skip


def one_line_invoice(
    tin: str, device_no: str, reference_no: str, issued: str, *, qty: int = 3,
    unit_price: str = "1180.00",
) -> dict[str, Any]:  # fmt: skip
    """`qty` cement at `unit_price` (18 %, VAT-inclusive), every total computed."""
    total = Decimal(unit_price) * qty
    tax = (total * Decimal("0.18") / Decimal("1.18")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    net, money = total - tax, (lambda amount: f"{amount:.2f}")
    return {
        **_header(tin, device_no, reference_no, issued),
        "goodsDetails": [_line(CEMENT, 0, qty=str(qty), unitPrice=unit_price, total=money(total),
                               taxRate="0.18", tax=money(tax))],
        "taxDetails": [{"taxCategoryCode": "01", "netAmount": money(net), "taxRate": "0.18",
                        "taxAmount": money(tax), "grossAmount": money(total)}],
        "summary": {"netAmount": money(net), "taxAmount": money(tax), "grossAmount": money(total),
                    "itemCount": "1", "modeCode": "1", "qrCode": ""},
        "payWay": [{"paymentMode": "102", "paymentAmount": money(total), "orderNumber": "a"}],
    }  # fmt: skip


def changed(document: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    """A deep copy of `document` with the dotted `path` (list indexes as numbers) set to `value`."""
    copied = copy.deepcopy(document)
    *parents, last = path.split(".")
    target: Any = copied
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return copied
