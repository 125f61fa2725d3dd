"""Ingress's tables: the per-tenant secrets it verifies webhooks with, and webhook health.

    webhook_credentials(kind, key, tenant_id, account_id, secrets, token_digest, active)

    kind              key                 account_id        secrets / token_digest
    zoho              path token          organization id   encrypted JSON list of HMAC secrets
    source            source id           source id         encrypted JSON list of whsec_ secrets
    whatsapp_verify   phone_number_id     phone_number_id   SHA-256 of the verify token

Secrets are encrypted with the platform's `SecretBox`; verify tokens are only
compared, so only their digest is stored. A trigger NOTIFYs
`switchyard_webhook_credentials` on every change (see `credentials.py`).

    webhook_stats(day, provider, outcome, requests, events, last_at)

One row per UTC day, provider and outcome (`accepted` or a refusal reason such as
`invalid_signature`), only ever added to (see `stats.py`); the admin reads it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets as random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from libs.crypto import SecretBox
from libs.db import Connection, Database, executor

CREDENTIALS_CHANNEL = "switchyard_webhook_credentials"


@dataclass(frozen=True)
class SignedEndpoint:
    """A tenant's webhook endpoint that signs with its own secrets (Zoho connection, source)."""

    key: str
    tenant_id: str
    account_id: str
    secrets: tuple[str, ...] = field(repr=False)


@dataclass(frozen=True)
class Credentials:
    """Everything ingress needs from the database, decrypted: a snapshot held in memory."""

    zoho: dict[str, SignedEndpoint]
    sources: dict[str, SignedEndpoint]
    verify_token_digests: frozenset[str] = field(repr=False)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def register_zoho_connection(
    db: Database, box: SecretBox, *, tenant_id: str, organization_id: str, secret: str
) -> str:
    """Create the path token Zoho posts to (`/webhooks/zoho/{token}`) for one organization."""
    token = random.token_urlsafe(24)
    await _upsert(db, kind="zoho", key=token, tenant_id=tenant_id, account_id=organization_id,
                  secrets=box.encrypt(json.dumps([secret])))  # fmt: skip
    return token


async def register_source(
    db: Database, box: SecretBox, *, tenant_id: str, secret: str | None = None
) -> tuple[str, str]:
    """A new Standard Webhooks source: `(source_id, whsec_ secret)`; the secret is shown once."""
    source_id = f"src_{random.token_hex(12)}"
    secret = secret or new_source_secret()
    await _upsert(db, kind="source", key=source_id, tenant_id=tenant_id, account_id=source_id,
                  secrets=box.encrypt(json.dumps([secret])))  # fmt: skip
    return source_id, secret


def new_source_secret() -> str:
    """A fresh Standard Webhooks signing secret: `whsec_` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(random.token_bytes(24)).decode()


async def rotate_source_secret(
    db: Database, box: SecretBox, *, tenant_id: str, source_id: str, new_secret: str, keep_old: bool
) -> bool:
    """Sign with `new_secret` from now on; `keep_old` keeps accepting the previous ones."""
    row = await db.pool.fetchrow(
        "SELECT secrets FROM webhook_credentials WHERE kind = 'source' AND key = $1 "
        "AND tenant_id = $2",
        source_id,
        tenant_id,
    )
    if row is None:
        return False
    previous: list[str] = json.loads(box.decrypt(row["secrets"])) if keep_old else []
    await db.pool.execute(
        "UPDATE webhook_credentials SET secrets = $1, updated_at = now() "
        "WHERE kind = 'source' AND key = $2 AND tenant_id = $3",
        box.encrypt(json.dumps([new_secret, *previous])),
        source_id,
        tenant_id,
    )
    return True


async def register_whatsapp_verify_token(
    db: Database | Connection, *, tenant_id: str, phone_number_id: str, verify_token: str
) -> bool:
    """The token Meta echoes in `hub.verify_token` when the tenant subscribes its app.

    False (nothing stored) when the phone number id's row belongs to another tenant.
    """
    return await _upsert(db, kind="whatsapp_verify", key=phone_number_id, tenant_id=tenant_id,
                         account_id=phone_number_id, token_digest=token_digest(verify_token))  # fmt: skip


async def deactivate(db: Database | Connection, *, tenant_id: str, kind: str, key: str) -> bool:
    """Stop accepting webhooks for this credential; False when the tenant has no such row."""
    status = await executor(db).execute(
        "UPDATE webhook_credentials SET active = false, updated_at = now() "
        "WHERE kind = $1 AND key = $2 AND tenant_id = $3 AND active",
        kind,
        key,
        tenant_id,
    )
    return status != "UPDATE 0"


@dataclass(frozen=True)
class SourceView:
    """A tenant's Standard Webhooks source as the admin lists it: no secrets."""

    source_id: str
    active: bool
    created_at: datetime
    updated_at: datetime


