"""The router's table: which tenant connection(s) own each provider account.

    routes(id, tenant_id, provider, account_id, connection_id, active)

A trigger NOTIFYs `switchyard_routes` with "<provider>:<account_id>" on every
change, which is how parked events for a newly connected account flow on.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from libs.db import Connection, Database, executor

ROUTES_CHANNEL = "switchyard_routes"


@dataclass(frozen=True)
class Route:
    """One tenant connection that receives a provider account's events."""

    id: str
    tenant_id: str
    provider: str
    account_id: str
    connection_id: str


async def link_account(
    db: Database | Connection, *, tenant_id: str, provider: str, account_id: str, connection_id: str
) -> Route:
    """Route `(provider, account_id)` to `connection_id` of `tenant_id`; idempotent, re-activates."""
    row = await executor(db).fetchrow(
        "INSERT INTO routes (id, tenant_id, provider, account_id, connection_id) "
        "VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (provider, account_id, connection_id) DO UPDATE "
        "SET active = true, updated_at = now() WHERE routes.tenant_id = EXCLUDED.tenant_id "
        "RETURNING id, tenant_id, provider, account_id, connection_id",
        uuid.uuid4(),
        tenant_id,
        provider,
        account_id,
        connection_id,
    )
    if row is None:
        raise PermissionError("that connection id belongs to another tenant")
    return _route(row)


async def unlink_account(
    db: Database | Connection, *, tenant_id: str, provider: str, account_id: str, connection_id: str
) -> bool:
    """Stop routing to `connection_id`; False when the tenant has no such route."""
    status = await executor(db).execute(
        "UPDATE routes SET active = false, updated_at = now() WHERE tenant_id = $1 "
        "AND provider = $2 AND account_id = $3 AND connection_id = $4 AND active",
        tenant_id,
        provider,
        account_id,
        connection_id,
    )
    return status != "UPDATE 0"


async def unlink_connection(
    db: Database | Connection, *, tenant_id: str, connection_id: str
) -> list[str]:
    """Stop routing every account to `connection_id`; the account ids that were unlinked."""
    rows = await executor(db).fetch(
        "UPDATE routes SET active = false, updated_at = now() WHERE tenant_id = $1 "
        "AND connection_id = $2 AND active RETURNING account_id",
        tenant_id,
        connection_id,
    )
    return [row["account_id"] for row in rows]


async def routes_for(conn: Connection | Database, *, provider: str, account_id: str) -> list[Route]:
    """The active routes of one provider account, oldest first (empty when nobody connected it)."""
    found = await routes_of_accounts(conn, [(provider, account_id)])
    return found.get((provider, account_id), [])


async def routes_of_accounts(
    conn: Connection | Database, accounts: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[Route]]:
    """The active routes of each (provider, account id), oldest first; accounts nobody connected
    are absent. One query for a whole batch."""
    pairs = list(set(accounts))
    rows = await executor(conn).fetch(
        "SELECT r.id, r.tenant_id, r.provider, r.account_id, r.connection_id FROM routes r "
        "JOIN unnest($1::text[], $2::text[]) AS a(provider, account_id) "
        "ON r.provider = a.provider AND r.account_id = a.account_id "
        "WHERE r.active ORDER BY r.created_at, r.id",
        [provider for provider, _ in pairs],
        [account for _, account in pairs],
    )
    found: dict[tuple[str, str], list[Route]] = {}
    for row in rows:
        found.setdefault((row["provider"], row["account_id"]), []).append(_route(row))
    return found


@dataclass(frozen=True)
class TenantRoute:
    """One of a tenant's routes as the admin lists it (active or not)."""

    id: str
    provider: str
    account_id: str
    connection_id: str
    active: bool
    created_at: datetime


_TENANT_ROUTE = (
    "SELECT id::text, provider, account_id, connection_id, active, created_at FROM routes "
)


async def routes_of_tenant(db: Database, *, tenant_id: str) -> list[TenantRoute]:
    """Every route of `tenant_id`, oldest first."""
    rows = await db.pool.fetch(
        _TENANT_ROUTE + "WHERE tenant_id = $1 ORDER BY created_at, id", tenant_id
    )
    return [TenantRoute(**dict(row)) for row in rows]


async def route_of_tenant(db: Database, *, tenant_id: str, route_id: str) -> TenantRoute | None:
    """One route by id, only if it is `tenant_id`'s (a malformed id is simply not found)."""
    try:
        parsed = uuid.UUID(route_id)
    except ValueError:
        return None
    row = await db.pool.fetchrow(
        _TENANT_ROUTE + "WHERE id = $1 AND tenant_id = $2", parsed, tenant_id
    )
    return TenantRoute(**dict(row)) if row else None


def _route(row: asyncpg.Record) -> Route:
    return Route(
        id=str(row["id"]),
        tenant_id=row["tenant_id"],
        provider=row["provider"],
        account_id=row["account_id"],
        connection_id=row["connection_id"],
    )


async def linked_providers(db: Database, tenant_ids: list[str]) -> dict[str, set[str]]:
    """For each tenant, the providers it has at least one active route for."""
    rows = await db.pool.fetch(
        "SELECT DISTINCT tenant_id, provider FROM routes WHERE active AND tenant_id = ANY($1::text[])",
        tenant_ids,
    )
    linked: dict[str, set[str]] = {tenant_id: set() for tenant_id in tenant_ids}
    for row in rows:
        linked[row["tenant_id"]].add(row["provider"])
    return linked
