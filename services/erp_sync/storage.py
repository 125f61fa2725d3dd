"""erp_sync's tables: the tenants' ERP connections and their tokens, connect states, Stripe invoices.

    erp_connections(id, tenant_id, provider, account_id, account_name, status,
                    access_token, access_expires_at, refresh_token, refresh_expires_at,
                    refresh_hard_expires_at, api_domain, token_version, refreshed_at)
    oauth_states(nonce, tenant_id, provider, actor, expires_at, used_at)
    stripe_invoices(tenant_id, session_id, realm_id, invoice_id)

Tokens are encrypted with the platform's SecretBox. `token_version` goes up with every
stored token set, which is how a refresher that waited on the row lock sees that
another one already refreshed. A disconnected connection keeps its row (history) but
no tokens.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import asyncpg

from libs.crypto import SecretBox
from libs.db import Connection, Database, executor
from services.erp_sync.apps import Provider
from services.erp_sync.clients.oauth import TokenSet

Status = Literal["connected", "needs_reconnect", "disconnected"]


@dataclass(frozen=True)
class StoredTokens:
    """One connection's current tokens, decrypted, with what they belong to."""

    connection_id: str
    tenant_id: str
    provider: Provider
    account_id: str
    status: Status
    access_token: str | None = field(repr=False)
    access_expires_at: datetime
    refresh_token: str | None = field(repr=False)
    api_domain: str | None
    version: int


@dataclass(frozen=True)
class ConnectionView:
    """A connection as the admin shows it: no tokens."""

    id: str
    provider: str
    account_id: str
    account_name: str | None
    status: str
    access_expires_at: datetime
    refresh_hard_expires_at: datetime | None
    refreshed_at: datetime | None
    created_at: datetime


async def save_connection(
    tx: Connection,
    box: SecretBox,
    *,
    tenant_id: str,
    provider: Provider,
    account_id: str,
    account_name: str | None,
    tokens: TokenSet,
) -> str:
    """Store a fresh grant for `(tenant, provider, account)`; reconnecting reuses the row's id."""
    row = await tx.fetchrow(
        "INSERT INTO erp_connections (id, tenant_id, provider, account_id, account_name, status, "
        "access_token, access_expires_at, refresh_token, refresh_expires_at, "
        "refresh_hard_expires_at, api_domain) "
        "VALUES ($1, $2, $3, $4, $5, 'connected', $6, $7, $8, $9, $10, $11) "
        "ON CONFLICT (tenant_id, provider, account_id) DO UPDATE SET status = 'connected', "
        "account_name = EXCLUDED.account_name, access_token = EXCLUDED.access_token, "
        "access_expires_at = EXCLUDED.access_expires_at, refresh_token = EXCLUDED.refresh_token, "
        "refresh_expires_at = EXCLUDED.refresh_expires_at, "
        "refresh_hard_expires_at = EXCLUDED.refresh_hard_expires_at, "
        "api_domain = EXCLUDED.api_domain, token_version = erp_connections.token_version + 1, "
        "updated_at = now() RETURNING id::text",
        uuid.uuid4(), tenant_id, provider, account_id, account_name,
        box.encrypt(tokens.access_token), tokens.access_expires_at,
        box.encrypt(tokens.refresh_token) if tokens.refresh_token else None,
        tokens.refresh_expires_at, tokens.refresh_hard_expires_at, tokens.api_domain,
    )  # fmt: skip
    assert row is not None
    return str(row["id"])


_TOKENS = (
    "SELECT id::text AS connection_id, tenant_id, provider, account_id, status, access_token, "
    "access_expires_at, refresh_token, api_domain, token_version AS version FROM erp_connections "
)


async def tokens_of(
    db: Database | Connection, box: SecretBox, connection_id: str
) -> StoredTokens | None:
    """A connection's tokens (None for an unknown id)."""
    row = await executor(db).fetchrow(_TOKENS + "WHERE id = $1", _uuid(connection_id))
    return _tokens(box, row) if row else None


async def lock_tokens(tx: Connection, box: SecretBox, connection_id: str) -> StoredTokens | None:
    """`tokens_of` holding the row lock until `tx` ends: one refresher per connection."""
    row = await tx.fetchrow(_TOKENS + "WHERE id = $1 FOR UPDATE", _uuid(connection_id))
    return _tokens(box, row) if row else None


async def connected_quickbooks(db: Database, box: SecretBox, tenant_id: str) -> StoredTokens | None:
    """The tenant's connected QuickBooks company (the most recently connected, if several)."""
    row = await db.pool.fetchrow(
        _TOKENS + "WHERE tenant_id = $1 AND provider = 'quickbooks' AND status = 'connected' "
        "ORDER BY updated_at DESC LIMIT 1",
        tenant_id,
    )
    return _tokens(box, row) if row else None


