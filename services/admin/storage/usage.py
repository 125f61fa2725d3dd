"""Usage metering: per tenant, per UTC day, per metric counters (what plans limit)."""

from __future__ import annotations

from collections.abc import Iterable

from libs.db import Connection, Database


async def increment(tx: Connection, *, tenant_id: str, metrics: Iterable[str]) -> None:
    """Add one to each of `metrics` for today (UTC), in the caller's transaction."""
    await tx.executemany(
        "INSERT INTO usage_counters (tenant_id, day, metric, count) "
        "VALUES ($1, (now() AT TIME ZONE 'UTC')::date, $2, 1) ON CONFLICT (tenant_id, day, metric) "
        "DO UPDATE SET count = usage_counters.count + 1",
        [(tenant_id, metric) for metric in metrics],
    )


async def this_month(db: Database, *, tenant_id: str) -> dict[str, int]:
    """Each metric's total since the first of this month (UTC); absent metrics are zero."""
    rows = await db.pool.fetch(
        "SELECT metric, sum(count)::bigint AS total FROM usage_counters WHERE tenant_id = $1 "
        "AND day >= date_trunc('month', now() AT TIME ZONE 'UTC')::date GROUP BY metric ORDER BY metric",
        tenant_id,
    )
    return {row["metric"]: int(row["total"]) for row in rows}
