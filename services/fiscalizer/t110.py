"""A full credit note for a fiscalized invoice, as an EFRIS T110 application (efris.md §4, §8.3).

    t110_payload(original, reason_code=, application_time=, seller_reference_no=)
      original      the fiscal document as T108 (or T109) answered it
      oriInvoiceId / oriInvoiceNo   its basicInformation.invoiceId / invoiceNo (FDN)
      goodsDetails  every line as the original wrote it, with qty, total and tax negated
                    (URA-DOC T110: "Same as the original invoice", "Must be negative");
                    a discounted line (flag 1) and its discount line (flag 0) as one line:
                    the flag-1 line's orderNumber and qty, total and tax the pair's sums,
                    unitPrice the one that gives that total (1316)
      taxDetails, summary, payWay   negated (URA-DOC's T110 payWay row says "positive or
                    0", a copy of T109's; ERPCH, in production, negates it, and so must the
                    sum that 2270 compares with the negative gross)
      buyerDetails  the original's; source 103 (web service); invoiceApplyCategoryCode 101

Built from EFRIS's own copy of the invoice, so every string the credit note must repeat
(item names, unit prices, rates, orderNumber, goodsCategoryId) is the one URA holds,
and a full credit never disagrees with it by a rounding. T110 lines have no discountFlag,
so a discounted line is credited at its value after the discount, as EFRIS counts what is
left of it (the line's total plus its discountTotal); the discount line has no orderNumber
of its own to credit. Its tax is the pair's, so the lines still add up to the negated
taxDetails.

    T110Error (ValueError)   the original cannot be credited this way
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from libs.efris import kampala_time
from libs.invoices import round_cents
from services.fiscalizer.efris_amounts import (
    AmountError,
    money_text,
    negated_text,
    price_text,
    unit_price_for,
)

REASON_CODES = frozenset({"101", "102", "103", "104", "105"})  # 105 = other, needs a reason
# The goods line fields T110 takes from the original unchanged, and those it negates.
_KEPT = ("item", "itemCode", "unitOfMeasure", "unitPrice", "taxRate", "orderNumber",
         "deemedFlag", "exciseFlag", "categoryId", "categoryName", "goodsCategoryId",
         "goodsCategoryName", "exciseRate", "exciseRule", "pack", "stick", "exciseUnit",
         "exciseCurrency", "exciseRateName", "vatApplicableFlag")  # fmt: skip
_NEGATED = ("qty", "total", "tax", "exciseTax")
_TAX_KEPT = ("taxCategoryCode", "taxRate", "exciseUnit", "exciseCurrency", "taxRateName")
_TAX_NEGATED = ("netAmount", "taxAmount", "grossAmount")


class T110Error(ValueError):
    """The original document cannot be credited in full by `t110_payload`."""


def t110_payload(
    original: Mapping[str, Any],
    *,
    reason_code: str,
    application_time: datetime,
    seller_reference_no: str,
    reason: str = "",
    remarks: str = "",
) -> dict[str, Any]:
    """The T110 `content` crediting all of `original` (a T108 / T109 answer's content).

    `reason_code`: 101 expiry or damage, 102 cancelled purchase, 103 wrong amounts, 104
    waived, 105 other (then `reason` is required). Raises `T110Error` for a document
    without its FDN and id, with a discount line not right after its discounted line, or
    with numbers that are not numbers.
    """
    if reason_code not in REASON_CODES:
        raise T110Error(f"reasonCode {reason_code!r} is not one of 101-105")
    if reason_code == "105" and not reason.strip():
        raise T110Error("reasonCode 105 (others) needs a reason")
    basic = _part(original, "basicInformation")
    invoice_id, fdn = str(basic.get("invoiceId") or ""), str(basic.get("invoiceNo") or "")
    if not invoice_id or not fdn:
        raise T110Error("the original has no invoiceId / invoiceNo: is it fiscalized?")
    try:
        goods = [
            _credit_line(line, discount)
            for line, discount in _paired(_rows(original, "goodsDetails"))
        ]
        taxes = [
            _negate(row, kept=_TAX_KEPT, negated=_TAX_NEGATED)
            for row in _rows(original, "taxDetails")
        ]
        summary = _negate(_part(original, "summary"), kept=("itemCount",),
                          negated=("netAmount", "taxAmount", "grossAmount"))  # fmt: skip
        payments = [
            _negate(row, kept=("paymentMode", "orderNumber"), negated=("paymentAmount",))
            for row in _rows(original, "payWay")
        ]
    except AmountError as exc:
        raise T110Error(str(exc)) from None
    seller = _part(original, "sellerDetails")
    return {
        "oriInvoiceId": invoice_id, "oriInvoiceNo": fdn, "reasonCode": reason_code,
        "reason": reason, "applicationTime": kampala_time(application_time),
        "invoiceApplyCategoryCode": "101", "currency": str(basic.get("currency") or ""),
        "contactName": "", "contactMobileNum": "", "contactEmail": "", "source": "103",
        "remarks": remarks, "sellersReferenceNo": seller_reference_no,
        "goodsDetails": goods, "taxDetails": taxes,
        "summary": {**summary, "modeCode": "1", "qrCode": ""},
        "payWay": payments,
        "buyerDetails": dict(_part(original, "buyerDetails")),
        "basicInformation": {
            "operator": str(basic.get("operator") or ""),
            "invoiceKind": str(basic.get("invoiceKind") or "1"),
            "invoiceIndustryCode": str(basic.get("invoiceIndustryCode") or "101"),
            "branchId": str(seller.get("branchId") or ""),
        },
    }  # fmt: skip


def _paired(
    lines: Sequence[Mapping[str, Any]],
) -> Iterator[tuple[Mapping[str, Any], Mapping[str, Any] | None]]:
    """Each sold line with its discount line (flag 1 then 0, efris.md §5.5), or None."""
    rows = iter(lines)
    for line in rows:
        flag = _flag(line)
        if flag == "0":
            raise T110Error("a discount line does not follow its discounted line")
        discount = next(rows, None) if flag == "1" else None
        if flag == "1" and (discount is None or _flag(discount) != "0"):
            raise T110Error("a discounted line is not followed by its discount line")
        yield line, discount


def _flag(line: Mapping[str, Any]) -> str:
    return str(line.get("discountFlag") or "2")


def _credit_line(line: Mapping[str, Any], discount: Mapping[str, Any] | None) -> dict[str, str]:
    credited = _negate(line, kept=_KEPT, negated=_NEGATED)
    if discount is None:
        return credited
    quantity = _number(line, "qty")
    total = round_cents(_number(line, "total") + _number(discount, "total"))
    if quantity <= 0 or total <= 0:
        raise T110Error("a discounted line's quantity and value after discount must be positive")
    price = unit_price_for(quantity, total, preferred=round_cents(total / quantity))
    tax = _number(line, "tax") + _number(discount, "tax")
    return credited | {
        "unitPrice": price_text(price), "total": money_text(-total), "tax": money_text(-tax),
    }  # fmt: skip


def _number(line: Mapping[str, Any], key: str) -> Decimal:
    text = str(line.get(key) or "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise AmountError(f"{text[:30]!r} is not a number") from None
    if not value.is_finite():
        raise AmountError(f"{text[:30]!r} is not a number")
    return value


def _negate(
    row: Mapping[str, Any], *, kept: tuple[str, ...], negated: tuple[str, ...]
) -> dict[str, str]:
    copied = {key: str(row.get(key) or "") for key in kept}
    return copied | {key: negated_text(str(row.get(key) or "")) for key in negated}


def _part(document: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    part = document.get(name)
    if not isinstance(part, Mapping):
        raise T110Error(f"the original has no {name}")
    return part


def _rows(document: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    rows = document.get(name)
    if not isinstance(rows, list) or not all(isinstance(row, Mapping) for row in rows):
        raise T110Error(f"the original's {name} is not a list of objects")
    return rows
