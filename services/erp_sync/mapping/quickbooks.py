"""A QuickBooks Online invoice (providers.md §1.8) as the canonical `Invoice`.

    Invoice  Id, DocNumber, TxnDate, DueDate, CurrencyRef.value, CustomerRef{value, name},
             BillEmail.Address, PrivateNote, TotalAmt, Balance,
             GlobalTaxCalculation (TaxExcluded | TaxInclusive | NotApplicable),
             ApplyTaxAfterDiscount, TxnTaxDetail{TotalTax, TaxLine[{Amount, TaxLineDetail{
                 TaxRateRef.value, TaxPercent}}]},
             Line[]   SalesItemLineDetail   a sales line: Amount, Description, Qty, UnitPrice,
                                            ItemRef, TaxCodeRef
                      GroupLineDetail       its nested Line[] are read like top-level ones
                      DiscountLineDetail    invoice-level discount: Amount (or DiscountPercent
                                            when PercentBased), spread over the sales lines
                                            in proportion to their amounts
                      SubTotalLineDetail, DescriptionOnly   carry nothing of their own
    Customer  PrimaryTaxIdentifier (the TIN; masked "XXXXXX1234" in production -> None),
              PrimaryEmailAddr.Address
    TaxCode   SalesTaxRateList.TaxRateDetail[].TaxRateRef.value: the rates a line's code applies

A line's tax is its net (or, tax-inclusive, its amount) times its rates' TaxPercent; each
rate's line taxes are reconciled to that rate's TaxLine Amount. TaxCodeRef "NON", none, or
a code without rates means no tax and no rate. ApplyTaxAfterDiscount false (a US setting)
taxes the amounts before the discount.

Status: QBO has no drafts and no status field. TotalAmt 0 with a PrivateNote starting
"Voided" (what voiding leaves) -> voided; Balance 0 on a positive TotalAmt -> paid;
otherwise issued. A void normally arrives as its own webhook operation; this only keeps a
voided invoice read after the fact from being fiscalized as a zero one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from libs.invoices import (
    Buyer,
    Invoice,
    InvoiceError,
    InvoiceLine,
    InvoiceSource,
    InvoiceStatus,
    round_cents,
)
from services.erp_sync.mapping._assembly import checked_totals, model_errors
from services.erp_sync.mapping._pricing import TaxGroup, price_lines
from services.erp_sync.mapping._record import Record, Stated, currency_code
from services.erp_sync.mapping._tin import tin_or_none

_SALES = "SalesItemLineDetail"
_GROUP = "GroupLineDetail"
_DISCOUNT = "DiscountLineDetail"
_WITHOUT_AMOUNTS = frozenset({"SubTotalLineDetail", "DescriptionOnly"})
_NON_TAXABLE = "NON"


@dataclass(frozen=True)
class _SalesLine:
    description: str
    item_code: str | None
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    rate_ids: tuple[str, ...]
    code_at: str


def from_quickbooks(
    invoice: Mapping[str, object],
    *,
    realm_id: str,
    customer: Mapping[str, object] | None,
    tax_codes: Mapping[str, Mapping[str, object]],
    home_currency: str | None = None,
) -> Invoice:
    """`invoice` (the object inside QBO's `{"Invoice": ...}`) as the canonical `Invoice`.

    `customer` is the Customer the invoice's CustomerRef names (None when not read: no
    TIN then); `tax_codes` holds every TaxCode its lines name, by id; `home_currency` is
    the company's, for invoices without CurrencyRef. Pure. Raises `InvoiceError` naming
    the field (e.g. `Invoice.Line[2].SalesItemLineDetail.UnitPrice`) when a required field
    is missing or malformed, or when TotalAmt, TotalTax or a TaxLine disagrees with the lines.
    """
    with model_errors():
        record = Record.parse(invoice, "Invoice")
        lines = _lines(record, tax_codes)
        return Invoice(
            source=InvoiceSource(
                provider="quickbooks", account_id=realm_id, invoice_id=record.ident("Id")
            ),
            number=record.optional_text("DocNumber"),
            issued_on=record.date("TxnDate"),
            due_on=record.optional_date("DueDate"),
            currency=_currency(record, home_currency),
            status=_status(record),
            buyer=_buyer(record, customer),
            lines=tuple(lines),
            totals=checked_totals(
                lines,
                lines_at=record.at("Line"),
                net=None,
                tax=_total_tax(record),
                gross=Stated.read(record, "TotalAmt"),
            ),
        )


def _lines(record: Record, tax_codes: Mapping[str, Mapping[str, object]]) -> list[InvoiceLine]:
    flat = list(_flattened(record.records("Line")))
    sales = [_sales_line(line, tax_codes) for line in flat if line.text("DetailType") == _SALES]
    subtotal = sum((sale.amount for sale in sales), Decimal(0))
    groups = _tax_groups(record, sales)
    prices = price_lines(
        [sale.amount for sale in sales],
        [sale.unit_price for sale in sales],
        discounts=[
            _discount(line, subtotal) for line in flat if line.text("DetailType") == _DISCOUNT
        ],
        groups=groups,
        inclusive=record.optional_text("GlobalTaxCalculation") == "TaxInclusive",
        tax_after_discount=record.flag("ApplyTaxAfterDiscount", default=True),
    )
    return [
        InvoiceLine(
            description=sale.description,
            item_code=sale.item_code,
            quantity=sale.quantity,
            unit_price=price.unit_price,
            net=price.net,
            tax_rate=sum((group.percents[index] for group in groups), Decimal(0))
            if sale.rate_ids
            else None,
            tax=price.tax,
        )
        for index, (sale, price) in enumerate(zip(sales, prices, strict=True))
    ]


def _flattened(lines: list[Record]) -> Iterator[Record]:
    for line in lines:
        kind = line.text("DetailType")
        if kind == _GROUP:
            yield from _flattened(line.record(_GROUP).records("Line"))
        elif kind in {_SALES, _DISCOUNT}:
            yield line
        elif kind not in _WITHOUT_AMOUNTS:
            raise InvoiceError(line.at("DetailType"), f"is {kind!r}, not a known line type")


def _sales_line(line: Record, tax_codes: Mapping[str, Mapping[str, object]]) -> _SalesLine:
    detail = line.record(_SALES)
    amount = line.amount("Amount")
    item = detail.optional_record("ItemRef")
    item_name = item.optional_text("name") if item else None
    quantity = detail.optional_amount("Qty")
    unit_price = detail.optional_amount("UnitPrice")
    if quantity is not None and unit_price is None:
        raise InvoiceError(detail.at("UnitPrice"), "is missing while Qty is given")
    code_ref = detail.optional_record("TaxCodeRef")
    return _SalesLine(
        description=line.optional_text("Description") or item_name or "",
        item_code=item.optional_ident("value") if item else None,
        quantity=Decimal(1) if quantity is None else quantity,
        unit_price=amount if unit_price is None else unit_price,
        amount=amount,
        rate_ids=_rate_ids(code_ref, tax_codes) if code_ref else (),
        code_at=detail.at("TaxCodeRef.value"),
    )


def _rate_ids(code_ref: Record, tax_codes: Mapping[str, Mapping[str, object]]) -> tuple[str, ...]:
    code = code_ref.optional_ident("value")
    if code is None or code == _NON_TAXABLE:
        return ()
    if code not in tax_codes:
        raise InvoiceError(code_ref.at("value"), f"names tax code {code}, which was not read")
    rate_list = Record.parse(tax_codes[code], f"tax_codes[{code!r}]").optional_record(
        "SalesTaxRateList"
    )
    details = rate_list.optional_records("TaxRateDetail") if rate_list else []
    return tuple(detail.record("TaxRateRef").ident("value") for detail in details)


def _discount(line: Record, subtotal: Decimal) -> Stated:
    if line.present("Amount"):
        return Stated.read(line, "Amount")
    detail = line.record(_DISCOUNT)
    if not detail.flag("PercentBased", default=False):
        raise InvoiceError(line.at("Amount"), "is missing")
    percent = detail.percent("DiscountPercent")
    return Stated(detail.at("DiscountPercent"), round_cents(subtotal * percent / 100))


def _tax_groups(record: Record, sales: list[_SalesLine]) -> list[TaxGroup]:
    detail = record.optional_record("TxnTaxDetail")
    groups: dict[str, TaxGroup] = {}
    for tax_line in detail.optional_records("TaxLine") if detail else []:
        rate = tax_line.record("TaxLineDetail")
        rate_id = rate.record("TaxRateRef").ident("value")
        if rate_id in groups:
            raise InvoiceError(rate.at("TaxRateRef.value"), f"repeats tax rate {rate_id}")
        percent = rate.percent("TaxPercent")
        amount = Stated.read(tax_line, "Amount")
        percents = tuple(percent if rate_id in sale.rate_ids else Decimal(0) for sale in sales)
        groups[rate_id] = TaxGroup(field=amount.field, total=amount.value, percents=percents)
    for sale in sales:
        for rate_id in sale.rate_ids:
            if rate_id not in groups:
                raise InvoiceError(
                    sale.code_at, f"applies tax rate {rate_id}, which no TaxLine has"
                )
    return list(groups.values())


def _total_tax(record: Record) -> Stated:
    detail = record.optional_record("TxnTaxDetail")
    if detail is None:
        return Stated(record.at("TxnTaxDetail"), Decimal(0))
    return Stated.read(detail, "TotalTax")


def _currency(record: Record, home_currency: str | None) -> str:
    ref = record.optional_record("CurrencyRef")
    if ref is not None:
        return ref.currency("value")
    if home_currency is None:
        raise InvoiceError(record.at("CurrencyRef"), "is missing and no home currency was given")
    return currency_code(home_currency, field="home_currency")


def _status(record: Record) -> InvoiceStatus:
    total = record.amount("TotalAmt")
    balance = record.amount("Balance")
    # Both marks together: a zero invoice alone may be a real one, a note alone is text.
    if total == 0 and (record.optional_text("PrivateNote") or "").startswith("Voided"):
        return InvoiceStatus.VOIDED
    if total > 0 and balance == 0:
        return InvoiceStatus.PAID
    return InvoiceStatus.ISSUED


def _buyer(record: Record, customer: Mapping[str, object] | None) -> Buyer:
    ref = record.record("CustomerRef")
    details = Record.parse(customer, "Customer") if customer is not None else None
    name = ref.optional_text("name") or (details.optional_text("DisplayName") if details else None)
    if name is None:
        raise InvoiceError(ref.at("name"), "is missing")
    return Buyer(
        name=name,
        tin=tin_or_none(details.raw("PrimaryTaxIdentifier")) if details else None,
        email=_address(details, "PrimaryEmailAddr") or _address(record, "BillEmail"),
        reference=ref.ident("value"),
    )


def _address(record: Record | None, key: str) -> str | None:
    email = record.optional_record(key) if record else None
    return email.optional_text("Address") if email else None
