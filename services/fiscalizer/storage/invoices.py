"""Each ERP invoice's way to exactly one FDN, and the goods each TIN has registered.

    fiscal_invoices(id, tenant_id, provider, account_id, invoice_id, tin, reference_no,
                    state, attempts, lease_until, invoice, fdn, efris_invoice_id,
                    antifake_code, qr_code, fiscalized_at, error_code, error_message,
                    resubmit_event_id)
    efris_goods(tin, goods_code, name, commodity_category_id, unit_of_measure, registered_at)

States (efris.md §7.2):

    held ──(auto-fiscalize on, or a resubmit)──▶ new ──claim──▶ sending ──▶ fiscalized
                                                  ▲                │
                                                  └── failed ◀─────┘ (a permanent EFRIS code)

`sending` carries a lease: the one worker that claimed it uploads; a worker that finds a
live lease retries later; an expired lease (a worker died mid-upload) can be claimed
again, and the claimer reconciles with EFRIS (T106 by referenceNo) before any resend.
`reference_no` is fixed when the row is made and never changes, so every attempt for
an invoice carries the same seller reference. A resubmit (`resubmitted`) remembers the
`invoice.fiscalization_requested` that asked, so its redelivery resumes, never repeats, it.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import orjson

from libs.db import Connection, Database, executor
from libs.invoices import Invoice, InvoiceSource
from services.fiscalizer.t109 import Goods

State = Literal["held", "new", "sending", "fiscalized", "failed"]


@dataclass(frozen=True)
class FiscalInvoice:
    id: str
    tenant_id: str
    tin: str
    reference_no: str
    state: State
    attempts: int
    invoice: Invoice
    fdn: str | None
    efris_invoice_id: str | None
    error_code: str | None
    resubmit_event_id: str | None


@dataclass(frozen=True)
class Fiscalization:
    """What EFRIS gave an invoice."""

    fdn: str
    efris_invoice_id: str | None
    antifake_code: str | None
    qr_code: str | None
    fiscalized_at: datetime


def reference_for(tenant_id: str, source: InvoiceSource) -> str:
    """The invoice's seller reference: stable, unique per tenant's TIN, 26 characters (≤ 50)."""
    identity = f"{tenant_id}|{source.provider}|{source.account_id}|{source.invoice_id}"
    return "SY" + hashlib.sha256(identity.encode()).hexdigest()[:24].upper()


_ROW = (
    "SELECT id::text, tenant_id, tin, reference_no, state, attempts, invoice, fdn, "
    "efris_invoice_id, error_code, resubmit_event_id FROM fiscal_invoices "
)


async def receive(
    tx: Connection, *, tenant_id: str, tin: str, invoice: Invoice, state: State
) -> FiscalInvoice:
    """Record the latest version of an ERP invoice; made in `state` if new.

    A row not yet fiscalized takes the new version (a failed one becomes `new` again when
    `state` is `new`: the ERP's edit is the fix); a fiscalized row keeps what was fiscalized.
    """
    source = invoice.source
    row = await tx.fetchrow(
        "INSERT INTO fiscal_invoices (id, tenant_id, provider, account_id, invoice_id, tin, "
        "reference_no, state, invoice) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb) "
        "ON CONFLICT (tenant_id, provider, account_id, invoice_id) DO UPDATE SET "
        "invoice = CASE WHEN fiscal_invoices.state IN ('fiscalized', 'sending') "
        "THEN fiscal_invoices.invoice ELSE EXCLUDED.invoice END, "
        "state = CASE WHEN fiscal_invoices.state = 'failed' AND EXCLUDED.state = 'new' "
        "THEN 'new' ELSE fiscal_invoices.state END, updated_at = now() "
        "RETURNING id::text, tenant_id, tin, reference_no, state, attempts, invoice, fdn, "
        "efris_invoice_id, error_code, resubmit_event_id",
        uuid.uuid4(), tenant_id, source.provider, source.account_id, source.invoice_id, tin,
        reference_for(tenant_id, source), state, _json(invoice),
    )  # fmt: skip
    assert row is not None
    return _fiscal(row)


async def of_source(
    tx: Connection, *, tenant_id: str, source: InvoiceSource
) -> FiscalInvoice | None:
    """The tenant's row for an ERP invoice, locked until `tx` ends; None if never received."""
    row = await tx.fetchrow(
        _ROW + "WHERE tenant_id = $1 AND provider = $2 AND account_id = $3 AND invoice_id = $4 "
        "FOR UPDATE",
        tenant_id, source.provider, source.account_id, source.invoice_id,
    )  # fmt: skip
    return _fiscal(row) if row else None


async def of_tenant(tx: Connection, *, tenant_id: str, invoice_row: str) -> FiscalInvoice | None:
    """The tenant's row `invoice_row`, locked until `tx` ends; None if unknown (or not a uuid)."""
    row_id = row_uuid(invoice_row)
    if row_id is None:
        return None
    row = await tx.fetchrow(_ROW + "WHERE id = $1 AND tenant_id = $2 FOR UPDATE", row_id, tenant_id)
    return _fiscal(row) if row else None


async def resubmitted(tx: Connection, invoice_row: str, *, event_id: str) -> FiscalInvoice:
    """Back to `new` for another upload, as `event_id` asked; the last refusal is cleared.

    The caller holds the row's lock (`of_tenant`) and decided it may go (resubmission.py).
    """
    row = await tx.fetchrow(
        "UPDATE fiscal_invoices SET state = 'new', resubmit_event_id = $2, error_code = NULL, "
        "error_message = NULL, updated_at = now() WHERE id = $1::uuid "
        "RETURNING id::text, tenant_id, tin, reference_no, state, attempts, invoice, fdn, "
        "efris_invoice_id, error_code, resubmit_event_id",
        invoice_row, event_id,
    )  # fmt: skip
    assert row is not None
    return _fiscal(row)


def row_uuid(text: str) -> uuid.UUID | None:
    """`text` as a row id; None when it is not a uuid (and so names no row)."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


async def claim(tx: Connection, invoice_row: str, *, lease: timedelta) -> FiscalInvoice | None:
    """Take the right to upload (state → sending, attempts + 1), or None if someone holds it."""
    row = await tx.fetchrow(
        "UPDATE fiscal_invoices SET state = 'sending', attempts = attempts + 1, "
        "lease_until = now() + $2, updated_at = now() WHERE id = $1::uuid AND "
        "(state = 'new' OR (state = 'sending' AND (lease_until IS NULL OR lease_until < now()))) "
        "RETURNING id::text, tenant_id, tin, reference_no, state, attempts, invoice, fdn, "
        "efris_invoice_id, error_code, resubmit_event_id",
        invoice_row, lease,
    )  # fmt: skip
    return _fiscal(row) if row else None


async def release(db: Database | Connection, invoice_row: str, *, state: State) -> None:
    """Give up the lease: back to `new` (nothing reached EFRIS) or left `sending` (unknown)."""
    await executor(db).execute(
        "UPDATE fiscal_invoices SET state = $2, lease_until = NULL, updated_at = now() "
        "WHERE id = $1::uuid AND state = 'sending'",
        invoice_row, state,
    )  # fmt: skip


async def fiscalized(tx: Connection, invoice_row: str, result: Fiscalization) -> bool:
    """Store the FDN; False if the row was already fiscalized (nothing changes then)."""
    status = await tx.execute(
        "UPDATE fiscal_invoices SET state = 'fiscalized', fdn = $2, efris_invoice_id = $3, "
        "antifake_code = $4, qr_code = $5, fiscalized_at = $6, lease_until = NULL, "
        "error_code = NULL, error_message = NULL, updated_at = now() "
        "WHERE id = $1::uuid AND state <> 'fiscalized'",
        invoice_row, result.fdn, result.efris_invoice_id, result.antifake_code, result.qr_code,
        result.fiscalized_at,
    )  # fmt: skip
    return status == "UPDATE 1"


async def failed(tx: Connection, invoice_row: str, *, code: str, message: str) -> None:
    """A permanent refusal: kept with EFRIS's code and message until the invoice is fixed."""
    await tx.execute(
        "UPDATE fiscal_invoices SET state = 'failed', error_code = $2, error_message = $3, "
        "lease_until = NULL, updated_at = now() WHERE id = $1::uuid AND state <> 'fiscalized'",
        invoice_row, code, message[:500],
    )  # fmt: skip


async def goods_of(db: Database, *, tin: str, codes: list[str]) -> dict[str, Goods]:
    """The goods among `codes` that the TIN registered with EFRIS (T130), as registered."""
    rows = await db.pool.fetch(
        "SELECT goods_code, name, commodity_category_id, unit_of_measure FROM efris_goods "
        "WHERE tin = $1 AND goods_code = ANY($2::text[])",
        tin, codes,
    )  # fmt: skip
    return {
        row["goods_code"]: Goods(
            code=row["goods_code"],
            name=row["name"],
            commodity_category_id=row["commodity_category_id"],
            unit_of_measure=row["unit_of_measure"],
        )
        for row in rows
    }


async def add_goods(db: Database, *, tin: str, goods: list[Goods]) -> None:
    """Remember goods EFRIS accepted for the TIN (a code registered once stays as it was)."""
    await db.pool.executemany(
        "INSERT INTO efris_goods (tin, goods_code, name, commodity_category_id, unit_of_measure) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        [(tin, g.code, g.name, g.commodity_category_id, g.unit_of_measure) for g in goods],
    )


def _json(invoice: Invoice) -> str:
    return orjson.dumps(invoice.model_dump(mode="json")).decode()


def _fiscal(row: Any) -> FiscalInvoice:
    raw = row["invoice"]
    return FiscalInvoice(
        id=row["id"], tenant_id=row["tenant_id"], tin=row["tin"],
        reference_no=row["reference_no"], state=row["state"], attempts=row["attempts"],
        invoice=Invoice.model_validate_json(raw) if isinstance(raw, str) else Invoice.model_validate(raw),
        fdn=row["fdn"], efris_invoice_id=row["efris_invoice_id"], error_code=row["error_code"],
        resubmit_event_id=row["resubmit_event_id"],
    )  # fmt: skip
