"""WhatsApp bot: each tenant's WhatsApp Business numbers, their access tokens (encrypted) and AI settings.

Revision ID: 0001_whatsapp_bot
Revises:
"""

from alembic import op

revision = "0001_whatsapp_bot"
down_revision = None
branch_labels = ("whatsapp_bot",)
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE whatsapp_accounts (
            id text PRIMARY KEY,
            tenant_id text NOT NULL,
            phone_number_id text NOT NULL,
            access_token bytea NOT NULL,
            model text NOT NULL,
            system_prompt text NOT NULL,
            temperature double precision NOT NULL CHECK (temperature >= 0 AND temperature <= 2),
            active boolean NOT NULL DEFAULT true,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    # One live bot per WhatsApp number: a second tenant must not receive another's messages.
    op.execute(
        "CREATE UNIQUE INDEX whatsapp_accounts_live_number ON whatsapp_accounts (phone_number_id) "
        "WHERE active"
    )
    op.execute("CREATE INDEX whatsapp_accounts_by_tenant ON whatsapp_accounts (tenant_id)")


def downgrade() -> None:
    op.execute("DROP TABLE whatsapp_accounts")
