"""Tenant API keys: shown once, stored as SHA-256 digests, scoped read/write, revocable."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from libs.crypto import new_api_key, verify_api_key
from libs.db import Database
from services.admin.auth.principal import Principal, Role, Scope
from services.admin.errors import Unauthenticated


@dataclass(frozen=True)
class ApiKeyRow:
    id: str
    name: str
    prefix: str
    scopes: tuple[Scope, ...]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


async def create(
    db: Database, *, tenant_id: str, name: str, scopes: tuple[Scope, ...]
) -> tuple[ApiKeyRow, str]:
    """A new key: its row and the plaintext, which is never stored or shown again."""
    key = new_api_key("sy")
    row = await db.pool.fetchrow(
        "INSERT INTO api_keys (id, tenant_id, name, prefix, digest, scopes) "
        "VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
        f"key_{uuid.uuid4().hex[:16]}",
        tenant_id,
        name,
        key.prefix,
        key.digest,
        [s.value for s in scopes],
    )
    assert row is not None  # INSERT ... RETURNING always returns the row
    return _row(row), key.plaintext


async def list_for(db: Database, *, tenant_id: str) -> list[ApiKeyRow]:
    rows = await db.pool.fetch(
        "SELECT * FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id", tenant_id
    )
    return [_row(row) for row in rows]


async def count_active(db: Database, *, tenant_id: str) -> int:
    """How many of the tenant's keys are not revoked (what plan limits count)."""
    value = await db.pool.fetchval(
        "SELECT count(*) FROM api_keys WHERE tenant_id = $1 AND revoked_at IS NULL", tenant_id
    )
    return int(value)


async def revoke(db: Database, *, tenant_id: str, key_id: str) -> ApiKeyRow | None:
    """Revoke one of the tenant's keys; None when the tenant has no such key."""
    row = await db.pool.fetchrow(
        "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) "
        "WHERE id = $1 AND tenant_id = $2 RETURNING *",
        key_id,
        tenant_id,
    )
    return _row(row) if row else None


async def principal_for(db: Database, plaintext: str) -> Principal:
    """The tenant program holding `plaintext`; 401 for unknown, revoked or suspended."""
    prefix = "_".join(plaintext.split("_", 2)[:2])
    row = await db.pool.fetchrow(
        "SELECT k.id, k.tenant_id, k.digest, k.scopes, k.revoked_at, t.status FROM api_keys k "
        "JOIN tenants t ON t.id = k.tenant_id WHERE k.prefix = $1",
        prefix,
    )
    if row is None or not verify_api_key(plaintext, row["digest"]):
        raise Unauthenticated("invalid API key")
    if row["revoked_at"] is not None or row["status"] != "active":
        raise Unauthenticated("API key revoked or tenant suspended")
    await db.pool.execute(  # last-used time, written at most once a minute per key
        "UPDATE api_keys SET last_used_at = now() WHERE id = $1 "
        "AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
        row["id"],
    )
    return Principal(
        subject=row["id"],
        role=Role.TENANT_ADMIN if Scope.WRITE.value in row["scopes"] else Role.TENANT_USER,
        tenant_id=row["tenant_id"],
        scopes=frozenset(Scope(s) for s in row["scopes"]),
        via_api_key=True,
    )


def _row(row: asyncpg.Record) -> ApiKeyRow:
    return ApiKeyRow(
        id=row["id"],
        name=row["name"],
        prefix=row["prefix"],
        scopes=tuple(Scope(s) for s in row["scopes"]),
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        revoked_at=row["revoked_at"],
    )
