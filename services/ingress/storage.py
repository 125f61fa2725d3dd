"""Ingress's table: the per-tenant secrets it verifies webhooks with.

    webhook_credentials(kind, key, tenant_id, account_id, secrets, token_digest, active)

    kind              key                 account_id        secrets / token_digest
    zoho              path token          organization id   encrypted JSON list of HMAC secrets
    source            source id           source id         encrypted JSON list of whsec_ secrets
    whatsapp_verify   phone_number_id     phone_number_id   SHA-256 of the verify token

Secrets are encrypted with the platform's `SecretBox`; verify tokens are only
compared, so only their digest is stored. A trigger NOTIFYs
`switchyard_webhook_credentials` on every change (see `credentials.py`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets as random
from dataclasses import dataclass, field

from libs.crypto import SecretBox
from libs.db import Database

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
    secret = secret or "whsec_" + base64.b64encode(random.token_bytes(24)).decode()
    await _upsert(db, kind="source", key=source_id, tenant_id=tenant_id, account_id=source_id,
                  secrets=box.encrypt(json.dumps([secret])))  # fmt: skip
    return source_id, secret


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
    db: Database, *, tenant_id: str, phone_number_id: str, verify_token: str
) -> None:
    """The token Meta echoes in `hub.verify_token` when the tenant subscribes its app."""
    await _upsert(db, kind="whatsapp_verify", key=phone_number_id, tenant_id=tenant_id,
                  account_id=phone_number_id, token_digest=token_digest(verify_token))  # fmt: skip


async def deactivate(db: Database, *, tenant_id: str, kind: str, key: str) -> bool:
    """Stop accepting webhooks for this credential; False when the tenant has no such row."""
    status = await db.pool.execute(
        "UPDATE webhook_credentials SET active = false, updated_at = now() "
        "WHERE kind = $1 AND key = $2 AND tenant_id = $3 AND active",
        kind,
        key,
        tenant_id,
    )
    return status != "UPDATE 0"


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
    db: Database,
    *,
    kind: str,
    key: str,
    tenant_id: str,
    account_id: str,
    secrets: bytes | None = None,
    token_digest: str | None = None,
) -> None:
    await db.pool.execute(
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
