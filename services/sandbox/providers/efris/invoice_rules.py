"""T109 validation, in the order URA reports it: the parts, seller, basic information, buyer,
goods lines, tax details, summary, payWay (efris.md §5.1-§5.7). Pure: raises `EfrisRefusal`.

    sellerDetails     tin = globalInfo.tin, 10-20 digits (1100-1102); legalName (1105);
                      emailAddress (1115-1117); referenceNo ≤ 50 (1121);
                      isCheckReferenceNo 0/1 (2252), 1 needs a referenceNo (2254)
    basicInformation  invoiceNo / antifakeCode empty online (1323 / 1324); deviceNo =
                      globalInfo.deviceNo (1127); issuedDate yyyy-MM-dd HH:mm:ss (1129 / 1130),
                      not in a prior month (2789); operator (1131); currency from URA's list
                      (1133 / 2180); invoiceType 1 (2 → 3075 "use T110", 5 → 2804, else 1135);
                      invoiceKind 1, the sandbox's taxpayers being VAT-registered (1139 / 2240);
                      dataSource 101-108 (1140); invoiceIndustryCode (2047); isBatch (2051)
    buyerDetails      buyerType 0-3 (2244 / 1163); buyerTin 10-20 digits (1143); B2B needs a
                      TIN (3077) and a legal name (2247), B2G a TIN (3082); email (1156)
    summary           modeCode 1 online (0 → 2786, else 1306), qrCode empty (1325); gross ≤
                      T103's maxGrossAmount (2075); the sums (`arithmetic`)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from libs.efris import KAMPALA, EfrisProtocolError, GlobalInfo, parse_kampala_time
from services.sandbox.providers.efris.arithmetic import (
    CategoryTotal,
    Line,
    check_pay_way,
    check_summary,
    check_tax_details,
)
from services.sandbox.providers.efris.catalog import Catalog
from services.sandbox.providers.efris.goods_lines import check_goods_lines, item_count
from services.sandbox.providers.efris.return_codes import EfrisRefusal

TIN = re.compile(r"^[0-9]{10,20}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CURRENCIES = frozenset({"UGX", "USD", "EUR", "GBP", "KES", "TZS", "RWF", "CNY", "JPY", "ZAR"})
DATA_SOURCES = frozenset(str(code) for code in range(101, 109))
INDUSTRIES = frozenset({"", "101", "102", "104", "105", "106", "107", "108", "109", "110",
                        "111", "112"})  # fmt: skip
MAX_GROSS_AMOUNT = Decimal("10000000000")  # T103 maxGrossAmount, UGX


@dataclass(frozen=True)
class CheckedInvoice:
    """A T109 payload URA would accept, with what the response needs from it."""

    payload: Mapping[str, Any]
    lines: list[Line]
    tax_rows: list[CategoryTotal]
    gross: Decimal
    reference_no: str
    check_reference: bool
    issued: datetime


def check_invoice(
    payload: object, *, global_info: GlobalInfo, catalog: Catalog, now: datetime
) -> CheckedInvoice:
    """Every T109 rule the sandbox simulates; `EfrisRefusal` for the first one broken."""
    if not isinstance(payload, Mapping) or not payload:
        raise EfrisRefusal("2070")
    seller = _part(payload, "sellerDetails", "2067")
    basic = _part(payload, "basicInformation", "2068")
    buyer = _part(payload, "buyerDetails", "2069")
    reference_no, check_reference = _check_seller(seller, global_info)
    issued = _check_basic(basic, global_info, now=now)
    _check_buyer(buyer, industry=str(basic.get("invoiceIndustryCode") or "101"))
    summary = _part(payload, "summary", "2072")
    _check_mode(basic, summary)
    lines = check_goods_lines(payload.get("goodsDetails"), catalog=catalog, tin=global_info.tin)
    rows = check_tax_details(lines, payload.get("taxDetails"))
    gross = check_summary(summary, rows, item_count=item_count(lines))
    check_pay_way(payload.get("payWay"), gross)
    if gross > MAX_GROSS_AMOUNT:
        raise EfrisRefusal("2075")
    return CheckedInvoice(payload=payload, lines=lines, tax_rows=rows, gross=gross,
                          reference_no=reference_no, check_reference=check_reference,
                          issued=issued)  # fmt: skip


def _part(payload: Mapping[str, Any], name: str, code: str) -> Mapping[str, Any]:
    part = payload.get(name)
    if not isinstance(part, Mapping) or not part:
        raise EfrisRefusal(code)
    return part


def _text(part: Mapping[str, Any], name: str) -> str:
    value = part.get(name)
    return "" if value is None else str(value).strip()


def _check_seller(seller: Mapping[str, Any], global_info: GlobalInfo) -> tuple[str, bool]:
    tin = _text(seller, "tin")
    if not tin:
        raise EfrisRefusal("1100")
    if not TIN.fullmatch(tin):
        raise EfrisRefusal("1101")
    if tin != global_info.tin:
        raise EfrisRefusal("1102")
    if not _text(seller, "legalName"):
        raise EfrisRefusal("1105")
    email = _text(seller, "emailAddress")
    if not email:
        raise EfrisRefusal("1115")
    if not 6 <= len(email) <= 50:
        raise EfrisRefusal("1116")
    if not EMAIL.fullmatch(email):
        raise EfrisRefusal("1117")
    reference_no = _text(seller, "referenceNo")
    if len(reference_no) > 50:
        raise EfrisRefusal("1121")
    check = _text(seller, "isCheckReferenceNo") or "0"
    if check not in ("0", "1"):
        raise EfrisRefusal("2252")
    if check == "1" and not reference_no:
        raise EfrisRefusal("2254")
    return reference_no, check == "1"


def _check_basic(basic: Mapping[str, Any], global_info: GlobalInfo, *, now: datetime) -> datetime:
    if _text(basic, "invoiceNo"):
        raise EfrisRefusal("1323")
    if _text(basic, "antifakeCode") or _text(basic, "antiFakeCode"):
        raise EfrisRefusal("1324")
    if _text(basic, "deviceNo") != global_info.device_no:
        raise EfrisRefusal("1127")
    issued = _issued(_text(basic, "issuedDate"), now=now)
    if not _text(basic, "operator"):
        raise EfrisRefusal("1131")
    currency = _text(basic, "currency")
    if not currency:
        raise EfrisRefusal("1133")
    if currency not in CURRENCIES:
        raise EfrisRefusal("2180")
    invoice_type = _text(basic, "invoiceType")
    if invoice_type != "1":
        refusals = {"2": "3075", "5": "2804"}
        raise EfrisRefusal(refusals.get(invoice_type, "1135"))
    kind = _text(basic, "invoiceKind")
    if kind not in ("1", "2"):
        raise EfrisRefusal("1139")
    if kind == "2":
        raise EfrisRefusal("2240")
    if _text(basic, "dataSource") not in DATA_SOURCES:
        raise EfrisRefusal("1140")
    if _text(basic, "invoiceIndustryCode") not in INDUSTRIES:
        raise EfrisRefusal("2047")
    if _text(basic, "isBatch") not in ("", "0", "1"):
        raise EfrisRefusal("2051")
    return issued


def _issued(text: str, *, now: datetime) -> datetime:
    if not text:
        raise EfrisRefusal("1129")
    try:
        issued = parse_kampala_time(text)
    except EfrisProtocolError:
        raise EfrisRefusal("1130") from None
    today = now.astimezone(KAMPALA)
    if (issued.year, issued.month) < (today.year, today.month):
        raise EfrisRefusal("2789")  # T103 isAllowBackDate is 0 for every sandbox taxpayer
    return issued


def _check_buyer(buyer: Mapping[str, Any], *, industry: str) -> None:
    buyer_type = _text(buyer, "buyerType")
    if not buyer_type:
        raise EfrisRefusal("2244")
    if buyer_type not in ("0", "1", "2", "3"):
        raise EfrisRefusal("1163")
    tin = _text(buyer, "buyerTin")
    if tin and not TIN.fullmatch(tin):
        raise EfrisRefusal("1143")
    resident = _text(buyer, "nonResidentFlag") in ("", "0")
    if buyer_type == "0" and industry == "101" and resident and not tin:
        raise EfrisRefusal("3077")
    if buyer_type == "0" and not _text(buyer, "buyerLegalName"):
        raise EfrisRefusal("2247")
    if buyer_type == "3" and not tin:
        raise EfrisRefusal("3082")
    email = _text(buyer, "buyerEmail")
    if email and not EMAIL.fullmatch(email):
        raise EfrisRefusal("1156")


def _check_mode(basic: Mapping[str, Any], summary: Mapping[str, Any]) -> None:
    mode = _text(summary, "modeCode")
    if mode == "0":
        raise EfrisRefusal("2786")
    if mode != "1":
        raise EfrisRefusal("1306")
    if _text(summary, "qrCode") or _text(basic, "qrCode"):
        raise EfrisRefusal("1325")
