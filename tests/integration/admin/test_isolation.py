"""Isolation and authentication over every admin endpoint, generated from `routes.ENDPOINTS`.

Two tenants, A and B, each own one of everything (API keys, a webhook source, a
WhatsApp number, an ERP connection, a webhook endpoint and a delivery to it, a fiscal
invoice, activity, a session). For every endpoint:

- tenant endpoints naming an object: A's every credential on B's object answers
  exactly as for an object that does not exist (404, or the 403 the credential
  gets anyway), and B's rows are unchanged; A's admin on A's own object succeeds;
- tenant endpoints naming none: A sees and changes only A's data;
- owner endpoints: tenant tokens 403, API keys 401;
- every non-public endpoint: missing, forged (wrong secret, `alg: none`, HS512,
  RS256, RS256 header over an HMAC), expired, malformed and revoked tokens, unknown
  and revoked API keys, and a suspended tenant's credentials are all 401.

A new endpoint is covered as soon as it is in ENDPOINTS; it needs a `Case` in
CASES (its body, and which object its path names), or the suite fails.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import orjson
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric import rsa

from libs.crypto import SecretBox
from libs.db import Database
from services.admin.auth.principal import Role
from services.admin.auth.tokens import ISSUER
from services.admin.endpoints import Access, Endpoint
from services.admin.routes import ENDPOINTS
from services.admin.storage import activity, sessions, usage
from services.admin.storage.tenants import admin_user, create_user
from services.erp_sync import storage as erp_storage
from services.erp_sync.clients.oauth import TokenSet
from services.router.storage import link_account, routes_of_tenant
from tests.integration.admin.fiscal_invoices import stored_fiscal_invoice
from tests.integration.admin.module_admin import admin_for_module
from tests.integration.admin.sessions import issue_token
from tests.integration.admin.webhook_deliveries import stored_delivery
from tests.support.admin import JWT_SECRET, AdminApi, client_form

pytestmark = pytest.mark.asyncio(loop_scope="module")

Body = Callable[["Tenant"], Any]  # a valid request body, given the victim tenant B


@dataclass(frozen=True)
class Case:
    """How the suite calls one endpoint.

    `body`: a valid body (authentication runs first, but a 404 needs the handler to run);
    `path`: which kind of object each path parameter names (`Tenant.objects` keys, or
    "service"); `users_only`: the endpoint refuses API keys of any scope (403);
    `shows`: for tenant reads, the kinds of A's objects A's admin must see in the answer.
    """

    body: Body | None = None
    path: dict[str, str] = field(default_factory=dict)
    users_only: bool = False
    shows: tuple[str, ...] = ()


def _profile_change(_: Tenant) -> dict[str, Any]:
    return {"phone": "+256 700 123456"}


def _whatsapp_form(_: Tenant) -> dict[str, Any]:
    return whatsapp_form(_digits(15))


def _client_form(_: Tenant) -> dict[str, Any]:
    return client_form()[0]


def _webhook_endpoint_form(_: Tenant) -> dict[str, Any]:
    return {"url": WEBHOOK_URL, "event_types": ["invoice.*"]}


WEBHOOK_URL = "http://127.0.0.1:9/isolation"  # allowed by the module's admin; nothing listens
WEBHOOK_ENDPOINT = {"endpoint_id": "webhook_endpoint"}
WEBHOOK_DELIVERY = {"webhook_id": "webhook_delivery"}
FISCAL_INVOICE = {"invoice_id": "fiscal_invoice"}


def _logout_with_victims_refresh_token(victim: Tenant) -> dict[str, Any]:
    return {"refresh_token": victim.refresh_token}


CASES: dict[str, Case] = {
    "POST /api/auth/login": Case(),
    "POST /api/auth/refresh": Case(),
    "POST /api/auth/logout": Case(body=_logout_with_victims_refresh_token),
    "GET /api/auth/me": Case(shows=("admin",)),
    "POST /api/owner/tenants": Case(body=_client_form),
    "GET /api/owner/tenants": Case(),
    "GET /api/owner/tenants/{tenant_id}": Case(path={"tenant_id": "tenant"}),
    "POST /api/owner/tenants/{tenant_id}/suspend": Case(path={"tenant_id": "tenant"}),
    "POST /api/owner/tenants/{tenant_id}/reactivate": Case(path={"tenant_id": "tenant"}),
    "POST /api/owner/tenants/{tenant_id}/reset-password": Case(
        body=lambda _: {"new_password": "a-new-password-0123"}, path={"tenant_id": "tenant"}
    ),
    "GET /api/owner/audit": Case(),
    "GET /api/ops/webhooks": Case(),
    "GET /api/ops/queues": Case(),
    "GET /api/ops/dlq/{service}": Case(path={"service": "service"}),
    "POST /api/ops/dlq/{service}/replay": Case(body=lambda _: {}, path={"service": "service"}),
    "POST /api/ops/dlq/{service}/discard": Case(body=lambda _: {}, path={"service": "service"}),
    "GET /api/tenant/profile": Case(shows=("tenant",)),
    "PATCH /api/tenant/profile": Case(body=_profile_change),
    "GET /api/tenant/efris": Case(shows=("tin",)),
    "PUT /api/tenant/efris/auto-fiscalize": Case(body=lambda _: {"enabled": True}),
    "PUT /api/tenant/efris/credit-notes": Case(body=lambda _: {"enabled": True}),
    "GET /api/tenant/connections": Case(shows=("route", "whatsapp_account")),
    "POST /api/tenant/erp/connect": Case(body=lambda _: {"provider": "quickbooks"}),
    "GET /api/oauth/{provider}/callback": Case(path={"provider": "provider"}),
    "GET /api/tenant/erp/connections": Case(shows=("erp_connection",)),
    "DELETE /api/tenant/erp/connections/{connection_id}": Case(
        path={"connection_id": "erp_connection"}
    ),
    "DELETE /api/tenant/connections/{route_id}": Case(path={"route_id": "route"}),
    "POST /api/tenant/whatsapp/accounts": Case(body=_whatsapp_form),
    "GET /api/tenant/whatsapp/accounts": Case(shows=("whatsapp_account",)),
    "DELETE /api/tenant/whatsapp/accounts/{account_id}": Case(
        path={"account_id": "whatsapp_account"}
    ),
    "POST /api/tenant/sources": Case(),
    "GET /api/tenant/sources": Case(shows=("source",)),
    "POST /api/tenant/sources/{source_id}/rotate-secret": Case(path={"source_id": "source"}),
    "DELETE /api/tenant/sources/{source_id}": Case(path={"source_id": "source"}),
    "POST /api/tenant/api-keys": Case(
        body=lambda _: {"name": "ci", "scopes": ["read"]}, users_only=True
    ),
    "GET /api/tenant/api-keys": Case(shows=("api_key",)),
    "DELETE /api/tenant/api-keys/{key_id}": Case(path={"key_id": "api_key"}, users_only=True),
    "GET /api/tenant/activity": Case(shows=("activity",)),
    "GET /api/tenant/stats": Case(shows=("activity_type",)),
    "GET /api/tenant/audit": Case(shows=("source",)),
    "POST /api/tenant/webhooks/endpoints": Case(body=_webhook_endpoint_form),
    "GET /api/tenant/webhooks/endpoints": Case(shows=("webhook_endpoint",)),
    "GET /api/tenant/webhooks/endpoints/{endpoint_id}": Case(path=WEBHOOK_ENDPOINT),
    "PUT /api/tenant/webhooks/endpoints/{endpoint_id}": Case(
        body=_webhook_endpoint_form, path=WEBHOOK_ENDPOINT
    ),
    "DELETE /api/tenant/webhooks/endpoints/{endpoint_id}": Case(path=WEBHOOK_ENDPOINT),
    "GET /api/tenant/webhooks/endpoints/{endpoint_id}/secret": Case(path=WEBHOOK_ENDPOINT),
    "POST /api/tenant/webhooks/endpoints/{endpoint_id}/secret/rotate": Case(path=WEBHOOK_ENDPOINT),
    "POST /api/tenant/webhooks/endpoints/{endpoint_id}/test": Case(path=WEBHOOK_ENDPOINT),
    "GET /api/tenant/webhooks/endpoints/{endpoint_id}/deliveries": Case(path=WEBHOOK_ENDPOINT),
    "POST /api/tenant/webhooks/endpoints/{endpoint_id}/replay": Case(
        body=lambda _: {"failed_since": "2020-01-01T00:00:00Z"}, path=WEBHOOK_ENDPOINT
    ),
    "GET /api/tenant/webhooks/deliveries/{webhook_id}/attempts": Case(path=WEBHOOK_DELIVERY),
    "POST /api/tenant/webhooks/deliveries/{webhook_id}/replay": Case(path=WEBHOOK_DELIVERY),
    "GET /api/tenant/invoices": Case(shows=("fiscal_invoice",)),
    "GET /api/tenant/invoices/{invoice_id}": Case(path=FISCAL_INVOICE),
    "POST /api/tenant/invoices/{invoice_id}/fiscalize": Case(path=FISCAL_INVOICE),
}

TENANT_ACCESS = (Access.TENANT_READ, Access.TENANT_WRITE)
SERVICE = "admin"  # a consuming service whose DLQ the ops endpoints accept
JWTS = ("admin_jwt", "user_jwt")
KEYS = ("read_key", "write_key")


def name_of(endpoint: Endpoint) -> str:
    return f"{endpoint.method} {endpoint.path}"


def case_of(endpoint: Endpoint) -> Case:
    case = CASES.get(name_of(endpoint))
    if case is None:
        pytest.fail(f"{name_of(endpoint)} has no isolation case: add one to CASES")
    return case


def params_of(endpoint: Endpoint) -> list[str]:
    return re.findall(r"\{(\w+)\}", endpoint.path)


def endpoints(where: Callable[[Endpoint], bool]) -> list[Any]:
    return [pytest.param(e, id=name_of(e)) for e in ENDPOINTS if where(e)]


def _digits(n: int) -> str:
    return str(uuid.uuid4().int)[:n]


def whatsapp_form(phone: str) -> dict[str, Any]:
    return {
        "phone_number_id": phone,
        "access_token": f"EAAG-{uuid.uuid4().hex}",
        "verify_token": f"verify-{uuid.uuid4().hex}",
        "model": "sandbox-chat",
        "system_prompt": "You answer invoice questions.",
        "temperature": 0.2,
    }


# --- the world: an owner, tenants A and B with one of everything, a suspended tenant C ---


@dataclass
class Tenant:
    id: str
    admin_id: str
    user_id: str
    read_key: str
    write_key: str
    refresh_token: str
    objects: dict[str, str]  # kind -> id: tenant, api_key, source, whatsapp_account, route, ...

    def jwt(self, role: Role = Role.TENANT_ADMIN) -> str:
        """A fresh access token (each call may be revoked by logout without harming the others)."""
        user = self.admin_id if role is Role.TENANT_ADMIN else self.user_id
        return issue_token(user, role, self.id)

    def headers(self, credential: str) -> dict[str, str]:
        return {
            "admin_jwt": lambda: bearer(self.jwt()),
            "user_jwt": lambda: bearer(self.jwt(Role.TENANT_USER)),
            "read_key": lambda: {"X-API-Key": self.read_key},
            "write_key": lambda: {"X-API-Key": self.write_key},
        }[credential]()

    @property
    def markers(self) -> set[str]:
        """Strings that identify this tenant's data wherever it appears."""
        return {*self.objects.values(), self.admin_id, self.user_id}


