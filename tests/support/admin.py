"""The admin API running in-process, and factories for owners, clients and their tokens."""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID

from libs.db import Database
from services.admin.bootstrap import SPEC as ADMIN
from services.admin.storage.sessions import create_owner
from tests.support.running import running

JWT_SECRET = "test-jwt-secret-that-is-long-enough-0123456789"


def make_pfx(password: str, *, days: int = 365, key_size: int = 2048) -> str:
    """A base64 .pfx with an RSA key and a self-signed certificate valid for `days` (negative: expired)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "efris-device-test")])
    now = datetime.now(UTC)
    start, end = now - timedelta(days=400), now + timedelta(days=days)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    raw = pkcs12.serialize_key_and_certificates(
        b"device", key, certificate, None, BestAvailableEncryption(password.encode())
    )
    return base64.b64encode(raw).decode()


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
