"""Fiscalizer: each tenant's EFRIS device settings (certificate and password encrypted).

Revision ID: 0001_fiscalizer
Revises:
"""

from alembic import op

revision = "0001_fiscalizer"
down_revision = None
branch_labels = ("fiscalizer",)
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE efris_settings (
            tenant_id text PRIMARY KEY,
            tin text NOT NULL CHECK (tin ~ '^[0-9]{10}$'),
            device_no text NOT NULL,
            certificate bytea NOT NULL,
            certificate_password bytea NOT NULL,
            certificate_not_after timestamptz NOT NULL,
            test_mode boolean NOT NULL DEFAULT true,
            auto_fiscalize boolean NOT NULL DEFAULT true,
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE efris_settings")
