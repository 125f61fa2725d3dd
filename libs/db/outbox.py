"""The transactional outbox: events written with the business data, published after commit.

    async with deps.db.transaction() as tx:
        ...write...
        await outbox.enqueue(tx, service="erp_sync", event=ready, exchange=topology.exchange(EVENTS))

`enqueue` inserts the event and a NOTIFY in the caller's transaction, so the
relay wakes at commit and nothing is published for a rolled-back one.
`OutboxRelay` claims rows with FOR UPDATE SKIP LOCKED (competing relays never
take the same row), publishes them with confirms, and deletes only the rows
the broker confirmed, in the same transaction that locked them. A relay that
dies before that commit leaves the rows for the next one: at least once,
made exactly once downstream by the consumers' inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import asyncpg

from libs.broker import OutgoingMessage, Publisher
from libs.db import inbox
from libs.db.database import Connection, Database
from libs.db.notifications import Notifications
from libs.events import CloudEvent
from libs.observability import get_logger, metrics

log = get_logger(__name__)

NOTIFY_CHANNEL = "switchyard_outbox"


@dataclass(frozen=True)
class OutboxEntry:
    """One event to publish after commit: where to, and under which routing key (its type if None)."""

    event: CloudEvent
    exchange: str
    routing_key: str | None = None


async def enqueue(
    tx: Connection,
    *,
    service: str,
    event: CloudEvent,
    exchange: str,
    routing_key: str | None = None,
) -> None:
    """Add `event` to `service`'s outbox inside the caller's transaction `tx`."""
    await enqueue_many(tx, service=service, entries=[OutboxEntry(event, exchange, routing_key)])


async def enqueue_many(tx: Connection, *, service: str, entries: Sequence[OutboxEntry]) -> None:
    """Add every entry to `service`'s outbox, in order, and NOTIFY the relay: one statement."""
    if not entries:
        return
    await tx.execute(
        "WITH added AS (INSERT INTO outbox "
        "(service, exchange, routing_key, message_id, event_type, body) "
        "SELECT $1, e.exchange, e.routing_key, e.message_id, e.event_type, e.body "
        "FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[]) "
        "WITH ORDINALITY AS e(exchange, routing_key, message_id, event_type, body, n) "
        "ORDER BY e.n) "
        "SELECT pg_notify($7, $1)",
        service,
        [entry.exchange for entry in entries],
        [_routing_key(entry) for entry in entries],
        [entry.event.id for entry in entries],
        [entry.event.type for entry in entries],
        [entry.event.to_bytes() for entry in entries],
        NOTIFY_CHANNEL,
    )


def _routing_key(entry: OutboxEntry) -> str:
    return entry.routing_key if entry.routing_key is not None else entry.event.type


class OutboxRelay:
    """Publishes one service's committed outbox rows; see the module docstring.

    Woken by NOTIFY, with a poll every `poll_interval` as the backstop for a
    missed notification or a dropped listener connection.
    """

    def __init__(
        self,
        *,
        db: Database,
        publisher: Publisher,
        service: str,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        max_backoff: float = 5.0,
    ) -> None:
        self._db = db
        self._publisher = publisher
        self._service = service
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._max_backoff = max_backoff
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._notifications = Notifications(db, channel=NOTIFY_CHANNEL, on_payload=self._on_notify)
        self._pending_reported_at = float("-inf")

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay:{self._service}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._notifications.close()

    async def relay_once(self) -> tuple[int, int]:
        """Claim, publish and delete one batch; (published, failed)."""
        async with self._db.transaction() as tx:
            rows = await tx.fetch(
                "SELECT id, exchange, routing_key, message_id, event_type, body FROM outbox "
                "WHERE service = $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED",
                self._service,
                self._batch_size,
            )
            if not rows:
                return 0, 0
            messages = [
                OutgoingMessage(
                    exchange=row["exchange"],
                    routing_key=row["routing_key"],
                    body=bytes(row["body"]),
                    message_id=row["message_id"],
                    type=row["event_type"],
                )
                for row in rows
            ]
            errors = await self._publisher.send_many(messages)
            confirmed = [
                row["id"] for row, error in zip(rows, errors, strict=True) if error is None
            ]
            if confirmed:
                await tx.execute("DELETE FROM outbox WHERE id = ANY($1::bigint[])", confirmed)
        failed = len(rows) - len(confirmed)
        metrics.outbox_relayed.labels(self._service).inc(len(confirmed))
        if failed:
            first = next(e for e in errors if e is not None)
            log.warning(
                "outbox_publish_failed", failed=failed, error=f"{type(first).__name__}: {first}"
            )
        return len(confirmed), failed

    async def _run(self) -> None:
        backoff = 0.0
        while True:
            await self._notifications.ensure()
            try:
                published, failed = await self.relay_once()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("outbox_relay_db_error", error=f"{type(exc).__name__}: {exc}")
                published, failed = 0, 1
            if failed:
                backoff = min(self._max_backoff, max(0.1, backoff * 2))
                await self._wait(backoff)
                continue
            backoff = 0.0
            if published < self._batch_size:
                await self._report_pending()
                await self._wait(self._poll_interval)

    async def _wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    async def _report_pending(self) -> None:
        # A count(*) per relay pass would be a query per few events under load; once per
        # poll interval is what a scraped gauge needs.
        now = asyncio.get_running_loop().time()
        if now - self._pending_reported_at < self._poll_interval:
            return
        self._pending_reported_at = now
        with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            async with self._db.pool.acquire() as conn:
                pending = await conn.fetchval(
                    "SELECT count(*) FROM outbox WHERE service = $1", self._service
                )
            metrics.outbox_pending.labels(self._service).set(pending)

    def _on_notify(self, payload: str) -> None:
        if payload == self._service:
            self._wake.set()


async def emit_once(
    db: Database,
    *,
    consumer: str,
    exchange: str,
    incoming_id: str,
    events: list[CloudEvent],
    writes: Callable[[Connection], Awaitable[bool]] | None = None,
) -> bool:
    """Commit `consumer`'s inbox row for `incoming_id` with `events`; False if already handled.

    `writes(tx)` runs in the same transaction first; when it returns False (its record
    already existed) the events are not emitted. A redelivered event emits nothing again.
    """
    async with db.transaction() as tx:
        if not await inbox.mark_seen(tx, consumer=consumer, event_id=incoming_id):
            return False
        if writes is not None and not await writes(tx):
            return True
        for event in events:
            await enqueue(tx, service=consumer, event=event, exchange=exchange)
    return True
