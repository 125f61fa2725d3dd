"""A canonical `Invoice` as an EFRIS T109 invoice upload (efris.md §5), and the goods it names.

    t109_payload(invoice, seller=, goods={goods_code_for(line): Goods}, reference_no=, issued_at=)
      sellerDetails    the Seller; referenceNo with isCheckReferenceNo "1" (§5.2, §7.1)
      basicInformation invoiceType 1, invoiceKind 1 (VAT invoice), dataSource 103 (web
                       service), invoiceIndustryCode 101 (general), the invoice's currency
      buyerDetails     B2B (buyerType "0") when the buyer has a TIN, else B2C ("1") (§5.4)
      goodsDetails     one per line, VAT-inclusive: total = net + tax of the canonical line
                       (cents), tax and net re-split by EFRIS's rule (efris_amounts); a
                       discounted line is a pair (§5.5, §5.9):
                         flag 1  qty x list price with VAT, its tax, discountTotal = -discount
                         flag 0  item + " (Discount)", no qty / price, total = -discount,
                                 tax = the pair's tax less the flag-1 line's (negative)
      taxDetails       one per category present (01 / 02 / 03): sums of its lines
      summary          sums of taxDetails; itemCount = goods lines less discount lines
                       (1304); modeCode 1 (online)
      payWay           one payment of the whole gross (`payment_mode`, default 101 credit)

Decisions (each where efris.md leaves a choice):
- The gross of each line is the canonical net + tax, so the document's gross is what the
  buyer was invoiced. Its VAT split follows §5.8 (tax = round(total x r / (1 + r), 2));
  when the ERP rounded tax per line from the net, this is the ERP's tax to the cent.
- Discounts are itemized: a line whose list amount (quantity x unit_price) exceeds its
  net by a cent or more (a line discount, or its share of an invoice-level one, which
  erp_sync apportions) is sent at its list price (flag 1) followed by its discount line
  (flag 0), so the fiscal document shows the buyer the price and the discount. The pair
  adds up to the line's gross to the cent, and its tax to EFRIS's tax on that gross
  (the discount line's tax is the difference, within the cent 2776 allows of its own
  total x r / (1 + r)), so taxDetails, summary and payWay are those of the folded line.
  A discount that VAT rounding leaves without a cent is not itemized. T110 has no
  discount lines: t110 folds each pair back into one line.
- Lines of zero value are left out (EFRIS needs a positive total); negative lines,
  rates other than 18 / 0 / exempt, and a line tax that does not belong to its rate are
  refused rather than guessed.

    T109Error (ValueError)   the invoice cannot be expressed as a T109 upload; `line` is
    └── MissingGoods         the index, if one line is to blame; some lines' goods are
                             not registered: register `codes` with T130, then map again
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from libs.efris import kampala_time
from libs.invoices import Buyer, Invoice, InvoiceLine, round_cents
from services.fiscalizer.efris_amounts import (
    AmountError,
    TaxCategory,
    category_for,
    money_text,
    price_text,
    quantity_text,
    tax_in,
    unit_price_for,
)

_CODE_MAX = 50  # itemCode ≤ 50 (§5.5)
_REFERENCE_MAX = 50  # referenceNo ≤ 50 (§5.2)
# A line's tax may differ from net x rate by the ERP's rounding and per-rate
# reconciliation (cents); more than this means the tax does not belong to the rate.
_TAX_SLACK = Decimal("0.05")
_CENT = Decimal("0.01")
_DISCOUNT_SUFFIX = " (Discount)"  # 1178


class T109Error(ValueError):
    """The invoice cannot be expressed as a T109 upload; `line` indexes the line at fault."""

    def __init__(self, problem: str, *, line: int | None = None) -> None:
        self.line = line
        super().__init__(problem if line is None else f"line {line}: {problem}")


class MissingGoods(T109Error):
    """Lines name goods not in the registered set; register `codes` (T130) and map again."""

    def __init__(self, codes: Sequence[str]) -> None:
        self.codes = tuple(codes)
        super().__init__(f"goods not registered with EFRIS: {', '.join(self.codes)}")


@dataclass(frozen=True, kw_only=True)
class Seller:
    """The taxpayer issuing the invoice, as sellerDetails wants it (§5.2)."""

    tin: str
    device_no: str
    legal_name: str
    email: str
    business_name: str = ""
    address: str = ""
    mobile: str = ""
    line_phone: str = ""
    place_of_business: str = ""
    nin_brn: str = ""
    branch_id: str = ""
    operator: str = "Switchyard"


@dataclass(frozen=True, kw_only=True)
class Goods:
    """An item as registered with EFRIS (T130): T109 lines must repeat it exactly (2122-2124)."""

    code: str
    name: str
    commodity_category_id: str
    unit_of_measure: str
    commodity_category_name: str = ""

    def t130_item(self, *, unit_price: Decimal, currency_code: str = "101") -> dict[str, str]:
        """This item as a T130 "add" entry; `currency_code` is T115's value (101 = UGX)."""
        return {
            "operationType": "101", "goodsName": self.name, "goodsCode": self.code,
            "measureUnit": self.unit_of_measure, "unitPrice": price_text(unit_price),
            "currency": currency_code, "commodityCategoryId": self.commodity_category_id,
            "haveExciseTax": "102", "description": "", "stockPrewarning": "0",
            "havePieceUnit": "102", "pieceMeasureUnit": "", "pieceUnitPrice": "",
            "packageScaledValue": "", "pieceScaledValue": "", "exciseDutyCode": "",
        }  # fmt: skip


