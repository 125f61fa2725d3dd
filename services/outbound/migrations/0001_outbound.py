"""Outbound: tenants' webhook endpoints, their signing secrets, deliveries and attempts.

Revision ID: 0001_outbound
Revises:
"""

from alembic import op

revision = "0001_outbound"
down_revision = None
branch_labels = ("outbound",)
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE webhook_endpoints (
            id text PRIMARY KEY,
            tenant_id text NOT NULL,
            url text NOT NULL,
            description text NOT NULL DEFAULT '',
            event_types text[] NOT NULL DEFAULT '{}',
            enabled boolean NOT NULL DEFAULT true,
            disabled_reason text,
            headers jsonb NOT NULL DEFAULT '{}',
            rate_limit_per_s integer CHECK (rate_limit_per_s > 0),
            failing_since timestamptz,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id)")
    op.execute(
        """
        CREATE TABLE webhook_endpoint_secrets (
            endpoint_id text NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
            tenant_id text NOT NULL,
            secret bytea NOT NULL,
            created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            expires_at timestamptz,
            PRIMARY KEY (endpoint_id, created_at)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE webhook_deliveries (
            id text PRIMARY KEY,
            tenant_id text NOT NULL,
            endpoint_id text NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
            event_id text NOT NULL,
            event_type text NOT NULL,
            payload bytea NOT NULL,
            status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
            attempts integer NOT NULL,
            last_status_code integer,
            last_error text,
            next_attempt_at timestamptz,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL
        )
        """
    )
    op.execute(
        "CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries "
        "(endpoint_id, status, updated_at)"
    )
    op.execute("CREATE INDEX webhook_deliveries_updated ON webhook_deliveries (updated_at)")
    op.execute(
        """
        CREATE TABLE webhook_attempts (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            delivery_id text NOT NULL,
            tenant_id text NOT NULL,
            endpoint_id text NOT NULL,
            attempt integer NOT NULL,
            trigger text NOT NULL CHECK (trigger IN ('scheduled', 'manual')),
            started_at timestamptz NOT NULL,
            duration_ms integer NOT NULL,
            status_code integer,
            response text,
            error text,
            next_attempt_at timestamptz
        )
        """
    )
    op.execute("CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id)")
    op.execute("CREATE INDEX webhook_attempts_started ON webhook_attempts (started_at)")


def downgrade() -> None:
    op.execute("DROP TABLE webhook_attempts")
    op.execute("DROP TABLE webhook_deliveries")
    op.execute("DROP TABLE webhook_endpoint_secrets")
    op.execute("DROP TABLE webhook_endpoints")
