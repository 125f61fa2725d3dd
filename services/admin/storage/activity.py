"""Each tenant's activity feed: one row per tenant event the admin consumed, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from libs.db import Connection, Database


@dataclass(frozen=True)
class ActivityRow:
    id: int
    event_id: str
    type: str
    status: str
    subject: str | None
    summary: str
    at: datetime


@dataclass(frozen=True)
class ActivityCount:
    type: str
    status: str
    count: int


async def record(
    tx: Connection,
    *,
    tenant_id: str,
    event_id: str,
    type: str,
    status: str,
    subject: str | None,
    summary: str,
    at: datetime,
) -> bool:
    """Append one entry in the caller's transaction; False if the event is already there."""
    inserted = await tx.fetchval(
        "INSERT INTO activity (tenant_id, event_id, type, status, subject, summary, at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, event_id) DO NOTHING "
        "RETURNING true",
        tenant_id, event_id, type, status, subject, summary, at,
    )  # fmt: skip
    return bool(inserted)


async def page(
    db: Database,
    *,
    tenant_id: str,
    type: str | None,
    status: str | None,
    limit: int,
    before_id: int | None,
) -> list[ActivityRow]:
    """Newest first, filtered; `before_id` is the cursor (the last id of the previous page)."""
    rows = await db.pool.fetch(
        "SELECT id, event_id, type, status, subject, summary, at FROM activity "
        "WHERE tenant_id = $1 AND ($2::text IS NULL OR type = $2) "
        "AND ($3::text IS NULL OR status = $3) AND ($4::bigint IS NULL OR id < $4) "
        "ORDER BY id DESC LIMIT $5",
        tenant_id, type, status, before_id, limit,
    )  # fmt: skip
    return [ActivityRow(**dict(row)) for row in rows]


async def counts(db: Database, *, tenant_id: str) -> list[ActivityCount]:
    """How many entries of each type and status the tenant has, by type."""
    rows = await db.pool.fetch(
        "SELECT type, status, count(*) AS count FROM activity WHERE tenant_id = $1 "
        "GROUP BY type, status ORDER BY type, status",
        tenant_id,
    )
    return [ActivityCount(**dict(row)) for row in rows]
