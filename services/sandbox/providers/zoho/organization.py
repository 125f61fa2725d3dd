"""Simulated Zoho Books organizations and their invoices (providers.md §3.6).

Ids are 18-digit strings, as Zoho's live JSON has them. Invoices are computed as Books does:

    item_total = rate * quantity - the line's discount ("12.5%" of it, or an amount)
    sub_total = Σ item_total
    discount_total = the entity-level discount ("5%" of sub_total, or an amount), shared by
                     the lines in proportion to their item_total (item_level: Σ line discounts)
    tax per tax = Σ its lines' item_total (less their share when is_discount_before_tax)
                  * tax_percentage;  tax_total = Σ taxes
    total = balance = sub_total - entity-level discount_total + tax_total
    taxes = [{"tax_name", "tax_amount"}] per tax;  is_inclusive_tax false

A line's own discount and an entity-level one are exclusive, as in Books: discount_type is
"entity_level" with an invoice `discount`, else "item_level". A tax percentage names the
organization's tax with that rate (created on first use: "VAT" for 18 %, "Tax <n>%"
otherwise); 0 is untaxed (zero-rated); a line without tax_percentage (exempt) has none in
its JSON either. Times are `2026-05-01T09:30:00+0000`;
an update always moves `last_modified_time` past `created_time` (how ingress tells an update).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.sandbox.money import cents, number, tax_on

Json = dict[str, Any]
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


class Discount(BaseModel):
    """A Zoho discount as written: a percentage ("12.5%") or an amount (190)."""

    model_config = ConfigDict(frozen=True)

    percent: Decimal | None = Field(default=None, ge=0, le=100)
    amount: Decimal | None = Field(default=None, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _written(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().endswith("%"):
            return {"percent": value.strip()[:-1]}
        if isinstance(value, str | int | float | Decimal):
            return {"amount": value}
        return value

    def of(self, amount: Decimal) -> Decimal:
        """The discount on `amount`, in cents; ValueError when it exceeds `amount`."""
        share = amount * self.percent / 100 if self.percent is not None else self.amount
        taken = cents(share or Decimal(0))
        if taken > amount:
            raise ValueError(f"a discount of {taken} exceeds the amount of {amount}")
        return taken

    def given(self) -> bool:
        """Whether the discount takes anything off (Books writes back 0 for none)."""
        return bool(self.percent or self.amount)

    def as_json(self) -> object:
        """The discount as Books writes it back."""
        if self.percent is not None:
            return f"{self.percent:.2f}%"
        return number(self.amount or Decimal(0))


class LineItemIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    rate: Decimal = Field(ge=0)
    quantity: Decimal = Field(default=Decimal(1), gt=0)
    tax_percentage: Decimal | None = Field(default=None, ge=0, le=100)
    discount: Discount | None = None


class InvoiceIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    customer_name: str | None = Field(default=None, min_length=1, max_length=200)
    customer_id: str | None = None
    line_items: list[LineItemIn] = Field(min_length=1)
    date: dt.date | None = None
    due_date: dt.date | None = None
    currency_code: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    status: Literal["draft", "sent", "overdue", "paid", "void", "partially_paid"] = "sent"
    reference_number: str | None = None
    invoice_number: str | None = None
    discount: Discount | None = None
    is_discount_before_tax: bool = True


@dataclass
class Organization:
    """One Zoho Books organization."""

    organization_id: str
    name: str
    currency_code: str
    customers: dict[str, str] = field(default_factory=dict)  # customer_id → name
    invoices: dict[str, Json] = field(default_factory=dict)
    taxes: dict[Decimal, tuple[str, str]] = field(default_factory=dict)  # rate → (id, name)
    _counter: int = 0

    def next_id(self) -> str:
        """A fresh 18-digit id."""
        self._counter += 1
        return f"4600000{self._counter:011d}"

    def customer(self, *, customer_id: str | None, name: str | None) -> tuple[str, str]:
        """(id, name) of the named or given customer; a new customer for an unknown name."""
        if customer_id is not None:
            if customer_id not in self.customers:
                raise ValueError(f"customer {customer_id} does not exist")
            return customer_id, self.customers[customer_id]
        if name is None:
            raise ValueError("customer_name or customer_id is required")
        for known_id, known_name in self.customers.items():
            if known_name == name:
                return known_id, name
        new_id = self.next_id()
        self.customers[new_id] = name
        return new_id, name

    def tax(self, rate: Decimal) -> tuple[str, str]:
        """(tax_id, tax_name) of the organization's tax at `rate`."""
        if rate not in self.taxes:
            name = "VAT" if rate == 18 else f"Tax {rate.normalize()}%"
            self.taxes[rate] = (self.next_id(), name)
        return self.taxes[rate]

    def summary(self) -> Json:
        """The organization as `GET /books/v3/organizations` lists it."""
        return {
            "organization_id": self.organization_id,
            "name": self.name,
            "currency_code": self.currency_code,
            "country": "Uganda",
            "is_default_org": False,
            "account_created_date": "2026-01-01",
            "time_zone": "Africa/Kampala",
        }