@dataclass
class World:
    api: AdminApi
    db: Database
    owner_id: str
    a: Tenant
    b: Tenant
    suspended: Tenant
    revoked_owner_token: str
    revoked_tenant_token: str
    revoked_key: str
    rsa_key: rsa.RSAPrivateKey

    def owner_token(self) -> str:
        return issue_token(self.owner_id, Role.OWNER, None)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def send(
    api: AdminApi, method: str, path: str, headers: dict[str, str], body: Any = None
) -> tuple[int, Any]:
    async with api.session.request(method, api.url + path, headers=headers, json=body) as response:
        raw = await response.read()
        return response.status, (orjson.loads(raw) if raw else None)


async def ok_call(world_api: AdminApi, token: str, method: str, path: str, **kw: Any) -> Any:
    status, body = await world_api.call(method, path, token=token, **kw)
    assert 200 <= status < 300, (method, path, status, body)
    return body


async def new_tenant(api: AdminApi, db: Database, owner: str) -> Tenant:
    """A client with two API keys, a source, a WhatsApp number, an ERP connection, activity."""
    tin, tag = _digits(10), uuid.uuid4().hex[:12]
    form, _, _ = client_form(tin=tin, efris_device_no=f"{tin}_07", company_name=f"Co {tag}")
    client = await ok_call(api, owner, "POST", "/api/owner/tenants", json=form)
    tenant_id = client["id"]
    admin_id = await admin_user(db, tenant_id)
    assert admin_id is not None
    user_id = await create_user(
        db,
        tenant_id=tenant_id,
        email=f"user-{tag}@client.test",
        password="user-password-1234",
        role=Role.TENANT_USER,
    )
    admin = issue_token(admin_id, Role.TENANT_ADMIN, tenant_id)
    read = await ok_call(
        api, admin, "POST", "/api/tenant/api-keys", json={"name": "reader", "scopes": ["read"]}
    )
    write = await ok_call(
        api,
        admin,
        "POST",
        "/api/tenant/api-keys",
        json={"name": "writer", "scopes": ["read", "write"]},
    )
    source = await ok_call(api, admin, "POST", "/api/tenant/sources")
    phone = _digits(15)
    whatsapp = await ok_call(
        api, admin, "POST", "/api/tenant/whatsapp/accounts", json=whatsapp_form(phone)
    )
    realm, connection = f"realm{tag}", f"qbo-{tag}"
    await link_account(
        db, tenant_id=tenant_id, provider="quickbooks", account_id=realm, connection_id=connection
    )
    [route] = [r for r in await routes_of_tenant(db, tenant_id=tenant_id) if r.account_id == realm]
    endpoint = await ok_call(
        api, admin, "POST", "/api/tenant/webhooks/endpoints", json={"url": WEBHOOK_URL}
    )
    event_id, event_type = f"evt-{tag}", f"isolation.t{tag}"
    async with db.transaction() as tx:
        await activity.record(
            tx,
            tenant_id=tenant_id,
            event_id=event_id,
            type=event_type,
            status="failed",
            subject=f"invoice/{tag}",
            summary=f"about {tag}",
            at=datetime.now(UTC),
        )
        await usage.increment(tx, tenant_id=tenant_id, metrics=[f"metric_{tag}"])
    return Tenant(
        id=tenant_id,
        admin_id=admin_id,
        user_id=user_id,
        read_key=read["key"],
        write_key=write["key"],
        refresh_token=await sessions.start_session(db, admin_id, ttl_s=3600),
        objects={
            "tenant": tenant_id,
            "company": form["company_name"],
            "email": form["email"],
            "tin": tin,
            "device_no": f"{tin}_07",
            "admin": admin_id,
            "api_key": read["id"],
            "write_api_key": write["id"],
            "key_prefix": read["prefix"],
            "source": source["source_id"],
            "whatsapp_account": whatsapp["id"],
            "phone": phone,
            "route": route.id,
            "erp_connection": await erp_connection(db, tenant_id),
            "realm": realm,
            "connection": connection,
            "activity": event_id,
            "activity_type": event_type,
            "metric": f"metric_{tag}",
            "webhook_endpoint": endpoint["id"],
            "webhook_delivery": await stored_delivery(
                db, tenant_id=tenant_id, endpoint_id=endpoint["id"]
            ),
            "fiscal_invoice": await stored_fiscal_invoice(db, tenant_id=tenant_id, tin=tin),
        },
    )


