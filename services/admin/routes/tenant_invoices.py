"""A tenant's fiscal documents: what EFRIS gave each ERP invoice, and sending one again.

    GET  /api/tenant/invoices                    newest first, optionally of one state (paged)
    GET  /api/tenant/invoices/{invoice_id}       one
    POST /api/tenant/invoices/{invoice_id}/fiscalize
                                                 send a failed or held invoice again (or one
                                                 left `new`); 409 when fiscalized or being sent

The rows are the fiscalizer's ledger (services.fiscalizer.storage), read in-process. A
resubmit is an `invoice.fiscalization_requested` event on the events exchange, published
with confirms: 202 means the broker holds it and the fiscalizer takes it from there
(services/fiscalizer/handlers/resubmit_invoice.py); 503 when the broker did not confirm,
and then nothing was asked.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from libs.broker import Exchange, PublishError
from libs.events import CloudEvent
from services.admin.deps import AdminDeps
from services.admin.endpoints import Access, Call, Endpoint
from services.admin.errors import Conflict, NotFound, Unavailable
from services.admin.paging import PageCursor, next_cursor
from services.admin.storage import audit
from services.admin.times import PageBound
from services.fiscalizer.storage import FiscalInvoiceView, invoice_of, invoices_of

PATH = "/api/tenant/invoices"
SOURCE = "/services/admin"
REQUESTED = "invoice.fiscalization_requested"
State = Literal["held", "new", "sending", "fiscalized", "failed"]
BUSY: frozenset[str] = frozenset({"fiscalized", "sending"})  # a resubmit answers 409


class InvoiceQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: State | None = None
    limit: int = Field(default=50, ge=1, le=200)
    before: PageBound | None = Field(default=None, description="next_before of the previous page")
    before_id: uuid.UUID | None = Field(
        default=None, description="next_before_id of the previous page"
    )


class FiscalInvoice(BaseModel):
    id: str = Field(description="the fiscal invoice's id (resubmit it by this)")
    provider: str = Field(description="the ERP: quickbooks, xero or zoho")
    account_id: str = Field(description="the tenant's account (company) in the ERP")
    invoice_id: str = Field(description="the ERP's id of the invoice")
    number: str | None = Field(description="the invoice number in the ERP")
    reference_no: str = Field(description="the seller reference EFRIS knows the invoice by")
    state: State = Field(
        description="held (auto-fiscalize off), new, sending, fiscalized or failed (refused)"
    )
    attempts: int
    gross: str = Field(description="the invoice's gross amount, a decimal string")
    currency: str
    fdn: str | None = Field(description="the fiscal document number EFRIS issued")
    verification_code: str | None = Field(description="EFRIS's verification (antifake) code")
    efris_invoice_id: str | None
    qr_code: str | None = Field(description="the QR code content to print on the invoice")
    fiscalized_at: datetime | None
    error_code: str | None = Field(description="EFRIS's code for the last refusal")
    error_message: str | None = Field(description="EFRIS's message for the last refusal")
    updated_at: datetime


class FiscalInvoicePage(PageCursor):
    items: list[FiscalInvoice]


class FiscalizeQueued(BaseModel):
    queued: bool


async def list_fiscal_invoices(
    call: Call[None, InvoiceQuery], deps: AdminDeps
) -> FiscalInvoicePage:
    """The tenant's fiscal invoices, most recently changed first, optionally of one state."""
    query = call.query
    rows = await invoices_of(
        deps.db, tenant_id=call.who().tenant(), state=query.state, limit=query.limit,
        before=(query.before, query.before_id) if query.before else None,
    )  # fmt: skip
    return FiscalInvoicePage(
        items=[_view(row) for row in rows], **next_cursor(rows, limit=query.limit)
    )


async def get_fiscal_invoice(call: Call[None, None], deps: AdminDeps) -> FiscalInvoice:
    """One fiscal invoice: its FDN, verification code and QR code, or EFRIS's refusal."""
    return _view(await _invoice(call, deps))


async def resubmit_fiscal_invoice(call: Call[None, None], deps: AdminDeps) -> FiscalizeQueued:
    """Ask the fiscalizer to send the invoice to EFRIS again (a fix made, or a held one released)."""
    row = await _invoice(call, deps)
    if row.state in BUSY:
        raise Conflict(f"the invoice is {'being sent' if row.state == 'sending' else row.state}")
    tenant_id = call.who().tenant()
    event = CloudEvent(
        source=SOURCE, type=REQUESTED, subject=f"invoice/{row.invoice_id}", tenantid=tenant_id,
        accountid=row.account_id, data={"fiscal_invoice_id": row.id},
    )  # fmt: skip
    try:
        await deps.publisher.publish(event, exchange=deps.topology.exchange(Exchange.EVENTS))
    except PublishError:
        raise Unavailable("the request was not taken; nothing was sent, try again") from None
    await audit.record(deps.db, actor=call.who(), action="fiscal_invoice.resubmitted",
                       target=row.id, tenant_id=tenant_id,
                       details={"state": row.state, "event_id": event.id})  # fmt: skip
    return FiscalizeQueued(queued=True)


async def _invoice(call: Call[None, None], deps: AdminDeps) -> FiscalInvoiceView:
    """The caller's invoice named in the path; NotFound for any other id (malformed too)."""
    row = await invoice_of(
        deps.db, tenant_id=call.who().tenant(), invoice_row=call.path["invoice_id"]
    )
    if row is None:
        raise NotFound("no such invoice")
    return row


def _view(row: FiscalInvoiceView) -> FiscalInvoice:
    return FiscalInvoice(
        id=row.id, provider=row.provider, account_id=row.account_id, invoice_id=row.invoice_id,
        number=row.number, reference_no=row.reference_no, state=row.state, attempts=row.attempts,
        gross=row.gross, currency=row.currency, fdn=row.fdn,
        verification_code=row.verification_code, efris_invoice_id=row.efris_invoice_id,
        qr_code=row.qr_code, fiscalized_at=row.fiscalized_at, error_code=row.error_code,
        error_message=row.error_message, updated_at=row.updated_at,
    )  # fmt: skip


_ONE = PATH + "/{invoice_id}"

ENDPOINTS = [
    Endpoint("GET", PATH, list_fiscal_invoices, "The tenant's fiscal invoices",
             Access.TENANT_READ, query=InvoiceQuery, response=FiscalInvoicePage,
             tags=("tenant",)),
    Endpoint("GET", _ONE, get_fiscal_invoice, "A fiscal invoice", Access.TENANT_READ,
             response=FiscalInvoice, tags=("tenant",)),
    Endpoint("POST", _ONE + "/fiscalize", resubmit_fiscal_invoice,
             "Send a failed or held invoice to EFRIS again", Access.TENANT_WRITE,
             response=FiscalizeQueued, status=202, tags=("tenant",), errors=(409, 503)),
]  # fmt: skip
