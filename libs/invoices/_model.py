from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator

# Decimal in, JSON string out: `model_dump(mode="json")` never turns money into a float.
Amount = Annotated[Decimal, PlainSerializer(str, return_type=str)]
ProviderName = Literal["quickbooks", "xero", "zoho"]

_CENT = Decimal("0.01")


class InvoiceError(ValueError):
    """An ERP record cannot be mapped to an `Invoice`; `field` names the offending field."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


def money(value: object, *, field: str) -> Decimal:
    """`value` (a JSON number or numeric string) as a Decimal, exactly as written.

    A JSON float like 148062.76 is taken through its shortest text form, so it becomes
    Decimal("148062.76"), not the binary float's expansion. Raises `InvoiceError`
    for booleans, blanks, NaN, infinities and anything not numeric.
    """
    if isinstance(value, bool) or value is None:
        raise InvoiceError(field, "is not a number")
    try:
        parsed = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        raise InvoiceError(field, "is not a number") from None
    if not parsed.is_finite():
        raise InvoiceError(field, "is not a finite number")
    return parsed


def round_cents(value: Decimal) -> Decimal:
    """`value` rounded half-up to whole cents (2.675 -> 2.68, -2.675 -> -2.68)."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    PAID = "paid"
    VOIDED = "voided"


class InvoiceSource(_Frozen):
    """Where the invoice lives: the ERP, the tenant's account in it, and the ERP's id."""

    provider: ProviderName
    account_id: str = Field(min_length=1, max_length=200)
    invoice_id: str = Field(min_length=1, max_length=200)


class Buyer(_Frozen):
    name: str = Field(min_length=1, max_length=500)
    tin: str | None = Field(default=None, pattern=r"^\d{10}$")
    email: str | None = Field(default=None, max_length=320)
    reference: str | None = Field(default=None, max_length=200, description="the ERP's customer id")


class InvoiceLine(_Frozen):
    description: str = Field(max_length=2000)
    item_code: str | None = Field(default=None, max_length=200)
    quantity: Amount
    unit_price: Amount
    net: Amount = Field(description="quantity x unit price after discounts, tax excluded")
    tax_rate: Amount | None = Field(default=None, description="percent, e.g. 18 for 18% VAT")
    tax: Amount


class InvoiceTotals(_Frozen):
    net: Amount
    tax: Amount
    gross: Amount


class Invoice(_Frozen):
    """One ERP invoice in Switchyard's terms: what the fiscalizer uploads."""

    source: InvoiceSource
    number: str | None = Field(default=None, max_length=200)
    issued_on: date
    due_on: date | None = None
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    status: InvoiceStatus
    buyer: Buyer
    lines: tuple[InvoiceLine, ...] = Field(min_length=1)
    totals: InvoiceTotals

    @model_validator(mode="after")
    def _lines_add_up(self) -> Invoice:
        # A mapping bug must fail here, not as a wrong fiscal document at URA.
        net = sum((line.net for line in self.lines), Decimal(0))
        tax = sum((line.tax for line in self.lines), Decimal(0))
        if round_cents(net) != round_cents(self.totals.net):
            raise ValueError(f"lines add up to net {net}, totals say {self.totals.net}")
        if round_cents(tax) != round_cents(self.totals.tax):
            raise ValueError(f"lines add up to tax {tax}, totals say {self.totals.tax}")
        if round_cents(self.totals.net + self.totals.tax) != round_cents(self.totals.gross):
            raise ValueError("totals: net + tax != gross")
        return self


class InvoiceVoided(_Frozen):
    """`invoice.voided` data: the ERP deleted or voided the invoice."""

    source: InvoiceSource
    reason: Literal["deleted", "voided"]
