"""A tenant's API keys for its programs: create (the key is shown once), list, revoke.

Keys are managed by the tenant's users only: a key cannot mint or revoke keys,
so a leaked write key cannot entrench itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.admin.auth.principal import Principal, Scope
from services.admin.deps import AdminDeps
from services.admin.endpoints import Access, Call, Endpoint
from services.admin.errors import Forbidden, NotFound
from services.admin.plans import Resource
from services.admin.quota import allow_one_more
from services.admin.storage import api_keys, audit


class CreateApiKey(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    # "write" alone is refused: the document says so with `contains`, the validator enforces it.
    scopes: list[Literal["read", "write"]] = Field(
        min_length=1, max_length=2, json_schema_extra={"contains": {"const": "read"}}
    )

    @field_validator("scopes")
    @classmethod
    def _read_or_read_write(cls, scopes: list[str]) -> list[str]:
        if sorted(set(scopes)) not in (["read"], ["read", "write"]):
            raise ValueError('scopes must be ["read"] or ["read", "write"]')
        return sorted(set(scopes))


class ApiKeyView(BaseModel):
    id: str
    name: str
    prefix: str = Field(description="the key's first characters, to recognise it")
    scopes: list[Scope]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyList(BaseModel):
    items: list[ApiKeyView]


class NewApiKey(ApiKeyView):
    """A new key: `key` is shown in this response only and cannot be read back."""

    key: str = Field(description="send as the X-API-Key header; shown once")


async def create_api_key(call: Call[CreateApiKey, None], deps: AdminDeps) -> NewApiKey:
    """A new key with the read or read and write scopes; the plaintext is shown once."""
    principal = _user(call.who())
    tenant_id = principal.tenant()
    in_use = await api_keys.count_active(deps.db, tenant_id=tenant_id)
    await allow_one_more(deps.db, tenant_id=tenant_id, resource=Resource.API_KEYS, in_use=in_use)
    row, plaintext = await api_keys.create(
        deps.db, tenant_id=tenant_id, name=call.body.name,
        scopes=tuple(Scope(scope) for scope in call.body.scopes),
    )  # fmt: skip
    await audit.record(deps.db, actor=principal, action="api_key.created", target=row.id,
                       tenant_id=tenant_id, details={"name": row.name, "prefix": row.prefix,
                                                     "scopes": call.body.scopes})  # fmt: skip
    return NewApiKey(**_view(row).model_dump(), key=plaintext)


async def list_api_keys(call: Call[None, None], deps: AdminDeps) -> ApiKeyList:
    """Every key, revoked ones too; never a key itself."""
    rows = await api_keys.list_for(deps.db, tenant_id=call.who().tenant())
    return ApiKeyList(items=[_view(row) for row in rows])


async def revoke_api_key(call: Call[None, None], deps: AdminDeps) -> None:
    """The key stops working at once; revoking a revoked key changes nothing."""
    principal = _user(call.who())
    row = await api_keys.revoke(deps.db, tenant_id=principal.tenant(), key_id=call.path["key_id"])
    if row is None:
        raise NotFound("no such API key")
    await audit.record(deps.db, actor=principal, action="api_key.revoked", target=row.id,
                       tenant_id=principal.tenant(), details={"prefix": row.prefix})  # fmt: skip


def _user(principal: Principal) -> Principal:
    if principal.via_api_key:
        raise Forbidden("API keys are managed by the tenant's users, not by API keys")
    return principal


def _view(row: api_keys.ApiKeyRow) -> ApiKeyView:
    return ApiKeyView(
        id=row.id, name=row.name, prefix=row.prefix, scopes=list(row.scopes),
        created_at=row.created_at, last_used_at=row.last_used_at, revoked_at=row.revoked_at,
    )  # fmt: skip


ENDPOINTS = [
    Endpoint("POST", "/api/tenant/api-keys", create_api_key, "Create an API key (shown once)",
             Access.TENANT_WRITE, body=CreateApiKey, response=NewApiKey, status=201,
             tags=("tenant",), errors=(400, 422)),
    Endpoint("GET", "/api/tenant/api-keys", list_api_keys, "The tenant's API keys",
             Access.TENANT_READ, response=ApiKeyList, tags=("tenant",)),
    Endpoint("DELETE", "/api/tenant/api-keys/{key_id}", revoke_api_key, "Revoke an API key",
             Access.TENANT_WRITE, status=204, tags=("tenant",)),
]  # fmt: skip
