"""`quickbooks.invoice.*`, `xero.invoice.*`, `zoho.invoice.*`: the ERP's invoice, made canonical.

    created, updated    fetch with the tenant's token, map → `invoice.ready`
                        (or `invoice.voided` when the ERP says it is voided or deleted)
    deleted, voided     `invoice.voided`, nothing to fetch
    anything else       (merged, emailed) acknowledged, nothing emitted

An invoice the ERP no longer has, or one that cannot be mapped, becomes an
`invoice.sync_failed` activity entry saying why; provider outages retry through the
tiers; a connection that needs reconnecting parks the event in the DLQ (replayable).
"""

from __future__ import annotations

from typing import Any, get_args

from libs.broker import PermanentError
from libs.db.outbox import emit_once
from libs.events import CloudEvent
from libs.http import NotFound
from libs.invoices import Invoice, InvoiceError, InvoiceSource, InvoiceStatus, InvoiceVoided
from services.erp_sync import metrics
from services.erp_sync.apps import Provider
from services.erp_sync.deps import ErpSyncDeps
from services.erp_sync.failures import provider_failures
from services.erp_sync.outcomes import follow_up

_FETCHED = frozenset({"created", "updated"})
_GONE = {"deleted": "deleted", "voided": "voided"}


async def sync_erp_invoice(event: CloudEvent, deps: ErpSyncDeps) -> None:
    """Emit what the ERP's invoice change means; see the module docstring."""
    provider, action, source = _change(event)
    if action in _GONE:
        voided = InvoiceVoided(source=source, reason=_GONE[action])
        await _emit(deps, event, "invoice.voided", source, voided.model_dump(mode="json"))
        return
    if action not in _FETCHED:
        return
    try:
        with provider_failures():
            invoice = await deps.erp.fetch(
                provider, connection_id=_connection(event), account_id=source.account_id,
                invoice_id=source.invoice_id,
            )  # fmt: skip
    except NotFound:
        await _failed(
            deps, event, source, reason="not_found", detail=f"{provider} has no such invoice"
        )
        return
    except InvoiceError as exc:
        await _failed(deps, event, source, reason="invalid_invoice", detail=str(exc)[:300])
        return
    await _emit_invoice(deps, event, invoice)


async def _emit_invoice(deps: ErpSyncDeps, event: CloudEvent, invoice: Invoice) -> None:
    if invoice.status is InvoiceStatus.VOIDED:
        voided = InvoiceVoided(source=invoice.source, reason="voided")
        await _emit(deps, event, "invoice.voided", invoice.source, voided.model_dump(mode="json"))
        return
    await _emit(deps, event, "invoice.ready", invoice.source, invoice.model_dump(mode="json"))
    metrics.invoices_synced.labels(invoice.source.provider, "ready").inc()


async def _failed(
    deps: ErpSyncDeps, event: CloudEvent, source: InvoiceSource, *, reason: str, detail: str
) -> None:
    data = {"source": source.model_dump(mode="json"), "reason": reason, "detail": detail}
    await _emit(deps, event, "invoice.sync_failed", source, data)
    metrics.invoices_synced.labels(source.provider, reason).inc()


async def _emit(
    deps: ErpSyncDeps, event: CloudEvent, type: str, source: InvoiceSource, data: dict[str, Any]
) -> None:
    emitted = follow_up(event, type=type, subject=f"invoice/{source.invoice_id}", data=data)
    await emit_once(deps.db, consumer=deps.name, exchange=deps.events_exchange, incoming_id=event.id,
                    events=[emitted])  # fmt: skip


def _change(event: CloudEvent) -> tuple[Provider, str, InvoiceSource]:
    """(provider, action, which invoice) from `<provider>.invoice.<action>` and its subject."""
    provider, _, action = event.type.split(".", 2)
    if provider not in get_args(Provider):
        raise PermanentError(f"erp_sync does not handle {event.type}")
    invoice_id = (event.subject or "").removeprefix("invoice/")
    if not invoice_id or invoice_id == event.subject or event.accountid is None:
        raise PermanentError(f"{event.type} names no invoice (subject {event.subject!r})")
    source = InvoiceSource(provider=provider, account_id=event.accountid, invoice_id=invoice_id)
    return provider, action, source  # type: ignore[return-value]


def _connection(event: CloudEvent) -> str:
    if event.connectionid is None or event.tenantid is None:
        raise PermanentError("tenant event without its connection: not routed by the router")
    return event.connectionid
