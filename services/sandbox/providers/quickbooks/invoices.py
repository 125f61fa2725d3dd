"""QBO invoice writes computed as QuickBooks computes them (providers.md §1.8).

    Line amount       Qty * UnitPrice when Amount is absent, rounded to cents
    SubTotal line     appended: the sum of the sales lines
    Discount line     at most one DiscountLineDetail, appended after the sub-total: Amount,
                      or sub-total * DiscountPercent / 100 when PercentBased (cents)
    TxnTaxDetail      one TaxLine per rate: NetAmountTaxable * TaxPercent; TotalTax their sum.
                      ApplyTaxAfterDiscount (true unless sent false, QBO's default outside
                      the US) takes each code's share of the discount (by amount, to the
                      cent, the rounding on the largest) off its NetAmountTaxable
    TotalAmt          sub-total - discount + tax; Balance = TotalAmt (0 once voided)
    DocNumber         next number when absent; TxnDate today; DueDate TxnDate + 30 days
    CurrencyRef       the company's currency when absent

Every failure is a QBO `ProviderError` (400 ValidationFault with its code). Writes bump
`SyncToken`; an update or delete with a stale SyncToken is refused (5010).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from services.sandbox.money import cents, tax_on
from services.sandbox.money import number as money
from services.sandbox.providers.quickbooks.company import (
    Company,
    Json,
    TaxCode,
    current_version,
    first_version,
    next_version,
)
from services.sandbox.providers.quickbooks.faults import invalid
from services.sandbox.providers.quickbooks.payloads import (
    EntityRef,
    InvoiceIn,
    LineIn,
    entity_body,
    parse,
)

DEFAULT_ITEM = {"value": "1", "name": "Services"}
DISCOUNT = "DiscountLineDetail"
DISCOUNT_ACCOUNT = {"value": "86", "name": "Discounts given"}


def create_invoice(company: Company, body: object, *, now: datetime) -> Json:
    """Store a new invoice computed from `body`; the stored JSON."""
    payload = parse(InvoiceIn, entity_body(body, "Invoice"), entity="Invoice")
    record = _compute(company, payload, now=now)
    invoice_id = company.next_id("Invoice")
    company.invoices[invoice_id] = first_version(record, entity_id=invoice_id, at=now)
    return record


def update_invoice(company: Company, body: object, *, now: datetime) -> Json:
    """Full or sparse (`"sparse": true`) update of an existing invoice at its current SyncToken."""
    raw = entity_body(body, "Invoice")
    payload = parse(InvoiceIn, raw, entity="Invoice")
    existing = current(company, payload.Id, payload.SyncToken)
    if payload.sparse:
        payload = parse(InvoiceIn, {**existing, **raw}, entity="Invoice")
    record = next_version(_compute(company, payload, now=now), of=existing, at=now)
    company.invoices[existing["Id"]] = record
    return record


def delete_invoice(company: Company, body: object) -> Json:
    """Delete an invoice at its current SyncToken; QBO's `{"Id", "status": "Deleted"}` answer."""
    ref = parse(EntityRef, entity_body(body, "Invoice"), entity="Invoice")
    existing = current(company, ref.Id, ref.SyncToken)
    del company.invoices[existing["Id"]]
    return {"Id": existing["Id"], "status": "Deleted", "domain": "QBO"}


def void_invoice(company: Company, body: object, *, now: datetime) -> Json:
    """Void an invoice: amounts to zero, "Voided" note, SyncToken bumped."""
    ref = parse(EntityRef, entity_body(body, "Invoice"), entity="Invoice")
    existing = current(company, ref.Id, ref.SyncToken)
    for line in existing["Line"]:
        line["Amount"] = 0.0
    existing["TxnTaxDetail"] = {"TotalTax": 0.0, "TaxLine": []}
    existing.update(TotalAmt=0.0, Balance=0.0, PrivateNote="Voided")
    return next_version(existing, of=dict(existing), at=now)


