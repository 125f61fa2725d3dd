"""`invoice.fiscalization_requested`: a tenant sends a failed or held invoice again.

The admin API publishes it (POST /api/tenant/invoices/{id}/fiscalize) with data
{"fiscal_invoice_id": ...}; the row is the tenant's own or nothing happens.

EFRIS not set up for the tenant    invoice.fiscalization_skipped ("efris not configured")
failed, held (or stuck in new)     back to `new`, the stored canonical invoice uploaded and the
                                   outcome committed as for invoice.ready (fiscalization.py)
fiscalized, sending, unknown       nothing: acked, nothing emitted
a redelivery of the same request   resumes it if it stopped before its outcome; never starts it
                                   again (resubmission.py)
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from libs.broker import PermanentError
from libs.db.outbox import emit_once
from libs.events import CloudEvent
from services.fiscalizer.deps import FiscalizerDeps
from services.fiscalizer.fiscalization import fiscalize, follow_up
from services.fiscalizer.resubmission import resubmission
from services.fiscalizer.storage import device_settings
from services.fiscalizer.storage import invoices as ledger


class FiscalizationRequested(BaseModel):
    """`invoice.fiscalization_requested` data: which of the tenant's fiscal invoices."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    fiscal_invoice_id: str = Field(min_length=1, max_length=100)


async def resubmit_invoice(event: CloudEvent, deps: FiscalizerDeps) -> None:
    """See the module docstring; whatever is emitted commits with the inbox row."""
    requested = _requested(event)
    tenant_id = str(event.tenantid)
    settings = await device_settings(deps.db, deps.box, tenant_id=tenant_id)
    async with deps.db.transaction() as tx:
        row = await ledger.of_tenant(
            tx, tenant_id=tenant_id, invoice_row=requested.fiscal_invoice_id
        )
        decision = "ignore" if row is None else resubmission(row, event_id=event.id)
        if row is not None and decision == "start" and settings is not None:
            row = await ledger.resubmitted(tx, row.id, event_id=event.id)
    if row is None or decision == "ignore":
        await _emit(deps, event, [])
    elif settings is None:
        skipped = follow_up(event, "invoice.fiscalization_skipped", row.invoice.source,
                            {"reason": "efris not configured"})  # fmt: skip
        await _emit(deps, event, [skipped])
    else:
        await fiscalize(event, deps, settings=settings, row=row)


def _requested(event: CloudEvent) -> FiscalizationRequested:
    if event.tenantid is None:
        raise PermanentError("invoice.fiscalization_requested without a tenant")
    try:
        return FiscalizationRequested.model_validate(event.data)
    except ValidationError:
        raise PermanentError(
            "invoice.fiscalization_requested data does not name a fiscal invoice"
        ) from None


async def _emit(deps: FiscalizerDeps, event: CloudEvent, follow_ups: list[CloudEvent]) -> None:
    """Mark `event` handled and emit `follow_ups`, in one transaction."""
    await emit_once(deps.db, consumer=deps.name, exchange=deps.events_exchange,
                    incoming_id=event.id, events=follow_ups)  # fmt: skip