@pytest.fixture(autouse=True)
def _admin_queues_deleted():
    """Overrides the per-test queue cleanup: the module's admin deletes its queues when it stops."""


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(test_env) -> AsyncIterator[World]:
    db = await Database.connect(test_env.database_url)
    try:
        async with admin_for_module(test_env) as api:
            owner_id = await sessions.create_owner(
                db, email=f"owner-{uuid.uuid4().hex[:8]}@switchyard.test", password="owner-pw-1234"
            )
            owner = issue_token(owner_id, Role.OWNER, None)
            a, b, suspended = [await new_tenant(api, db, owner) for _ in range(3)]
            for credential in (*JWTS, *KEYS):  # the suspended tenant's credentials worked before
                status, _ = await send(
                    api, "GET", "/api/tenant/profile", suspended.headers(credential)
                )
                assert status == 200, credential
            await ok_call(api, owner, "POST", f"/api/owner/tenants/{suspended.id}/suspend")
            world = World(
                api=api,
                db=db,
                owner_id=owner_id,
                a=a,
                b=b,
                suspended=suspended,
                revoked_owner_token=await _logged_out(api, owner),
                revoked_tenant_token=await _logged_out(api, a.jwt()),
                revoked_key=await _revoked_key(api, a),
                rsa_key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
            )
            yield world
    finally:
        await db.close()


