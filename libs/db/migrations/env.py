"""Alembic environment: plain-SQL migrations applied over asyncpg, one migrator at a time.

Kernel tables live in libs/db/migrations/versions; each service that owns
tables adds services/<name>/migrations (a branch of its own, found by
`libs.db.migrate`). A transaction-scoped PostgreSQL advisory lock serializes concurrent
migrators (several services starting at once in dev).
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

_LOCK_KEY = 0x5357_5944  # "SWYD"


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        # Held until this transaction ends: concurrent migrators wait, then find nothing to do.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        context.run_migrations()


async def _main() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


asyncio.run(_main())
