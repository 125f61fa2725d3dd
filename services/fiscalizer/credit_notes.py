"""Full credit notes for voided, fiscalized invoices (T110), and URA's decision on them (T111).

    apply_for(efris, device, row, now)   EFRIS's own copy of the invoice (T108) credited in
                                         full (t110_payload, reason 102 "cancelled purchase");
                                         the application's reference
    decision(efris, device, reference)   Approved(fdn) | Rejected | None while URA decides

T110 has no idempotency key at EFRIS, so `apply_for` asks first: T111 by oriInvoiceNo lists
the applications against the invoice, and one submitted or approved is adopted instead of
applying again. A lost T110 answer (EfrisUnknownOutcome) is therefore retried safely: the
next attempt finds the application if it arrived, and applies only if it did not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.fiscalizer.clients.efris import Device, EfrisClient
from services.fiscalizer.storage.invoices import FiscalInvoice
from services.fiscalizer.t110 import t110_payload

_APPROVED, _SUBMITTED, _REJECTED = "101", "102", "103"
_CANCELLED_PURCHASE = "102"


@dataclass(frozen=True)
class Approved:
    fdn: str


@dataclass(frozen=True)
class Rejected:
    status: str


async def apply_for(
    efris: EfrisClient, device: Device, row: FiscalInvoice, *, now: datetime
) -> str:
    """Apply for a full credit note of `row`'s fiscal document, unless an application is
    already pending or approved (then that one); the application reference."""
    assert row.fdn is not None
    for application in await efris.credit_notes_of(device, invoice_no=row.fdn):
        reference = str(application.get("referenceNo") or "")
        if reference and str(application.get("approveStatus")) in (_APPROVED, _SUBMITTED):
            return reference
    original = await efris.invoice_details(device, row.fdn)
    payload = t110_payload(
        original, reason_code=_CANCELLED_PURCHASE, application_time=now,
        seller_reference_no=f"{row.reference_no}-CN", reason="voided in the ERP",
    )  # fmt: skip
    return await efris.issue_credit_note(device, payload)


async def decision(
    efris: EfrisClient, device: Device, reference: str
) -> Approved | Rejected | None:
    """URA's decision on the application, or None while it is still pending."""
    for record in await efris.credit_note_status(device, reference_no=reference):
        status = str(record.get("approveStatus", ""))
        if status == _APPROVED:
            return Approved(fdn=str(record.get("invoiceNo") or ""))
        if status == _REJECTED:
            return Rejected(status=status)
    return None