async def _logged_out(api: AdminApi, token: str) -> str:
    assert (await api.call("GET", "/api/auth/me", token=token))[0] == 200
    assert (await api.call("POST", "/api/auth/logout", token=token, json={}))[0] == 204
    return token


async def _revoked_key(api: AdminApi, tenant: Tenant) -> str:
    admin = tenant.jwt()
    key = await ok_call(
        api,
        admin,
        "POST",
        "/api/tenant/api-keys",
        json={"name": "revoked", "scopes": ["read", "write"]},
    )
    assert (await api.call("GET", "/api/tenant/profile", api_key=key["key"]))[0] == 200
    await ok_call(api, admin, "DELETE", f"/api/tenant/api-keys/{key['id']}")
    return str(key["key"])


async def snapshot(db: Database, tenant: Tenant) -> dict[str, list[dict[str, Any]]]:
    """Every row of the tenant's, in every table with a tenant_id, and its users' sessions."""
    tables = await db.pool.fetch(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND column_name = 'tenant_id' ORDER BY table_name"
    )
    queries = {
        table: f'SELECT * FROM "{table}" WHERE tenant_id = $1'  # names from the catalog
        for table in (row["table_name"] for row in tables)
    }
    queries["tenants"] = "SELECT * FROM tenants WHERE id = $1"
    queries["refresh_tokens"] = (
        "SELECT r.* FROM refresh_tokens r JOIN users u ON u.id = r.user_id WHERE u.tenant_id = $1"
    )
    state = {}
    for name, query in queries.items():
        rows = [dict(row) for row in await db.pool.fetch(query, tenant.id)]
        state[name] = sorted(rows, key=repr)
    return state


