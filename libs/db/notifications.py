"""LISTEN on one channel over a dedicated connection that comes back after it drops.

Used by everything woken by a NOTIFY (the outbox relay, ingress's credential
cache, the router's unrouted parking). Each keeps a poll or sweep as its
backstop, so a notification missed while the connection was down costs
latency, never correctness.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import asyncpg

from libs.db.database import Database
from libs.observability import get_logger

log = get_logger(__name__)


class Notifications:
    """Calls `on_payload(payload)` for every NOTIFY on `channel` while connected."""

    def __init__(self, db: Database, *, channel: str, on_payload: Callable[[str], None]) -> None:
        self._db = db
        self._channel = channel
        self._on_payload = on_payload
        self._connection: asyncpg.Connection | None = None

    async def ensure(self) -> bool:
        """Connect and LISTEN unless already listening; False (logged) when the database refuses."""
        if self._connection is not None and not self._connection.is_closed():
            return True
        try:
            self._connection = await self._db.dedicated_connection()
            await self._connection.add_listener(self._channel, self._deliver)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning(
                "listen_failed", channel=self._channel, error=f"{type(exc).__name__}: {exc}"
            )
            await self.close()
            return False
        return True

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close(timeout=2)

    def _deliver(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        self._on_payload(str(payload))
