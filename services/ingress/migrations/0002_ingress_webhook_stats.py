"""Ingress: webhook health per day, provider and outcome, added to by every ingress process.

Revision ID: 0002_ingress_webhook_stats
Revises: 0001_ingress
"""

from alembic import op

revision = "0002_ingress_webhook_stats"
down_revision = "0001_ingress"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE webhook_stats (
            day date NOT NULL,
            provider text NOT NULL,
            outcome text NOT NULL,
            requests bigint NOT NULL DEFAULT 0,
            events bigint NOT NULL DEFAULT 0,
            last_at timestamptz NOT NULL,
            PRIMARY KEY (day, provider, outcome)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE webhook_stats")