def fill(endpoint: Endpoint, objects: dict[str, str]) -> str:
    """The endpoint's path naming `objects` (by the kinds its case gives each parameter)."""
    kinds = case_of(endpoint).path
    return re.sub(
        r"\{(\w+)\}", lambda m: {**objects, "service": SERVICE}[kinds[m[1]]], endpoint.path
    )


def expected(endpoint: Endpoint, credential: str, *, allowed: int) -> int:
    """What A's `credential` gets where it would otherwise get `allowed`."""
    if endpoint.access is Access.OWNER:
        return 401 if credential in KEYS else 403
    if endpoint.access is Access.AUTHENTICATED:
        return 401 if credential in KEYS else allowed
    if endpoint.access is Access.TENANT_WRITE and credential in ("user_jwt", "read_key"):
        return 403
    if case_of(endpoint).users_only and credential in KEYS:
        return 403
    return allowed


def leaks(answer: Any, victim: Tenant) -> set[str]:
    text = orjson.dumps(answer).decode()
    return {marker for marker in victim.markers if marker in text}


def error_code(status: int) -> str:
    return {401: "unauthenticated", 403: "forbidden", 404: "not_found"}[status]


# --- the suite ---


async def test_every_endpoint_has_an_isolation_case_naming_its_path_objects():
    missing = [name_of(e) for e in ENDPOINTS if name_of(e) not in CASES]
    assert missing == [], "add an isolation case to CASES for each"
    for endpoint in ENDPOINTS:
        case = CASES[name_of(endpoint)]
        assert set(case.path) == set(params_of(endpoint)), name_of(endpoint)
        if endpoint.access in TENANT_ACCESS:
            assert set(case.path.values()) <= set(FRESH), (name_of(endpoint), case.path)
        if endpoint.body is not None and endpoint.access is not Access.PUBLIC:
            assert case.body is not None, f"{name_of(endpoint)} takes a body: give one"


TENANT_PATHS = endpoints(lambda e: e.access in TENANT_ACCESS and "{" in e.path)


@pytest.mark.parametrize("endpoint", TENANT_PATHS)
async def test_another_tenants_object_answers_like_a_missing_one_and_stays_unchanged(
    world, endpoint
):
    api, a, b = world.api, world.a, world.b
    case = case_of(endpoint)
    missing = {kind: _missing_like(b.objects[kind]) for kind in case.path.values()}
    before = await snapshot(world.db, b)
    for credential in (*JWTS, *KEYS):
        body = case.body(b) if case.body else None
        on_b = await send(
            api, endpoint.method, fill(endpoint, b.objects), a.headers(credential), body
        )
        on_missing = await send(
            api, endpoint.method, fill(endpoint, missing), a.headers(credential), body
        )
        status = expected(endpoint, credential, allowed=404)
        assert on_b[0] == status, (credential, on_b)
        assert on_b[1]["error"]["code"] == error_code(status), (credential, on_b)
        assert on_b == on_missing, f"{credential}: B's object is told apart from a missing one"
    assert await snapshot(world.db, b) == before, "A changed B's data"

    own = {kind: await FRESH[kind](world) for kind in case.path.values()}
    status, answer = await send(
        api,
        endpoint.method,
        fill(endpoint, own),
        a.headers("admin_jwt"),
        case.body(a) if case.body else None,
    )
    assert status == endpoint.status, ("A's own object", answer)


