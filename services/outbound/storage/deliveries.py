"""Deliveries and their attempts: written in batches by the delivery worker, read by admin.

A delivery row holds the exact payload (for replays) and its latest state:
    pending    tried and failed, a retry is scheduled (next_attempt_at)
    delivered  an attempt got a 2xx
    failed     out of retries, or its endpoint was disabled: kept, replayable
Every attempt adds one webhook_attempts row. A redelivered message may log an attempt
twice; the state only moves forward in time (updated_at).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from libs.db import Connection, Database, executor

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


@dataclass(frozen=True)
class AttemptRow:
    delivery_id: str
    tenant_id: str
    endpoint_id: str
    event_id: str
    event_type: str
    payload: bytes
    attempt: int  # 1-based number of this try for its message
    trigger: str
    started_at: datetime
    duration_ms: int
    status_code: int | None
    response: str | None
    error: str | None
    state: str  # the delivery's state after this attempt
    next_attempt_at: datetime | None


async def record(db: Database | Connection, rows: Sequence[AttemptRow]) -> None:
    """Log `rows` and move their deliveries to the states they report: one statement, so one
    round trip and atomic on its own. A row whose endpoint was deleted meanwhile (its
    deliveries went with it) is skipped rather than failing the others."""
    latest = list({row.delivery_id: row for row in rows}.values())  # one upsert per delivery
    await executor(db).execute(
        "WITH logged AS (INSERT INTO webhook_attempts (delivery_id, tenant_id, endpoint_id, "
        "attempt, trigger, started_at, duration_ms, status_code, response, error, "
        "next_attempt_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], "
        "$5::text[], $6::timestamptz[], $7::int[], $8::int[], $9::text[], $10::text[], "
        "$11::timestamptz[])) "
        "INSERT INTO webhook_deliveries AS d (id, tenant_id, endpoint_id, event_id, event_type, "
        "payload, status, attempts, last_status_code, last_error, next_attempt_at, updated_at) "
        "SELECT id, tenant_id, endpoint_id, event_id, event_type, payload, status, 1, code, "
        "error, next_at, $22 FROM unnest($12::text[], $13::text[], $14::text[], $15::text[], "
        "$16::text[], $17::bytea[], $18::text[], $19::int[], $20::text[], $21::timestamptz[]) "
        "AS t(id, tenant_id, endpoint_id, event_id, event_type, payload, status, code, error, "
        "next_at) WHERE EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = t.endpoint_id) "
        "ON CONFLICT (id) DO UPDATE SET status = excluded.status, attempts = d.attempts + 1, "
        "last_status_code = excluded.last_status_code, last_error = excluded.last_error, "
        "next_attempt_at = excluded.next_attempt_at, updated_at = excluded.updated_at "
        "WHERE d.status <> 'delivered' OR excluded.status = 'delivered'",
        [r.delivery_id for r in rows], [r.tenant_id for r in rows], [r.endpoint_id for r in rows],
        [r.attempt for r in rows], [r.trigger for r in rows], [r.started_at for r in rows],
        [r.duration_ms for r in rows], [r.status_code for r in rows], [r.response for r in rows],
        [r.error for r in rows], [r.next_attempt_at for r in rows],
        [r.delivery_id for r in latest], [r.tenant_id for r in latest],
        [r.endpoint_id for r in latest], [r.event_id for r in latest],
        [r.event_type for r in latest], [r.payload for r in latest], [r.state for r in latest],
        [r.status_code for r in latest], [r.error for r in latest],
        [r.next_attempt_at for r in latest], datetime.now(UTC),
    )  # fmt: skip


@dataclass(frozen=True)
class DeliveryRow:
    id: str
    tenant_id: str
    endpoint_id: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class AttemptView:
    attempt: int
    trigger: str
    started_at: datetime
    duration_ms: int
    status_code: int | None
    response: str | None
    error: str | None
    next_attempt_at: datetime | None


_DELIVERY_COLUMNS = (
    "id, tenant_id, endpoint_id, event_id, event_type, status, attempts, last_status_code, "
    "last_error, next_attempt_at, created_at, updated_at"
)


async def of_endpoint(
    db: Database, *, tenant_id: str, endpoint_id: str, status: str | None, limit: int,
    before: tuple[datetime, str] | None = None,
) -> list[DeliveryRow]:  # fmt: skip
    """The endpoint's deliveries, newest first, optionally of one status; `before` is the
    (updated_at, id) of the previous page's last row (one batch shares an updated_at)."""
    rows = await db.pool.fetch(
        f"SELECT {_DELIVERY_COLUMNS} FROM webhook_deliveries WHERE tenant_id = $1 AND "  # noqa: S608 (constant column list)
        "endpoint_id = $2 AND ($3::text IS NULL OR status = $3) AND "
        "($4::timestamptz IS NULL OR (updated_at, id) < ($4, $5::text)) "
        "ORDER BY updated_at DESC, id DESC LIMIT $6",
        tenant_id,
        endpoint_id,
        status,
        before[0] if before else None,
        before[1] if before else "",
        limit,
    )
    return [DeliveryRow(**dict(row)) for row in rows]


