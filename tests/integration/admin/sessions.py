"""Acting as a tenant in admin tests: tokens issued with the admin's JWT secret, and a tenant's session.

Tokens are issued here rather than through POST /api/auth/login: the login rate
limit (20 a minute per client address) is held per process, so every test of a
run shares it. Login has its own tests (test_onboarding).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from libs.db import Database
from services.admin.auth.principal import Role
from services.admin.auth.tokens import TokenIssuer
from services.admin.storage.sessions import create_owner
from services.admin.storage.tenants import admin_user
from tests.support.admin import JWT_SECRET, AdminApi, client_form


def issue_token(user_id: str, role: Role, tenant_id: str | None) -> str:
    """An access token as login would issue it for this user."""
    issuer = TokenIssuer(secret=JWT_SECRET, access_ttl_s=900)
    return issuer.issue(user_id=user_id, role=role, tenant_id=tenant_id)[0]


async def new_owner_token(db: Database) -> str:
    owner_id = await create_owner(
        db, email=f"owner-{uuid.uuid4().hex[:8]}@switchyard.test", password="owner-pass-1234"
    )
    return issue_token(owner_id, Role.OWNER, None)


@dataclass
class TenantSession:
    """A client created by the owner, and its tenant admin's access token."""

    api: AdminApi
    tenant_id: str
    token: str

    async def call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        return await self.api.call(method, path, token=self.token, **kwargs)


async def new_tenant_on(api: AdminApi, db: Database, **changes: Any) -> TenantSession:
    """A fresh client on `api` (created through the owner endpoint), acting as its tenant admin."""
    body, _, _ = client_form(**changes)
    owner = await new_owner_token(db)
    status, client = await api.call("POST", "/api/owner/tenants", token=owner, json=body)
    assert status == 201, client
    user_id = await admin_user(db, client["id"])
    assert user_id is not None
    token = issue_token(user_id, Role.TENANT_ADMIN, client["id"])
    return TenantSession(api=api, tenant_id=client["id"], token=token)