def compute_invoice(
    organization: Organization, payload: InvoiceIn, *, at: datetime, previous: Json | None
) -> Json:
    """The invoice record for `payload`; `previous` is the stored one on an update."""
    customer_id, customer_name = organization.customer(
        customer_id=payload.customer_id, name=payload.customer_name
    )
    priced = [_line(organization, item) for item in payload.line_items]
    sub_total = sum((line.item_total for line in priced), Decimal(0))
    discount_type = _discount_type(payload)
    discount_total, taxes = _discounted_taxes(payload, priced, sub_total=sub_total)
    tax_total = sum(taxes.values(), Decimal(0))
    if discount_type == "item_level":
        discount_total = sum((line.discount for line in priced), Decimal(0))
        total = sub_total + tax_total
    else:
        total = sub_total - discount_total + tax_total
    issued = payload.date or at.date()
    stamp = at.strftime(TIME_FORMAT)
    created = previous["created_time"] if previous else stamp
    if previous is not None and stamp <= previous["last_modified_time"]:
        later = datetime.strptime(previous["last_modified_time"], TIME_FORMAT) + timedelta(
            seconds=1
        )
        stamp = later.strftime(TIME_FORMAT)
    invoice_id = previous["invoice_id"] if previous else organization.next_id()
    number_text = payload.invoice_number or (
        previous["invoice_number"] if previous else f"INV-{len(organization.invoices) + 1:06d}"
    )
    return {
        "invoice_id": invoice_id,
        "invoice_number": number_text,
        "date": issued.isoformat(),
        "due_date": (payload.due_date or issued + timedelta(days=15)).isoformat(),
        "status": payload.status,
        "customer_id": customer_id,
        "customer_name": customer_name,
        "currency_code": payload.currency_code or organization.currency_code,
        "is_inclusive_tax": False,
        "line_items": [line.record for line in priced],
        "sub_total": number(sub_total),
        "discount": payload.discount.as_json() if payload.discount is not None else 0.0,
        "discount_type": discount_type,
        "is_discount_before_tax": payload.is_discount_before_tax,
        "discount_total": number(discount_total),
        "tax_total": number(tax_total),
        "total": number(total),
        "balance": number(total),
        "taxes": [
            {"tax_name": name, "tax_amount": number(amount)} for name, amount in taxes.items()
        ],
        "reference_number": payload.reference_number or "",
        "created_time": created,
        "last_modified_time": stamp,
    }


@dataclass(frozen=True)
class _PricedLine:
    record: Json
    item_total: Decimal
    discount: Decimal
    tax_name: str
    tax_percentage: Decimal


def _line(organization: Organization, item: LineItemIn) -> _PricedLine:
    listed = cents(item.rate * item.quantity)
    discount = item.discount.of(listed) if item.discount is not None else Decimal(0)
    item_total = listed - discount
    percent = item.tax_percentage or Decimal(0)
    tax_id, tax_name = organization.tax(percent) if percent else ("", "")
    record: Json = {
        "line_item_id": organization.next_id(), "name": item.name,
        "description": item.description or "", "rate": float(item.rate),
        "quantity": float(item.quantity), "discount_amount": number(discount),
        "item_total": number(item_total), "tax_id": tax_id, "tax_name": tax_name,
    }  # fmt: skip
    if item.discount is not None:
        record["discount"] = item.discount.as_json()
    if item.tax_percentage is not None:
        record["tax_percentage"] = float(item.tax_percentage)
    return _PricedLine(record, item_total, discount, tax_name, percent)


def _discount_type(payload: InvoiceIn) -> str:
    """The discount_type: "entity_level" for an invoice discount, else "item_level" (not both)."""
    if payload.discount is None or not payload.discount.given():
        return "item_level"
    if any(item.discount is not None and item.discount.given() for item in payload.line_items):
        raise ValueError("an invoice has line discounts or an entity-level discount, not both")
    return "entity_level"


def _discounted_taxes(
    payload: InvoiceIn, lines: list[_PricedLine], *, sub_total: Decimal
) -> tuple[Decimal, dict[str, Decimal]]:
    """The entity-level discount and each tax's amount, taxed after the discount if so set."""
    entity = payload.discount if _discount_type(payload) == "entity_level" else None
    discount = entity.of(sub_total) if entity is not None else Decimal(0)
    shares = _shares(discount, [line.item_total for line in lines], sub_total=sub_total)
    taxable: dict[str, tuple[Decimal, Decimal]] = {}
    for line, share in zip(lines, shares, strict=True):
        if line.tax_name:
            base = line.item_total - (share if payload.is_discount_before_tax else 0)
            so_far = taxable.get(line.tax_name, (Decimal(0), line.tax_percentage))[0]
            taxable[line.tax_name] = (so_far + base, line.tax_percentage)
    return discount, {name: tax_on(base, rate) for name, (base, rate) in taxable.items()}


def _shares(discount: Decimal, amounts: list[Decimal], *, sub_total: Decimal) -> list[Decimal]:
    """`discount` shared in proportion to `amounts`, in cents; the last line takes the rest."""
    if not discount or not sub_total:
        return [Decimal(0)] * len(amounts)
    shares = [cents(discount * amount / sub_total) for amount in amounts[:-1]]
    return [*shares, discount - sum(shares, Decimal(0))]


class ZohoBooks:
    """Every simulated organization, by organization id."""

    def __init__(self) -> None:
        self.organizations: dict[str, Organization] = {}

    def create(
        self, *, organization_id: str | None, name: str | None, currency_code: str
    ) -> Organization:
        """A new organization (random 11-digit id when none is given)."""
        org_id = organization_id or str(60000000000 + secrets.randbelow(10**10))
        organization = Organization(
            organization_id=org_id,
            name=name or f"Sandbox Books {org_id[-4:]}",
            currency_code=currency_code,
        )
        self.organizations[org_id] = organization
        return organization

    def get(self, organization_id: str) -> Organization | None:
        """The organization, or None."""
        return self.organizations.get(organization_id)

    def reset(self) -> None:
        """No organizations."""
        self.organizations.clear()
