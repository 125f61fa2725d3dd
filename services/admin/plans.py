"""Tenant plans and what each allows (pure; `quota` applies them where the admin creates things).

    plan       events/month   API keys   webhook sources   WhatsApp numbers   webhook endpoints
    standard   no limit       no limit   no limit          no limit           50
    starter    1,000          2          2                 1                  2

The events limit is reported (usage against limit in `GET /api/tenant/stats`), not
enforced: events are counted by the admin's consumer after they happened.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Resource(StrEnum):
    """Things a tenant creates through the admin API that a plan may cap."""

    API_KEYS = "API keys"
    SOURCES = "webhook sources"
    WHATSAPP_ACCOUNTS = "WhatsApp numbers"
    WEBHOOK_ENDPOINTS = "webhook endpoints"


@dataclass(frozen=True)
class Plan:
    name: str
    events_per_month: int | None  # None: no limit
    limits: Mapping[Resource, int] = field(default_factory=dict)  # absent: no limit


# Every event fans out to each endpoint: even unlimited plans cap them (Outpost: 20).
STANDARD = Plan("standard", events_per_month=None, limits={Resource.WEBHOOK_ENDPOINTS: 50})
STARTER = Plan(
    "starter",
    events_per_month=1_000,
    limits={
        Resource.API_KEYS: 2,
        Resource.SOURCES: 2,
        Resource.WHATSAPP_ACCOUNTS: 1,
        Resource.WEBHOOK_ENDPOINTS: 2,
    },
)
PLANS = {plan.name: plan for plan in (STANDARD, STARTER)}


def plan_named(name: str) -> Plan:
    """The plan called `name`; an unknown name gets the starter limits (fail closed)."""
    return PLANS.get(name) or Plan(name, STARTER.events_per_month, STARTER.limits)


def refusal(plan: Plan, resource: Resource, *, in_use: int) -> str | None:
    """Why `plan` refuses one more `resource` when `in_use` exist, or None when it allows it."""
    limit = plan.limits.get(resource)
    if limit is None or in_use < limit:
        return None
    return (
        f"the {plan.name} plan allows at most {limit} {resource.value}; "
        "remove one first or ask the platform operator to change the plan"
    )


def events_remaining(plan: Plan, *, used: int) -> int | None:
    """Events left this month under `plan` (never negative); None when unlimited."""
    if plan.events_per_month is None:
        return None
    return max(0, plan.events_per_month - used)
