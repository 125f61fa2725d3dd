"""Access tokens for a connection, refreshed at most once at a time per connection.

    tokens = TokenSource(...)
    answer = await tokens.call(connection_id, lambda access: client.get_invoice(..., access))

`call` uses the stored access token while it is fresh, refreshes when it is about to
expire, and on a provider 401 refreshes once and retries once (providers.md §8.3).

One refresh per connection across every process: refreshers take the connection's
row lock (`SELECT … FOR UPDATE`), and one that waited sees from `token_version` that
another already refreshed and uses that token instead of spending the refresh token
again. In one process an asyncio lock per connection keeps waiters off the pool. The
rotated refresh token is committed before the new access token is handed out, so no
API call ever runs on a token set the database does not hold.

Each process reuses the token it last read for up to 30 s without asking the database
(a refreshed or revoked token elsewhere shows up as a 401 here, which the path above
handles).

`invalid_grant` marks the connection `needs_reconnect` and emits
`connection.needs_reconnect` (committed, then `NeedsReconnect` is raised): the
tenant must connect again; nothing retries a dead grant.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from libs.crypto import SecretBox
from libs.db import Connection, Database, outbox
from libs.events import CloudEvent
from libs.http import AuthExpired
from libs.observability import get_logger
from services.erp_sync import metrics, storage
from services.erp_sync.apps import Provider
from services.erp_sync.clients.oauth import GrantRevoked, OAuthClient
from services.erp_sync.storage import StoredTokens

log = get_logger(__name__)
T = TypeVar("T")

# Refresh this long before expiry, so a token never expires in flight.
_EXPIRY_MARGIN = timedelta(seconds=60)
# How long a process trusts the token it read without asking the database again: bounds how
# long a connection disconnected elsewhere keeps syncing here (its revoked token 401s sooner).
_READ_FOR = timedelta(seconds=30)


class NeedsReconnect(Exception):
    """The connection has no usable grant (revoked, disconnected or unknown)."""

    def __init__(self, connection_id: str, status: str) -> None:
        super().__init__(f"connection {connection_id} is {status}: the tenant must reconnect")
        self.connection_id = connection_id
        self.status = status


@dataclass(frozen=True)
class AccessToken:
    token: str = field(repr=False)
    version: int
    account_id: str
    api_domain: str | None
    expires_at: datetime
    read_at: datetime


@dataclass
class TokenSource:
    """See the module docstring. `clock` is injectable so tests can move time."""

    db: Database
    box: SecretBox
    oauth: Mapping[Provider, OAuthClient]
    events_exchange: str
    service: str
    clock: Callable[[], datetime]
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    _read: dict[str, AccessToken] = field(default_factory=dict)

    async def call(self, connection_id: str, request: Callable[[AccessToken], Awaitable[T]]) -> T:
        """`request(token)`; on `AuthExpired`, one refresh and one more try (then it propagates)."""
        token = await self.access_token(connection_id)
        try:
            return await request(token)
        except AuthExpired:
            metrics.auth_retries.inc()
            token = await self.refresh(connection_id, stale_version=token.version)
            return await request(token)

    async def access_token(self, connection_id: str) -> AccessToken:
        """A fresh access token for the connection; `NeedsReconnect` when there is none.

        A token read in the last `_READ_FOR` is reused without a database round trip.
        """
        now = self.clock()
        held = self._read.get(connection_id)
        if held is not None and held.read_at + _READ_FOR > now and self._fresh(held.expires_at):
            return held
        stored = await storage.tokens_of(self.db, self.box, connection_id)
        usable = self._usable(connection_id, stored)
        if self._fresh(usable.access_expires_at):
            return self._hold(usable)
        return await self.refresh(connection_id, stale_version=usable.version)

    async def refresh(self, connection_id: str, *, stale_version: int) -> AccessToken:
        """Replace the token set at `stale_version`, unless someone already did; see module."""
        lock = self._locks.setdefault(connection_id, asyncio.Lock())
        async with lock:
            revoked = False
            async with self.db.transaction() as tx:
                stored = self._usable(
                    connection_id, await storage.lock_tokens(tx, self.box, connection_id)
                )
                if stored.version != stale_version and self._fresh(stored.access_expires_at):
                    return self._hold(stored)
                try:
                    await self._refresh_locked(tx, stored)
                except GrantRevoked:
                    await self._needs_reconnect(tx, stored)
                    revoked = True
            if revoked:
                self._read.pop(connection_id, None)
                raise NeedsReconnect(connection_id, "needs_reconnect")
            refreshed = await storage.tokens_of(self.db, self.box, connection_id)
            return self._hold(self._usable(connection_id, refreshed))

    async def _refresh_locked(self, tx: Connection, stored: StoredTokens) -> None:
        if stored.refresh_token is None:
            raise GrantRevoked("no refresh token stored", provider=stored.provider, status=400)
        tokens = await self.oauth[stored.provider].refresh(stored.refresh_token, now=self.clock())
        await storage.save_refreshed(tx, self.box, stored.connection_id, tokens)
        metrics.refreshes.labels(stored.provider).inc()
        log.info("token refreshed", connection_id=stored.connection_id, provider=stored.provider)

    async def _needs_reconnect(self, tx: Connection, stored: StoredTokens) -> None:
        await storage.set_status(tx, stored.connection_id, "needs_reconnect")
        event = CloudEvent(
            source=f"/services/{self.service}", type="connection.needs_reconnect",
            subject=f"connection/{stored.connection_id}", tenantid=stored.tenant_id,
            accountid=stored.account_id, connectionid=stored.connection_id,
            data={"provider": stored.provider, "account_id": stored.account_id,
                  "reason": "grant revoked or expired"},
        )  # fmt: skip
        await outbox.enqueue(tx, service=self.service, event=event, exchange=self.events_exchange)
        log.warning("connection needs reconnect", connection_id=stored.connection_id,
                    provider=stored.provider)  # fmt: skip

    def _usable(self, connection_id: str, stored: StoredTokens | None) -> StoredTokens:
        if stored is None or stored.status != "connected" or stored.access_token is None:
            self._read.pop(connection_id, None)
            raise NeedsReconnect(connection_id, "unknown" if stored is None else stored.status)
        return stored

    def _fresh(self, expires_at: datetime) -> bool:
        return expires_at - _EXPIRY_MARGIN > self.clock()

    def _hold(self, stored: StoredTokens) -> AccessToken:
        """`stored` as the token this process uses for the connection from now on."""
        assert stored.access_token is not None
        token = AccessToken(
            token=stored.access_token, version=stored.version, account_id=stored.account_id,
            api_domain=stored.api_domain, expires_at=stored.access_expires_at, read_at=self.clock(),
        )  # fmt: skip
        self._read[stored.connection_id] = token
        return token
