"""Connecting a tenant's ERP (QuickBooks, Xero, Zoho) by OAuth; erp_sync owns the tokens.

POST /api/tenant/erp/{provider}/connect    → {"authorize_url"}: open it in the browser
GET  /api/oauth/{provider}/callback        where the provider sends the browser back
                                           (public: the signed single-use state is the proof)
GET  /api/tenant/erp/connections           the tenant's ERP connections and their status
DELETE /api/tenant/erp/connections/{id}    revoke at the provider, forget tokens, stop routing
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import get_args

from pydantic import BaseModel, ConfigDict, Field

from services.admin.deps import AdminDeps
from services.admin.endpoints import Access, Call, Endpoint
from services.admin.errors import AdminError, BadGateway, InvalidRequest, NotFound, Unprocessable
from services.admin.storage import audit
from services.erp_sync import storage
from services.erp_sync.apps import Provider
from services.erp_sync.connect import ConnectError
from services.ingress.storage import register_zoho_connection

_ERRORS: dict[str, type[AdminError]] = {
    "invalid_state": InvalidRequest,
    "invalid_code": InvalidRequest,
    "not_configured": Unprocessable,
    "provider_unavailable": BadGateway,
    "not_found": NotFound,
}


class ConnectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    provider: Provider


class AuthorizeLink(BaseModel):
    authorize_url: str = Field(
        description="the provider's consent page; valid for 10 minutes, once"
    )


class CallbackQuery(BaseModel):
    # Providers add parameters of their own (Zoho: location, accounts-server): ignored.
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    code: str | None = Field(default=None, max_length=4096)
    state: str | None = Field(default=None, max_length=4096)
    realm_id: str | None = Field(default=None, alias="realmId", max_length=200)
    error: str | None = Field(default=None, max_length=200)


class ZohoWebhook(BaseModel):
    organization_id: str
    url: str = Field(description="set as the Zoho Books webhook URL (Settings → Webhooks)")
    secret: str = Field(description="the webhook's secret in Zoho; shown once, stored encrypted")


class ConnectedView(BaseModel):
    connection_id: str
    provider: str
    accounts: list[str]
    zoho_webhooks: list[ZohoWebhook] = Field(
        default_factory=list, description="Zoho only: where each organization's webhooks go"
    )


class ErpConnectionView(BaseModel):
    id: str
    provider: str
    account_id: str
    account_name: str | None
    status: str = Field(description="connected, needs_reconnect or disconnected")
    access_expires_at: datetime
    refresh_hard_expires_at: datetime | None
    refreshed_at: datetime | None
    created_at: datetime


class ErpConnectionList(BaseModel):
    items: list[ErpConnectionView]


class Disconnected(BaseModel):
    revoked: bool = Field(description="whether the provider confirmed the revocation")


def _provider(path: Mapping[str, str]) -> Provider:
    provider = path["provider"]
    if provider not in get_args(Provider):
        raise NotFound("no such ERP provider")
    return provider  # type: ignore[return-value]


async def start_connect(call: Call[ConnectRequest, None], deps: AdminDeps) -> AuthorizeLink:
    """Begin connecting an ERP: the provider's consent URL with a signed single-use state."""
    who = call.who()
    try:
        url = await deps.erp.start(
            tenant_id=who.tenant(), provider=call.body.provider, actor=who.subject
        )
    except ConnectError as exc:
        raise _ERRORS[exc.code](exc.message) from None
    return AuthorizeLink(authorize_url=url)


async def complete_connect(call: Call[None, CallbackQuery], deps: AdminDeps) -> ConnectedView:
    """The provider's redirect after consent: exchange the code, store tokens, route accounts."""
    provider, query = _provider(call.path), call.query
    if query.error is not None:
        raise InvalidRequest(f"the provider did not grant access ({query.error})")
    if not query.code or not query.state:
        raise InvalidRequest("code and state are required")
    try:
        done = await deps.erp.complete(
            provider=provider, code=query.code, state=query.state, realm_id=query.realm_id
        )
    except ConnectError as exc:
        raise _ERRORS[exc.code](exc.message) from None
    await audit.record(deps.db, actor=None, action="connection.connected", target=done.connection_id,
                       tenant_id=done.tenant_id, details={"provider": provider})  # fmt: skip
    accounts = [account.id for account in done.accounts]
    webhooks = await _zoho_webhooks(deps, done.tenant_id, accounts) if provider == "zoho" else []
    return ConnectedView(
        connection_id=done.connection_id,
        provider=provider,
        accounts=accounts,
        zoho_webhooks=webhooks,
    )


async def _zoho_webhooks(
    deps: AdminDeps, tenant_id: str, organizations: list[str]
) -> list[ZohoWebhook]:
    """A signed ingress URL per organization: Zoho says neither organization nor event (§3.3)."""
    webhooks = []
    for organization_id in organizations:
        secret = secrets.token_hex(16)  # Zoho: 12-50 alphanumeric characters
        token = await register_zoho_connection(
            deps.db, deps.box, tenant_id=tenant_id, organization_id=organization_id, secret=secret
        )
        url = f"{deps.public_base_url.rstrip('/')}/webhooks/zoho/{token}"
        webhooks.append(ZohoWebhook(organization_id=organization_id, url=url, secret=secret))
    return webhooks


async def list_erp_connections(call: Call[None, None], deps: AdminDeps) -> ErpConnectionList:
    """The tenant's ERP connections, oldest first, with their token status (never tokens)."""
    rows = await storage.connections_of_tenant(deps.db, call.who().tenant())
    return ErpConnectionList(items=[ErpConnectionView(**vars(row)) for row in rows])


async def disconnect_erp(call: Call[None, None], deps: AdminDeps) -> Disconnected:
    """Revoke the grant at the provider, forget the tokens and stop routing its accounts."""
    tenant_id = call.who().tenant()
    connection_id = call.path["connection_id"]
    if await storage.connection_of_tenant(deps.db, tenant_id, connection_id) is None:
        raise NotFound("no such connection")
    try:
        revoked = await deps.erp.disconnect(tenant_id=tenant_id, connection_id=connection_id)
    except ConnectError as exc:
        raise _ERRORS[exc.code](exc.message) from None
    await audit.record(deps.db, actor=call.who(), action="connection.disconnected",
                       target=connection_id, tenant_id=tenant_id, details={"revoked": revoked})  # fmt: skip
    return Disconnected(revoked=revoked)


ENDPOINTS = [
    Endpoint("POST", "/api/tenant/erp/connect", start_connect, "Start connecting an ERP",
             Access.TENANT_WRITE, body=ConnectRequest, response=AuthorizeLink, tags=("tenant",),
             errors=(400, 422)),
    Endpoint("GET", "/api/oauth/{provider}/callback", complete_connect, "OAuth redirect target",
             Access.PUBLIC, query=CallbackQuery, response=ConnectedView, tags=("oauth",),
             errors=(400, 422, 502)),
    Endpoint("GET", "/api/tenant/erp/connections", list_erp_connections, "The tenant's ERP connections",
             Access.TENANT_READ, response=ErpConnectionList, tags=("tenant",)),
    Endpoint("DELETE", "/api/tenant/erp/connections/{connection_id}", disconnect_erp,
             "Disconnect an ERP", Access.TENANT_WRITE, response=Disconnected, tags=("tenant",)),
]  # fmt: skip