def current(company: Company, invoice_id: str | None, sync_token: str | None) -> Json:
    """The stored invoice `invoice_id` if `sync_token` is its current one."""
    return current_version(company.invoices, "Invoice", invoice_id, sync_token)


def _compute(company: Company, payload: InvoiceIn, *, now: datetime) -> Json:
    customer = _customer(company, payload)
    sales = [line for line in payload.Line if line.DetailType == "SalesItemLineDetail"]
    if not sales:
        raise invalid("Invoice needs at least one SalesItemLineDetail line", element="Line")
    lines, taxable = [], dict[str, Decimal]()
    for number, line in enumerate(sales, start=1):
        code = _tax_code(company, line)
        amount = _amount(line, number)
        lines.append(_line(line, number, amount, code))
        taxable[code.id] = taxable.get(code.id, Decimal(0)) + amount
    subtotal = sum(taxable.values(), Decimal(0))
    discount_line, discount = _discount(payload, subtotal)
    after_discount = payload.ApplyTaxAfterDiscount is not False
    if after_discount:
        taxable = _less_discount(taxable, discount)
    tax_lines = [
        _tax_line(company.tax_codes[code], net)
        for code, net in taxable.items()
        if company.tax_codes[code].rate_id is not None
    ]
    total_tax = sum((Decimal(str(line["Amount"])) for line in tax_lines), Decimal(0))
    total = subtotal - discount + total_tax
    txn_date = payload.TxnDate or now.date()
    record: Json = {
        "domain": "QBO",
        "sparse": False,
        "DocNumber": payload.DocNumber or company.next_doc_number(),
        "TxnDate": txn_date.isoformat(),
        "DueDate": (payload.DueDate or txn_date + timedelta(days=30)).isoformat(),
        "CurrencyRef": _currency(company, payload),
        "CustomerRef": {"value": customer["Id"], "name": customer["DisplayName"]},
        "Line": [*lines, _subtotal_line(subtotal), *discount_line],
        "TxnTaxDetail": {"TotalTax": money(total_tax), "TaxLine": tax_lines},
        "ApplyTaxAfterDiscount": after_discount,
        "TotalAmt": money(total),
        "Balance": money(total),
        "GlobalTaxCalculation": "TaxExcluded",
        "EmailStatus": "NotSet",
        "PrintStatus": "NeedToPrint",
        "LinkedTxn": [],
    }
    email = payload.BillEmail or _customer_email(customer)
    if email is not None:
        record["BillEmail"] = email if isinstance(email, dict) else email.model_dump()
    if payload.PrivateNote is not None:
        record["PrivateNote"] = payload.PrivateNote
    if payload.CustomerMemo is not None:
        record["CustomerMemo"] = payload.CustomerMemo.model_dump(exclude_none=True)
    return record


def _customer(company: Company, payload: InvoiceIn) -> Json:
    if payload.CustomerRef is None:
        raise invalid("CustomerRef is required", element="CustomerRef")
    customer = company.customers.get(payload.CustomerRef.value)
    if customer is None:
        detail = f"Invalid Reference Id : Customer {payload.CustomerRef.value} does not exist"
        raise invalid(detail, code="2500", element="CustomerRef")
    return customer


def _customer_email(customer: Json) -> dict[str, Any] | None:
    address = (customer.get("PrimaryEmailAddr") or {}).get("Address")
    return {"Address": address} if address else None


def _tax_code(company: Company, line: LineIn) -> TaxCode:
    detail = line.SalesItemLineDetail
    code_id = detail.TaxCodeRef.value if detail is not None and detail.TaxCodeRef else "NON"
    code = company.tax_codes.get(code_id)
    if code is None:
        raise invalid(
            f"Invalid Reference Id : TaxCode {code_id}", code="2500", element="TaxCodeRef"
        )
    return code


