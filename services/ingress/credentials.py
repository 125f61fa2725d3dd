"""The in-memory copy of ingress's per-tenant secrets, kept fresh by LISTEN/NOTIFY.

No request waits on the database: lookups read the current snapshot. A
change to `webhook_credentials` NOTIFYs; the cache reloads the whole (small)
table within milliseconds. A reload also runs every `refresh_interval` as the
backstop for a missed notification or a dropped listener connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac

import asyncpg

from libs.crypto import SecretBox
from libs.db import Database, Notifications
from libs.observability import get_logger
from services.ingress.storage import (
    CREDENTIALS_CHANNEL,
    Credentials,
    SignedEndpoint,
    load_credentials,
    token_digest,
)

log = get_logger(__name__)


class CredentialCache:
    """Zoho connections, sources and WhatsApp verify tokens, looked up without I/O."""

    def __init__(
        self,
        *,
        db: Database,
        box: SecretBox,
        fallback_verify_token: str | None = None,
        refresh_interval: float = 30.0,
    ) -> None:
        self._db = db
        self._box = box
        self._fallback_digest = (
            token_digest(fallback_verify_token) if fallback_verify_token else None
        )
        self._refresh_interval = refresh_interval
        self._snapshot = Credentials(zoho={}, sources={}, verify_token_digests=frozenset())
        self._changed = asyncio.Event()
        self._notifications = Notifications(
            db, channel=CREDENTIALS_CHANNEL, on_payload=lambda _: self._changed.set()
        )
        self._task: asyncio.Task[None] | None = None
        self.reloads = 0

    async def start(self) -> None:
        """Load once (so the first request sees every credential), then follow changes."""
        await self._notifications.ensure()
        await self.reload()
        self._task = asyncio.create_task(self._follow(), name="credential-cache")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._notifications.close()

    async def reload(self) -> None:
        self._snapshot = await load_credentials(self._db, self._box)
        self.reloads += 1

    def zoho(self, token: str) -> SignedEndpoint | None:
        return self._snapshot.zoho.get(token)

    def source(self, source_id: str) -> SignedEndpoint | None:
        return self._snapshot.sources.get(source_id)

    def verify_token_matches(self, candidate: str) -> bool:
        """True when `candidate` is any active account's verify token or the fallback."""
        digest = token_digest(candidate)
        if self._fallback_digest is not None and hmac.compare_digest(digest, self._fallback_digest):
            return True
        return digest in self._snapshot.verify_token_digests

    async def _follow(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), self._refresh_interval)
            self._changed.clear()
            try:
                await self._notifications.ensure()
                await self.reload()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                # Keep serving the last snapshot; the next change or interval retries.
                log.warning("credential_reload_failed", error=f"{type(exc).__name__}: {exc}")
