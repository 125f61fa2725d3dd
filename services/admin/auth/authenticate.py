"""From request headers to a `Principal`, or a 401/403 — before any handler runs."""

from __future__ import annotations

from collections.abc import Mapping

from libs.db import Database
from services.admin.auth.principal import Principal, Role, Scope
from services.admin.auth.tokens import TokenIssuer, principal_of
from services.admin.endpoints import Access
from services.admin.errors import Forbidden, Unauthenticated
from services.admin.storage import api_keys, sessions


async def authenticate(
    headers: Mapping[str, str], *, access: Access, db: Database, tokens: TokenIssuer
) -> Principal | None:
    """The caller allowed to use an endpoint of `access`; raises Unauthenticated or Forbidden."""
    if access is Access.PUBLIC:
        return None
    api_key = headers.get("X-API-Key")
    authorization = headers.get("Authorization", "")
    if api_key is not None:
        if access not in (Access.TENANT_READ, Access.TENANT_WRITE):
            raise Unauthenticated("API keys are accepted on tenant endpoints only")
        principal = await api_keys.principal_for(db, api_key)
    elif authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("expected 'Authorization: Bearer <token>'")
        claims = tokens.verify(token.strip())
        if not await sessions.access_token_usable(db, claims):
            raise Unauthenticated("access token revoked")
        principal = principal_of(claims)
    else:
        raise Unauthenticated("missing credentials: a Bearer token or an X-API-Key")
    authorize(principal, access)
    return principal


def authorize(principal: Principal, access: Access) -> None:
    """Role and scope rules; 403 names what is missing, never what exists."""
    if access is Access.OWNER and principal.role is not Role.OWNER:
        raise Forbidden("owner only")
    if access in (Access.TENANT_READ, Access.TENANT_WRITE) and principal.tenant_id is None:
        raise Forbidden("a tenant user or tenant API key is required")
    if access is Access.TENANT_READ and Scope.READ not in principal.scopes:
        raise Forbidden("the read scope is required")
    if access is Access.TENANT_WRITE and Scope.WRITE not in principal.scopes:
        raise Forbidden("the write scope (tenant admin or a write API key) is required")
    if access is Access.AUTHENTICATED and principal.via_api_key:
        raise Forbidden("this endpoint is for users, not API keys")
