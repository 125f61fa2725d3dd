"""Xero invoices computed as Xero computes them (providers.md §2.8).

    LineAmount = Quantity * UnitAmount * (1 - DiscountRate / 100), or less DiscountAmount
    Exclusive  TaxAmount = LineAmount * rate
    Inclusive  LineAmount has the tax inside; TaxAmount = the tax within it
    NoTax      TaxAmount 0, TaxType NONE
    SubTotal = Σ LineAmount (less tax when Inclusive); TotalTax = Σ TaxAmount;
    Total = SubTotal + TotalTax; AmountDue = Total

`Contact` names an existing ContactID, or a Name (found, or created as Xero does). Problems
raise `XeroInvalid` carrying the validation messages Xero would list.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from services.sandbox.money import cents, number, tax_on, tax_within
from services.sandbox.providers.xero.organisation import Json, Organisation, ms_json

MS_DATE = re.compile(r"^/Date\((?P<ms>-?\d+)(?:[+-]\d{4})?\)/$")


def _ms_json_date(value: object) -> object:
    """Xero clients may send dates as `/Date(1551916800000+0000)/` (xero-python does)."""
    found = MS_DATE.match(value) if isinstance(value, str) else None
    if found is None:
        return value
    return datetime.fromtimestamp(int(found["ms"]) / 1000, UTC).date()


XeroDate = Annotated[date | None, BeforeValidator(_ms_json_date)]


class XeroInvalid(Exception):
    """Xero's ValidationException: `messages` say what is wrong."""

    def __init__(self, *messages: str) -> None:
        super().__init__("; ".join(messages))
        self.messages = list(messages)


class ContactIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    ContactID: str | None = None
    Name: str | None = Field(default=None, min_length=1, max_length=255)
    EmailAddress: str | None = None
    TaxNumber: str | None = None


class LineItemIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    Description: str | None = None
    Quantity: Decimal = Decimal(1)
    UnitAmount: Decimal = Decimal(0)
    TaxType: str | None = None
    AccountCode: str | None = "200"
    ItemCode: str | None = None
    DiscountRate: Decimal | None = Field(default=None, ge=0, le=100)
    DiscountAmount: Decimal | None = Field(default=None, ge=0)


class InvoiceIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    Type: Literal["ACCREC", "ACCPAY"] = "ACCREC"
    Contact: ContactIn
    LineItems: list[LineItemIn] = Field(min_length=1)
    LineAmountTypes: Literal["Exclusive", "Inclusive", "NoTax"] = "Exclusive"
    CurrencyCode: str | None = None
    Date: XeroDate = None
    DueDate: XeroDate = None
    Status: Literal["DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED"] = "DRAFT"
    Reference: str | None = None
    InvoiceNumber: str | None = None


def parse_invoice(value: object) -> InvoiceIn:
    """`value` as an `InvoiceIn`; `XeroInvalid` listing what does not validate."""
    try:
        return InvoiceIn.model_validate(value)
    except ValidationError as exc:
        raise XeroInvalid(
            *(
                f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
                for error in exc.errors(include_url=False, include_input=False)
            )
        ) from None


def create_invoice(organisation: Organisation, payload: InvoiceIn, *, at: datetime) -> Json:
    """Store a new invoice computed from `payload`; the stored JSON."""
    record = _compute(organisation, payload, at=at, invoice_id=str(uuid.uuid4()))
    organisation.invoices[record["InvoiceID"]] = record
    return record


def update_invoice(
    organisation: Organisation, invoice_id: str, changes: Json, *, at: datetime
) -> Json:
    """Apply `changes` (Xero invoice fields) to a stored invoice and recompute it."""
    existing = organisation.invoices[invoice_id]
    payload = parse_invoice({**_as_input(existing), **changes})
    record = _compute(organisation, payload, at=at, invoice_id=invoice_id)
    organisation.invoices[invoice_id] = record
    return record


def _as_input(record: Json) -> Json:
    return {
        "Type": record["Type"],
        "Contact": {"ContactID": record["Contact"]["ContactID"]},
        "LineItems": record["LineItems"],
        "LineAmountTypes": record["LineAmountTypes"],
        "CurrencyCode": record["CurrencyCode"],
        "Date": record["DateString"][:10],
        "DueDate": record["DueDateString"][:10],
        "Status": record["Status"],
        "Reference": record.get("Reference"),
        "InvoiceNumber": record["InvoiceNumber"],
    }


