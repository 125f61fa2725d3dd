"""Simulated QuickBooks Online companies: customers, invoices, tax codes, request-id replies.

Each company (realm) has its own id counters and a home currency (UGX unless seeded
otherwise), and two tax codes every sandbox company starts with: `NON` (exempt, no rate)
and `TAX` (tax rate "1", 18 %). Entities are stored as the JSON QBO returns for them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from services.sandbox.providers.quickbooks.faults import invalid, not_found

Json = dict[str, Any]


def metadata(created: str, updated: str) -> Json:
    """An entity's `MetaData`."""
    return {"CreateTime": created, "LastUpdatedTime": updated}


def first_version(record: Json, *, entity_id: str, at: datetime) -> Json:
    """`record` as a new entity: its Id, SyncToken "0", MetaData created and updated `at`."""
    stamp = at.isoformat(timespec="seconds")
    record.update(Id=entity_id, SyncToken="0", MetaData=metadata(stamp, stamp))
    return record


def next_version(record: Json, *, of: Json, at: datetime) -> Json:
    """`record` as the next version of `of`: same Id and CreateTime, SyncToken + 1."""
    record.update(
        Id=of["Id"],
        SyncToken=str(int(of["SyncToken"]) + 1),
        MetaData=metadata(of["MetaData"]["CreateTime"], at.isoformat(timespec="seconds")),
    )
    return record


def current_version(
    records: dict[str, Json], entity: str, entity_id: str | None, sync_token: str | None
) -> Json:
    """The stored entity if `sync_token` is its current one: 610 when unknown, 5010 when stale."""
    if entity_id is None:
        raise invalid("Id is required", element="Id")
    existing = records.get(entity_id)
    if existing is None:
        raise not_found(entity, entity_id)
    if sync_token is None or sync_token != existing["SyncToken"]:
        detail = (
            "Stale Object Error : You and another user were working on the same thing. "
            f"SyncToken {sync_token!r} is not {existing['SyncToken']!r}"
        )
        raise invalid(detail, code="5010", element="SyncToken")
    return existing


@dataclass(frozen=True)
class TaxCode:
    """A sales tax code and, unless exempt, the one rate it applies."""

    id: str
    name: str
    rate_id: str | None = None
    rate_name: str | None = None
    percent: Decimal = Decimal(0)

    def as_json(self) -> Json:
        """The `TaxCode` entity as QBO returns it."""
        details = []
        if self.rate_id is not None:
            rate = {"value": self.rate_id, "name": self.rate_name}
            details.append({"TaxRateRef": rate, "TaxTypeApplicable": "TaxOnAmount", "TaxOrder": 0})
        return {
            "Id": self.id,
            "Name": self.name,
            "Description": self.name,
            "Active": True,
            "Taxable": self.rate_id is not None,
            "TaxGroup": False,
            "SalesTaxRateList": {"TaxRateDetail": details},
            "PurchaseTaxRateList": {"TaxRateDetail": []},
            "domain": "QBO",
            "sparse": False,
            "SyncToken": "0",
        }

    def rate_json(self) -> Json:
        """The `TaxRate` entity behind this code (callers check `rate_id` first)."""
        return {
            "Id": self.rate_id,
            "Name": self.rate_name,
            "Description": self.rate_name,
            "Active": True,
            "RateValue": float(self.percent),
            "SpecialTaxType": "NONE",
            "DisplayType": "ReadOnly",
            "domain": "QBO",
            "sparse": False,
            "SyncToken": "0",
        }


DEFAULT_TAX_CODES = (
    TaxCode(id="NON", name="NON"),
    TaxCode(id="TAX", name="TAX", rate_id="1", rate_name="VAT 18%", percent=Decimal(18)),
)


@dataclass(frozen=True)
class Reply:
    """A stored answer (its exact bytes), replayed for a repeated `requestid`."""

    status: int
    body: bytes


@dataclass
class Company:
    """One QBO company (realm)."""

    realm_id: str
    name: str
    currency: str
    created_at: str
    customers: dict[str, Json] = field(default_factory=dict)
    invoices: dict[str, Json] = field(default_factory=dict)
    tax_codes: dict[str, TaxCode] = field(
        default_factory=lambda: {code.id: code for code in DEFAULT_TAX_CODES}
    )
    replies: dict[tuple[str, str], Reply] = field(default_factory=dict)
    _ids: dict[str, int] = field(default_factory=dict)
    _doc_number: int = 1000

    def next_id(self, entity: str) -> str:
        """The next numeric id for `entity` (python-quickbooks needs ids that parse as ints)."""
        self._ids[entity] = self._ids.get(entity, 0) + 1
        return str(self._ids[entity])

    def next_doc_number(self) -> str:
        """The next auto-assigned invoice number."""
        self._doc_number += 1
        return str(self._doc_number)

    def tax_rate(self, rate_id: str) -> TaxCode | None:
        """The tax code whose rate is `rate_id`."""
        return next((code for code in self.tax_codes.values() if code.rate_id == rate_id), None)

    def info(self) -> Json:
        """The `CompanyInfo` entity."""
        return {
            "Id": "1",
            "CompanyName": self.name,
            "LegalName": self.name,
            "Country": "UG",
            "SupportedLanguages": "en",
            "DefaultTimeZone": "Africa/Kampala",
            "MetaData": {"CreateTime": self.created_at},
            "domain": "QBO",
            "sparse": False,
            "SyncToken": "0",
        }

    def summary(self) -> Json:
        """What the control API answers about the company."""
        return {
            "realm_id": self.realm_id,
            "name": self.name,
            "currency": self.currency,
            "tax_codes": [code.id for code in self.tax_codes.values()],
        }


class QuickBooksBooks:
    """Every simulated company, by realm id."""

    def __init__(self) -> None:
        self.companies: dict[str, Company] = {}

    def create(
        self, *, realm_id: str | None, name: str | None, currency: str, created_at: str
    ) -> Company:
        """A new company (random 16-digit realm id when none is given); the caller checks for clashes."""
        realm = realm_id or str(9130000000000000 + secrets.randbelow(10**15))
        company = Company(
            realm_id=realm,
            name=name or f"Sandbox Company {realm[-4:]}",
            currency=currency,
            created_at=created_at,
        )
        self.companies[realm] = company
        return company

    def get(self, realm_id: str) -> Company | None:
        """The company, or None."""
        return self.companies.get(realm_id)

    def reset(self) -> None:
        """No companies."""
        self.companies.clear()
