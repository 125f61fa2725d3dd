"""Simulated Zoho Books organizations and their invoices (providers.md §3.6).

Ids are 18-digit strings, as Zoho's live JSON has them. Invoices are computed as Books does:

    item_total = rate * quantity;  line tax = item_total * tax_percentage
    sub_total = Σ item_total;  tax_total = Σ taxes;  total = balance = sub_total + tax_total
    taxes = [{"tax_name", "tax_amount"}] per tax;  is_inclusive_tax false

A tax percentage names the organization's tax with that rate (created on first use: "VAT"
for 18 %, "Tax <n>%" otherwise); 0 or none is untaxed. Times are `2026-05-01T09:30:00+0000`;
an update always moves `last_modified_time` past `created_time` (how ingress tells an update).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.sandbox.money import cents, number, tax_on

Json = dict[str, Any]
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


class LineItemIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    rate: Decimal = Field(ge=0)
    quantity: Decimal = Field(default=Decimal(1), gt=0)
    tax_percentage: Decimal = Field(default=Decimal(0), ge=0, le=100)


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
    lines, taxes, sub_total = [], dict[str, Decimal](), Decimal(0)
    for item in payload.line_items:
        item_total = cents(item.rate * item.quantity)
        tax_id, tax_name = (
            organization.tax(item.tax_percentage) if item.tax_percentage else ("", "")
        )
        if tax_name:
            taxes[tax_name] = taxes.get(tax_name, Decimal(0)) + tax_on(
                item_total, item.tax_percentage
            )
        sub_total += item_total
        lines.append(
            {"line_item_id": organization.next_id(), "name": item.name,
             "description": item.description or "", "rate": float(item.rate),
             "quantity": float(item.quantity), "item_total": number(item_total),
             "tax_id": tax_id, "tax_name": tax_name,
             "tax_percentage": float(item.tax_percentage)}
        )  # fmt: skip
    tax_total = sum(taxes.values(), Decimal(0))
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
        "line_items": lines,
        "sub_total": number(sub_total),
        "tax_total": number(tax_total),
        "total": number(sub_total + tax_total),
        "balance": number(sub_total + tax_total),
        "taxes": [
            {"tax_name": name, "tax_amount": number(amount)} for name, amount in taxes.items()
        ],
        "reference_number": payload.reference_number or "",
        "created_time": created,
        "last_modified_time": stamp,
    }


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
