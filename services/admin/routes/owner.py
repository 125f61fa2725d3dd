"""The platform operator's endpoints: create, find, suspend and reactivate clients."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from services.admin.certificates import check_pfx
from services.admin.deps import AdminDeps
from services.admin.endpoints import Access, Call, Endpoint
from services.admin.errors import NotFound
from services.admin.storage import audit, sessions, tenants
from services.erp_sync import storage as erp_storage
from services.fiscalizer.storage import save_settings
from services.router.storage import linked_providers

ErpType = Literal["quickbooks", "xero", "zoho", "none"]
# No U+0000 (see openapi.NUL), no whitespace: \x85 is whitespace to pydantic's regex and
# not to the document's (ECMA-262), \ufeff the other way round; both leave them out.
EMAIL = r"^[^@\s\x00\x85\ufeff]+@[^@\s\x00\x85\ufeff]+\.[^@\s\x00\x85\ufeff]+$"
TIN = r"^[0-9]{10}$"
DEVICE_NO = r"^[0-9]{10}_[0-9]{2}$"  # URA assigns <TIN>_NN (specs/efris.md §2)


class CreateClient(BaseModel):
    """Everything to onboard a client in one request (the owner's form)."""

    model_config = ConfigDict(extra="forbid")
    company_name: str = Field(min_length=1, max_length=200)
    email: str = Field(pattern=EMAIL, max_length=320)
    initial_password: SecretStr = Field(min_length=12, max_length=256)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 ()-]{6,20}$")
    tin: str = Field(pattern=TIN)
    efris_device_no: str = Field(pattern=DEVICE_NO)
    certificate_pfx_base64: SecretStr = Field(min_length=1, max_length=2_000_000)
    certificate_password: SecretStr = Field(max_length=256)
    erp_type: ErpType
    test_mode: bool = True


class ClientView(BaseModel):
    id: str
    company_name: str
    email: str
    phone: str | None
    tin: str
    erp_type: str
    erp_connected: bool
    erp_status: Literal["connected", "needs_reconnect", "disconnected", "not_connected"] = Field(
        description="the OAuth connection to the client's ERP (erp_type): needs_reconnect "
        "means its grant was revoked or expired and the client must connect again"
    )
    test_mode: bool
    status: Literal["active", "suspended"]
    created_at: datetime
    invoices_fiscalized: int
    fiscalization_failures: int
    success_rate: float | None


class ClientPage(BaseModel):
    items: list[ClientView]
    limit: int
    offset: int


class ClientQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["active", "suspended"] | None = None
    erp_type: ErpType | None = None
    q: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class ResetPassword(BaseModel):
    model_config = ConfigDict(extra="forbid")
    new_password: SecretStr = Field(min_length=12, max_length=256)


async def create_client(call: Call[CreateClient, None], deps: AdminDeps) -> ClientView:
    """Create tenant, tenant admin and EFRIS settings together, or nothing."""
    body = call.body
    not_after = check_pfx(
        body.certificate_pfx_base64.get_secret_value(), body.certificate_password.get_secret_value()
    )
    async with deps.db.transaction() as tx:
        row, user_id = await tenants.create(
            tx, name=body.company_name, email=str(body.email),
            password=body.initial_password.get_secret_value(), phone=body.phone, tin=body.tin,
            erp_type=body.erp_type, test_mode=body.test_mode,
        )  # fmt: skip
        await save_settings(
            tx, deps.box, tenant_id=row.id, tin=body.tin, device_no=body.efris_device_no,
            pfx_base64=body.certificate_pfx_base64.get_secret_value(),
            password=body.certificate_password.get_secret_value(), not_after=not_after,
            test_mode=body.test_mode, legal_name=body.company_name, email=body.email,
        )  # fmt: skip
        await audit.record(
            tx, actor=call.who(), action="tenant.created", target=row.id, tenant_id=row.id,
            details={"admin_user": user_id, "erp_type": body.erp_type, "tin": body.tin,
                     "certificate_not_after": not_after.isoformat()},
        )  # fmt: skip
    return (await _views(deps, [row]))[0]


async def list_clients(call: Call[None, ClientQuery], deps: AdminDeps) -> ClientPage:
    """Clients with ERP connection status and fiscalization health, filterable."""
    query = call.query
    rows = await tenants.search(
        deps.db, status=query.status, erp_type=query.erp_type, q=query.q,
        limit=query.limit, offset=query.offset,
    )  # fmt: skip
    return ClientPage(items=await _views(deps, rows), limit=query.limit, offset=query.offset)


