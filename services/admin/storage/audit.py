"""The audit log: who changed what, when. Details never carry secret values (callers pass names)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from libs.db import Connection, Database, executor
from services.admin.auth.principal import Principal


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    actor_role: str
    tenant_id: str | None
    action: str
    target: str
    details: dict[str, Any]


async def record(
    db: Database | Connection,
    *,
    actor: Principal | None,
    action: str,
    target: str,
    tenant_id: str | None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one entry; pass a transaction connection to commit it with the change itself."""
    await executor(db).execute(
        "INSERT INTO audit_log (actor, actor_role, tenant_id, action, target, details) "
        "VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
        actor.subject if actor else "anonymous",
        actor.role.value if actor else "none",
        tenant_id,
        action,
        target,
        orjson.dumps(details or {}).decode(),
    )


async def entries(
    db: Database, *, tenant_id: str | None, limit: int, before_id: int | None
) -> list[AuditEntry]:
    """Newest first; `tenant_id` None means every tenant (the owner's view)."""
    rows = await db.pool.fetch(
        "SELECT * FROM audit_log WHERE ($1::text IS NULL OR tenant_id = $1) "
        "AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
        tenant_id,
        before_id,
        limit,
    )
    return [
        AuditEntry(
            id=row["id"],
            at=row["at"],
            actor=row["actor"],
            actor_role=row["actor_role"],
            tenant_id=row["tenant_id"],
            action=row["action"],
            target=row["target"],
            details=orjson.loads(row["details"]),
        )
        for row in rows
    ]
