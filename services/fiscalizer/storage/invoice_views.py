"""A tenant's fiscal invoices as the admin API shows them: plain reads, newest first.

invoices_of(db, tenant_id=, state=, limit=, before=)   a page, by (updated_at, id) descending
invoice_of(db, tenant_id=, invoice_row=)               one, or None (another tenant's too)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from libs.db import Database
from services.fiscalizer.storage.invoices import State, row_uuid

_VIEW = (
    "SELECT id::text, provider, account_id, invoice_id, invoice->>'number' AS number, "
    "reference_no, state, attempts, invoice->'totals'->>'gross' AS gross, "
    "invoice->>'currency' AS currency, fdn, antifake_code AS verification_code, "
    "efris_invoice_id, qr_code, fiscalized_at, error_code, error_message, updated_at "
    "FROM fiscal_invoices "
)
_NIL = uuid.UUID(int=0)  # a page boundary without an id: every row at that instant is older


@dataclass(frozen=True)
class FiscalInvoiceView:
    """One ERP invoice's way to EFRIS: what it is, where it stands, what EFRIS gave or said."""

    id: str
    provider: str
    account_id: str
    invoice_id: str
    number: str | None
    reference_no: str
    state: State
    attempts: int
    gross: str
    currency: str
    fdn: str | None
    verification_code: str | None
    efris_invoice_id: str | None
    qr_code: str | None
    fiscalized_at: datetime | None
    error_code: str | None
    error_message: str | None
    updated_at: datetime


async def invoices_of(
    db: Database, *, tenant_id: str, state: State | None, limit: int,
    before: tuple[datetime, uuid.UUID | None] | None = None,
) -> list[FiscalInvoiceView]:  # fmt: skip
    """The tenant's invoices, most recently changed first, optionally in one `state`;
    `before` is the (updated_at, id) of the previous page's last row."""
    rows = await db.pool.fetch(
        _VIEW + "WHERE tenant_id = $1 AND ($2::text IS NULL OR state = $2) AND "
        "($3::timestamptz IS NULL OR (updated_at, id) < ($3, $4::uuid)) "
        "ORDER BY updated_at DESC, id DESC LIMIT $5",
        tenant_id, state, before[0] if before else None,
        (before[1] or _NIL) if before else _NIL, limit,
    )  # fmt: skip
    return [FiscalInvoiceView(**dict(row)) for row in rows]


async def invoice_of(db: Database, *, tenant_id: str, invoice_row: str) -> FiscalInvoiceView | None:
    """The tenant's invoice `invoice_row`; None if unknown, another tenant's or not a uuid."""
    row_id = row_uuid(invoice_row)
    if row_id is None:
        return None
    row = await db.pool.fetchrow(_VIEW + "WHERE id = $1 AND tenant_id = $2", row_id, tenant_id)
    return FiscalInvoiceView(**dict(row)) if row else None
