"""The admin API as one explicit list of endpoints: routing, validation, access and OpenAPI from it.

    Endpoint("POST", "/api/owner/tenants", create_tenant, access=Access.OWNER,
             body=CreateTenant, response=TenantView, status=201, summary="Create a client")

Each endpoint's handler is `async def handler(call: Call[BodyT, QueryT], deps) -> Model | None`;
it receives the authenticated principal, the validated body and query, and the path
parameters, and returns a pydantic model (serialized as JSON) or None (204).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from services.admin.auth.principal import Principal

BodyT = TypeVar("BodyT", bound=BaseModel | None)
QueryT = TypeVar("QueryT", bound=BaseModel | None)


class Access(StrEnum):
    """Who may call an endpoint."""

    PUBLIC = "public"  # no credentials (login, refresh, the OpenAPI document)
    OWNER = "owner"  # the platform operator's JWT
    TENANT_READ = "tenant_read"  # a tenant user's JWT or an API key with the read scope
    TENANT_WRITE = "tenant_write"  # a tenant admin's JWT or an API key with the write scope
    AUTHENTICATED = "authenticated"  # any valid JWT (the caller's own profile, logout)


@dataclass(frozen=True)
class Call(Generic[BodyT, QueryT]):
    """One validated request as a handler sees it."""

    principal: Principal | None
    body: BodyT
    query: QueryT
    path: Mapping[str, str]
    client: str  # the peer address, for rate limiting and the audit log
    token: str | None = None  # the bearer token as sent (logout revokes it)

    def who(self) -> Principal:
        assert self.principal is not None, "public endpoints have no principal"
        return self.principal


Handler = Callable[[Call[Any, Any], Any], Awaitable[BaseModel | None]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    access: Access
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    tags: tuple[str, ...] = ()
    errors: tuple[int, ...] = field(default=(400,))

    @property
    def operation_id(self) -> str:
        return self.handler.__name__

    def documented_errors(self) -> tuple[int, ...]:
        implied = {
            Access.PUBLIC: (),
            Access.OWNER: (401, 403),
            Access.TENANT_READ: (401, 403),
            Access.TENANT_WRITE: (401, 403),
            Access.AUTHENTICATED: (401,),
        }[self.access]
        path_errors = (404,) if "{" in self.path else ()
        return tuple(sorted({*self.errors, *implied, *path_errors, 500}))
