"""Tenants (the platform's clients) and their users."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from libs.crypto import hash_password
from libs.db import Connection, Database
from services.admin.auth.principal import Role
from services.admin.errors import Conflict


@dataclass(frozen=True)
class TenantRow:
    id: str
    name: str
    email: str
    phone: str | None
    tin: str
    erp_type: str
    test_mode: bool
    status: str
    plan: str
    created_at: datetime


@dataclass(frozen=True)
class TenantStats:
    tenant_id: str
    invoices_fiscalized: int
    fiscalization_failures: int
    events: int


async def create(
    tx: Connection,
    *,
    name: str,
    email: str,
    password: str,
    phone: str | None,
    tin: str,
    erp_type: str,
    test_mode: bool,
) -> tuple[TenantRow, str]:
    """The tenant and its first tenant_admin user, in the caller's transaction: (row, user id)."""
    tenant_id = f"tn_{uuid.uuid4().hex[:16]}"
    user_id = f"usr_{uuid.uuid4().hex[:16]}"
    row = await tx.fetchrow(
        "INSERT INTO tenants (id, name, email, phone, tin, erp_type, test_mode) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
        tenant_id, name, email.lower(), phone, tin, erp_type, test_mode,
    )  # fmt: skip
    assert row is not None  # INSERT ... RETURNING always returns the row
    try:
        await tx.execute(
            "INSERT INTO users (id, tenant_id, email, password_hash, role) "
            "VALUES ($1, $2, $3, $4, 'tenant_admin')",
            user_id, tenant_id, email.lower(), hash_password(password),
        )  # fmt: skip
    except asyncpg.UniqueViolationError:
        raise Conflict("a user with this email already exists") from None
    return _tenant(row), user_id


async def get(db: Database, tenant_id: str) -> TenantRow | None:
    row = await db.pool.fetchrow("SELECT * FROM tenants WHERE id = $1", tenant_id)
    return _tenant(row) if row else None


async def search(
    db: Database,
    *,
    status: str | None,
    erp_type: str | None,
    q: str | None,
    limit: int,
    offset: int,
) -> list[TenantRow]:
    rows = await db.pool.fetch(
        "SELECT * FROM tenants WHERE ($1::text IS NULL OR status = $1) "
        "AND ($2::text IS NULL OR erp_type = $2) "
        "AND ($3::text IS NULL OR name ILIKE '%' || $3 || '%' OR email ILIKE '%' || $3 || '%' "
        "OR tin = $3) ORDER BY created_at, id LIMIT $4 OFFSET $5",
        status, erp_type, q, limit, offset,
    )  # fmt: skip
    return [_tenant(row) for row in rows]


async def stats(db: Database, tenant_ids: list[str]) -> dict[str, TenantStats]:
    """Fiscalization counts from each tenant's activity."""
    rows = await db.pool.fetch(
        "SELECT tenant_id, count(*) FILTER (WHERE type = 'invoice.fiscalized') AS ok, "
        "count(*) FILTER (WHERE type = 'invoice.fiscalization_failed') AS failed, count(*) AS events "
        "FROM activity WHERE tenant_id = ANY($1::text[]) GROUP BY tenant_id",
        tenant_ids,
    )
    found = {
        row["tenant_id"]: TenantStats(row["tenant_id"], row["ok"], row["failed"], row["events"])
        for row in rows
    }
    return {tid: found.get(tid, TenantStats(tid, 0, 0, 0)) for tid in tenant_ids}


async def set_status(db: Database, tenant_id: str, status: str) -> TenantRow | None:
    row = await db.pool.fetchrow(
        "UPDATE tenants SET status = $2, updated_at = now() WHERE id = $1 RETURNING *",
        tenant_id,
        status,
    )
    return _tenant(row) if row else None


async def update_profile(
    db: Database, tenant_id: str, *, name: str, phone: str | None
) -> TenantRow | None:
    """Set the tenant's display name and phone; None when there is no such tenant."""
    row = await db.pool.fetchrow(
        "UPDATE tenants SET name = $2, phone = $3, updated_at = now() WHERE id = $1 RETURNING *",
        tenant_id,
        name,
        phone,
    )
    return _tenant(row) if row else None


async def create_user(
    db: Database, *, tenant_id: str, email: str, password: str, role: Role
) -> str:
    """Another user of a tenant (a tenant_admin or a read-only tenant_user); its id.

    Raises Conflict when the email is taken.
    """
    if role is Role.OWNER:
        raise ValueError("owners belong to no tenant; use sessions.create_owner")
    user_id = f"usr_{uuid.uuid4().hex[:16]}"
    try:
        await db.pool.execute(
            "INSERT INTO users (id, tenant_id, email, password_hash, role) VALUES ($1, $2, $3, $4, $5)",
            user_id, tenant_id, email.strip().lower(), hash_password(password), role.value,
        )  # fmt: skip
    except asyncpg.UniqueViolationError:
        raise Conflict("a user with this email already exists") from None
    return user_id


async def admin_user(db: Database, tenant_id: str) -> str | None:
    """The id of the tenant's first tenant_admin."""
    value = await db.pool.fetchval(
        "SELECT id FROM users WHERE tenant_id = $1 AND role = 'tenant_admin' "
        "ORDER BY created_at LIMIT 1",
        tenant_id,
    )
    return str(value) if value is not None else None


async def set_password(db: Database, user_id: str, password: str) -> None:
    await db.pool.execute(
        "UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL WHERE id = $1",
        user_id,
        hash_password(password),
    )


def _tenant(row: asyncpg.Record) -> TenantRow:
    return TenantRow(
        id=row["id"], name=row["name"], email=row["email"], phone=row["phone"], tin=row["tin"],
        erp_type=row["erp_type"], test_mode=row["test_mode"], status=row["status"],
        plan=row["plan"], created_at=row["created_at"],
    )  # fmt: skip
