"""Users' credentials and sessions: logins, lockout, refresh-token rotation, access-token revocation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from libs.crypto import hash_password
from libs.db import Database
from services.admin.auth.principal import Role
from services.admin.auth.tokens import AccessClaims, new_refresh_token, refresh_digest
from services.admin.errors import Unauthenticated


@dataclass(frozen=True)
class Account:
    """A user as login and refresh see them."""

    id: str
    email: str
    role: Role
    tenant_id: str | None
    password_hash: str
    failed_logins: int
    locked_until: datetime | None
    usable: bool  # the user's tenant (if any) is active


_ACCOUNT = (
    "SELECT u.id, u.email, u.role, u.tenant_id, u.password_hash, u.failed_logins, u.locked_until, "
    "(u.tenant_id IS NULL OR t.status = 'active') AS usable "
    "FROM users u LEFT JOIN tenants t ON t.id = u.tenant_id "
)


async def account_by_email(db: Database, email: str) -> Account | None:
    row = await db.pool.fetchrow(_ACCOUNT + "WHERE u.email = $1", email.strip().lower())
    return _account(row) if row else None


async def account_by_id(db: Database, user_id: str) -> Account | None:
    row = await db.pool.fetchrow(_ACCOUNT + "WHERE u.id = $1", user_id)
    return _account(row) if row else None


async def record_failed_login(
    db: Database, user_id: str, *, max_failures: int, lockout_s: int
) -> None:
    await db.pool.execute(
        "UPDATE users SET failed_logins = failed_logins + 1, locked_until = CASE "
        "WHEN failed_logins + 1 >= $2 THEN now() + make_interval(secs => $3) ELSE locked_until END "
        "WHERE id = $1",
        user_id,
        max_failures,
        lockout_s,
    )


async def record_login(db: Database, user_id: str) -> None:
    await db.pool.execute(
        "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = now() WHERE id = $1",
        user_id,
    )


async def start_session(db: Database, user_id: str, *, ttl_s: int) -> str:
    """A new refresh token (a new family) for `user_id`."""
    return await _store_refresh(db, user_id=user_id, family=uuid.uuid4().hex, ttl_s=ttl_s)


async def rotate_refresh(db: Database, token: str, *, ttl_s: int) -> tuple[Account, str]:
    """Spend `token` for a new one. A revoked token coming back is theft: its family dies."""
    digest = refresh_digest(token)
    async with db.transaction() as tx:
        row = await tx.fetchrow(
            "SELECT user_id, family, expires_at, revoked_at FROM refresh_tokens "
            "WHERE digest = $1 FOR UPDATE",
            digest,
        )
        if row is None:
            raise Unauthenticated("invalid refresh token")
        reused = row["revoked_at"] is not None
        if reused:  # revoke the family and commit that; refuse only after the transaction
            await tx.execute(
                "UPDATE refresh_tokens SET revoked_at = now() WHERE family = $1 AND revoked_at IS NULL",
                row["family"],
            )
        elif row["expires_at"] <= datetime.now(UTC):
            raise Unauthenticated("refresh token expired")
        else:
            await tx.execute(
                "UPDATE refresh_tokens SET revoked_at = now() WHERE digest = $1", digest
            )
    if reused:  # raising inside the transaction would roll the family's revocation back
        raise Unauthenticated("refresh token already used; the session is revoked")
    account = await account_by_id(db, row["user_id"])
    if account is None or not account.usable:
        raise Unauthenticated("account is not active")
    return account, await _store_refresh(db, user_id=account.id, family=row["family"], ttl_s=ttl_s)


async def end_session(db: Database, *, claims: AccessClaims, refresh_token: str | None) -> None:
    """Logout: the access token stops working now; the refresh token's family too."""
    await db.pool.execute(
        "INSERT INTO revoked_access_tokens (jti, expires_at) VALUES ($1, to_timestamp($2)) "
        "ON CONFLICT DO NOTHING",
        claims.token_id,
        claims.expires_at,
    )
    if refresh_token:
        await db.pool.execute(
            "UPDATE refresh_tokens SET revoked_at = now() WHERE revoked_at IS NULL AND family = "
            "(SELECT family FROM refresh_tokens WHERE digest = $1 AND user_id = $2)",
            refresh_digest(refresh_token),
            claims.user_id,
        )


async def revoke_all_sessions(db: Database, user_id: str) -> None:
    """Every refresh token of the user stops working (password reset, suspension)."""
    await db.pool.execute(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
        user_id,
    )


async def access_token_usable(db: Database, claims: AccessClaims) -> bool:
    """Not revoked (logout), and the user and their tenant are still active (suspension bites at once)."""
    return bool(
        await db.pool.fetchval(
            "SELECT NOT EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = $1) AND EXISTS ("
            "SELECT 1 FROM users u LEFT JOIN tenants t ON t.id = u.tenant_id "
            "WHERE u.id = $2 AND (u.tenant_id IS NULL OR t.status = 'active'))",
            claims.token_id,
            claims.user_id,
        )
    )


async def _store_refresh(db: Database, *, user_id: str, family: str, ttl_s: int) -> str:
    token, digest = new_refresh_token()
    await db.pool.execute(
        "INSERT INTO refresh_tokens (digest, user_id, family, expires_at) VALUES ($1, $2, $3, $4)",
        digest,
        user_id,
        family,
        datetime.now(UTC) + timedelta(seconds=ttl_s),
    )
    return token


def _account(row: asyncpg.Record) -> Account:
    return Account(
        id=row["id"],
        email=row["email"],
        role=Role(row["role"]),
        tenant_id=row["tenant_id"],
        password_hash=row["password_hash"],
        failed_logins=row["failed_logins"],
        locked_until=row["locked_until"],
        usable=row["usable"],
    )


async def create_owner(db: Database, *, email: str, password: str) -> str:
    """A platform operator account (there may be several); its user id. Idempotent per email."""
    user_id = f"usr_{uuid.uuid4().hex[:16]}"
    value = await db.pool.fetchval(
        "INSERT INTO users (id, tenant_id, email, password_hash, role) "
        "VALUES ($1, NULL, $2, $3, 'owner') ON CONFLICT (email) DO UPDATE SET "
        "password_hash = EXCLUDED.password_hash WHERE users.role = 'owner' RETURNING id",
        user_id,
        email.strip().lower(),
        hash_password(password),
    )
    if value is None:
        raise ValueError("that email belongs to a tenant user")
    return str(value)
