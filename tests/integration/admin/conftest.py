"""Fixtures for admin tests: the running admin, its consumer queues cleaned up, tenants to act as."""

from __future__ import annotations

import uuid

import pytest

from services.admin.auth.principal import Role
from services.admin.bootstrap import NAME
from services.admin.storage.tenants import create_user
from tests.integration.admin.sessions import (
    TenantSession,
    issue_token,
    new_tenant_on,
)
from tests.support.admin import admin_api

ADMIN_RETRY_TIERS = (1, 10, 60, 600, 3600)  # the default RETRY_TIERS_MS, in seconds


@pytest.fixture(autouse=True)
def _admin_queues_deleted(topology, delete_queues_after):
    """The admin consumes the events exchange; its work, retry and dead-letter queues go after each test."""
    delete_queues_after(topology.service(NAME, retry_tiers=ADMIN_RETRY_TIERS).all_queues)


@pytest.fixture
async def api():
    async with admin_api() as running_api:
        yield running_api


@pytest.fixture
def new_tenant(api, db):
    """Factory: a fresh client (created through the owner endpoint) acting as its tenant admin."""

    async def create(**changes) -> TenantSession:
        return await new_tenant_on(api, db, **changes)

    return create


@pytest.fixture
def tenant_user(db):
    """Factory: a read-only tenant_user of `tenant`; its access token."""

    async def create(tenant: TenantSession) -> str:
        email, password = f"user-{uuid.uuid4().hex[:8]}@client.test", "user-password-1234"
        user_id = await create_user(
            db, tenant_id=tenant.tenant_id, email=email, password=password, role=Role.TENANT_USER
        )
        return issue_token(user_id, Role.TENANT_USER, tenant.tenant_id)

    return create