def _compute(
    organisation: Organisation, payload: InvoiceIn, *, at: datetime, invoice_id: str
) -> Json:
    contact = _contact(organisation, payload.Contact, at=at)
    lines, sub_total, total_tax = [], Decimal(0), Decimal(0)
    for item in payload.LineItems:
        line, net, tax = _line(organisation, item, payload.LineAmountTypes)
        lines.append(line)
        sub_total, total_tax = sub_total + net, total_tax + tax
    issued = payload.Date or at.date()
    due = payload.DueDate or issued + timedelta(days=30)
    total = sub_total + total_tax
    record: Json = {
        "Type": payload.Type,
        "InvoiceID": invoice_id,
        "InvoiceNumber": payload.InvoiceNumber or organisation.next_invoice_number(),
        "Contact": contact,
        "DateString": f"{issued.isoformat()}T00:00:00",
        "Date": ms_json(issued),
        "DueDateString": f"{due.isoformat()}T00:00:00",
        "DueDate": ms_json(due),
        "Status": payload.Status,
        "LineAmountTypes": payload.LineAmountTypes,
        "LineItems": lines,
        "SubTotal": number(sub_total),
        "TotalTax": number(total_tax),
        "Total": number(total),
        "AmountDue": number(total),
        "AmountPaid": 0.0,
        "AmountCredited": 0.0,
        "CurrencyCode": payload.CurrencyCode or organisation.currency,
        "CurrencyRate": 1.0,
        "UpdatedDateUTC": ms_json(at),
        "HasAttachments": False,
    }
    if payload.Reference is not None:
        record["Reference"] = payload.Reference
    return record


def _contact(organisation: Organisation, given: ContactIn, *, at: datetime) -> Json:
    if given.ContactID is not None:
        found = organisation.contacts.get(given.ContactID)
        if found is None:
            raise XeroInvalid(f"Contact {given.ContactID} does not exist")
        return dict(found)
    if given.Name is None:
        raise XeroInvalid("A Contact must be specified with a ContactID or a Name")
    found = organisation.contact_named(given.Name)
    if found is None:
        found = organisation.add_contact(
            name=given.Name, at=at, email=given.EmailAddress, tax_number=given.TaxNumber
        )
    return dict(found)


def _line(
    organisation: Organisation, item: LineItemIn, amounts: str
) -> tuple[Json, Decimal, Decimal]:
    tax_type = "NONE" if amounts == "NoTax" else item.TaxType or "OUTPUT"
    rate = organisation.tax_types.get(tax_type)
    if rate is None:
        raise XeroInvalid(f"TaxType {tax_type[:40]} is not valid for this organisation")
    line_amount = _line_amount(item)
    if amounts == "Inclusive":
        tax = tax_within(line_amount, rate)
        net = line_amount - tax
    else:
        tax = tax_on(line_amount, rate)
        net = line_amount
    line: Json = {
        "LineItemID": str(uuid.uuid4()),
        "Description": item.Description or "",
        "Quantity": float(item.Quantity),
        "UnitAmount": float(item.UnitAmount),
        "TaxType": tax_type,
        "TaxAmount": number(tax),
        "LineAmount": number(line_amount),
        "AccountCode": item.AccountCode,
    }
    if item.ItemCode:
        line["ItemCode"] = item.ItemCode
    if item.DiscountRate is not None:
        line["DiscountRate"] = float(item.DiscountRate)
    if item.DiscountAmount is not None:
        line["DiscountAmount"] = number(item.DiscountAmount)
    return line, net, tax


def _line_amount(item: LineItemIn) -> Decimal:
    """Quantity x UnitAmount less the line's discount, in cents: what Xero stores as LineAmount."""
    listed = item.Quantity * item.UnitAmount
    if item.DiscountRate is not None and item.DiscountAmount is not None:
        raise XeroInvalid("A line item can have a DiscountRate or a DiscountAmount, not both")
    if item.DiscountRate is not None:
        return cents(listed * (100 - item.DiscountRate) / 100)
    if item.DiscountAmount is not None:
        if item.DiscountAmount > abs(listed):
            raise XeroInvalid("The DiscountAmount cannot exceed the line's Quantity x UnitAmount")
        return cents(listed - item.DiscountAmount)
    return cents(listed)
