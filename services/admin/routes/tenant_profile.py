"""A tenant's own profile and EFRIS settings: GET /api/tenant/profile, /efris and their changes.

Every endpoint acts on the caller's tenant only (`call.who().tenant()`); the EFRIS
view never includes the certificate or its password.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.admin.deps import AdminDeps
from services.admin.endpoints import Access, Call, Endpoint
from services.admin.errors import NotFound
from services.admin.storage import audit, tenants
from services.fiscalizer.storage import (
    EfrisSettingsView,
    set_auto_credit_notes,
    set_auto_fiscalize,
    settings_view,
)

PHONE = r"^\+?[0-9 ()-]{6,20}$"


class Profile(BaseModel):
    id: str
    company_name: str
    email: str
    phone: str | None
    tin: str
    erp_type: str
    test_mode: bool
    status: Literal["active", "suspended"]
    plan: str
    created_at: datetime


def _never_null(schema: dict[str, Any]) -> None:
    """An optional field that refuses null: its JSON schema keeps the non-null variant only."""
    schema.pop("default", None)
    (variant,) = [option for option in schema.pop("anyOf") if option.get("type") != "null"]
    schema.update(variant)


class UpdateProfile(BaseModel):
    """The fields a tenant admin may change; absent fields stay, `"phone": null` clears it."""

    # The document says what the validator enforces: at least one field; company_name never null.
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})
    company_name: str | None = Field(
        default=None, min_length=1, max_length=200, json_schema_extra=_never_null
    )
    phone: str | None = Field(default=None, pattern=PHONE)

    @model_validator(mode="after")
    def _something_to_change(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("give company_name, phone or both")
        if "company_name" in self.model_fields_set and self.company_name is None:
            raise ValueError("company_name cannot be null")
        return self


class EfrisView(BaseModel):
    tin: str
    device_no: str
    certificate_not_after: datetime
    certificate_days_left: int
    test_mode: bool
    auto_fiscalize: bool
    auto_credit_notes: bool = Field(
        description="a void of a fiscalized invoice applies for its credit note (T110) by itself"
    )


class AutoFiscalize(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool


async def get_profile(call: Call[None, None], deps: AdminDeps) -> Profile:
    return _profile(await _tenant(deps, call.who().tenant()))


async def update_profile(call: Call[UpdateProfile, None], deps: AdminDeps) -> Profile:
    """Change the company name and/or phone."""
    current = await _tenant(deps, call.who().tenant())
    changed = call.body.model_fields_set
    row = await tenants.update_profile(
        deps.db,
        current.id,
        name=call.body.company_name or current.name,  # never null when given (validated)
        phone=call.body.phone if "phone" in changed else current.phone,
    )
    if row is None:
        raise NotFound("no such tenant")
    await audit.record(deps.db, actor=call.who(), action="tenant.profile_updated", target=row.id,
                       tenant_id=row.id, details={"fields": sorted(changed)})  # fmt: skip
    return _profile(row)


async def get_efris_settings(call: Call[None, None], deps: AdminDeps) -> EfrisView:
    """TIN, device, certificate expiry and modes; never the certificate or its password."""
    return _efris(await _settings(deps, call.who().tenant()))


async def set_efris_auto_fiscalize(call: Call[AutoFiscalize, None], deps: AdminDeps) -> EfrisView:
    """Turn automatic fiscalization of new invoices on or off."""
    return await _toggle(call, deps, set_auto_fiscalize, action="efris.auto_fiscalize_set")


async def set_efris_credit_notes(call: Call[AutoFiscalize, None], deps: AdminDeps) -> EfrisView:
    """Turn automatic credit notes for voided, fiscalized invoices on or off."""
    return await _toggle(call, deps, set_auto_credit_notes, action="efris.auto_credit_notes_set")


async def _toggle(
    call: Call[AutoFiscalize, None],
    deps: AdminDeps,
    setter: Callable[..., Awaitable[bool]],
    *,
    action: str,
) -> EfrisView:
    """Set one of the tenant's EFRIS switches with `setter`, audited as `action`."""
    tenant_id = call.who().tenant()
    if not await setter(deps.db, tenant_id=tenant_id, enabled=call.body.enabled):
        raise NotFound("no EFRIS settings for this tenant")
    await audit.record(deps.db, actor=call.who(), action=action, target=tenant_id,
                       tenant_id=tenant_id, details={"enabled": call.body.enabled})  # fmt: skip
    return _efris(await _settings(deps, tenant_id))


async def _tenant(deps: AdminDeps, tenant_id: str) -> tenants.TenantRow:
    row = await tenants.get(deps.db, tenant_id)
    if row is None:
        raise NotFound("no such tenant")
    return row


async def _settings(deps: AdminDeps, tenant_id: str) -> EfrisSettingsView:
    settings = await settings_view(deps.db, tenant_id=tenant_id)
    if settings is None:
        raise NotFound("no EFRIS settings for this tenant")
    return settings


def _profile(row: tenants.TenantRow) -> Profile:
    return Profile(
        id=row.id, company_name=row.name, email=row.email, phone=row.phone, tin=row.tin,
        erp_type=row.erp_type, test_mode=row.test_mode, status=row.status, plan=row.plan,
        created_at=row.created_at,
    )  # fmt: skip


def _efris(settings: EfrisSettingsView) -> EfrisView:
    left = settings.certificate_not_after - datetime.now(UTC)
    return EfrisView(
        tin=settings.tin, device_no=settings.device_no,
        certificate_not_after=settings.certificate_not_after,
        certificate_days_left=left.days, test_mode=settings.test_mode,
        auto_fiscalize=settings.auto_fiscalize, auto_credit_notes=settings.auto_credit_notes,
    )  # fmt: skip


ENDPOINTS = [
    Endpoint("GET", "/api/tenant/profile", get_profile, "The tenant's profile", Access.TENANT_READ,
             response=Profile, tags=("tenant",)),
    Endpoint("PATCH", "/api/tenant/profile", update_profile, "Change the company name or phone",
             Access.TENANT_WRITE, body=UpdateProfile, response=Profile, tags=("tenant",)),
    Endpoint("GET", "/api/tenant/efris", get_efris_settings, "EFRIS settings (no secrets)",
             Access.TENANT_READ, response=EfrisView, tags=("tenant",), errors=(404,)),
    Endpoint("PUT", "/api/tenant/efris/auto-fiscalize", set_efris_auto_fiscalize,
             "Turn automatic fiscalization on or off", Access.TENANT_WRITE, body=AutoFiscalize,
             response=EfrisView, tags=("tenant",), errors=(400, 404)),
    Endpoint("PUT", "/api/tenant/efris/credit-notes", set_efris_credit_notes,
             "Turn automatic credit notes on or off", Access.TENANT_WRITE, body=AutoFiscalize,
             response=EfrisView, tags=("tenant",), errors=(400, 404)),
]  # fmt: skip