def goods_code_for(line: InvoiceLine) -> str:
    """The EFRIS goods code for a canonical line: its `item_code`, or a stable derived one.

    A line without an item code (or with one too long for EFRIS's 50 characters) gets
    "SY-" + 16 hex digits of the SHA-256 of its code, or of its description with case
    and spacing folded, so the same product maps to the same code on every invoice.
    URA ties VAT to the goods' commodity category (§5.5), so one ERP item sold zero-rated
    or exempt is other goods than the same item standard-rated: those codes end in "-ZR"
    or "-EX" (QuickBooks puts every line on item "1" Services, whatever its tax code).
    """
    suffix = _vat_suffix(line)
    code = (line.item_code or "").strip()
    if code and len(code) + len(suffix) <= _CODE_MAX:
        return code + suffix
    source = code or " ".join(line.description.split()).casefold()
    return "SY-" + hashlib.sha256(source.encode("utf-8")).hexdigest()[:16].upper() + suffix


def _vat_suffix(line: InvoiceLine) -> str:
    if line.tax_rate is None:
        return "-EX"
    return "-ZR" if line.tax_rate == 0 else ""


@dataclass(frozen=True)
class _Discount:
    """A discounted line's list amount and its tax (flag 1), both VAT-inclusive."""

    listed: Decimal
    listed_tax: Decimal


@dataclass(frozen=True)
class _Line:
    """One canonical line's EFRIS amounts after any discount, VAT included."""

    category: TaxCategory
    total: Decimal
    tax: Decimal
    discount: _Discount | None = None


def t109_payload(
    invoice: Invoice,
    *,
    seller: Seller,
    goods: Mapping[str, Goods],
    reference_no: str,
    issued_at: datetime,
    payment_mode: str = "101",
) -> dict[str, Any]:
    """The T109 `content` for `invoice` (shape of efris.md §5.9); all numbers are strings.

    `goods` maps `goods_code_for(line)` to the registered goods; `issued_at` (aware) is
    written in Kampala time. Raises `MissingGoods` (all unregistered codes at once) or
    `T109Error` (see the module docstring). Pure: the same arguments give the same dict.
    """
    if not 0 < len(reference_no) <= _REFERENCE_MAX:
        raise T109Error(f"referenceNo must be 1 to {_REFERENCE_MAX} characters")
    kept = [(index, line) for index, line in enumerate(invoice.lines) if not _is_empty(line)]
    if not kept:
        raise T109Error("the invoice has no line of positive value")
    missing = sorted({goods_code_for(line) for _, line in kept} - set(goods))
    if missing:
        raise MissingGoods(missing)
    amounts = [_amounts(index, line) for index, line in kept]
    goods_details: list[dict[str, str]] = []
    for (index, line), amount in zip(kept, amounts, strict=True):
        registered = goods[goods_code_for(line)]
        goods_details += _goods_lines(len(goods_details), line, registered, amount, index=index)
    return {
        "sellerDetails": _seller_details(seller, reference_no),
        "basicInformation": _basic_information(invoice, seller, issued_at),
        "buyerDetails": _buyer_details(invoice.buyer),
        "goodsDetails": goods_details,
        "taxDetails": _tax_details(amounts),
        **_totals(amounts, payment_mode=payment_mode),
        "extend": {"reason": "", "reasonCode": ""},
    }


