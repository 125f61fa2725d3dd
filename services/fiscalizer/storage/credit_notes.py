"""Credit-note applications (T110) for voided, fiscalized invoices, and what URA decided.

    credit_notes(id, fiscal_invoice_id, tenant_id, application_ref, state, credit_note_fdn)

One application per fiscal invoice (a full credit); `state` is `applied` until T111 says
`approved` (with the credit note's own FDN) or `rejected`.
"""

from __future__ import annotations

import uuid

from libs.db import Connection


async def applied(
    tx: Connection, *, fiscal_invoice_id: str, tenant_id: str, application_ref: str
) -> bool:
    """Record an application; False if the invoice already had one (nothing changes then)."""
    status = await tx.execute(
        "INSERT INTO credit_notes (id, fiscal_invoice_id, tenant_id, application_ref, state) "
        "VALUES ($1, $2::uuid, $3, $4, 'applied') ON CONFLICT (fiscal_invoice_id) DO NOTHING",
        uuid.uuid4(), fiscal_invoice_id, tenant_id, application_ref,
    )  # fmt: skip
    return status == "INSERT 0 1"


async def decided(
    tx: Connection, *, tenant_id: str, application_ref: str, approved: bool, fdn: str | None
) -> bool:
    """Store URA's decision on an application; False if it was already decided."""
    status = await tx.execute(
        "UPDATE credit_notes SET state = $3, credit_note_fdn = $4, updated_at = now() "
        "WHERE tenant_id = $1 AND application_ref = $2 AND state = 'applied'",
        tenant_id, application_ref, "approved" if approved else "rejected", fdn,
    )  # fmt: skip
    return status == "UPDATE 1"
