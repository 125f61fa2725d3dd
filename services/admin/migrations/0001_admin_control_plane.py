"""Admin: tenants, users, tokens, API keys, audit log, activity and usage.

Revision ID: 0001_admin
Revises:
"""

from alembic import op

revision = "0001_admin"
down_revision = None
branch_labels = ("admin",)
depends_on = None

STATEMENTS = [
    """
    CREATE TABLE tenants (
        id text PRIMARY KEY,
        name text NOT NULL,
        email text NOT NULL,
        phone text,
        tin text NOT NULL,
        erp_type text NOT NULL CHECK (erp_type IN ('quickbooks', 'xero', 'zoho', 'none')),
        test_mode boolean NOT NULL DEFAULT true,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
        plan text NOT NULL DEFAULT 'standard',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    """
    CREATE TABLE users (
        id text PRIMARY KEY,
        tenant_id text REFERENCES tenants (id),
        email text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('owner', 'tenant_admin', 'tenant_user')),
        failed_logins int NOT NULL DEFAULT 0,
        locked_until timestamptz,
        last_login_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((role = 'owner') = (tenant_id IS NULL))
    )
    """,
    "CREATE INDEX users_by_tenant ON users (tenant_id)",
    """
    CREATE TABLE refresh_tokens (
        digest text PRIMARY KEY,
        user_id text NOT NULL REFERENCES users (id),
        family text NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    "CREATE INDEX refresh_tokens_family ON refresh_tokens (family)",
    """
    CREATE TABLE revoked_access_tokens (
        jti text PRIMARY KEY,
        expires_at timestamptz NOT NULL
    )
    """,
    """
    CREATE TABLE api_keys (
        id text PRIMARY KEY,
        tenant_id text NOT NULL REFERENCES tenants (id),
        name text NOT NULL,
        prefix text NOT NULL UNIQUE,
        digest text NOT NULL,
        scopes text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
    )
    """,
    "CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id)",
    """
    CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        actor_role text NOT NULL,
        tenant_id text,
        action text NOT NULL,
        target text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}'
    )
    """,
    "CREATE INDEX audit_log_by_tenant ON audit_log (tenant_id, id)",
    """
    CREATE TABLE activity (
        id bigserial PRIMARY KEY,
        tenant_id text NOT NULL,
        event_id text NOT NULL,
        type text NOT NULL,
        status text NOT NULL CHECK (status IN ('ok', 'failed', 'pending')),
        subject text,
        summary text NOT NULL,
        at timestamptz NOT NULL,
        UNIQUE (tenant_id, event_id)
    )
    """,
    "CREATE INDEX activity_by_tenant ON activity (tenant_id, id DESC)",
    """
    CREATE TABLE usage_counters (
        tenant_id text NOT NULL,
        day date NOT NULL,
        metric text NOT NULL,
        count bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id, day, metric)
    )
    """,
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for table in (
        "usage_counters", "activity", "audit_log", "api_keys", "revoked_access_tokens",
        "refresh_tokens", "users", "tenants",
    ):  # fmt: skip
        op.execute(f"DROP TABLE {table}")