def _missing_like(object_id: str) -> str:
    """An id shaped like `object_id` (same prefix, same length, hex tail) that names nothing."""
    return object_id[:-8] + uuid.uuid4().hex[:8]


async def _fresh_api_key(world: World) -> str:
    key = await ok_call(
        world.api,
        world.a.jwt(),
        "POST",
        "/api/tenant/api-keys",
        json={"name": "fresh", "scopes": ["read"]},
    )
    return str(key["id"])


async def _fresh_source(world: World) -> str:
    return str(
        (await ok_call(world.api, world.a.jwt(), "POST", "/api/tenant/sources"))["source_id"]
    )


async def _fresh_whatsapp_account(world: World) -> str:
    account = await ok_call(
        world.api,
        world.a.jwt(),
        "POST",
        "/api/tenant/whatsapp/accounts",
        json=whatsapp_form(_digits(15)),
    )
    return str(account["id"])


async def _fresh_route(world: World) -> str:
    realm = f"realm{uuid.uuid4().hex[:12]}"
    await link_account(
        world.db,
        tenant_id=world.a.id,
        provider="stripe",
        account_id=realm,
        connection_id=f"stripe-{realm}",
    )
    routes = await routes_of_tenant(world.db, tenant_id=world.a.id)
    return next(route.id for route in routes if route.account_id == realm)


async def _fresh_erp_connection(world: World) -> str:
    return await erp_connection(world.db, world.a.id)


async def erp_connection(db: Database, tenant_id: str) -> str:
    """A connected Xero organisation of `tenant_id`, stored as a completed OAuth connect would."""
    tokens = TokenSet(
        access_token=f"xero-access-{uuid.uuid4().hex}",
        access_expires_at=datetime.now(UTC) + timedelta(minutes=30),
        refresh_token=f"xero-refresh-{uuid.uuid4().hex}",
    )
    async with db.transaction() as tx:
        return await erp_storage.save_connection(
            tx, SecretBox.from_setting(os.environ["ENCRYPTION_KEYS"]), tenant_id=tenant_id,
            provider="xero", account_id=str(uuid.uuid4()), account_name=None, tokens=tokens,
        )  # fmt: skip


async def _fresh_webhook_endpoint(world: World) -> str:
    endpoint = await ok_call(
        world.api, world.a.jwt(), "POST", "/api/tenant/webhooks/endpoints",
        json={"url": WEBHOOK_URL},
    )  # fmt: skip
    return str(endpoint["id"])


async def _fresh_webhook_delivery(world: World) -> str:
    endpoint_id = await _fresh_webhook_endpoint(world)
    return await stored_delivery(world.db, tenant_id=world.a.id, endpoint_id=endpoint_id)


async def _fresh_fiscal_invoice(world: World) -> str:
    return await stored_fiscal_invoice(world.db, tenant_id=world.a.id, tin=world.a.objects["tin"])


FRESH: dict[str, Callable[[World], Any]] = {
    "fiscal_invoice": _fresh_fiscal_invoice,
    "erp_connection": _fresh_erp_connection,
    "webhook_endpoint": _fresh_webhook_endpoint,
    "webhook_delivery": _fresh_webhook_delivery,
    "api_key": _fresh_api_key,
    "source": _fresh_source,
    "whatsapp_account": _fresh_whatsapp_account,
    "route": _fresh_route,
}

OWN_DATA = endpoints(
    lambda e: e.access in (*TENANT_ACCESS, Access.AUTHENTICATED) and "{" not in e.path
)