def _is_empty(line: InvoiceLine) -> bool:
    return round_cents(line.net) == 0 and round_cents(line.tax) == 0


def _amounts(index: int, line: InvoiceLine) -> _Line:
    """The line's category, VAT-inclusive total and EFRIS tax; refuses what EFRIS cannot carry."""
    try:
        category = category_for(line.tax_rate)
    except AmountError as exc:
        raise T109Error(str(exc), line=index) from None
    total = round_cents(line.net + line.tax)
    if line.quantity <= 0 or total <= 0:
        raise T109Error("EFRIS lines need a positive quantity and amount", line=index)
    expected = round_cents(line.net * category.rate)
    if abs(line.tax - expected) > _TAX_SLACK:
        raise T109Error(
            f"tax {line.tax} does not belong to rate {category.rate_text} on net {line.net}",
            line=index,
        )
    return _Line(
        category=category,
        total=total,
        tax=tax_in(total, category),
        discount=_discount(line, category, total=total),
    )


def _discount(line: InvoiceLine, category: TaxCategory, *, total: Decimal) -> _Discount | None:
    """The line's list amount with VAT, if it was discounted by a cent or more after VAT."""
    if line.quantity * line.unit_price - line.net < _CENT:
        return None
    listed = round_cents(line.quantity * line.unit_price * (1 + category.rate))
    if listed <= total:  # the ERP's tax rounding ate the discount
        return None
    return _Discount(listed=listed, listed_tax=tax_in(listed, category))


def _goods_lines(
    order: int, line: InvoiceLine, registered: Goods, amount: _Line, *, index: int
) -> list[dict[str, str]]:
    """The line (flag 2), or the discounted line (flag 1) and its discount line (flag 0)."""
    rate = amount.category.rate_text
    discount = amount.discount
    if discount is None:
        sold = _sold_line(line, registered, amount.total, amount.tax, index=index)
        return [sold | {"orderNumber": str(order), "discountFlag": "2"}]
    sold = _sold_line(line, registered, discount.listed, discount.listed_tax, index=index)
    minus = money_text(amount.total - discount.listed)  # 1206: string-equal on both lines
    return [
        sold | {"orderNumber": str(order), "discountFlag": "1", "discountTotal": minus,
                "discountTaxRate": rate},
        _fields(registered) | {
            "item": registered.name + _DISCOUNT_SUFFIX, "qty": "", "unitOfMeasure": "",
            "unitPrice": "", "total": minus, "taxRate": rate,
            "tax": money_text(amount.tax - discount.listed_tax), "discountTaxRate": rate,
            "orderNumber": str(order + 1), "discountFlag": "0",
        },
    ]  # fmt: skip


def _sold_line(
    line: InvoiceLine, registered: Goods, total: Decimal, tax: Decimal, *, index: int
) -> dict[str, str]:
    """A goods line selling `line` for `total` (VAT-inclusive), its fields but flag and order."""
    category = category_for(line.tax_rate)
    list_price = round_cents(line.unit_price * (1 + category.rate))
    try:
        quantity = quantity_text(line.quantity)
        unit_price = unit_price_for(line.quantity, total, preferred=list_price)
    except AmountError as exc:
        raise T109Error(str(exc), line=index) from None
    return _fields(registered) | {
        "qty": quantity, "unitPrice": price_text(unit_price), "total": money_text(total),
        "taxRate": category.rate_text, "tax": money_text(tax),
    }  # fmt: skip


