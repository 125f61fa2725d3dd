"""Kernel tables: the consumers' inbox and the transactional outbox.

Revision ID: 0001_kernel
Revises:
"""

from alembic import op

revision = "0001_kernel"
down_revision = None
branch_labels = ("kernel",)
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE inbox (
            consumer text NOT NULL,
            event_id text NOT NULL,
            seen_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (consumer, event_id)
        )
        """
    )
    op.execute("CREATE INDEX inbox_seen_at ON inbox (seen_at)")
    op.execute(
        """
        CREATE TABLE outbox (
            id bigserial PRIMARY KEY,
            service text NOT NULL,
            exchange text NOT NULL,
            routing_key text NOT NULL,
            message_id text NOT NULL,
            event_type text NOT NULL,
            body bytea NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX outbox_service_id ON outbox (service, id)")


def downgrade() -> None:
    op.execute("DROP TABLE outbox")
    op.execute("DROP TABLE inbox")
