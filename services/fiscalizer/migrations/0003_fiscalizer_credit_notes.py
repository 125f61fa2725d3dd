"""Fiscalizer: automatic credit notes (a tenant's choice) and their applications.

Revision ID: 0003_fiscalizer
Revises: 0002_fiscalizer
"""

from alembic import op

revision = "0003_fiscalizer"
down_revision = "0002_fiscalizer"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE efris_settings ADD COLUMN auto_credit_notes boolean NOT NULL DEFAULT false"
    )
    op.execute(
        """
        CREATE TABLE credit_notes (
            id uuid PRIMARY KEY,
            fiscal_invoice_id uuid NOT NULL UNIQUE REFERENCES fiscal_invoices (id),
            tenant_id text NOT NULL,
            application_ref text NOT NULL,
            state text NOT NULL CHECK (state IN ('applied', 'approved', 'rejected')),
            credit_note_fdn text,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE credit_notes")
    op.execute("ALTER TABLE efris_settings DROP COLUMN auto_credit_notes")
