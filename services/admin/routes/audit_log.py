"""Reading the audit log: the owner sees every change, a tenant its own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.admin.deps import AdminDeps
from services.admin.endpoints import Access, Call, Endpoint
from services.admin.storage import audit


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(default=50, ge=1, le=500)
    before: int | None = Field(default=None, ge=1, le=2**62)


class OwnerAuditQuery(AuditQuery):
    tenant_id: str | None = Field(default=None, max_length=100)


class AuditEntryView(BaseModel):
    id: int
    at: datetime
    actor: str
    actor_role: str
    tenant_id: str | None
    action: str
    target: str
    details: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditEntryView]
    next_before: int | None


async def owner_audit_log(call: Call[None, OwnerAuditQuery], deps: AdminDeps) -> AuditPage:
    """Every change on the platform, newest first (optionally one tenant's)."""
    query = call.query
    return await _page(deps, tenant_id=query.tenant_id, limit=query.limit, before=query.before)


async def tenant_audit_log(call: Call[None, AuditQuery], deps: AdminDeps) -> AuditPage:
    """The changes made to the caller's tenant, newest first."""
    query = call.query
    return await _page(deps, tenant_id=call.who().tenant(), limit=query.limit, before=query.before)


async def _page(
    deps: AdminDeps, *, tenant_id: str | None, limit: int, before: int | None
) -> AuditPage:
    entries = await audit.entries(deps.db, tenant_id=tenant_id, limit=limit, before_id=before)
    items = [AuditEntryView(**vars(entry)) for entry in entries]
    return AuditPage(items=items, next_before=items[-1].id if len(items) == limit else None)


ENDPOINTS = [
    Endpoint("GET", "/api/owner/audit", owner_audit_log, "The platform's audit log", Access.OWNER,
             query=OwnerAuditQuery, response=AuditPage, tags=("owner",)),
    Endpoint("GET", "/api/tenant/audit", tenant_audit_log, "This tenant's audit log",
             Access.TENANT_READ, query=AuditQuery, response=AuditPage, tags=("tenant",)),
]  # fmt: skip