def _fields(registered: Goods) -> dict[str, str]:
    """Every goods line field, as the registered goods and a plain (flag 2) line fill them."""
    return {
        "item": registered.name, "itemCode": registered.code, "qty": "",
        "unitOfMeasure": registered.unit_of_measure, "unitPrice": "", "total": "",
        "taxRate": "", "tax": "", "discountTotal": "", "discountTaxRate": "",
        "orderNumber": "", "discountFlag": "2", "deemedFlag": "2", "exciseFlag": "2",
        "categoryId": "", "categoryName": "",
        "goodsCategoryId": registered.commodity_category_id,
        "goodsCategoryName": registered.commodity_category_name,
        "exciseRate": "", "exciseRule": "", "exciseTax": "", "pack": "", "stick": "",
        "exciseUnit": "", "exciseCurrency": "", "exciseRateName": "", "vatApplicableFlag": "1",
    }  # fmt: skip


def _tax_details(amounts: Sequence[_Line]) -> list[dict[str, str]]:
    """One row per category, in code order: the sums of its lines (1342: net + tax = gross)."""
    rows = []
    for category in sorted({amount.category for amount in amounts}, key=lambda c: c.code):
        mine = [amount for amount in amounts if amount.category == category]
        gross = sum((amount.total for amount in mine), Decimal(0))
        tax = sum((amount.tax for amount in mine), Decimal(0))
        rows.append({
            "taxCategoryCode": category.code, "netAmount": money_text(gross - tax),
            "taxRate": category.rate_text, "taxAmount": money_text(tax),
            "grossAmount": money_text(gross), "exciseUnit": "", "exciseCurrency": "",
            "taxRateName": "",
        })  # fmt: skip
    return rows


def _totals(amounts: Sequence[_Line], *, payment_mode: str) -> dict[str, Any]:
    """summary (1343-1345: the sums of taxDetails; 1304: one item per canonical line, the
    discount lines not counted) and payWay (2270)."""
    gross = sum((amount.total for amount in amounts), Decimal(0))
    tax = sum((amount.tax for amount in amounts), Decimal(0))
    summary = {
        "netAmount": money_text(gross - tax), "taxAmount": money_text(tax),
        "grossAmount": money_text(gross), "itemCount": str(len(amounts)),
        "modeCode": "1", "remarks": "", "qrCode": "",
    }  # fmt: skip
    payment = {"paymentMode": payment_mode, "paymentAmount": money_text(gross), "orderNumber": "a"}
    return {"summary": summary, "payWay": [payment]}


def _basic_information(invoice: Invoice, seller: Seller, issued_at: datetime) -> dict[str, str]:
    return {
        "invoiceNo": "", "antifakeCode": "", "deviceNo": seller.device_no,
        "issuedDate": kampala_time(issued_at), "operator": seller.operator,
        "currency": invoice.currency, "oriInvoiceId": "", "invoiceType": "1",
        "invoiceKind": "1", "dataSource": "103", "invoiceIndustryCode": "101",
        "isBatch": "0",
    }  # fmt: skip


def _seller_details(seller: Seller, reference_no: str) -> dict[str, str]:
    return {
        "tin": seller.tin, "ninBrn": seller.nin_brn, "legalName": seller.legal_name,
        "businessName": seller.business_name, "address": seller.address,
        "mobilePhone": seller.mobile, "linePhone": seller.line_phone,
        "emailAddress": seller.email, "placeOfBusiness": seller.place_of_business,
        "referenceNo": reference_no, "branchId": seller.branch_id,
        # "1": EFRIS refuses a second invoice with this reference (2253), §7.1.
        "isCheckReferenceNo": "1",
    }  # fmt: skip


def _buyer_details(buyer: Buyer) -> dict[str, str]:
    email = buyer.email if buyer.email and 6 <= len(buyer.email) <= 50 else ""
    return {
        "buyerTin": buyer.tin or "", "buyerNinBrn": "", "buyerPassportNum": "",
        # 2248: for B2B URA compares the legal name with its register (T119 has it).
        "buyerLegalName": buyer.name[:256], "buyerBusinessName": "", "buyerAddress": "",
        "buyerEmail": email, "buyerMobilePhone": "", "buyerLinePhone": "",
        "buyerPlaceOfBusi": "", "buyerType": "0" if buyer.tin else "1",
        "buyerCitizenship": "", "buyerSector": "", "buyerReferenceNo": "",
        "nonResidentFlag": "0",
    }  # fmt: skip
