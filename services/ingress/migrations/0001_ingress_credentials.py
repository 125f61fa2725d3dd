"""Ingress: per-tenant webhook credentials (Zoho path tokens, Standard Webhooks sources, WhatsApp verify tokens).

Revision ID: 0001_ingress
Revises:
"""

from alembic import op

revision = "0001_ingress"
down_revision = None
branch_labels = ("ingress",)
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE webhook_credentials (
            kind text NOT NULL CHECK (kind IN ('zoho', 'source', 'whatsapp_verify')),
            key text NOT NULL,
            tenant_id text NOT NULL,
            account_id text NOT NULL,
            secrets bytea,
            token_digest text,
            active boolean NOT NULL DEFAULT true,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (kind, key),
            CHECK ((kind = 'whatsapp_verify') = (token_digest IS NOT NULL)),
            CHECK ((kind = 'whatsapp_verify') = (secrets IS NULL))
        )
        """
    )
    op.execute(
        """
        CREATE FUNCTION webhook_credentials_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('switchyard_webhook_credentials', COALESCE(NEW.kind, OLD.kind));
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER webhook_credentials_changed AFTER INSERT OR UPDATE OR DELETE "
        "ON webhook_credentials FOR EACH ROW EXECUTE FUNCTION webhook_credentials_notify()"
    )


def downgrade() -> None:
    op.execute("DROP TABLE webhook_credentials")
    op.execute("DROP FUNCTION webhook_credentials_notify")