async def get_client(call: Call[None, None], deps: AdminDeps) -> ClientView:
    return (await _views(deps, [await _tenant(deps, call.path["tenant_id"])]))[0]


async def suspend_client(call: Call[None, None], deps: AdminDeps) -> ClientView:
    """Suspended: logins, tokens and API keys stop working at once."""
    return await _set_status(call, deps, "suspended")


async def reactivate_client(call: Call[None, None], deps: AdminDeps) -> ClientView:
    return await _set_status(call, deps, "active")


async def reset_client_password(call: Call[ResetPassword, None], deps: AdminDeps) -> None:
    """Set the tenant admin's password and end their sessions."""
    tenant = await _tenant(deps, call.path["tenant_id"])
    user_id = await tenants.admin_user(deps.db, tenant.id)
    if user_id is None:
        raise NotFound("the client has no admin user")
    await tenants.set_password(deps.db, user_id, call.body.new_password.get_secret_value())
    await sessions.revoke_all_sessions(deps.db, user_id)
    await audit.record(deps.db, actor=call.who(), action="user.password_reset", target=user_id,
                       tenant_id=tenant.id)  # fmt: skip


async def _set_status(call: Call[None, None], deps: AdminDeps, status: str) -> ClientView:
    row = await tenants.set_status(deps.db, call.path["tenant_id"], status)
    if row is None:
        raise NotFound("no such client")
    await audit.record(deps.db, actor=call.who(), action=f"tenant.{status}", target=row.id,
                       tenant_id=row.id)  # fmt: skip
    return (await _views(deps, [row]))[0]


async def _tenant(deps: AdminDeps, tenant_id: str) -> tenants.TenantRow:
    row = await tenants.get(deps.db, tenant_id)
    if row is None:
        raise NotFound("no such client")
    return row


async def _views(deps: AdminDeps, rows: list[tenants.TenantRow]) -> list[ClientView]:
    ids = [row.id for row in rows]
    counts = await tenants.stats(deps.db, ids)
    linked = await linked_providers(deps.db, ids)
    erp = await erp_storage.statuses_of_tenants(deps.db, ids)
    views = []
    for row in rows:
        stats = counts[row.id]
        attempts = stats.invoices_fiscalized + stats.fiscalization_failures
        views.append(
            ClientView(
                id=row.id,
                company_name=row.name,
                email=row.email,
                phone=row.phone,
                tin=row.tin,
                erp_type=row.erp_type,
                erp_connected=row.erp_type in linked[row.id],
                erp_status=erp[row.id].get(row.erp_type, "not_connected"),
                test_mode=row.test_mode,
                status=row.status,
                created_at=row.created_at,
                invoices_fiscalized=stats.invoices_fiscalized,
                fiscalization_failures=stats.fiscalization_failures,
                success_rate=stats.invoices_fiscalized / attempts if attempts else None,
            )
        )
    return views


ENDPOINTS = [
    Endpoint("POST", "/api/owner/tenants", create_client, "Create a client in one request",
             Access.OWNER, body=CreateClient, response=ClientView, status=201, tags=("owner",),
             errors=(400, 409, 422)),
    Endpoint("GET", "/api/owner/tenants", list_clients, "List and filter clients", Access.OWNER,
             query=ClientQuery, response=ClientPage, tags=("owner",)),
    Endpoint("GET", "/api/owner/tenants/{tenant_id}", get_client, "One client", Access.OWNER,
             response=ClientView, tags=("owner",)),
    Endpoint("POST", "/api/owner/tenants/{tenant_id}/suspend", suspend_client, "Suspend a client",
             Access.OWNER, response=ClientView, tags=("owner",)),
    Endpoint("POST", "/api/owner/tenants/{tenant_id}/reactivate", reactivate_client,
             "Reactivate a client", Access.OWNER, response=ClientView, tags=("owner",)),
    Endpoint("POST", "/api/owner/tenants/{tenant_id}/reset-password", reset_client_password,
             "Reset the client admin's password", Access.OWNER, body=ResetPassword, status=204,
             tags=("owner",)),
]  # fmt: skip
