"""QBO customer writes: create, full or sparse update; DisplayName unique per company."""

from __future__ import annotations

from datetime import datetime

from services.sandbox.providers.quickbooks.company import (
    Company,
    Json,
    current_version,
    first_version,
    next_version,
)
from services.sandbox.providers.quickbooks.faults import invalid
from services.sandbox.providers.quickbooks.payloads import CustomerIn, entity_body, parse

# Fields copied from the request when given (blank ones are absent, see payloads).
COPIED = ("GivenName", "FamilyName", "CompanyName", "PrimaryTaxIdentifier")


def create_customer(company: Company, body: object, *, now: datetime) -> Json:
    """Store a new customer; 6240 when its DisplayName is taken, 2020 when it has none."""
    payload = parse(CustomerIn, entity_body(body, "Customer"), entity="Customer")
    record = _record(company, payload, customer_id=None)
    customer_id = company.next_id("Customer")
    company.customers[customer_id] = first_version(record, entity_id=customer_id, at=now)
    return record


def update_customer(company: Company, body: object, *, now: datetime) -> Json:
    """Update a customer at its current SyncToken (sparse merges onto the stored one)."""
    raw = entity_body(body, "Customer")
    payload = parse(CustomerIn, raw, entity="Customer")
    existing = current_version(company.customers, "Customer", payload.Id, payload.SyncToken)
    if payload.sparse:
        payload = parse(CustomerIn, {**existing, **raw}, entity="Customer")
    record = next_version(
        _record(company, payload, customer_id=existing["Id"]), of=existing, at=now
    )
    company.customers[existing["Id"]] = record
    return record


def _record(company: Company, payload: CustomerIn, *, customer_id: str | None) -> Json:
    name = payload.DisplayName
    if name is None:
        raise invalid("DisplayName is required", element="DisplayName")
    taken = any(
        other["DisplayName"] == name and other_id != customer_id
        for other_id, other in company.customers.items()
    )
    if taken:
        detail = f"The name supplied already exists. : {name}"
        raise invalid(detail, code="6240", element="DisplayName")
    record: Json = {
        "domain": "QBO",
        "sparse": False,
        "DisplayName": name,
        "FullyQualifiedName": name,
        "PrintOnCheckName": name,
        "Active": True,
        "Taxable": True,
        "Job": False,
        "BillWithParent": False,
        "Balance": 0.0,
        "BalanceWithJobs": 0.0,
        "CurrencyRef": {"value": company.currency, "name": company.currency},
        "PreferredDeliveryMethod": "Print",
    }
    for field in COPIED:
        value = getattr(payload, field)
        if value is not None:
            record[field] = value
    if payload.PrimaryEmailAddr is not None and payload.PrimaryEmailAddr.Address:
        record["PrimaryEmailAddr"] = {"Address": payload.PrimaryEmailAddr.Address}
    return record