async def one(db: Database | Connection, *, tenant_id: str, delivery_id: str) -> DeliveryRow | None:
    row = await executor(db).fetchrow(
        f"SELECT {_DELIVERY_COLUMNS} FROM webhook_deliveries WHERE tenant_id = $1 AND id = $2",  # noqa: S608 (constant column list)
        tenant_id,
        delivery_id,
    )
    return DeliveryRow(**dict(row)) if row else None


async def attempts_of(db: Database, *, tenant_id: str, delivery_id: str) -> list[AttemptView]:
    rows = await db.pool.fetch(
        "SELECT attempt, trigger, started_at, duration_ms, status_code, response, error, "
        "next_attempt_at FROM webhook_attempts WHERE tenant_id = $1 AND delivery_id = $2 "
        "ORDER BY id",
        tenant_id,
        delivery_id,
    )
    return [AttemptView(**dict(row)) for row in rows]


@dataclass(frozen=True)
class Replayable:
    id: str
    endpoint_id: str
    event_id: str
    event_type: str
    payload: bytes


async def replayable(
    db: Database, *, tenant_id: str, endpoint_id: str | None = None,
    delivery_id: str | None = None, failed_since: datetime | None = None, limit: int = 10_000,
) -> list[Replayable]:  # fmt: skip
    """One delivery by id (any state), or the endpoint's failed ones updated since a time."""
    rows = await db.pool.fetch(
        "SELECT id, endpoint_id, event_id, event_type, payload FROM webhook_deliveries "
        "WHERE tenant_id = $1 AND ($2::text IS NULL OR endpoint_id = $2) AND "
        "($3::text IS NULL OR id = $3) AND "
        "($4::timestamptz IS NULL OR (status = 'failed' AND updated_at >= $4)) "
        "ORDER BY updated_at LIMIT $5",
        tenant_id,
        endpoint_id,
        delivery_id,
        failed_since,
        limit,
    )
    return [Replayable(**dict(row)) for row in rows]


async def delete_older_than(db: Database, *, cutoff: datetime, batch: int) -> int:
    """Delete up to `batch` attempts and `batch` finished deliveries older than `cutoff`."""
    async with db.transaction() as tx:
        attempts = await tx.execute(
            "DELETE FROM webhook_attempts WHERE id IN (SELECT id FROM webhook_attempts "
            "WHERE started_at < $1 LIMIT $2)",
            cutoff,
            batch,
        )
        deliveries = await tx.execute(
            "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries "
            "WHERE updated_at < $1 AND status <> 'pending' LIMIT $2)",
            cutoff,
            batch,
        )
    return int(attempts.split()[-1]) + int(deliveries.split()[-1])
