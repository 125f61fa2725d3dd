"""The asyncpg pool a service opens once in its bootstrap."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from libs.config import redact_url

if TYPE_CHECKING:
    Connection: TypeAlias = PoolConnectionProxy[asyncpg.Record]
else:  # asyncpg's runtime class is not generic; only its stubs are
    Connection = PoolConnectionProxy
"""A pooled connection, as handlers and storage functions receive it."""


def executor(db: Database | Connection) -> asyncpg.Pool | Connection:
    """Where a storage function runs its statements: the caller's transaction
    connection when given one (so the write commits with the rest), else the pool."""
    return db.pool if isinstance(db, Database) else db


class DatabaseUnavailable(Exception):
    """PostgreSQL cannot be reached or refused the connection; the message says where."""


class Database:
    """A pool of connections to the service's database.

    `transaction()` is the unit of work: the handler's writes, its inbox row
    and its outbox events commit together or not at all.
    """

    def __init__(self, pool: asyncpg.Pool, dsn: str) -> None:
        self.pool = pool
        self._dsn = dsn

    @classmethod
    async def connect(cls, dsn: str, *, min_size: int = 2, max_size: int = 10) -> Database:
        """Open the pool; raise `DatabaseUnavailable` naming the (redacted) URL on failure."""
        try:
            pool = await asyncpg.create_pool(
                dsn,
                min_size=min_size,
                max_size=max_size,
                max_inactive_connection_lifetime=60.0,
                command_timeout=30.0,
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise DatabaseUnavailable(
                f"PostgreSQL is unreachable at {redact_url(dsn)} ({type(exc).__name__}: {exc})"
            ) from exc
        return cls(pool, dsn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """A connection inside a transaction: commit on normal exit, roll back on an exception."""
        async with self.pool.acquire() as connection, connection.transaction():
            yield connection

    async def dedicated_connection(self) -> asyncpg.Connection:
        """A connection outside the pool, for LISTEN; the caller closes it."""
        return await asyncpg.connect(self._dsn, timeout=10)

    async def check(self) -> bool:
        """Readiness: a trivial query succeeds."""
        async with self.pool.acquire(timeout=2.0) as connection:
            return bool(await connection.fetchval("SELECT 1"))

    async def close(self) -> None:
        await self.pool.close()
