"""Xero's API under `/xero` (XERO_API_BASE = {sandbox}/xero).

    GET      /xero/connections                         the tenants the token's grant reached
    GET      /xero/api.xro/2.0/Invoices                 list (xero-tenant-id)
    GET      /xero/api.xro/2.0/Invoices/{id}            {"Id", "Status": "OK", "Invoices": [...]}
    PUT|POST /xero/api.xro/2.0/Invoices                 create ({"Invoices": [...]})
    POST     /xero/api.xro/2.0/Invoices/{id}            update

Bearer token required (401 problem with `TokenExpired` when expired); API calls need
`xero-tenant-id` (400 when missing, 403 when the grant does not reach that tenant) and count
against the tenant's per-minute limit (429, `Retry-After`, `X-Rate-Limit-Problem: minute`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import orjson
from aiohttp import web

from services.sandbox.deps import DEPS, SandboxDeps
from services.sandbox.oauth import Grant, TokenRejected
from services.sandbox.providers.xero import problems
from services.sandbox.providers.xero.invoices import (
    XeroInvalid,
    create_invoice,
    parse_invoice,
    update_invoice,
)
from services.sandbox.providers.xero.organisation import Json, Organisation, ms_json
from services.sandbox.simulation import Surface, provider_json, simulated

API = "/xero/api.xro/2.0"
TENANT_HEADER = "xero-tenant-id"


async def _tenant_of(request: web.Request, _: SandboxDeps) -> str | None:
    return request.headers.get(TENANT_HEADER)


SURFACE = Surface(name="xero", account_of=_tenant_of, fault_body=problems.injected)


def routes() -> list[web.RouteDef]:
    """The Xero API routes."""
    return [
        web.get("/xero/connections", simulated(SURFACE, connections)),
        web.get("/xero/Connections", simulated(SURFACE, connections)),  # xero-python's spelling
        web.get(f"{API}/Invoices", simulated(SURFACE, list_invoices)),
        web.get(f"{API}/Invoices/{{id}}", simulated(SURFACE, get_invoice)),
        web.put(f"{API}/Invoices", simulated(SURFACE, create_invoices)),
        web.post(f"{API}/Invoices", simulated(SURFACE, create_invoices)),
        web.post(f"{API}/Invoices/{{id}}", simulated(SURFACE, change_invoice)),
    ]


def _grant(request: web.Request, deps: SandboxDeps) -> Grant:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    try:
        if scheme.lower() != "bearer":
            raise TokenRejected("unknown")
        return deps.xero_identity.grants.authenticate(token.strip())
    except TokenRejected as rejected:
        at = deps.clock.utcnow().strftime("%m/%d/%Y %H:%M:%S")
        raise problems.unauthorized(rejected.reason, at=at) from None


def _organisation(request: web.Request) -> tuple[SandboxDeps, Organisation]:
    deps = request.app[DEPS]
    grant = _grant(request, deps)
    tenant = request.headers.get(TENANT_HEADER, "").strip()
    if not tenant:
        raise problems.missing_tenant()
    organisation = deps.xero.get(tenant)
    if tenant not in grant.account_ids or organisation is None:
        raise problems.forbidden()
    retry_after = deps.rate_limits.over(f"xero:{tenant}", limit=deps.limits.xero)
    if retry_after is not None:
        raise problems.throttled(retry_after)
    return deps, organisation


def _envelope(deps: SandboxDeps, invoices: list[Json]) -> object:
    return {
        "Id": str(uuid.uuid4()),
        "Status": "OK",
        "ProviderName": "Switchyard Sandbox",
        "DateTimeUTC": ms_json(deps.clock.utcnow()).replace("+0000", ""),
        "Invoices": invoices,
    }


async def connections(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    grant = _grant(request, deps)
    created = _utc_text(datetime.fromtimestamp(grant.created_at, UTC))
    found = []
    for tenant in grant.account_ids:
        organisation = deps.xero.get(tenant)
        if organisation is None:
            continue
        found.append(
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{grant.id}/{tenant}")),
                "authEventId": str(uuid.uuid5(uuid.NAMESPACE_URL, grant.id)),
                "tenantId": tenant,
                "tenantType": "ORGANISATION",
                "tenantName": organisation.name,
                "createdDateUtc": created,
                "updatedDateUtc": created,
            }
        )
    return provider_json(200, found)


async def list_invoices(request: web.Request) -> web.Response:
    deps, organisation = _organisation(request)
    return provider_json(200, _envelope(deps, list(organisation.invoices.values())))


async def get_invoice(request: web.Request) -> web.Response:
    deps, organisation = _organisation(request)
    record = organisation.invoices.get(request.match_info["id"])
    if record is None:
        raise problems.not_found()
    return provider_json(200, _envelope(deps, [record]))


async def create_invoices(request: web.Request) -> web.Response:
    deps, organisation = _organisation(request)
    items = _invoice_items(await request.read())
    try:
        payloads = [parse_invoice(item) for item in items]
        created = [create_invoice(organisation, p, at=deps.clock.utcnow()) for p in payloads]
    except XeroInvalid as invalid:
        raise problems.validation(invalid.messages) from None
    return provider_json(200, _envelope(deps, created))


async def change_invoice(request: web.Request) -> web.Response:
    deps, organisation = _organisation(request)
    invoice_id = request.match_info["id"]
    if invoice_id not in organisation.invoices:
        raise problems.not_found()
    items = _invoice_items(await request.read())
    try:
        record = update_invoice(organisation, invoice_id, items[0], at=deps.clock.utcnow())
    except XeroInvalid as invalid:
        raise problems.validation(invalid.messages) from None
    return provider_json(200, _envelope(deps, [record]))


def _invoice_items(raw: bytes) -> list[Json]:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise problems.validation(["The request body is not valid JSON"]) from None
    items = body.get("Invoices", [body]) if isinstance(body, dict) else None
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise problems.validation(['Expected an invoice or {"Invoices": [...]}'])
    return items


def _utc_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f0")
