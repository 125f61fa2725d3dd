"""Endpoints and their signing secrets; every write NOTIFYs the tenant so caches reload.

Secrets are stored encrypted (SecretBox) and decrypted only to sign or, once, to show the
tenant. Every query names the tenant: an endpoint id alone never reaches a row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson

from libs.crypto import SecretBox
from libs.db import Connection, Database, executor

CHANNEL = "outbound_endpoints"  # NOTIFY payload: the tenant whose endpoints changed
MAX_OLD_SECRETS = 10  # as Svix: rotations beyond this retire the oldest at once

_COLUMNS = (
    "id, tenant_id, url, description, event_types, enabled, disabled_reason, headers, "
    "rate_limit_per_s, failing_since, created_at, updated_at"
)


@dataclass(frozen=True)
class EndpointRow:
    id: str
    tenant_id: str
    url: str
    description: str
    event_types: tuple[str, ...]
    enabled: bool
    disabled_reason: str | None
    headers: Mapping[str, str]
    rate_limit_per_s: int | None
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class SecretRow:
    secret: str
    expires_at: datetime | None

    def __repr__(self) -> str:
        return f"SecretRow(expires_at={self.expires_at})"


@dataclass(frozen=True)
class EndpointFields:
    """What a tenant sets on an endpoint."""

    url: str
    description: str
    event_types: tuple[str, ...]
    enabled: bool
    headers: Mapping[str, str]
    rate_limit_per_s: int | None


async def notify(tx: Connection, tenant_id: str) -> None:
    await tx.execute("SELECT pg_notify($1, $2)", CHANNEL, tenant_id)


async def of_tenant(db: Database | Connection, tenant_id: str) -> list[EndpointRow]:
    rows = await executor(db).fetch(
        f"SELECT {_COLUMNS} FROM webhook_endpoints WHERE tenant_id = $1 ORDER BY created_at, id",  # noqa: S608 (constant column list)
        tenant_id,
    )
    return [_endpoint(row) for row in rows]


async def one(db: Database | Connection, *, tenant_id: str, endpoint_id: str) -> EndpointRow | None:
    row = await executor(db).fetchrow(
        f"SELECT {_COLUMNS} FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2",  # noqa: S608 (constant column list)
        tenant_id,
        endpoint_id,
    )
    return _endpoint(row) if row else None


async def live_secrets(
    db: Database | Connection, box: SecretBox, *, tenant_id: str, now: datetime
) -> dict[str, list[SecretRow]]:
    """Every unexpired secret of the tenant's endpoints, newest first, by endpoint id."""
    rows = await executor(db).fetch(
        "SELECT endpoint_id, secret, expires_at FROM webhook_endpoint_secrets "
        "WHERE tenant_id = $1 AND (expires_at IS NULL OR expires_at > $2) "
        "ORDER BY endpoint_id, created_at DESC",
        tenant_id,
        now,
    )
    secrets: dict[str, list[SecretRow]] = {}
    for row in rows:
        secrets.setdefault(row["endpoint_id"], []).append(
            SecretRow(box.decrypt(row["secret"]), row["expires_at"])
        )
    return secrets


async def insert(
    tx: Connection, box: SecretBox, *, tenant_id: str, endpoint_id: str, fields: EndpointFields,
    secret: str,
) -> EndpointRow:  # fmt: skip
    row = await tx.fetchrow(
        "INSERT INTO webhook_endpoints (id, tenant_id, url, description, event_types, enabled, "  # noqa: S608 (constant column list)
        "headers, rate_limit_per_s) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        f"RETURNING {_COLUMNS}",
        endpoint_id,
        tenant_id,
        *_values(fields),
    )
    await tx.execute(
        "INSERT INTO webhook_endpoint_secrets (endpoint_id, tenant_id, secret) VALUES ($1, $2, $3)",
        endpoint_id,
        tenant_id,
        box.encrypt(secret),
    )
    await notify(tx, tenant_id)
    return _endpoint(row)


async def update(
    tx: Connection, *, tenant_id: str, endpoint_id: str, fields: EndpointFields
) -> EndpointRow | None:
    """Replace the tenant's fields; enabling clears the disabled reason and the failure streak."""
    row = await tx.fetchrow(
        "UPDATE webhook_endpoints SET url = $3, description = $4, event_types = $5, "  # noqa: S608 (constant column list)
        "enabled = $6, headers = $7, rate_limit_per_s = $8, updated_at = now(), "
        "disabled_reason = CASE WHEN $6 THEN NULL ELSE disabled_reason END, "
        "failing_since = CASE WHEN $6 AND NOT enabled THEN NULL ELSE failing_since END "
        f"WHERE tenant_id = $1 AND id = $2 RETURNING {_COLUMNS}",
        tenant_id,
        endpoint_id,
        *_values(fields),
    )
    if row is None:
        return None
    await notify(tx, tenant_id)
    return _endpoint(row)


