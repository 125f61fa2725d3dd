"""No secret leaves the admin: not in a response (but the one that hands it out), a log line,
an audit entry, or the database (a `pg_dump` of it holds none in plaintext).

The admin runs as a real subprocess (`python -m services.admin`, LOG_LEVEL=debug),
so its log is exactly what production writes to stdout. One run drives every flow
that takes or hands out a secret, each secret a distinctive random string, plus
refused requests carrying secrets; the tests then search everything it produced.
"""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson
import pytest
import pytest_asyncio
from yarl import URL

from libs.db import Database
from services.admin.endpoints import Access
from services.admin.routes import ENDPOINTS
from services.admin.storage.sessions import create_owner
from tests.integration.admin.fiscal_invoices import stored_fiscal_invoice
from tests.integration.admin.module_admin import delete_admin_queues
from tests.integration.admin.webhook_deliveries import stored_delivery
from tests.support.admin import client_form, make_pfx
from tests.support.processes import ServiceProcess

pytestmark = pytest.mark.asyncio(loop_scope="module")


def secret(name: str) -> str:
    """A distinctive random value (only characters that JSON, COPY and logs leave as they are)."""
    return f"{name}-{secrets.token_hex(16)}"


@dataclass
class Run:
    """Everything one admin run produced, and the secrets it was given or gave out."""

    secrets: dict[str, str] = field(default_factory=dict)
    # secret -> the responses showing it (most: one; a webhook endpoint's: also its read-back)
    shown_in: dict[str, frozenset[str]] = field(default_factory=dict)
    responses: list[tuple[str, int, str]] = field(default_factory=list)  # (label, status, body)
    pfx_raw: bytes = b""
    client_id: str = ""
    client_email: str = ""
    logs: str = ""
    dump: str = ""
    audit: str = ""

    def add(self, name: str, value: str, *, shown_in: str | tuple[str, ...] | None = None) -> str:
        self.secrets[name] = value
        if shown_in is not None:
            self.shown_in[name] = frozenset((shown_in,) if isinstance(shown_in, str) else shown_in)
        return value

    def forms(self) -> dict[str, str]:
        """Each secret as text, as the hex a bytea column would dump, and its distinctive parts."""
        found: dict[str, str] = {}
        for name, value in self.secrets.items():
            found[name] = value
            found[f"{name} (hex)"] = value.encode().hex()
        pfx = self.secrets["certificate_pfx_base64"]
        middle = len(pfx) // 2
        found["certificate_pfx_base64 (a 64-character piece)"] = pfx[middle : middle + 64]
        raw_middle = len(self.pfx_raw) // 2
        found["certificate_pfx_base64 (32 of its bytes, hex)"] = self.pfx_raw[
            raw_middle : raw_middle + 32
        ].hex()
        for key in ("read_api_key", "write_api_key"):  # the part after the listed prefix
            found[f"{key} (secret part)"] = self.secrets[key].split("_", 2)[2]
        return found


class Client:
    """Calls the admin and keeps every answer's body, labelled."""

    def __init__(self, session: aiohttp.ClientSession, url: str, run: Run) -> None:
        self.session, self.url, self.run = session, url, run

    async def call(
        self,
        label: str,
        method: str,
        path: str,
        *,
        status: int,
        token: str | None = None,
        api_key: str | None = None,
        json: Any = None,
        data: bytes | None = None,
    ) -> Any:
        headers = {}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if api_key is not None:
            headers["X-API-Key"] = api_key
        if data is not None:
            headers["Content-Type"] = "application/json"
        async with self.session.request(
            method, self.url + path, headers=headers, json=json, data=data
        ) as response:
            body = await response.text()
        self.run.responses.append((label, response.status, body))
        assert response.status == status, (label, response.status, body)
        return orjson.loads(body) if body else None


@pytest.fixture(autouse=True)
def _admin_queues_deleted():
    """Overrides the per-test queue cleanup: the module's admin deletes its queues when it stops."""


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def run(test_env) -> AsyncIterator[Run]:
    run = Run()
    run.add("jwt_secret", secret("jwt-secret"))
    run.add("encryption_keys", os.environ["ENCRYPTION_KEYS"])
    admin = ServiceProcess(
        test_env, "services.admin", JWT_SECRET=run.secrets["jwt_secret"], LOG_LEVEL="debug",
        OUTBOUND_ALLOWED_NETWORKS="127.0.0.1/32",
    )  # fmt: skip
    db = await Database.connect(test_env.database_url)
    try:
        await admin.ready()
        async with aiohttp.ClientSession() as session:
            await drive_every_flow_with_secrets(Client(session, admin.url, run), db)
        assert await admin.terminate() == 0
        out, err = admin.output()
        run.logs = out + err
        rows = await db.pool.fetch("SELECT row_to_json(a)::text AS entry FROM audit_log a")
        run.audit = "\n".join(row["entry"] for row in rows)
        run.dump = await asyncio.to_thread(pg_dump, test_env.database_url)
    finally:
        admin.close()
        await db.close()
        await delete_admin_queues(test_env)
    yield run


