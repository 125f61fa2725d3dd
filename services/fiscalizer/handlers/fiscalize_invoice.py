"""`invoice.ready`: fiscalize the invoice with EFRIS, exactly once (see submission.py).

EFRIS not set up for the tenant    invoice.fiscalization_skipped ("efris not configured")
auto-fiscalize off                 the invoice is held; invoice.fiscalization_held
already fiscalized, now changed    invoice.credit_note_needed (a fiscal document is never
                                   edited: the tenant issues a credit note)
fiscalized                         FDN, verification code, invoiceId, QR stored;
                                   invoice.fiscalized
refused by EFRIS                   code and message stored; invoice.fiscalization_failed
                                   (an edit in the ERP sends it again: that is the fix)
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from libs.broker import PermanentError
from libs.db import inbox, outbox
from libs.db.outbox import emit_once
from libs.efris import EfrisCryptoError
from libs.events import CloudEvent
from libs.invoices import Invoice
from services.fiscalizer.deps import FiscalizerDeps
from services.fiscalizer.devices import seller_of
from services.fiscalizer.storage import device_settings
from services.fiscalizer.storage import invoices as ledger
from services.fiscalizer.submission import Done, as_event_data

SOURCE = "/services/fiscalizer"


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
    try:
        device = deps.devices.device(settings)
    except EfrisCryptoError as exc:
        raise PermanentError(f"the tenant's EFRIS certificate does not open: {exc}") from exc
    outcome = await deps.submitter(test_mode=settings.test_mode).submit(
        row, device, seller_of(settings)
    )
    async with deps.db.transaction() as tx:
        if not await inbox.mark_seen(tx, consumer=deps.name, event_id=event.id):
            return
        if isinstance(outcome, Done):
            if await ledger.fiscalized(tx, row.id, outcome.result):
                data = {**as_event_data(row, outcome.result), "adopted": outcome.adopted}
                await outbox.enqueue(tx, service=deps.name, exchange=deps.events_exchange,
                                     event=_follow_up(event, "invoice.fiscalized", invoice, data))  # fmt: skip
            return
        await ledger.failed(tx, row.id, code=outcome.code, message=outcome.message)
        data = {"reason": "refused by efris", "code": outcome.code, "message": outcome.message,
                "detail": f"EFRIS {outcome.code}: {outcome.message}",
                "reference_no": row.reference_no, "source": invoice.source.model_dump(mode="json")}  # fmt: skip
        await outbox.enqueue(tx, service=deps.name, exchange=deps.events_exchange,
                             event=_follow_up(event, "invoice.fiscalization_failed", invoice, data))  # fmt: skip


def _invoice(event: CloudEvent) -> Invoice:
    if event.tenantid is None:
        raise PermanentError("invoice.ready without a tenant")
    try:
        return Invoice.model_validate(event.data)
    except ValidationError as exc:
        raise PermanentError(
            f"invoice.ready data is not a canonical invoice: {exc.errors()[0]['msg']}"
        ) from None


def _follow_up(event: CloudEvent, type: str, invoice: Invoice, data: dict[str, Any]) -> CloudEvent:
    return CloudEvent(
        source=SOURCE, type=type, subject=f"invoice/{invoice.source.invoice_id}",
        tenantid=event.tenantid, accountid=event.accountid, connectionid=event.connectionid,
        data=data,
    )  # fmt: skip


async def _emit(
    deps: FiscalizerDeps,
    event: CloudEvent,
    type: str | None,
    invoice: Invoice,
    data: dict[str, Any],
) -> None:
    """Mark `event` handled and, when `type` is given, emit one follow-up, in one transaction."""
    follow_ups = [] if type is None else [_follow_up(event, type, invoice, data)]
    await emit_once(deps.db, consumer=deps.name, exchange=deps.events_exchange,
                    incoming_id=event.id, events=follow_ups)  # fmt: skip
