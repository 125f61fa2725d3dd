"""Fiscalizer: each ERP invoice's way to one EFRIS FDN, the goods registered per TIN, the seller.

Revision ID: 0002_fiscalizer
Revises: 0001_fiscalizer
"""

from alembic import op

revision = "0002_fiscalizer"
down_revision = "0001_fiscalizer"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE fiscal_invoices (
            id uuid PRIMARY KEY,
            tenant_id text NOT NULL,
            provider text NOT NULL,
            account_id text NOT NULL,
            invoice_id text NOT NULL,
            tin text NOT NULL,
            reference_no text NOT NULL CHECK (length(reference_no) <= 50),
            state text NOT NULL CHECK (state IN ('held', 'new', 'sending', 'fiscalized', 'failed')),
            attempts integer NOT NULL DEFAULT 0,
            lease_until timestamptz,
            invoice jsonb NOT NULL,
            fdn text,
            efris_invoice_id text,
            antifake_code text,
            qr_code text,
            fiscalized_at timestamptz,
            error_code text,
            error_message text,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (tenant_id, provider, account_id, invoice_id),
            UNIQUE (tin, reference_no)
        )
        """
    )
    op.execute("CREATE INDEX fiscal_invoices_by_tenant ON fiscal_invoices (tenant_id, state)")
    op.execute(
        """
        CREATE TABLE efris_goods (
            tin text NOT NULL,
            goods_code text NOT NULL,
            name text NOT NULL,
            commodity_category_id text NOT NULL,
            unit_of_measure text NOT NULL,
            registered_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tin, goods_code)
        )
        """
    )

    # sellerDetails needs the taxpayer's legal name and e-mail (efris.md §5.2).
    op.execute(
        "ALTER TABLE efris_settings ADD COLUMN legal_name text NOT NULL DEFAULT '', "
        "ADD COLUMN email text NOT NULL DEFAULT ''"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE efris_settings DROP COLUMN legal_name, DROP COLUMN email")
    op.execute("DROP TABLE efris_goods")
    op.execute("DROP TABLE fiscal_invoices")
