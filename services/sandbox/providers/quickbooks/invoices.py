"""QBO invoice writes computed as QuickBooks computes them (providers.md §1.8).

    Line amount       Qty * UnitPrice when Amount is absent, rounded to cents
    SubTotal line     appended: the sum of the sales lines
    TxnTaxDetail      one TaxLine per rate: NetAmountTaxable * TaxPercent; TotalTax their sum
    TotalAmt          sub-total + tax; Balance = TotalAmt (0 once voided)
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
    tax_lines = [
        _tax_line(company.tax_codes[code], net)
        for code, net in taxable.items()
        if company.tax_codes[code].rate_id is not None
    ]
    total_tax = sum((Decimal(str(line["Amount"])) for line in tax_lines), Decimal(0))
    total = subtotal + total_tax
    txn_date = payload.TxnDate or now.date()
    record: Json = {
        "domain": "QBO",
        "sparse": False,
        "DocNumber": payload.DocNumber or company.next_doc_number(),
        "TxnDate": txn_date.isoformat(),
        "DueDate": (payload.DueDate or txn_date + timedelta(days=30)).isoformat(),
        "CurrencyRef": _currency(company, payload),
        "CustomerRef": {"value": customer["Id"], "name": customer["DisplayName"]},
        "Line": [*lines, _subtotal_line(subtotal)],
        "TxnTaxDetail": {"TotalTax": money(total_tax), "TaxLine": tax_lines},
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
