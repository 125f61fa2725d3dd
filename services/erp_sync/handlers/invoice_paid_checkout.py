"""`stripe.checkout.session.completed` / `.async_payment_succeeded`: a QuickBooks invoice, once.

The invoice is created in the tenant's QuickBooks under a `requestid` derived from the
session id, so every redelivery, crash-and-retry and the second event type for the same
session get the same invoice back instead of a new one; `stripe_invoices` (keyed by
tenant and session) makes `invoice.created` appear once. A session still unpaid is
acknowledged (its `async_payment_succeeded` follows). A tenant without a connected
QuickBooks gets an `invoice.sync_skipped` entry ("not connected"), not a retry loop.
"""

from __future__ import annotations

from libs.broker import PermanentError
from libs.db import Connection
from libs.db.outbox import emit_once
from libs.events import CloudEvent
from libs.http import NotFound
from services.erp_sync import checkout, metrics, storage
from services.erp_sync.deps import ErpSyncDeps
from services.erp_sync.failures import provider_failures
from services.erp_sync.outcomes import follow_up


async def invoice_paid_checkout(event: CloudEvent, deps: ErpSyncDeps) -> None:
    """Invoice a paid checkout session in the tenant's QuickBooks; see the module docstring."""
    if event.tenantid is None:
        raise PermanentError("tenant event without a tenant: not routed by the router")
    session = checkout.paid_session(event)
    if session is None:
        metrics.stripe_invoices.labels("unpaid").inc()
        return
    quickbooks = await storage.connected_quickbooks(deps.db, deps.box, event.tenantid)
    if quickbooks is None:
        skipped = follow_up(event, type="invoice.sync_skipped", subject=f"checkout.session/{session.id}",
                            data={"reason": "not connected", "detail": "no QuickBooks connection"})  # fmt: skip
        await emit_once(deps.db, consumer=deps.name, exchange=deps.events_exchange, incoming_id=event.id,
                        events=[skipped])  # fmt: skip
        metrics.stripe_invoices.labels("not_connected").inc()
        return
    try:
        with provider_failures():
            invoice_id = await deps.erp.create_from_checkout(
                connection_id=quickbooks.connection_id,
                realm_id=quickbooks.account_id,
                session=session,
            )
    except NotFound as exc:  # the customer vanished between query and create: retry cannot help
        raise PermanentError(str(exc)) from exc
    created = follow_up(event, type="invoice.created", subject=f"invoice/{invoice_id}", data={
        "source": {"provider": "quickbooks", "account_id": quickbooks.account_id, "invoice_id": invoice_id},
        "stripe_session_id": session.id, "amount": str(session.amount), "currency": session.currency,
    }).derive(accountid=quickbooks.account_id, connectionid=quickbooks.connection_id)  # fmt: skip

    async def remember(tx: Connection) -> bool:
        return await storage.record_stripe_invoice(
            tx, tenant_id=quickbooks.tenant_id, session_id=session.id,
            realm_id=quickbooks.account_id, invoice_id=invoice_id,
        )  # fmt: skip

    await emit_once(deps.db, consumer=deps.name, exchange=deps.events_exchange, incoming_id=event.id,
                    events=[created], writes=remember)  # fmt: skip
    metrics.stripe_invoices.labels("invoiced").inc()