async def save_refreshed(
    tx: Connection, box: SecretBox, connection_id: str, tokens: TokenSet
) -> None:
    """Store a refreshed token set (a provider that did not rotate keeps the old refresh token)."""
    await tx.execute(
        "UPDATE erp_connections SET access_token = $2, access_expires_at = $3, "
        "refresh_token = COALESCE($4, refresh_token), "
        "refresh_expires_at = COALESCE($5, refresh_expires_at), "
        "refresh_hard_expires_at = COALESCE($6, refresh_hard_expires_at), "
        "api_domain = COALESCE($7, api_domain), token_version = token_version + 1, "
        "refreshed_at = now(), updated_at = now() WHERE id = $1",
        _uuid(connection_id), box.encrypt(tokens.access_token), tokens.access_expires_at,
        box.encrypt(tokens.refresh_token) if tokens.refresh_token else None,
        tokens.refresh_expires_at, tokens.refresh_hard_expires_at, tokens.api_domain,
    )  # fmt: skip


async def set_status(tx: Connection, connection_id: str, status: Status) -> None:
    """Move a connection to `status`; disconnecting also forgets its tokens."""
    await tx.execute(
        "UPDATE erp_connections SET status = $2, updated_at = now(), "
        "access_token = CASE WHEN $2 = 'disconnected' THEN NULL ELSE access_token END, "
        "refresh_token = CASE WHEN $2 = 'disconnected' THEN NULL ELSE refresh_token END "
        "WHERE id = $1",
        _uuid(connection_id),
        status,
    )


_VIEW = (
    "SELECT id::text, provider, account_id, account_name, status, access_expires_at, "
    "refresh_hard_expires_at, refreshed_at, created_at FROM erp_connections "
)


async def connections_of_tenant(db: Database, tenant_id: str) -> list[ConnectionView]:
    """Every ERP connection of `tenant_id`, oldest first."""
    rows = await db.pool.fetch(_VIEW + "WHERE tenant_id = $1 ORDER BY created_at, id", tenant_id)
    return [ConnectionView(**dict(row)) for row in rows]


async def connection_of_tenant(
    db: Database, tenant_id: str, connection_id: str
) -> ConnectionView | None:
    """One connection by id, only if it is `tenant_id`'s (a malformed id is simply not found)."""
    parsed = _uuid(connection_id)
    if parsed is None:
        return None
    row = await db.pool.fetchrow(_VIEW + "WHERE id = $1 AND tenant_id = $2", parsed, tenant_id)
    return ConnectionView(**dict(row)) if row else None


_STATUS_RANK = {"connected": 0, "needs_reconnect": 1, "disconnected": 2}


async def statuses_of_tenants(db: Database, tenant_ids: list[str]) -> dict[str, dict[str, str]]:
    """For each tenant, each ERP's best connection status (connected > needs_reconnect > ...)."""
    rows = await db.pool.fetch(
        "SELECT tenant_id, provider, status FROM erp_connections WHERE tenant_id = ANY($1::text[])",
        tenant_ids,
    )
    found: dict[str, dict[str, str]] = {tenant_id: {} for tenant_id in tenant_ids}
    for row in rows:
        held = found[row["tenant_id"]].get(row["provider"])
        if held is None or _STATUS_RANK[row["status"]] < _STATUS_RANK[held]:
            found[row["tenant_id"]][row["provider"]] = row["status"]
    return found


async def create_state(
    db: Database,
    *,
    nonce: str,
    tenant_id: str,
    provider: Provider,
    actor: str,
    expires_at: datetime,
) -> None:
    await db.pool.execute(
        "INSERT INTO oauth_states (nonce, tenant_id, provider, actor, expires_at) "
        "VALUES ($1, $2, $3, $4, $5)",
        nonce, tenant_id, provider, actor, expires_at,
    )  # fmt: skip


async def consume_state(tx: Connection, *, nonce: str, tenant_id: str, provider: str) -> bool:
    """Mark a connect state used; False when it is unknown, another's, expired or already used."""
    status = await tx.execute(
        "UPDATE oauth_states SET used_at = now() WHERE nonce = $1 AND tenant_id = $2 "
        "AND provider = $3 AND used_at IS NULL AND expires_at > now()",
        nonce, tenant_id, provider,
    )  # fmt: skip
    return status == "UPDATE 1"


async def record_stripe_invoice(
    tx: Connection, *, tenant_id: str, session_id: str, realm_id: str, invoice_id: str
) -> bool:
    """Remember the QuickBooks invoice made for a Stripe session; False if one already was."""
    status = await tx.execute(
        "INSERT INTO stripe_invoices (tenant_id, session_id, realm_id, invoice_id) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        tenant_id, session_id, realm_id, invoice_id,
    )  # fmt: skip
    return status == "INSERT 0 1"


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _tokens(box: SecretBox, row: asyncpg.Record) -> StoredTokens:
    access, refresh = row["access_token"], row["refresh_token"]
    return StoredTokens(
        connection_id=row["connection_id"],
        tenant_id=row["tenant_id"],
        provider=row["provider"],
        account_id=row["account_id"],
        status=row["status"],
        access_token=box.decrypt(access) if access is not None else None,
        access_expires_at=row["access_expires_at"],
        refresh_token=box.decrypt(refresh) if refresh is not None else None,
        api_domain=row["api_domain"],
        version=row["version"],
    )
