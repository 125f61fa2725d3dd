"""`invoice.credit_note_applied`: follow the application until URA decides (T111).

pending     retried through the broker's tiers (URA or the buyer has not decided yet)
approved    the credit note's FDN stored; invoice.credit_note_issued
rejected    invoice.credit_note_failed ("rejected by ura")
"""

from __future__ import annotations

from libs.broker import PermanentError, RetryableError
from libs.db import inbox, outbox
from libs.events import CloudEvent
from services.fiscalizer import credit_notes
from services.fiscalizer.clients.efris_errors import EfrisError
from services.fiscalizer.credit_notes import Approved
from services.fiscalizer.deps import FiscalizerDeps
from services.fiscalizer.handlers.invoice_voided import follow_up
from services.fiscalizer.storage import credit_notes as applications
from services.fiscalizer.storage import device_settings

# How long to wait before asking URA again about a pending application.
PENDING_RETRY_S = 60.0


async def check_credit_note(event: CloudEvent, deps: FiscalizerDeps) -> None:
    """See the module docstring."""
    reference = event.data.get("application_ref")
    if event.tenantid is None or not isinstance(reference, str):
        raise PermanentError("invoice.credit_note_applied without a tenant or application")
    settings = await device_settings(deps.db, deps.box, tenant_id=event.tenantid)
    if settings is None:
        raise PermanentError("the tenant's EFRIS settings are gone")
    efris = deps.submitter(test_mode=settings.test_mode).efris
    try:
        outcome = await credit_notes.decision(efris, deps.devices.device(settings), reference)
    except EfrisError as exc:
        raise RetryableError(str(exc)) from exc
    if outcome is None:
        raise RetryableError("URA has not decided the credit note yet", retry_after=PENDING_RETRY_S)
    approved = isinstance(outcome, Approved)
    async with deps.db.transaction() as tx:
        if not await inbox.mark_seen(tx, consumer=deps.name, event_id=event.id):
            return
        fdn = outcome.fdn if isinstance(outcome, Approved) else None
        if not await applications.decided(tx, tenant_id=event.tenantid, application_ref=reference,
                                          approved=approved, fdn=fdn):  # fmt: skip
            return
        if approved:
            data = {**event.data, "credit_note_fdn": fdn, "detail": f"credit note FDN {fdn}"}
            kind = "invoice.credit_note_issued"
        else:
            data = {**event.data, "reason": "rejected by ura"}
            kind = "invoice.credit_note_failed"
        await outbox.enqueue(tx, service=deps.name, exchange=deps.events_exchange,
                             event=follow_up(event, kind, data))  # fmt: skip
