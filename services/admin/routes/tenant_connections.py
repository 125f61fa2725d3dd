"""A tenant's connections: the routes that deliver provider accounts' events to it.

    GET    /api/tenant/connections              every route: provider, account id, connection id
    DELETE /api/tenant/connections/{route_id}   disconnect one (the router stops delivering)

ERPs (QuickBooks, Xero, Zoho) are connected and disconnected through /api/tenant/erp
(routes/tenant_erp.py), which keeps their OAuth tokens and routes together. WhatsApp
numbers are connected and removed through /api/tenant/whatsapp/accounts, which
keeps the bot, its verify token and its route together.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from services.admin.deps import AdminDeps
from services.admin.endpoints import Access, Call, Endpoint
from services.admin.errors import NotFound, Unprocessable
from services.admin.storage import audit
from services.erp_sync.apps import PROVIDERS as ERP_PROVIDERS
from services.router.storage import TenantRoute, route_of_tenant, routes_of_tenant, unlink_account


class ConnectionView(BaseModel):
    id: str = Field(description="the route id: DELETE /api/tenant/connections/{id}")
    provider: str
    account_id: str
    connection_id: str
    active: bool
    created_at: datetime


class ConnectionList(BaseModel):
    items: list[ConnectionView]


async def list_connections(call: Call[None, None], deps: AdminDeps) -> ConnectionList:
    """Every route of the tenant, active and disconnected, oldest first."""
    routes = await routes_of_tenant(deps.db, tenant_id=call.who().tenant())
    return ConnectionList(items=[_view(route) for route in routes])


async def disconnect(call: Call[None, None], deps: AdminDeps) -> None:
    """Stop routing one provider account to one connection."""
    tenant_id = call.who().tenant()
    route = await route_of_tenant(deps.db, tenant_id=tenant_id, route_id=call.path["route_id"])
    if route is None or not route.active:
        raise NotFound("no such active connection")
    if route.provider in ERP_PROVIDERS:
        raise Unprocessable(
            "ERP connections are removed with DELETE /api/tenant/erp/connections/{id}"
        )
    if route.provider == "whatsapp":
        raise Unprocessable(
            "WhatsApp numbers are removed with DELETE /api/tenant/whatsapp/accounts/{id}"
        )
    await unlink_account(
        deps.db, tenant_id=tenant_id, provider=route.provider, account_id=route.account_id,
        connection_id=route.connection_id,
    )  # fmt: skip
    await audit.record(deps.db, actor=call.who(), action="connection.disconnected", target=route.id,
                       tenant_id=tenant_id, details={"provider": route.provider,
                                                     "account_id": route.account_id})  # fmt: skip


def _view(route: TenantRoute) -> ConnectionView:
    return ConnectionView(
        id=route.id, provider=route.provider, account_id=route.account_id,
        connection_id=route.connection_id, active=route.active, created_at=route.created_at,
    )  # fmt: skip


ENDPOINTS = [
    Endpoint("GET", "/api/tenant/connections", list_connections, "The tenant's connections",
             Access.TENANT_READ, response=ConnectionList, tags=("tenant",)),
    Endpoint("DELETE", "/api/tenant/connections/{route_id}", disconnect, "Disconnect one",
             Access.TENANT_WRITE, status=204, tags=("tenant",), errors=(422,)),
]  # fmt: skip
