"""A Xero sales invoice (providers.md §2.8) as the canonical `Invoice`.

    {"Invoices": [{Type ("ACCREC"), InvoiceID, InvoiceNumber, Status, CurrencyCode,
                   Date | DateString, DueDate | DueDateString,
                   Contact{ContactID, Name, EmailAddress, TaxNumber},
                   LineAmountTypes (Exclusive | Inclusive | NoTax),
                   LineItems[{Description, ItemCode, Quantity, UnitAmount, LineAmount, TaxAmount,
                              TaxType}],
                   SubTotal, TotalTax, Total}]}

Dates are MS-JSON, "/Date(1551916800000+0000)/" (milliseconds since the epoch, UTC, and
the organisation's offset), or ISO. Xero states each line's tax (TaxAmount); a line's
DiscountRate or DiscountAmount is already in its LineAmount. Inclusive line amounts
include the tax: net = LineAmount - TaxAmount. A line's rate is implied:
TaxAmount / net x 100 to 2 places (None for a zero net). A line of Xero's exempt-sales tax
type (EXEMPTOUTPUT, "Exempt Income") is exempt: no rate, and it must carry no tax; every
other 0 % line (NONE, a custom zero rate) is zero-rated.

Status: DRAFT, SUBMITTED -> draft; AUTHORISED -> issued; PAID -> paid; VOIDED, DELETED ->
voided; anything else is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from libs.invoices import Buyer, Invoice, InvoiceError, InvoiceLine, InvoiceSource, InvoiceStatus
from services.erp_sync.mapping._assembly import checked_totals, model_errors
from services.erp_sync.mapping._pricing import price_without_tax, round_places
from services.erp_sync.mapping._record import Record, Stated, iso_date
from services.erp_sync.mapping._tin import tin_or_none

_STATUSES = {
    "DRAFT": InvoiceStatus.DRAFT,
    "SUBMITTED": InvoiceStatus.DRAFT,
    "AUTHORISED": InvoiceStatus.ISSUED,
    "PAID": InvoiceStatus.PAID,
    "VOIDED": InvoiceStatus.VOIDED,
    "DELETED": InvoiceStatus.VOIDED,
}
_LINE_AMOUNT_TYPES = {mode: mode for mode in ("Exclusive", "Inclusive", "NoTax")}
_MS_JSON_DATE = re.compile(r"/Date\((-?\d{1,13})(?:([+-])(\d{2})(\d{2}))?\)/")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_RATE_PLACES = -2
_EXEMPT_TAX_TYPES = frozenset({"EXEMPTOUTPUT"})


def from_xero(envelope: Mapping[str, object], *, tenant_id: str) -> Invoice:
    """The one ACCREC invoice in a GET /Invoices/{id} response as the canonical `Invoice`.

    Pure. Raises `InvoiceError` naming the field (e.g. `Invoices[0].LineItems[2].UnitAmount`)
    when a required field is missing or malformed, when the envelope does not hold exactly
    one invoice, when it is a bill (ACCPAY: only sales are fiscalized), or when SubTotal,
    TotalTax or Total disagrees with the lines by more than a cent.
    """
    with model_errors():
        invoices = Record.parse(envelope, "").records("Invoices")
        if len(invoices) != 1:
            raise InvoiceError("Invoices", f"holds {len(invoices)} invoices, not one")
        record = invoices[0]
        kind = record.text("Type")
        if kind != "ACCREC":
            raise InvoiceError(
                record.at("Type"), f"is {kind}: only sales invoices (ACCREC) are fiscalized"
            )
        lines = _lines(record)
        return Invoice(
            source=InvoiceSource(
                provider="xero", account_id=tenant_id, invoice_id=record.ident("InvoiceID")
            ),
            number=record.optional_text("InvoiceNumber"),
            issued_on=_required_date(record, "Date", "DateString"),
            due_on=_date(record, "DueDate", "DueDateString"),
            currency=record.currency("CurrencyCode"),
            status=record.one_of("Status", _STATUSES),
            buyer=_buyer(record.record("Contact")),
            lines=tuple(lines),
            totals=checked_totals(
                lines,
                lines_at=record.at("LineItems"),
                net=Stated.read(record, "SubTotal"),
                tax=Stated.read(record, "TotalTax"),
                gross=Stated.read(record, "Total"),
            ),
        )


def _lines(record: Record) -> list[InvoiceLine]:
    mode = record.one_of("LineAmountTypes", _LINE_AMOUNT_TYPES)
    return [_line(item, mode=mode) for item in record.records("LineItems")]


def _line(item: Record, *, mode: str) -> InvoiceLine:
    amount = item.amount("LineAmount")
    tax = _line_tax(item, mode=mode, amount=amount)
    net = amount - tax if mode == "Inclusive" else amount
    unit_amount = item.amount("UnitAmount")
    return InvoiceLine(
        description=item.optional_text("Description") or "",
        item_code=item.optional_text("ItemCode"),
        quantity=item.amount("Quantity"),
        unit_price=price_without_tax(unit_amount, net=net, gross=amount)
        if mode == "Inclusive"
        else unit_amount,
        net=net,
        tax_rate=_tax_rate(item, net=net, tax=tax),
        tax=tax,
    )


def _tax_rate(item: Record, *, net: Decimal, tax: Decimal) -> Decimal | None:
    """The line's implied rate in percent; None (exempt) for an exempt tax type or a zero net."""
    if item.optional_text("TaxType") in _EXEMPT_TAX_TYPES:
        if tax != 0:
            raise InvoiceError(item.at("TaxAmount"), f"is {tax} on an exempt line")
        return None
    return None if net == 0 else round_places(tax / net * 100, _RATE_PLACES)


def _line_tax(item: Record, *, mode: str, amount: Decimal) -> Decimal:
    if mode == "NoTax":
        return Decimal(0)
    tax = item.amount("TaxAmount")
    # Tax runs with its line (a credit's is negative too) and, when included, is part of it.
    if tax * amount < 0 or (mode == "Inclusive" and abs(tax) > abs(amount)):
        raise InvoiceError(item.at("TaxAmount"), f"is {tax} on a LineAmount of {amount}")
    return tax


def _buyer(contact: Record) -> Buyer:
    return Buyer(
        name=contact.text("Name"),
        tin=tin_or_none(contact.raw("TaxNumber")),
        email=contact.optional_text("EmailAddress"),
        reference=contact.optional_ident("ContactID"),
    )


def _required_date(record: Record, key: str, string_key: str) -> date:
    found = _date(record, key, string_key)
    if found is None:
        raise InvoiceError(record.at(key), "is missing")
    return found


def _date(record: Record, key: str, string_key: str) -> date | None:
    """`key` as MS-JSON or ISO; else `string_key` as ISO; else None."""
    if record.present(key):
        return _ms_json_or_iso_date(record.required(key), field=record.at(key))
    return record.optional_date(string_key)


def _ms_json_or_iso_date(value: object, *, field: str) -> date:
    match = _MS_JSON_DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        return iso_date(value, field=field)
    milliseconds, sign, hours, minutes = match.groups()
    offset = timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
    # The milliseconds are UTC; the date is the organisation's, at its offset.
    moment = (
        _EPOCH + timedelta(milliseconds=int(milliseconds)) + (-offset if sign == "-" else offset)
    )
    return moment.date()
