"""Tenants' endpoints, as the admin API changes them: validated, SSRF-checked, secrets kept.

    create(...)          -> (EndpointRow, its first whsec_ secret, shown once here)
    update(...)          -> EndpointRow | None (not the tenant's)
    delete(...)          -> bool
    rotate_secret(...)   -> the new secret | None; the old one keeps signing for `grace`
    current_secret(...)  -> str | None

A URL is refused (`EndpointInvalid`) unless it is http(s) without credentials and every
address its host resolves to now is allowed by the egress policy (libs.egress); the
delivery worker checks again at every connection, so a name that later resolves elsewhere
is still refused. Custom headers may not set what the protocol owns.
"""

from __future__ import annotations

import base64
import re
import secrets
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, Field, field_validator

from libs.crypto import SecretBox
from libs.db import Database
from libs.egress import EgressPolicy, EgressRefused, check_url, resolve_and_check
from libs.signatures import new_standard_webhooks_secret
from services.outbound.storage import endpoints as storage
from services.outbound.storage.endpoints import EndpointFields, EndpointRow

SECRET_GRACE = timedelta(hours=24)
_FILTER = re.compile(r"^(\*|#|[A-Za-z0-9_]+)(\.(\*|#|[A-Za-z0-9_]+))*$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9-]{1,100}$")
_RESERVED = frozenset({"content-type", "content-length", "host", "user-agent", "connection",
                       "transfer-encoding", "webhook-id", "webhook-timestamp",
                       "webhook-signature"})  # fmt: skip


class EndpointInvalid(ValueError):
    """The endpoint cannot be saved as given; the message says which field and why."""


class EndpointSpec(BaseModel):
    """An endpoint as a tenant describes it (the admin API's body)."""

    url: str = Field(min_length=1, max_length=2000)
    description: str = Field(default="", max_length=500)
    event_types: list[str] = Field(default_factory=list, max_length=100, description=(
        "Event type filters in topic syntax: exact (`invoice.fiscalized`), `*` for one "
        "segment (`invoice.*`), `#` for any (`quickbooks.#`). Empty: every event."))  # fmt: skip
    enabled: bool = True
    headers: dict[str, str] = Field(default_factory=dict, max_length=20)
    rate_limit_per_s: int | None = Field(default=None, ge=1, le=10_000)

    @field_validator("event_types")
    @classmethod
    def _filters(cls, value: list[str]) -> list[str]:
        for pattern in value:
            if len(pattern) > 200 or not _FILTER.match(pattern):
                raise ValueError(f"{pattern[:50]!r} is not an event type filter")
        return sorted(set(value))

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name, header in value.items():
            if not _HEADER_NAME.match(name):
                raise ValueError(f"{name[:50]!r} is not a header name")
            if name.lower() in _RESERVED:
                raise ValueError(f"{name} is set by Switchyard and cannot be overridden")
            if len(header) > 1000 or any(c in header for c in "\r\n\0"):
                raise ValueError(f"the value of {name} is too long or has control characters")
        return value

    def fields(self) -> EndpointFields:
        return EndpointFields(
            url=self.url, description=self.description, event_types=tuple(self.event_types),
            enabled=self.enabled, headers=self.headers, rate_limit_per_s=self.rate_limit_per_s,
        )  # fmt: skip


def new_endpoint_id() -> str:
    return "ep_" + base64.b32encode(secrets.token_bytes(15)).decode().lower()


async def checked_url(url: str, policy: EgressPolicy) -> str:
    try:
        check_url(url, policy)
        await resolve_and_check(url, policy)
    except EgressRefused as exc:
        raise EndpointInvalid(f"url: {exc.reason}") from None
    return url


async def create(
    db: Database, box: SecretBox, policy: EgressPolicy, *, tenant_id: str, spec: EndpointSpec
) -> tuple[EndpointRow, str]:
    await checked_url(spec.url, policy)
    secret = new_standard_webhooks_secret()
    async with db.transaction() as tx:
        row = await storage.insert(
            tx, box, tenant_id=tenant_id, endpoint_id=new_endpoint_id(), fields=spec.fields(),
            secret=secret,
        )  # fmt: skip
    return row, secret


async def update(
    db: Database, policy: EgressPolicy, *, tenant_id: str, endpoint_id: str, spec: EndpointSpec
) -> EndpointRow | None:
    await checked_url(spec.url, policy)
    async with db.transaction() as tx:
        return await storage.update(
            tx, tenant_id=tenant_id, endpoint_id=endpoint_id, fields=spec.fields()
        )


async def delete(db: Database, *, tenant_id: str, endpoint_id: str) -> bool:
    async with db.transaction() as tx:
        return await storage.delete(tx, tenant_id=tenant_id, endpoint_id=endpoint_id)


async def rotate_secret(
    db: Database, box: SecretBox, *, tenant_id: str, endpoint_id: str,
    grace: timedelta = SECRET_GRACE,
) -> str | None:  # fmt: skip
    secret = new_standard_webhooks_secret()
    async with db.transaction() as tx:
        rotated = await storage.rotate_secret(
            tx, box, tenant_id=tenant_id, endpoint_id=endpoint_id, secret=secret, grace=grace,
            now=datetime.now(UTC),
        )  # fmt: skip
    return secret if rotated else None


async def current_secret(
    db: Database, box: SecretBox, *, tenant_id: str, endpoint_id: str
) -> str | None:
    return await storage.current_secret(db, box, tenant_id=tenant_id, endpoint_id=endpoint_id)