async def sources_of(db: Database, *, tenant_id: str) -> list[SourceView]:
    """The tenant's sources, active and deactivated, oldest first (never decrypts)."""
    rows = await db.pool.fetch(
        "SELECT key AS source_id, active, created_at, updated_at FROM webhook_credentials "
        "WHERE kind = 'source' AND tenant_id = $1 ORDER BY created_at, key",
        tenant_id,
    )
    return [SourceView(**dict(row)) for row in rows]


async def load_credentials(db: Database, box: SecretBox) -> Credentials:
    """Every active credential, decrypted."""
    rows = await db.pool.fetch(
        "SELECT kind, key, tenant_id, account_id, secrets, token_digest "
        "FROM webhook_credentials WHERE active"
    )
    zoho: dict[str, SignedEndpoint] = {}
    sources: dict[str, SignedEndpoint] = {}
    digests: set[str] = set()
    for row in rows:
        if row["kind"] == "whatsapp_verify":
            digests.add(row["token_digest"])
            continue
        endpoint = SignedEndpoint(
            key=row["key"],
            tenant_id=row["tenant_id"],
            account_id=row["account_id"],
            secrets=tuple(json.loads(box.decrypt(row["secrets"]))),
        )
        (zoho if row["kind"] == "zoho" else sources)[endpoint.key] = endpoint
    return Credentials(zoho=zoho, sources=sources, verify_token_digests=frozenset(digests))


async def _upsert(
    db: Database | Connection,
    *,
    kind: str,
    key: str,
    tenant_id: str,
    account_id: str,
    secrets: bytes | None = None,
    token_digest: str | None = None,
) -> bool:
    """Insert or re-activate; False when `(kind, key)` belongs to another tenant."""
    status = await executor(db).execute(
        "INSERT INTO webhook_credentials (kind, key, tenant_id, account_id, secrets, token_digest) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kind, key) DO UPDATE SET "
        "secrets = EXCLUDED.secrets, token_digest = EXCLUDED.token_digest, active = true, "
        "updated_at = now() WHERE webhook_credentials.tenant_id = EXCLUDED.tenant_id",
        kind,
        key,
        tenant_id,
        account_id,
        secrets,
        token_digest,
    )
    return status != "INSERT 0 0"


ACCEPTED = "accepted"


@dataclass(frozen=True)
class StatsDelta:
    """Counts to add to one `webhook_stats` row; `last_at` only ever moves forward."""

    day: date
    provider: str
    outcome: str
    requests: int
    events: int
    last_at: datetime


@dataclass(frozen=True)
class ProviderHealth:
    """One provider's webhooks on one day, and when it last sent one at all."""

    provider: str
    last_received_at: datetime | None  # the last accepted webhook, any day
    last_rejected_at: datetime | None  # the last refused one, any day
    requests: int
    events: int
    accepted: int
    rejections: dict[str, int]  # outcome -> requests refused for it that day


async def add_webhook_stats(db: Database, deltas: Sequence[StatsDelta]) -> None:
    """Add `deltas` to their rows in one transaction: all of them or none (then it raises)."""
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO webhook_stats (day, provider, outcome, requests, events, last_at) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (day, provider, outcome) DO UPDATE SET "
            "requests = webhook_stats.requests + EXCLUDED.requests, "
            "events = webhook_stats.events + EXCLUDED.events, "
            "last_at = GREATEST(webhook_stats.last_at, EXCLUDED.last_at)",
            [(d.day, d.provider, d.outcome, d.requests, d.events, d.last_at) for d in deltas],
        )


async def webhook_health(db: Database, *, day: date) -> list[ProviderHealth]:
    """Every provider ever recorded, by name, with its counts for `day` (zero when silent)."""
    # One snapshot for both reads: a flush committing in between must not show new counts
    # beside old times.
    async with (
        db.pool.acquire() as conn,
        conn.transaction(isolation="repeatable_read", readonly=True),
    ):
        latest = await conn.fetch(
            "SELECT provider, "
            "max(last_at) FILTER (WHERE outcome = $1) AS last_accepted, "
            "max(last_at) FILTER (WHERE outcome <> $1) AS last_rejected "
            "FROM webhook_stats GROUP BY provider ORDER BY provider",
            ACCEPTED,
        )
        rows = await conn.fetch(
            "SELECT provider, outcome, requests, events FROM webhook_stats WHERE day = $1", day
        )
    counts: dict[str, dict[str, tuple[int, int]]] = {}
    for row in rows:
        counts.setdefault(row["provider"], {})[row["outcome"]] = (row["requests"], row["events"])
    health = []
    for row in latest:
        outcomes = counts.get(row["provider"], {})
        health.append(
            ProviderHealth(
                provider=row["provider"],
                last_received_at=row["last_accepted"],
                last_rejected_at=row["last_rejected"],
                requests=sum(requests for requests, _ in outcomes.values()),
                events=sum(events for _, events in outcomes.values()),
                accepted=outcomes.get(ACCEPTED, (0, 0))[0],
                rejections={
                    outcome: requests
                    for outcome, (requests, _) in sorted(outcomes.items())
                    if outcome != ACCEPTED
                },
            )
        )
    return health
