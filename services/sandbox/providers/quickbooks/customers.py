"""QBO customer writes: create, full or sparse update; DisplayName unique per company."""

from __future__ import annotations

from datetime import datetime

from services.sandbox.providers.quickbooks.company import Company, Json, metadata
from services.sandbox.providers.quickbooks.faults import invalid, not_found
from services.sandbox.providers.quickbooks.payloads import CustomerIn, entity_body, parse

# Fields copied from the request when given (blank ones are absent, see payloads).
COPIED = ("GivenName", "FamilyName", "CompanyName", "PrimaryTaxIdentifier")


def create_customer(company: Company, body: object, *, now: datetime) -> Json:
    """Store a new customer; 6240 when its DisplayName is taken, 2020 when it has none."""
    payload = parse(CustomerIn, entity_body(body, "Customer"), entity="Customer")
    stamp = now.isoformat(timespec="seconds")
    record = _record(company, payload, customer_id=None)
    customer_id = company.next_id("Customer")
    record.update(Id=customer_id, SyncToken="0", MetaData=metadata(stamp, stamp))
    company.customers[customer_id] = record
    return record


def update_customer(company: Company, body: object, *, now: datetime) -> Json:
    """Update a customer at its current SyncToken (sparse merges onto the stored one)."""
    raw = entity_body(body, "Customer")
    payload = parse(CustomerIn, raw, entity="Customer")
    if payload.Id is None or payload.Id not in company.customers:
        raise not_found("Customer", payload.Id or "")
    existing = company.customers[payload.Id]
    if payload.SyncToken != existing["SyncToken"]:
        raise invalid("Stale Object Error", code="5010", element="SyncToken")
    if payload.sparse:
        payload = parse(CustomerIn, {**existing, **raw}, entity="Customer")
    record = _record(company, payload, customer_id=existing["Id"])
    record.update(
        Id=existing["Id"],
        SyncToken=str(int(existing["SyncToken"]) + 1),
        MetaData=metadata(existing["MetaData"]["CreateTime"], now.isoformat(timespec="seconds")),
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
