"""`invoice.ready`: fiscalize the invoice with EFRIS, exactly once (see submission.py).

EFRIS not set up for the tenant    invoice.fiscalization_skipped ("efris not configured")
auto-fiscalize off                 the invoice is held; invoice.fiscalization_held (a
                                   resubmit releases it: resubmit_invoice.py)
already fiscalized, now changed    invoice.credit_note_needed (a fiscal document is never
                                   edited: the tenant issues a credit note)
otherwise                          uploaded, the outcome committed (fiscalization.py):
                                   invoice.fiscalized, or invoice.fiscalization_failed
                                   (an edit in the ERP or a resubmit sends it again)
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from libs.broker import PermanentError
from libs.db.outbox import emit_once
from libs.events import CloudEvent
from libs.invoices import Invoice
from services.fiscalizer.deps import FiscalizerDeps
from services.fiscalizer.fiscalization import fiscalize, follow_up
from services.fiscalizer.storage import device_settings
from services.fiscalizer.storage import invoices as ledger


async def fiscalize_invoice(event: CloudEvent, deps: FiscalizerDeps) -> None:
    """See the module docstring. Every outcome is one event, committed with the inbox row."""
    invoice = _invoice(event)
    tenant_id = str(event.tenantid)
    settings = await device_settings(deps.db, deps.box, tenant_id=tenant_id)
    if settings is None:
        await _emit(
            deps,
            event,
            "invoice.fiscalization_skipped",
            invoice,
            {"reason": "efris not configured"},
        )
        return
    async with deps.db.transaction() as tx:
        row = await ledger.receive(tx, tenant_id=tenant_id, tin=settings.tin, invoice=invoice,
                                   state="new" if settings.auto_fiscalize else "held")  # fmt: skip
    if row.state == "fiscalized":
        if row.invoice != invoice:
            await _emit(deps, event, "invoice.credit_note_needed", invoice,
                        {"reason": "changed after fiscalization", "fdn": row.fdn})  # fmt: skip
        else:
            await _emit(deps, event, None, invoice, {})
        return
    if row.state == "held":
        await _emit(
            deps, event, "invoice.fiscalization_held", invoice, {"reason": "auto fiscalize off"}
        )
        return
    await fiscalize(event, deps, settings=settings, row=row)


def _invoice(event: CloudEvent) -> Invoice:
    if event.tenantid is None:
        raise PermanentError("invoice.ready without a tenant")
    try:
        return Invoice.model_validate(event.data)
    except ValidationError as exc:
        raise PermanentError(
            f"invoice.ready data is not a canonical invoice: {exc.errors()[0]['msg']}"
        ) from None


async def _emit(
    deps: FiscalizerDeps,
    event: CloudEvent,
    type: str | None,
    invoice: Invoice,
    data: dict[str, Any],
) -> None:
    """Mark `event` handled and, when `type` is given, emit one follow-up, in one transaction."""
    follow_ups = [] if type is None else [follow_up(event, type, invoice.source, data)]
    await emit_once(deps.db, consumer=deps.name, exchange=deps.events_exchange,
                    incoming_id=event.id, events=follow_ups)  # fmt: skip
