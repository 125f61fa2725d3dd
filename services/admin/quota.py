"""Plan limits applied where the admin creates things (API keys, webhook sources, WhatsApp numbers)."""

from __future__ import annotations

from libs.db import Database
from services.admin.errors import NotFound, Unprocessable
from services.admin.plans import Plan, Resource, plan_named, refusal
from services.admin.storage import tenants


async def plan_of(db: Database, tenant_id: str) -> Plan:
    """The tenant's plan; NotFound when the tenant no longer exists."""
    row = await tenants.get(db, tenant_id)
    if row is None:
        raise NotFound("no such tenant")
    return plan_named(row.plan)


async def allow_one_more(db: Database, *, tenant_id: str, resource: Resource, in_use: int) -> None:
    """Raise Unprocessable (422) when the tenant's plan allows no more of `resource`.

    Counted before creating, outside a lock: two concurrent creates may pass one over the limit.
    """
    reason = refusal(await plan_of(db, tenant_id), resource, in_use=in_use)
    if reason is not None:
        raise Unprocessable(reason)