@pytest.mark.parametrize("endpoint", OWN_DATA)
async def test_a_tenant_sees_and_changes_only_its_own_data(world, endpoint):
    api, a, b = world.api, world.a, world.b
    case = case_of(endpoint)
    before = await snapshot(world.db, b)
    for credential in (*JWTS, *KEYS):
        status, answer = await send(
            api,
            endpoint.method,
            endpoint.path,
            a.headers(credential),
            case.body(b) if case.body else None,
        )
        assert status == expected(endpoint, credential, allowed=endpoint.status), (
            credential,
            answer,
        )
        assert leaks(answer, b) == set(), f"{credential} sees B's data"
        if credential == "admin_jwt":
            shown = {
                kind for kind in case.shows if a.objects[kind] in orjson.dumps(answer).decode()
            }
            assert shown == set(case.shows), f"A's own data missing from {answer}"
    assert await snapshot(world.db, b) == before, "A changed B's data"


OWNER_ONLY = endpoints(lambda e: e.access is Access.OWNER)


@pytest.mark.parametrize("endpoint", OWNER_ONLY)
async def test_owner_endpoints_refuse_tenant_tokens_with_403_and_api_keys_with_401(world, endpoint):
    case = case_of(endpoint)
    before = await snapshot(world.db, world.b)
    for credential in (*JWTS, *KEYS):
        status, answer = await send(
            world.api,
            endpoint.method,
            fill(endpoint, world.b.objects),
            world.a.headers(credential),
            case.body(world.b) if case.body else None,
        )
        want = expected(endpoint, credential, allowed=endpoint.status)
        assert (status, answer["error"]["code"]) == (want, error_code(want)), credential
    assert await snapshot(world.db, world.b) == before


TENANT_ONLY = endpoints(lambda e: e.access in TENANT_ACCESS)


@pytest.mark.parametrize("endpoint", TENANT_ONLY)
async def test_tenant_endpoints_refuse_the_owner_with_403(world, endpoint):
    case = case_of(endpoint)
    before = await snapshot(world.db, world.b)
    status, answer = await send(
        world.api,
        endpoint.method,
        fill(endpoint, world.b.objects),
        bearer(world.owner_token()),
        case.body(world.b) if case.body else None,
    )
    assert (status, answer["error"]["code"]) == (403, "forbidden")
    assert await snapshot(world.db, world.b) == before


# --- credentials that must never work ---


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_for(
    user_id: str, role: Role, tenant_id: str | None, *, ttl_s: int = 900
) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": ISSUER,
        "sub": user_id,
        "role": role.value,
        "tid": tenant_id,
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + ttl_s,
    }


def hmac_token(claims: dict[str, Any], *, secret: str = JWT_SECRET, alg: str = "HS256") -> str:
    """A JWT by hand: header `alg` as given, HMAC signature with the digest `alg` implies
    (SHA-256 for anything not HS384/HS512, so "RS256" here is the key-confusion attack)."""
    digest = {"HS384": hashlib.sha384, "HS512": hashlib.sha512}.get(alg, hashlib.sha256)
    signing_input = ".".join(
        _b64(orjson.dumps(part)) for part in ({"alg": alg, "typ": "JWT"}, claims)
    )
    signature = hmac.new(secret.encode(), signing_input.encode(), digest).digest()
    return f"{signing_input}.{_b64(signature)}"


def unsigned_token(claims: dict[str, Any]) -> str:
    header = _b64(orjson.dumps({"alg": "none", "typ": "JWT"}))
    return f"{header}.{_b64(orjson.dumps(claims))}."


def bad_credentials(world: World, endpoint: Endpoint) -> dict[str, dict[str, str]]:
    """Every credential that must get 401, forged as the caller the endpoint would accept."""
    owner = endpoint.access is Access.OWNER

    def claims(ttl_s: int = 900) -> dict[str, Any]:
        if owner:
            return claims_for(world.owner_id, Role.OWNER, None, ttl_s=ttl_s)
        return claims_for(world.a.admin_id, Role.TENANT_ADMIN, world.a.id, ttl_s=ttl_s)

    revoked = world.revoked_owner_token if owner else world.revoked_tenant_token
    suspended = world.suspended
    return {
        "no credentials": {},
        "wrong secret": bearer(hmac_token(claims(), secret="another-secret-" + "x" * 32)),
        "alg none": bearer(unsigned_token(claims())),
        "alg none, signed": bearer(unsigned_token(claims()) + hmac_token(claims()).split(".")[2]),
        "HS512": bearer(hmac_token(claims(), alg="HS512")),
        "RS256": bearer(jwt.encode(claims(), world.rsa_key, algorithm="RS256")),
        "RS256 header over HMAC": bearer(hmac_token(claims(), alg="RS256")),
        "expired": bearer(hmac_token(claims(ttl_s=-60))),
        "not a JWT": bearer("not-a-jwt"),
        "Basic scheme": {"Authorization": "Basic " + _b64(b"owner:password")},
        "revoked (logged out)": bearer(revoked),
        "suspended tenant admin": bearer(suspended.jwt()),
        "suspended tenant user": bearer(suspended.jwt(Role.TENANT_USER)),
        "suspended tenant read key": {"X-API-Key": suspended.read_key},
        "suspended tenant write key": {"X-API-Key": suspended.write_key},
        "revoked API key": {"X-API-Key": world.revoked_key},
        "unknown API key": {"X-API-Key": f"sy_{uuid.uuid4().hex[:8]}_{uuid.uuid4().hex}"},
        "tampered API key": {"X-API-Key": world.a.write_key[:-4] + "AAAA"},
    }


