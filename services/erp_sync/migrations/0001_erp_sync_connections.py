"""erp_sync: OAuth connections to the tenants' ERPs, connect states, Stripe-made invoices.

Revision ID: 0001_erp_sync
Revises:
"""

from alembic import op

revision = "0001_erp_sync"
down_revision = None
branch_labels = ("erp_sync",)
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE erp_connections (
            id uuid PRIMARY KEY,
            tenant_id text NOT NULL,
            provider text NOT NULL CHECK (provider IN ('quickbooks', 'xero', 'zoho')),
            account_id text NOT NULL,
            account_name text,
            status text NOT NULL CHECK (status IN ('connected', 'needs_reconnect', 'disconnected')),
            access_token bytea,
            access_expires_at timestamptz NOT NULL,
            refresh_token bytea,
            refresh_expires_at timestamptz,
            refresh_hard_expires_at timestamptz,
            api_domain text,
            token_version integer NOT NULL DEFAULT 1,
            refreshed_at timestamptz,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (tenant_id, provider, account_id)
        )
        """
    )
    op.execute("CREATE INDEX erp_connections_by_tenant ON erp_connections (tenant_id, provider)")
    op.execute(
        """
        CREATE TABLE oauth_states (
            nonce text PRIMARY KEY,
            tenant_id text NOT NULL,
            provider text NOT NULL,
            actor text NOT NULL,
            expires_at timestamptz NOT NULL,
            used_at timestamptz
        )
        """
    )
    op.execute(
        """
        CREATE TABLE stripe_invoices (
            tenant_id text NOT NULL,
            session_id text NOT NULL,
            realm_id text NOT NULL,
            invoice_id text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, session_id)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE stripe_invoices")
    op.execute("DROP TABLE oauth_states")
    op.execute("DROP TABLE erp_connections")
