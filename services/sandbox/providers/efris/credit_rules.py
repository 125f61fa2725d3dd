"""T110 validation: a credit-note application against an issued invoice (efris.md §4, §6.3, §8.3).

original      oriInvoiceNo of this TIN (1504 / 1400), oriInvoiceId its invoiceId (2783 /
              1403); an invoice, not a credit note (1480); not an export (2050); issued
              at most `MAX_APPLICATION_DAYS` ago (312, the sandbox's value for T115's
              creditNoteMaximumInvoicingDays)
application   reasonCode 101-105 (1404), 105 with a reason (1405); applicationTime
              yyyy-MM-dd HH:mm:ss (1408 / 1409); invoiceApplyCategoryCode 101 (1410);
              the original's currency (1411); sellersReferenceNo ≤ 50 (1422)
goodsDetails  each line names an original line by orderNumber (1426) with its item,
              itemCode and taxRate (1427 / 1428 / 1443); qty and total negative (1431 /
              1432 / 1452) and within what earlier pending or approved applications left
              (1434 / 1460); qty * unitPrice and the tax as on T109 (1316 / 2776)
totals        taxDetails, summary and payWay as on T109, on negative amounts; the
              credited gross and tax within the original's (3115 / 3116)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from libs.efris import EfrisProtocolError, parse_kampala_time
from services.sandbox.providers.efris.applications import Application
from services.sandbox.providers.efris.arithmetic import (
    Line,
    category_of,
    check_line_amounts,
    check_pay_way,
    check_summary,
    check_tax_details,
    decimal_of,
    rate_of,
    required,
)
from services.sandbox.providers.efris.ledger import INVOICE, FiscalDocument, Ledger
from services.sandbox.providers.efris.return_codes import EfrisRefusal

MAX_APPLICATION_DAYS = 365
REASON_CODES = frozenset({"101", "102", "103", "104", "105"})


@dataclass(frozen=True)
class Remaining:
    """What of an original line is still creditable (positive amounts)."""

    item: str
    item_code: str
    tax_rate: Decimal | None
    qty: Decimal
    amount: Decimal


def find_original(payload: Mapping[str, Any], *, ledger: Ledger, tin: str) -> FiscalDocument:
    """The invoice the application is against; 1504 / 1400 / 2783 / 1403 / 1480 / 2050."""
    invoice_no = str(payload.get("oriInvoiceNo") or "")
    if not invoice_no:
        raise EfrisRefusal("1504")
    original = ledger.by_fdn(tin, invoice_no)
    if original is None:
        raise EfrisRefusal("1400")
    invoice_id = str(payload.get("oriInvoiceId") or "")
    if not invoice_id:
        raise EfrisRefusal("2783")
    if invoice_id != original.invoice_id:
        raise EfrisRefusal("1403")
    if original.invoice_type != INVOICE:
        raise EfrisRefusal("1480")
    if original.basic.get("invoiceIndustryCode") == "102":
        raise EfrisRefusal("2050")
    return original


def check_application(
    payload: Mapping[str, Any],
    original: FiscalDocument,
    *,
    earlier: Sequence[Application],
    now: datetime,
) -> None:
    """Every T110 rule on `payload` against `original` and the `earlier` applications."""
    if now - original.issued_at > timedelta(days=MAX_APPLICATION_DAYS):
        raise EfrisRefusal("312")
    _check_header(payload, original)
    remaining = remaining_lines(original, earlier)
    goods = payload.get("goodsDetails")
    if not isinstance(goods, list) or not goods:
        raise EfrisRefusal("2071")
    lines = [_line(line, remaining) for line in goods]
    rows = check_tax_details(lines, payload.get("taxDetails"))
    gross = check_summary(payload.get("summary"), rows, item_count=len(lines))
    check_pay_way(payload.get("payWay"), gross)
    credited = sum((application.gross() for application in earlier), Decimal(0))
    if -(gross + credited) > Decimal(str(original.summary["grossAmount"])):
        raise EfrisRefusal("3115")
    if -sum((row.tax for row in rows), Decimal(0)) > Decimal(str(original.summary["taxAmount"])):
        raise EfrisRefusal("3116")


def remaining_lines(
    original: FiscalDocument, earlier: Sequence[Application]
) -> dict[str, Remaining]:
    """Per original orderNumber (discount lines folded into their line), what is left."""
    left: dict[str, Remaining] = {}
    lines: list[Mapping[str, Any]] = original.document["goodsDetails"]
    for index, line in enumerate(lines):
        if line.get("discountFlag") == "0":
            continue
        discount = decimal_of(line.get("discountTotal")) or Decimal(0)
        left[str(line.get("orderNumber", index))] = Remaining(
            item=str(line.get("item")), item_code=str(line.get("itemCode")),
            tax_rate=rate_of(line.get("taxRate")), qty=required(line.get("qty"), "1429"),
            amount=required(line.get("total"), "1450") + discount,
        )  # fmt: skip
    for application in earlier:
        for credited in application.request["goodsDetails"]:
            order = str(credited.get("orderNumber"))
            if order in left:
                was = left[order]
                left[order] = Remaining(
                    item=was.item, item_code=was.item_code, tax_rate=was.tax_rate,
                    qty=was.qty + required(credited.get("qty"), "1429"),
                    amount=was.amount + required(credited.get("total"), "1450"),
                )  # fmt: skip
    return left


def _check_header(payload: Mapping[str, Any], original: FiscalDocument) -> None:
    reason_code = str(payload.get("reasonCode") or "")
    if reason_code not in REASON_CODES:
        raise EfrisRefusal("1404")
    if reason_code == "105" and not str(payload.get("reason") or "").strip():
        raise EfrisRefusal("1405")
    applied = str(payload.get("applicationTime") or "")
    if not applied:
        raise EfrisRefusal("1408")
    try:
        parse_kampala_time(applied)
    except EfrisProtocolError:
        raise EfrisRefusal("1409") from None
    if str(payload.get("invoiceApplyCategoryCode") or "") != "101":
        raise EfrisRefusal("1410")
    if payload.get("currency") != original.basic.get("currency"):
        raise EfrisRefusal("1411")
    if len(str(payload.get("sellersReferenceNo") or "")) > 50:
        raise EfrisRefusal("1422")


def _line(line: object, remaining: Mapping[str, Remaining]) -> Line:
    if not isinstance(line, Mapping):
        raise EfrisRefusal("2071")
    order = str(line.get("orderNumber", "")).strip()
    left = remaining.get(order)
    if left is None:
        raise EfrisRefusal("1426")
    if str(line.get("item") or "") != left.item:
        raise EfrisRefusal("1427")
    if str(line.get("itemCode") or "") != left.item_code:
        raise EfrisRefusal("1428")
    rate = rate_of(line.get("taxRate"))
    if rate != left.tax_rate:
        raise EfrisRefusal("1443")
    qty, total = required(line.get("qty"), "1429"), required(line.get("total"), "1450")
    if qty >= 0:
        raise EfrisRefusal("1432" if qty == 0 else "1431")
    if total >= 0:
        raise EfrisRefusal("1452")
    if -qty > left.qty:
        raise EfrisRefusal("1434")
    if -total > left.amount:
        raise EfrisRefusal("1460")
    unit_price, tax = required(line.get("unitPrice"), "1455"), required(line.get("tax"), "1444")
    check_line_amounts(qty=qty, unit_price=unit_price, total=total, tax=tax, rate=rate)
    category = category_of(rate, vat_applicable=str(line.get("vatApplicableFlag", "1")))
    return Line(order=int(order), category=category, total=total, tax=tax, discount=False)
