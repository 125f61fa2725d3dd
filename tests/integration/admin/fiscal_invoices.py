"""A fiscal invoice stored as the fiscalizer would after EFRIS refused it (no broker, no EFRIS)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from libs.db import Database
from libs.invoices import Buyer, Invoice, InvoiceLine, InvoiceSource, InvoiceStatus, InvoiceTotals
from services.fiscalizer.storage import invoices as ledger


async def stored_fiscal_invoice(db: Database, *, tenant_id: str, tin: str) -> str:
    """A `failed` fiscal invoice of the tenant (EFRIS 2180), for a random ERP invoice; its id."""
    net, tax = Decimal("50000.00"), Decimal("9000.00")
    invoice = Invoice(
        source=InvoiceSource(provider="quickbooks", account_id="realm-fiscal",
                             invoice_id=uuid.uuid4().hex[:12]),
        number="INV-1", issued_on=date(2026, 1, 5), currency="UGX", status=InvoiceStatus.ISSUED,
        buyer=Buyer(name="Kampala Traders"),
        lines=(InvoiceLine(description="Cement", quantity=Decimal(1), unit_price=net, net=net,
                           tax_rate=Decimal(18), tax=tax),),
        totals=InvoiceTotals(net=net, tax=tax, gross=net + tax),
    )  # fmt: skip
    async with db.transaction() as tx:
        row = await ledger.receive(tx, tenant_id=tenant_id, tin=tin, invoice=invoice, state="new")
        await ledger.failed(tx, row.id, code="2180", message="currency not supported")
    return row.id
