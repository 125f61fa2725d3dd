"""`invoice.voided`: a fiscal document cannot be voided; a fiscalized invoice needs a credit note.

fiscalized in EFRIS      invoice.credit_note_needed ("voided in the erp", with the FDN):
                         the tenant issues the credit note (T110) for it
not fiscalized (yet)     held back for good: the row becomes `failed` with the reason, so
                         a late invoice.ready cannot fiscalize a voided invoice
unknown to us            nothing to do
"""

from __future__ import annotations

from pydantic import ValidationError

from libs.broker import PermanentError
from libs.db import inbox, outbox
from libs.events import CloudEvent
from libs.invoices import InvoiceVoided
from services.fiscalizer.deps import FiscalizerDeps
from services.fiscalizer.handlers.fiscalize_invoice import SOURCE
from services.fiscalizer.storage import invoices as ledger


async def invoice_voided(event: CloudEvent, deps: FiscalizerDeps) -> None:
    """See the module docstring; the outcome commits with the inbox row."""
    try:
        voided = InvoiceVoided.model_validate(event.data)
    except ValidationError:
        raise PermanentError("invoice.voided data is not a voided invoice") from None
    if event.tenantid is None:
        raise PermanentError("invoice.voided without a tenant")
    async with deps.db.transaction() as tx:
        if not await inbox.mark_seen(tx, consumer=deps.name, event_id=event.id):
            return
        row = await ledger.of_source(tx, tenant_id=event.tenantid, source=voided.source)
        if row is None:
            return
        if row.state != "fiscalized":
            await ledger.failed(tx, row.id, code="VOIDED", message=f"{voided.reason} in the ERP")
            return
        needed = CloudEvent(
            source=SOURCE, type="invoice.credit_note_needed",
            subject=f"invoice/{voided.source.invoice_id}", tenantid=event.tenantid,
            accountid=event.accountid, connectionid=event.connectionid,
            data={"reason": f"{voided.reason} in the erp", "fdn": row.fdn,
                  "reference_no": row.reference_no, "detail": f"credit note needed for FDN {row.fdn}"},
        )  # fmt: skip
        await outbox.enqueue(tx, service=deps.name, exchange=deps.events_exchange, event=needed)
