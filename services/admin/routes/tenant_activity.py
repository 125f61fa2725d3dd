"""What happened for a tenant: the activity feed (newest first, cursor-paged) and its stats."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.admin.deps import AdminDeps
from services.admin.endpoints import Access, Call, Endpoint
from services.admin.feed import EVENTS_PROCESSED
from services.admin.plans import events_remaining
from services.admin.quota import plan_of
from services.admin.storage import activity, tenants, usage

Status = Literal["ok", "failed", "pending"]


class ActivityQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str | None = Field(default=None, pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$", max_length=200)
    status: Status | None = None
    limit: int = Field(default=50, ge=1, le=200)
    # Ids are bigint: a larger `before` is refused here, not by the database.
    before: int | None = Field(
        default=None, ge=1, le=2**63 - 1, description="next_before of the previous page"
    )


class ActivityItem(BaseModel):
    id: int
    event_id: str
    type: str
    status: Status
    subject: str | None
    summary: str
    at: datetime


class ActivityPage(BaseModel):
    items: list[ActivityItem]
    next_before: int | None = Field(description="pass as `before` for the next page; null: last")


class TypeCount(BaseModel):
    type: str
    status: Status
    count: int


class PlanUsage(BaseModel):
    plan: str
    events_per_month: int | None = Field(description="null: no limit")
    events_this_month: int
    events_remaining: int | None
    over_limit: bool


class TenantStats(BaseModel):
    events: int
    failures: int
    by_type: list[TypeCount]
    by_status: dict[str, int]
    invoices_fiscalized: int
    fiscalization_failures: int
    success_rate: float | None = Field(description="fiscalized / attempts; null before any")
    usage_this_month: dict[str, int]
    plan: PlanUsage


async def list_activity(call: Call[None, ActivityQuery], deps: AdminDeps) -> ActivityPage:
    """The tenant's events, newest first, filtered by type and status."""
    query = call.query
    rows = await activity.page(
        deps.db, tenant_id=call.who().tenant(), type=query.type, status=query.status,
        limit=query.limit, before_id=query.before,
    )  # fmt: skip
    items = [ActivityItem(**vars(row)) for row in rows]
    next_before = items[-1].id if len(items) == query.limit else None
    return ActivityPage(items=items, next_before=next_before)


async def get_stats(call: Call[None, None], deps: AdminDeps) -> TenantStats:
    """Counts by type and status, fiscalization health, and this month's usage against the plan."""
    tenant_id = call.who().tenant()
    counts = await activity.counts(deps.db, tenant_id=tenant_id)
    fiscal = (await tenants.stats(deps.db, [tenant_id]))[tenant_id]
    month = await usage.this_month(deps.db, tenant_id=tenant_id)
    by_status: dict[str, int] = {}
    for count in counts:
        by_status[count.status] = by_status.get(count.status, 0) + count.count
    attempts = fiscal.invoices_fiscalized + fiscal.fiscalization_failures
    return TenantStats(
        events=sum(by_status.values()),
        failures=by_status.get("failed", 0),
        by_type=[TypeCount(**vars(count)) for count in counts],
        by_status=by_status,
        invoices_fiscalized=fiscal.invoices_fiscalized,
        fiscalization_failures=fiscal.fiscalization_failures,
        success_rate=fiscal.invoices_fiscalized / attempts if attempts else None,
        usage_this_month=month,
        plan=await _plan_usage(deps, tenant_id, used=month.get(EVENTS_PROCESSED, 0)),
    )


async def _plan_usage(deps: AdminDeps, tenant_id: str, *, used: int) -> PlanUsage:
    plan = await plan_of(deps.db, tenant_id)
    limit = plan.events_per_month
    return PlanUsage(
        plan=plan.name, events_per_month=limit, events_this_month=used,
        events_remaining=events_remaining(plan, used=used),
        over_limit=limit is not None and used > limit,
    )  # fmt: skip


ENDPOINTS = [
    Endpoint("GET", "/api/tenant/activity", list_activity, "The tenant's activity feed",
             Access.TENANT_READ, query=ActivityQuery, response=ActivityPage, tags=("tenant",)),
    Endpoint("GET", "/api/tenant/stats", get_stats, "Activity counts, success rate and usage",
             Access.TENANT_READ, response=TenantStats, tags=("tenant",)),
]  # fmt: skip
