"""One ledger row to EFRIS, and its outcome committed with the event that asked for it.

Both ways an invoice is sent end here: `invoice.ready` (handlers/fiscalize_invoice.py) and
a tenant's resubmit, `invoice.fiscalization_requested` (handlers/resubmit_invoice.py).

    Done       FDN, verification code, invoiceId, QR stored; invoice.fiscalized
    Refused    EFRIS's code and message stored; invoice.fiscalization_failed (fixable: an
               edit in the ERP or a resubmit sends it again)
    raises     RetryableError as the submitter decided (submission.py); PermanentError when
               the tenant's EFRIS certificate does not open
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from libs.broker import PermanentError
from libs.db import Connection, inbox, outbox
from libs.efris import EfrisCryptoError
from libs.events import CloudEvent
from libs.invoices import InvoiceSource
from services.fiscalizer.deps import FiscalizerDeps
from services.fiscalizer.devices import seller_of
from services.fiscalizer.storage import DeviceSettings
from services.fiscalizer.storage import invoices as ledger
from services.fiscalizer.storage.invoices import FiscalInvoice
from services.fiscalizer.submission import Done, Refused, as_event_data

SOURCE = "/services/fiscalizer"


async def fiscalize(
    event: CloudEvent, deps: FiscalizerDeps, *, settings: DeviceSettings, row: FiscalInvoice
) -> None:
    """Upload `row` (state `new`) once and commit the outcome with `event`'s inbox row.

    A duplicate of `event` commits nothing; see the module docstring for what raises.
    """
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
            await _fiscalized(tx, deps, event, row, outcome)
        else:
            await _refused(tx, deps, event, row, outcome)


async def _fiscalized(
    tx: Connection, deps: FiscalizerDeps, event: CloudEvent, row: FiscalInvoice, outcome: Done
) -> None:
    if await ledger.fiscalized(tx, row.id, outcome.result):
        data = {**as_event_data(row, outcome.result), "adopted": outcome.adopted}
        await outbox.enqueue(tx, service=deps.name, exchange=deps.events_exchange,
                             event=follow_up(event, "invoice.fiscalized", row.invoice.source, data))  # fmt: skip


async def _refused(
    tx: Connection, deps: FiscalizerDeps, event: CloudEvent, row: FiscalInvoice, outcome: Refused
) -> None:
    await ledger.failed(tx, row.id, code=outcome.code, message=outcome.message)
    data = {"reason": "refused by efris", "code": outcome.code, "message": outcome.message,
            "detail": f"EFRIS {outcome.code}: {outcome.message}",
            "reference_no": row.reference_no,
            "source": row.invoice.source.model_dump(mode="json")}  # fmt: skip
    await outbox.enqueue(tx, service=deps.name, exchange=deps.events_exchange,
                         event=follow_up(event, "invoice.fiscalization_failed", row.invoice.source, data))  # fmt: skip


def follow_up(
    event: CloudEvent, type: str, source: InvoiceSource, data: Mapping[str, Any]
) -> CloudEvent:
    """A fiscalizer event about the ERP invoice `source`, for the tenant (and account) of `event`."""
    return CloudEvent(
        source=SOURCE, type=type, subject=f"invoice/{source.invoice_id}",
        tenantid=event.tenantid, accountid=event.accountid, connectionid=event.connectionid,
        data=dict(data),
    )  # fmt: skip
