"""PostgreSQL for services: the pool, the inbox, the transactional outbox, group commit, migrations.

DatabaseUnavailable     the database cannot be reached; the message names the redacted URL
"""

from libs.db import inbox, outbox
from libs.db.database import Connection, Database, DatabaseUnavailable, executor
from libs.db.group_commit import GroupCommit
from libs.db.notifications import Notifications
from libs.db.outbox import OutboxRelay

__all__ = [
    "Connection",
    "Database",
    "DatabaseUnavailable",
    "GroupCommit",
    "Notifications",
    "OutboxRelay",
    "executor",
    "inbox",
    "outbox",
]