async def delete(tx: Connection, *, tenant_id: str, endpoint_id: str) -> bool:
    status = await tx.execute(
        "DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2", tenant_id, endpoint_id
    )
    if status.endswith(" 0"):
        return False
    await notify(tx, tenant_id)
    return True


async def rotate_secret(
    tx: Connection, box: SecretBox, *, tenant_id: str, endpoint_id: str, secret: str,
    grace: timedelta, now: datetime,
) -> bool:  # fmt: skip
    """Make `secret` current; the previous one keeps signing for `grace`. False: no endpoint."""
    owned = await tx.fetchval(
        "SELECT 1 FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
        tenant_id,
        endpoint_id,
    )
    if owned is None:
        return False
    await tx.execute(
        "UPDATE webhook_endpoint_secrets SET expires_at = $3 "
        "WHERE tenant_id = $1 AND endpoint_id = $2 AND (expires_at IS NULL OR expires_at > $3)",
        tenant_id,
        endpoint_id,
        now + grace,
    )
    await tx.execute(
        "INSERT INTO webhook_endpoint_secrets (endpoint_id, tenant_id, secret, created_at) "
        "VALUES ($1, $2, $3, $4)",
        endpoint_id,
        tenant_id,
        box.encrypt(secret),
        now,
    )
    # Retire what expired, and the oldest past MAX_OLD_SECRETS still signing.
    await tx.execute(
        "DELETE FROM webhook_endpoint_secrets WHERE endpoint_id = $1 AND tenant_id = $2 AND "
        "(expires_at <= $3 OR created_at IN (SELECT created_at FROM webhook_endpoint_secrets "
        "WHERE endpoint_id = $1 AND expires_at IS NOT NULL ORDER BY created_at DESC OFFSET $4))",
        endpoint_id,
        tenant_id,
        now,
        MAX_OLD_SECRETS,
    )
    await notify(tx, tenant_id)
    return True


async def current_secret(
    db: Database | Connection, box: SecretBox, *, tenant_id: str, endpoint_id: str
) -> str | None:
    value = await executor(db).fetchval(
        "SELECT secret FROM webhook_endpoint_secrets "
        "WHERE tenant_id = $1 AND endpoint_id = $2 AND expires_at IS NULL",
        tenant_id,
        endpoint_id,
    )
    return box.decrypt(value) if value is not None else None


async def mark_failing(
    db: Database, *, tenant_id: str, endpoint_id: str, now: datetime
) -> datetime | None:
    """Start the endpoint's failure streak unless one runs; when it started (None: gone)."""
    async with db.transaction() as tx:
        started: datetime | None = await tx.fetchval(
            "UPDATE webhook_endpoints SET failing_since = $3 "
            "WHERE tenant_id = $1 AND id = $2 AND failing_since IS NULL RETURNING failing_since",
            tenant_id,
            endpoint_id,
            now,
        )
        if started is not None:
            await notify(tx, tenant_id)
            return started
        running: datetime | None = await tx.fetchval(
            "SELECT failing_since FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2",
            tenant_id,
            endpoint_id,
        )
        return running


async def mark_healthy(db: Database, *, tenant_id: str, endpoint_id: str) -> None:
    """End the endpoint's failure streak (a delivery succeeded)."""
    async with db.transaction() as tx:
        status = await tx.execute(
            "UPDATE webhook_endpoints SET failing_since = NULL "
            "WHERE tenant_id = $1 AND id = $2 AND failing_since IS NOT NULL",
            tenant_id,
            endpoint_id,
        )
        if not status.endswith(" 0"):
            await notify(tx, tenant_id)


async def disable(tx: Connection, *, tenant_id: str, endpoint_id: str, reason: str) -> bool:
    """Disable an enabled endpoint; False when it was not (already disabled, or gone)."""
    status = await tx.execute(
        "UPDATE webhook_endpoints SET enabled = false, disabled_reason = $3, updated_at = now() "
        "WHERE tenant_id = $1 AND id = $2 AND enabled",
        tenant_id,
        endpoint_id,
        reason,
    )
    if status.endswith(" 0"):
        return False
    await notify(tx, tenant_id)
    return True


def _values(fields: EndpointFields) -> Sequence[Any]:
    return (
        fields.url,
        fields.description,
        list(fields.event_types),
        fields.enabled,
        orjson.dumps(dict(fields.headers)).decode(),
        fields.rate_limit_per_s,
    )


def _endpoint(row: Any) -> EndpointRow:
    headers = row["headers"]
    return EndpointRow(
        id=row["id"],
        tenant_id=row["tenant_id"],
        url=row["url"],
        description=row["description"],
        event_types=tuple(row["event_types"]),
        enabled=row["enabled"],
        disabled_reason=row["disabled_reason"],
        headers=orjson.loads(headers) if isinstance(headers, str) else dict(headers),
        rate_limit_per_s=row["rate_limit_per_s"],
        failing_since=row["failing_since"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
