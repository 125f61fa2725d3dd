"""`invoice.voided`: a fiscal document cannot be voided; a fiscalized invoice needs a credit note.

    fiscalized, tenant applies credit notes automatically
                             T110 for the whole invoice → invoice.credit_note_applied (the
                             application is then followed until URA decides, check_credit_note)
    fiscalized, otherwise    invoice.credit_note_needed ("voided in the erp", with the FDN)
    not fiscalized (yet)     held back for good: the row becomes `failed` with the reason, so
                             a late invoice.ready cannot fiscalize a voided invoice
    unknown to us            nothing to do

A T110 whose answer was lost is retried through the tiers: the next attempt asks EFRIS
(T111 by the invoice's FDN) and adopts the application if it arrived (credit_notes.apply_for).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from libs.broker import PermanentError, RetryableError
from libs.db import inbox, outbox
from libs.db.outbox import emit_once
from libs.events import CloudEvent
from libs.invoices import InvoiceVoided
from services.fiscalizer import credit_notes
from services.fiscalizer.clients.efris_errors import (
    EfrisError,
    EfrisRejected,
    EfrisUnavailable,
    EfrisUnknownOutcome,
)
from services.fiscalizer.deps import FiscalizerDeps
from services.fiscalizer.fiscalization import SOURCE
from services.fiscalizer.storage import credit_notes as applications
from services.fiscalizer.storage import device_settings
from services.fiscalizer.storage import invoices as ledger
from services.fiscalizer.storage.invoices import FiscalInvoice


async def invoice_voided(event: CloudEvent, deps: FiscalizerDeps) -> None:
    """See the module docstring; the outcome commits with the inbox row."""
    voided = _voided(event)
    tenant_id = str(event.tenantid)
    async with deps.db.transaction() as tx:
        row = await ledger.of_source(tx, tenant_id=tenant_id, source=voided.source)
        if row is not None and row.state != "fiscalized":
            await ledger.failed(tx, row.id, code="VOIDED", message=f"{voided.reason} in the ERP")
    if row is None or row.state != "fiscalized":
        await _emit(deps, event, None, {})
        return
    settings = await device_settings(deps.db, deps.box, tenant_id=tenant_id)
    needed = {"reason": f"{voided.reason} in the erp", "fdn": row.fdn, "reference_no": row.reference_no,
              "detail": f"credit note needed for FDN {row.fdn}"}  # fmt: skip
    if settings is None or not settings.auto_credit_notes:
        await _emit(deps, event, "invoice.credit_note_needed", needed)
        return
    device = deps.devices.device(settings)
    try:
        reference = await credit_notes.apply_for(
            deps.submitter(test_mode=settings.test_mode).efris, device, row, now=deps.clock()
        )
    except EfrisUnavailable as exc:  # nothing reached EFRIS: safe to try again
        raise RetryableError(str(exc), retry_after=exc.retry_after) from exc
    except EfrisUnknownOutcome as exc:  # it may have arrived: the retry asks T111 first
        raise RetryableError(str(exc)) from exc
    except EfrisRejected as exc:
        if exc.retryable:  # §6.4: not committed (a busy server, an expired key)
            raise RetryableError(str(exc)) from exc
        await _failed(deps, event, needed, exc.code, exc)
        return
    except EfrisError as exc:
        await _failed(deps, event, needed, "unknown", exc)
        return
    await _applied(deps, event, row, reference)


async def _applied(
    deps: FiscalizerDeps, event: CloudEvent, row: FiscalInvoice, reference: str
) -> None:
    async with deps.db.transaction() as tx:
        if not await inbox.mark_seen(tx, consumer=deps.name, event_id=event.id):
            return
        if await applications.applied(tx, fiscal_invoice_id=row.id, tenant_id=row.tenant_id,
                                      application_ref=reference):  # fmt: skip
            data = {"fdn": row.fdn, "reference_no": row.reference_no, "application_ref": reference,
                    "source": row.invoice.source.model_dump(mode="json")}  # fmt: skip
            await outbox.enqueue(tx, service=deps.name, exchange=deps.events_exchange,
                                 event=follow_up(event, "invoice.credit_note_applied", data))  # fmt: skip


async def _failed(
    deps: FiscalizerDeps, event: CloudEvent, needed: dict[str, Any], code: str, exc: EfrisError
) -> None:
    await _emit(deps, event, "invoice.credit_note_failed", {
        **needed, "reason": "credit note not applied", "code": code,
        "detail": f"EFRIS {code}: {exc}",
    })  # fmt: skip


def _voided(event: CloudEvent) -> InvoiceVoided:
    if event.tenantid is None:
        raise PermanentError("invoice.voided without a tenant")
    try:
        return InvoiceVoided.model_validate(event.data)
    except ValidationError:
        raise PermanentError("invoice.voided data is not a voided invoice") from None


def follow_up(event: CloudEvent, type: str, data: dict[str, Any]) -> CloudEvent:
    """A fiscalizer event about the same invoice (subject) and tenant as `event`."""
    return CloudEvent(
        source=SOURCE, type=type, subject=event.subject, tenantid=event.tenantid,
        accountid=event.accountid, connectionid=event.connectionid, data=data,
    )  # fmt: skip


async def _emit(
    deps: FiscalizerDeps, event: CloudEvent, type: str | None, data: dict[str, Any]
) -> None:
    follow_ups = [] if type is None else [follow_up(event, type, data)]
    await emit_once(deps.db, consumer=deps.name, exchange=deps.events_exchange,
                    incoming_id=event.id, events=follow_ups)  # fmt: skip