def pg_dump(database_url: str) -> str:
    url = URL(database_url)
    dumped = subprocess.run(
        [
            "pg_dump",
            "-h",
            url.host or "127.0.0.1",
            "-p",
            str(url.port or 5432),
            "-U",
            url.user or "postgres",
            "--data-only",
            url.path.lstrip("/"),
        ],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return dumped.stdout.decode()


async def drive_every_flow_with_secrets(admin: Client, db: Database) -> None:
    run = admin.run

    # The owner logs in.
    owner_email = f"owner-{secrets.token_hex(4)}@switchyard.test"
    await create_owner(db, email=owner_email, password=run.add("owner_password", secret("owner")))
    tokens = await admin.call(
        "owner login",
        "POST",
        "/api/auth/login",
        status=200,
        json={"email": owner_email, "password": run.secrets["owner_password"]},
    )
    owner = run.add("owner_access_token", tokens["access_token"], shown_in="owner login")
    run.add("owner_refresh_token", tokens["refresh_token"], shown_in="owner login")

    # The owner creates a client with a .pfx, its password and the admin's first password;
    # refused forms carrying secrets first.
    certificate_password = run.add("certificate_password", secret("pfx-pass"))
    pfx = run.add("certificate_pfx_base64", make_pfx(certificate_password))
    run.pfx_raw = base64.b64decode(pfx)
    form, email, _ = client_form(
        initial_password=run.add("initial_password", secret("initial")),
        certificate_password=certificate_password,
        certificate_pfx_base64=pfx,
    )
    await admin.call(
        "client form with a bad TIN",
        "POST",
        "/api/owner/tenants",
        status=400,
        token=owner,
        json={**form, "tin": "123"},
    )
    await admin.call(
        "client form with a wrong certificate password",
        "POST",
        "/api/owner/tenants",
        status=422,
        token=owner,
        json={
            **form,
            "certificate_password": run.add("wrong_certificate_password", secret("wrong-pfx-pass")),
        },
    )
    await admin.call(
        "client form that is not JSON",
        "POST",
        "/api/owner/tenants",
        status=400,
        token=owner,
        data=orjson.dumps(form)[:-1],
    )
    client = await admin.call(
        "create client", "POST", "/api/owner/tenants", status=201, token=owner, json=form
    )
    run.client_id, run.client_email = client["id"], email

    # The client's admin logs in (after a wrong password) and refreshes.
    await admin.call(
        "wrong password",
        "POST",
        "/api/auth/login",
        status=401,
        json={"email": email, "password": run.add("wrong_password", secret("wrong"))},
    )
    tokens = await admin.call(
        "tenant login",
        "POST",
        "/api/auth/login",
        status=200,
        json={"email": email, "password": run.secrets["initial_password"]},
    )
    run.add("tenant_access_token", tokens["access_token"], shown_in="tenant login")
    run.add("tenant_refresh_token", tokens["refresh_token"], shown_in="tenant login")
    tokens = await admin.call(
        "tenant refresh",
        "POST",
        "/api/auth/refresh",
        status=200,
        json={"refresh_token": tokens["refresh_token"]},
    )
    tenant = run.add("refreshed_access_token", tokens["access_token"], shown_in="tenant refresh")
    refresh = run.add("refreshed_refresh_token", tokens["refresh_token"], shown_in="tenant refresh")

    # A WhatsApp number with its Graph API access token and Meta verify token.
    whatsapp = {
        "phone_number_id": str(secrets.randbelow(10**14) + 10**14),
        "access_token": run.add("whatsapp_access_token", secret("EAAG")),
        "verify_token": run.add("whatsapp_verify_token", secret("verify")),
        "model": "sandbox-chat",
        "system_prompt": "You answer invoice questions.",
    }
    overlong = run.add("overlong_verify_token", secret("overlong") + "x" * 300)
    await admin.call(
        "whatsapp form with an overlong verify token",
        "POST",
        "/api/tenant/whatsapp/accounts",
        status=400,
        token=tenant,
        json={**whatsapp, "verify_token": overlong},
    )
    await admin.call(
        "register whatsapp",
        "POST",
        "/api/tenant/whatsapp/accounts",
        status=201,
        token=tenant,
        json=whatsapp,
    )

    # A webhook source, its secret rotated.
    source = await admin.call(
        "create source", "POST", "/api/tenant/sources", status=201, token=tenant
    )
    run.add("source_secret", source["secret"], shown_in="create source")
    rotated = await admin.call(
        "rotate source secret",
        "POST",
        f"/api/tenant/sources/{source['source_id']}/rotate-secret",
        status=200,
        token=tenant,
    )
    run.add("rotated_source_secret", rotated["secret"], shown_in="rotate source secret")

    # API keys, one used.
    for name, scopes in (("read_api_key", ["read"]), ("write_api_key", ["read", "write"])):
        key = await admin.call(
            f"create {name}",
            "POST",
            "/api/tenant/api-keys",
            status=201,
            token=tenant,
            json={"name": name, "scopes": scopes},
        )
        run.add(name, key["key"], shown_in=f"create {name}")
    await admin.call(
        "profile by API key",
        "GET",
        "/api/tenant/profile",
        status=200,
        api_key=run.secrets["read_api_key"],
    )

    # The owner resets the admin's password (a refused reset first); the admin logs out.
    new_password = run.add("new_password", secret("reset"))
    await admin.call(
        "reset with an unknown field",
        "POST",
        f"/api/owner/tenants/{run.client_id}/reset-password",
        status=400,
        token=owner,
        json={
            "new_password": run.add("refused_new_password", secret("refused-reset")),
            "password": new_password,
        },
    )
    await admin.call(
        "reset password",
        "POST",
        f"/api/owner/tenants/{run.client_id}/reset-password",
        status=204,
        token=owner,
        json={"new_password": new_password},
    )
    await admin.call(
        "tenant logout",
        "POST",
        "/api/auth/logout",
        status=204,
        token=tenant,
        json={"refresh_token": refresh},
    )
    tokens = await admin.call(
        "login after reset",
        "POST",
        "/api/auth/login",
        status=200,
        json={"email": email, "password": new_password},
    )
    tenant = run.add("reset_access_token", tokens["access_token"], shown_in="login after reset")
    run.add("reset_refresh_token", tokens["refresh_token"], shown_in="login after reset")

    # A webhook endpoint: its signing secret shown on creation, rotated, then read back (the
    # current one only) by every GET below; a delivery to it, for its attempt log; a fiscal
    # invoice EFRIS refused, for GET /api/tenant/invoices/{invoice_id}.
    webhook = await admin.call(
        "create webhook endpoint", "POST", "/api/tenant/webhooks/endpoints", status=201,
        token=tenant, json={"url": "http://127.0.0.1:9/hooks"},
    )  # fmt: skip
    run.add("webhook_secret", webhook["secret"], shown_in="create webhook endpoint")
    secret_path = f"/api/tenant/webhooks/endpoints/{webhook['id']}/secret"
    rotated = await admin.call(
        "rotate webhook secret", "POST", f"{secret_path}/rotate", status=200, token=tenant
    )
    run.add("rotated_webhook_secret", rotated["secret"], shown_in=(
        "rotate webhook secret", f"{secret_path} as the tenant", f"{secret_path} by API key",
    ))  # fmt: skip
    webhook_id = await stored_delivery(db, tenant_id=run.client_id, endpoint_id=webhook["id"])
    fiscal_invoice_id = await stored_fiscal_invoice(db, tenant_id=run.client_id, tin=form["tin"])

    # Afterwards, every GET endpoint, as each caller it serves.
    for endpoint in ENDPOINTS:
        if endpoint.method != "GET" or endpoint.access is Access.PUBLIC:
            continue
        path = endpoint.path.format(
            tenant_id=run.client_id, service="admin", endpoint_id=webhook["id"],
            webhook_id=webhook_id, invoice_id=fiscal_invoice_id,
        )  # fmt: skip
        if endpoint.access is Access.OWNER:
            await admin.call(f"{path} as the owner", "GET", path, status=200, token=owner)
            continue
        await admin.call(f"{path} as the tenant", "GET", path, status=200, token=tenant)
        if endpoint.access is not Access.AUTHENTICATED:
            await admin.call(
                f"{path} by API key", "GET", path, status=200, api_key=run.secrets["write_api_key"]
            )


def secret_of(form: str) -> str:
    """The secret a form is of: "read_api_key (secret part)" -> "read_api_key"."""
    return form.split(" (", 1)[0]


def found_in(text: str, forms: dict[str, str]) -> set[str]:
    return {name for name, value in forms.items() if value in text}


async def test_each_secret_is_in_the_one_response_that_hands_it_out_and_in_no_other(run):
    showing = set().union(*run.shown_in.values())
    leaked = {}
    for label, status, body in run.responses:
        allowed = {name for name, shown in run.shown_in.items() if label in shown}
        extra = {form for form in found_in(body, run.forms()) if secret_of(form) not in allowed}
        if extra:
            leaked[f"{label} ({status})"] = sorted(extra)
        if label in showing:
            assert {run.secrets[name] for name in allowed} <= {
                value for value in run.secrets.values() if value in body
            }, f"{label} should show {sorted(allowed)}"
    assert leaked == {}
    refusals = [label for label, status, _ in run.responses if status >= 400]
    assert len(refusals) == 6, refusals  # the refused requests carrying secrets were made


async def test_no_log_line_holds_a_secret(run):
    lines = run.logs.splitlines()
    assert any('"event":"service_started"' in line for line in lines), run.logs[-2000:]
    leaked = {
        name: [line for line in lines if value in line][:3]
        for name, value in run.forms().items()
        if value in run.logs
    }
    assert leaked == {}


async def test_audit_entries_hold_no_secret(run):
    assert run.client_id in run.audit
    assert found_in(run.audit, run.forms()) == set()


async def test_a_database_dump_holds_no_plaintext_secret(run):
    assert run.client_id in run.dump  # the dump is of this run's database
    assert run.client_email in run.dump
    assert found_in(run.dump, run.forms()) == set()
