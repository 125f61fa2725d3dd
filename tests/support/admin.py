"""The admin API running in-process, and factories for owners, clients and their tokens."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from deploy.certificates import make_pfx
from libs.db import Database
from services.admin.bootstrap import SPEC as ADMIN
from services.admin.storage.sessions import create_owner
from tests.support.running import running

__all__ = ["JWT_SECRET", "AdminApi", "admin_api", "client_form", "make_pfx"]

JWT_SECRET = "test-jwt-secret-that-is-long-enough-0123456789"


@dataclass
class AdminApi:
    url: str
    session: aiohttp.ClientSession

    async def call(
        self, method: str, path: str, *, token: str | None = None, api_key: str | None = None,
        json: Any = None, params: dict[str, str] | None = None,
    ) -> tuple[int, Any]:  # fmt: skip
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if api_key:
            headers["X-API-Key"] = api_key
        async with self.session.request(
            method, self.url + path, json=json, headers=headers, params=params
        ) as response:
            body = await response.read()
            return response.status, (await response.json() if body else None)

    async def login(self, email: str, password: str) -> dict[str, Any]:
        status, body = await self.call(
            "POST", "/api/auth/login", json={"email": email, "password": password}
        )
        assert status == 200, body
        return dict(body)

    async def owner_token(self, db: Database) -> str:
        email, password = f"owner-{uuid.uuid4().hex[:8]}@switchyard.test", "owner-password-123"
        await create_owner(db, email=email, password=password)
        return str((await self.login(email, password))["access_token"])

    async def new_client(self, owner: str, **changes: Any) -> tuple[dict[str, Any], str, str]:
        """(client view, admin email, admin password) of a freshly created client."""
        body, email, password = client_form(**changes)
        status, view = await self.call("POST", "/api/owner/tenants", token=owner, json=body)
        assert status == 201, view
        return dict(view), email, password


def client_form(**changes: Any) -> tuple[dict[str, Any], str, str]:
    """A valid create-client body with `changes`: (body, admin email, admin password)."""
    email, password = f"admin-{uuid.uuid4().hex[:8]}@client.test", "client-password-123"
    body = {
        "company_name": f"Client {uuid.uuid4().hex[:6]}", "email": email,
        "initial_password": password, "phone": "+256 700 000000", "tin": "1000012345",
        "efris_device_no": "1000012345_02", "certificate_pfx_base64": make_pfx("pfx-pass"),
        "certificate_password": "pfx-pass", "erp_type": "quickbooks", "test_mode": True,
        **changes,
    }  # fmt: skip
    return body, email, password


@asynccontextmanager
async def admin_api(**overrides: Any) -> AsyncIterator[AdminApi]:
    async with (
        running(ADMIN, jwt_secret=JWT_SECRET, **overrides) as health,
        aiohttp.ClientSession() as session,
    ):
        yield AdminApi(url=f"http://127.0.0.1:{health.bound_port}", session=session)