NON_PUBLIC = endpoints(lambda e: e.access is not Access.PUBLIC)


@pytest.mark.parametrize("endpoint", NON_PUBLIC)
async def test_missing_forged_expired_and_revoked_credentials_get_401(world, endpoint):
    case = case_of(endpoint)
    before = await snapshot(world.db, world.b)
    accepted = {}
    for name, headers in bad_credentials(world, endpoint).items():
        status, answer = await send(
            world.api,
            endpoint.method,
            fill(endpoint, world.b.objects),
            headers,
            case.body(world.b) if case.body else None,
        )
        if (status, (answer or {}).get("error", {}).get("code")) != (401, "unauthenticated"):
            accepted[name] = (status, answer)
    assert accepted == {}, "not refused with 401"
    assert await snapshot(world.db, world.b) == before


async def test_the_tokens_the_forgeries_imitate_are_accepted_when_genuine(world):
    """The forgeries differ from working tokens only in what is forged."""
    owner = claims_for(world.owner_id, Role.OWNER, None)
    tenant = claims_for(world.a.admin_id, Role.TENANT_ADMIN, world.a.id)
    status, page = await send(world.api, "GET", "/api/owner/tenants", bearer(hmac_token(owner)))
    assert status == 200, page
    status, me = await send(world.api, "GET", "/api/auth/me", bearer(hmac_token(tenant)))
    assert (status, me["tenant_id"]) == (200, world.a.id)
    status, _ = await send(
        world.api, "GET", "/api/tenant/profile", {"X-API-Key": world.a.write_key}
    )
    assert status == 200


async def test_a_refresh_token_reused_after_rotation_revokes_its_whole_family(world):
    api, a = world.api, world.a
    email = f"refresh-{uuid.uuid4().hex[:8]}@client.test"
    await create_user(
        world.db, tenant_id=a.id, email=email, password="refresh-pass-1234", role=Role.TENANT_USER
    )
    first = await api.login(email, "refresh-pass-1234")
    other_session = await api.login(email, "refresh-pass-1234")

    async def refresh(token: str) -> Any:
        return await api.call("POST", "/api/auth/refresh", json={"refresh_token": token})

    status, second = await refresh(first["refresh_token"])
    assert status == 200, second
    assert second["refresh_token"] != first["refresh_token"]
    status, error = await refresh(first["refresh_token"])  # replayed: theft
    assert (status, error["error"]["code"]) == (401, "unauthenticated")
    status, error = await refresh(second["refresh_token"])  # the thief's newer token dies too
    assert (status, error["error"]["code"]) == (401, "unauthenticated")
    status, third = await refresh(other_session["refresh_token"])  # another family: unharmed
    assert (status, third["tenant_id"]) == (200, a.id)


async def test_logout_with_another_users_refresh_token_leaves_that_session_alive(world):
    before = await snapshot(world.db, world.b)
    status, _ = await world.api.call(
        "POST",
        "/api/auth/logout",
        token=world.a.jwt(),
        json={"refresh_token": world.b.refresh_token},
    )
    assert status == 204
    assert await snapshot(world.db, world.b) == before
    status, tokens = await world.api.call(
        "POST", "/api/auth/refresh", json={"refresh_token": world.b.refresh_token}
    )
    assert (status, tokens["tenant_id"]) == (200, world.b.id)
    world.b.refresh_token = tokens["refresh_token"]