def _amount(line: LineIn, number: int) -> Decimal:
    detail = line.SalesItemLineDetail
    if line.Amount is not None:
        return cents(line.Amount)
    if detail is not None and detail.Qty is not None and detail.UnitPrice is not None:
        return cents(detail.Qty * detail.UnitPrice)
    raise invalid(f"Line {number} needs Amount or Qty and UnitPrice", element="Line.Amount")


def _line(line: LineIn, number: int, amount: Decimal, code: TaxCode) -> Json:
    detail = line.SalesItemLineDetail
    out_detail: Json = {
        "ItemRef": detail.ItemRef.model_dump(exclude_none=True)
        if detail is not None and detail.ItemRef
        else dict(DEFAULT_ITEM),
        "TaxCodeRef": {"value": code.id},
    }
    if detail is not None and detail.Qty is not None:
        out_detail["Qty"] = float(detail.Qty)
    if detail is not None and detail.UnitPrice is not None:
        out_detail["UnitPrice"] = float(detail.UnitPrice)
    out: Json = {
        "Id": str(number),
        "LineNum": number,
        "Amount": money(amount),
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": out_detail,
    }
    if line.Description is not None:
        out["Description"] = line.Description
    return out


def _discount(payload: InvoiceIn, subtotal: Decimal) -> tuple[list[Json], Decimal]:
    """The invoice's discount line as QBO stores it (none or one) and its amount."""
    given = [line for line in payload.Line if line.DetailType == DISCOUNT]
    if not given:
        return [], Decimal(0)
    if len(given) > 1:
        raise invalid("Invoice takes one DiscountLineDetail line", element="Line")
    line = given[0]
    detail = line.DiscountLineDetail
    percent = detail.DiscountPercent if detail is not None and detail.PercentBased else None
    if percent is not None:
        amount = cents(subtotal * percent / 100)
    elif line.Amount is not None:
        amount = cents(line.Amount)
    else:
        raise invalid("The discount line needs Amount or DiscountPercent", element="Line.Amount")
    if not 0 <= amount <= subtotal:
        raise invalid("The discount cannot exceed the sub-total", element="Line.Amount")
    account = detail.DiscountAccountRef if detail is not None else None
    out_detail: Json = {
        "PercentBased": percent is not None,
        "DiscountAccountRef": account.model_dump(exclude_none=True)
        if account
        else dict(DISCOUNT_ACCOUNT),
    }
    if percent is not None:
        out_detail["DiscountPercent"] = float(percent)
    return [{"Amount": money(amount), "DetailType": DISCOUNT, DISCOUNT: out_detail}], amount


def _less_discount(taxable: dict[str, Decimal], discount: Decimal) -> dict[str, Decimal]:
    """Each tax code's amount less its share of `discount`, by amount, adding up to the cent."""
    subtotal = sum(taxable.values(), Decimal(0))
    if not discount or not subtotal:
        return dict(taxable)
    shares = {code: cents(discount * amount / subtotal) for code, amount in taxable.items()}
    largest = max(taxable, key=lambda code: taxable[code])
    shares[largest] += discount - sum(shares.values(), Decimal(0))
    return {code: amount - shares[code] for code, amount in taxable.items()}


def _subtotal_line(subtotal: Decimal) -> Json:
    return {
        "Amount": money(subtotal),
        "DetailType": "SubTotalLineDetail",
        "SubTotalLineDetail": {},
    }


def _tax_line(code: TaxCode, net: Decimal) -> Json:
    return {
        "Amount": money(tax_on(net, code.percent)),
        "DetailType": "TaxLineDetail",
        "TaxLineDetail": {
            "TaxRateRef": {"value": code.rate_id},
            "PercentBased": True,
            "TaxPercent": float(code.percent),
            "NetAmountTaxable": money(net),
        },
    }


def _currency(company: Company, payload: InvoiceIn) -> Json:
    if payload.CurrencyRef is not None:
        return {"value": payload.CurrencyRef.value, "name": payload.CurrencyRef.name or ""}
    return {"value": company.currency, "name": company.currency}
