"""Simulated Xero organisations: contacts, invoices and tax types, stored as Xero returns them.

Every organisation starts with tax types `OUTPUT` (18 %) and `NONE` (0 %); more can be
seeded. Dates are stored in Xero's MS-JSON form (`/Date(1551916800000+0000)/`) beside a
`DateString`, so the API and the control routes serve the same record.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

Json = dict[str, Any]
DEFAULT_TAX_TYPES = {"OUTPUT": Decimal(18), "NONE": Decimal(0)}


def ms_json(moment: datetime | date) -> str:
    """Xero's `/Date(<epoch ms>+0000)/` for a datetime, or a date at midnight UTC."""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(), UTC)
    return f"/Date({int(moment.timestamp() * 1000)}+0000)/"


@dataclass
class Organisation:
    """One Xero organisation (tenant)."""

    tenant_id: str
    name: str
    currency: str
    created_at: datetime
    contacts: dict[str, Json] = field(default_factory=dict)
    invoices: dict[str, Json] = field(default_factory=dict)
    tax_types: dict[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_TAX_TYPES))
    _invoice_number: int = 0

    def next_invoice_number(self) -> str:
        """The next `INV-0001`-style number."""
        self._invoice_number += 1
        return f"INV-{self._invoice_number:04d}"

    def add_contact(
        self, *, name: str, at: datetime, email: str | None = None, tax_number: str | None = None
    ) -> Json:
        """Store a new active contact; the stored JSON."""
        contact: Json = {
            "ContactID": str(uuid.uuid4()),
            "ContactStatus": "ACTIVE",
            "Name": name,
            "UpdatedDateUTC": ms_json(at),
        }
        if email:
            contact["EmailAddress"] = email
        if tax_number:
            contact["TaxNumber"] = tax_number
        self.contacts[contact["ContactID"]] = contact
        return contact

    def contact_named(self, name: str) -> Json | None:
        """The contact called `name`, if any."""
        return next((c for c in self.contacts.values() if c["Name"] == name), None)

    def summary(self) -> Json:
        """What the control API answers about the organisation."""
        return {
            "tenant_id": self.tenant_id,
            "name": self.name,
            "currency": self.currency,
            "tax_types": {name: float(rate) for name, rate in self.tax_types.items()},
        }


class XeroBooks:
    """Every simulated organisation, by tenant id."""

    def __init__(self) -> None:
        self.organisations: dict[str, Organisation] = {}
        self._sequence = 0

    def take_sequence(self, count: int) -> int:
        """Reserve `count` webhook event sequence numbers; the first of them."""
        first = self._sequence + 1
        self._sequence += count
        return first

    def create(
        self, *, tenant_id: str | None, name: str | None, currency: str, at: datetime
    ) -> Organisation:
        """A new organisation (random UUID tenant id when none is given)."""
        tenant = tenant_id or str(uuid.uuid4())
        organisation = Organisation(
            tenant_id=tenant,
            name=name or f"Sandbox Organisation {tenant[:4]}",
            currency=currency,
            created_at=at,
        )
        self.organisations[tenant] = organisation
        return organisation

    def get(self, tenant_id: str) -> Organisation | None:
        """The organisation, or None."""
        return self.organisations.get(tenant_id)

    def reset(self) -> None:
        """No organisations; event sequences restart."""
        self.organisations.clear()
        self._sequence = 0
