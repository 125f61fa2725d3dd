"""Fiscalizer: a tenant's resubmits of failed or held invoices, and its invoices newest first.

Revision ID: 0004_fiscalizer
Revises: 0003_fiscalizer
"""

from alembic import op

revision = "0004_fiscalizer"
down_revision = "0003_fiscalizer"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The invoice.fiscalization_requested that last moved the row to `new`: its redelivery
    # resumes that resubmit but never starts another (handlers/resubmit_invoice.py).
    op.execute("ALTER TABLE fiscal_invoices ADD COLUMN resubmit_event_id text")
    # GET /api/tenant/invoices pages by (updated_at, id), newest first.
    op.execute(
        "CREATE INDEX fiscal_invoices_by_update ON fiscal_invoices "
        "(tenant_id, updated_at DESC, id DESC)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX fiscal_invoices_by_update")
    op.execute("ALTER TABLE fiscal_invoices DROP COLUMN resubmit_event_id")
