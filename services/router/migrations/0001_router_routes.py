"""Router: which tenant connection(s) own each provider account.

Revision ID: 0001_router
Revises:
"""

from alembic import op

revision = "0001_router"
down_revision = None
branch_labels = ("router",)
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE routes (
            id uuid PRIMARY KEY,
            tenant_id text NOT NULL,
            provider text NOT NULL,
            account_id text NOT NULL,
            connection_id text NOT NULL,
            active boolean NOT NULL DEFAULT true,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (provider, account_id, connection_id)
        )
        """
    )
    op.execute("CREATE INDEX routes_by_account ON routes (provider, account_id) WHERE active")
    op.execute("CREATE INDEX routes_by_tenant ON routes (tenant_id)")
    op.execute(
        """
        CREATE FUNCTION routes_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('switchyard_routes', NEW.provider || ':' || NEW.account_id);
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER routes_changed AFTER INSERT OR UPDATE ON routes "
        "FOR EACH ROW EXECUTE FUNCTION routes_notify()"
    )


def downgrade() -> None:
    op.execute("DROP TABLE routes")
    op.execute("DROP FUNCTION routes_notify")
