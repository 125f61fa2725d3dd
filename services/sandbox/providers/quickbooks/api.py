"""QuickBooks Online Accounting API under `/quickbooks` (QUICKBOOKS_API_BASE = {sandbox}/quickbooks).

    GET      /quickbooks/v3/company/{realm}/invoice/{id}          {"Invoice", "time"}
    POST     /quickbooks/v3/company/{realm}/invoice               create | update (Id+SyncToken)
                 ?operation=delete | ?operation=void               {Id, SyncToken}
    GET      /quickbooks/v3/company/{realm}/customer/{id}
    POST     /quickbooks/v3/company/{realm}/customer              create | update
    GET      /quickbooks/v3/company/{realm}/taxcode/{id}, /taxrate/{id}
    GET|POST /quickbooks/v3/company/{realm}/query?query=...       {"QueryResponse", "time"}
    GET      /quickbooks/v3/company/{realm}/companyinfo/{realm}

Every call needs a live Bearer token of a grant for that realm (401 3200 / 403 3100) and
counts against the realm's per-minute limit (429 003001). A write with `?requestid=` is
idempotent: the same id on the same realm and endpoint replays the first answer's status
and bytes without writing again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import orjson
from aiohttp import web

from services.sandbox.deps import DEPS, SandboxDeps
from services.sandbox.errors import ProviderError
from services.sandbox.oauth import TokenRejected
from services.sandbox.providers.quickbooks import faults
from services.sandbox.providers.quickbooks.company import Company, Json, Reply
from services.sandbox.providers.quickbooks.customers import create_customer, update_customer
from services.sandbox.providers.quickbooks.faults import qbo_time
from services.sandbox.providers.quickbooks.invoices import (
    create_invoice,
    delete_invoice,
    update_invoice,
    void_invoice,
)
from services.sandbox.providers.quickbooks.payloads import entity_body, require_json
from services.sandbox.providers.quickbooks.query import run_query
from services.sandbox.simulation import Surface, simulated

PREFIX = "/quickbooks/v3/company/{realm}"
Write = Callable[[Company, object, datetime, str | None], Json]


async def _realm_of(request: web.Request, _: SandboxDeps) -> str | None:
    return request.match_info.get("realm")


SURFACE = Surface(name="quickbooks", account_of=_realm_of, fault_body=faults.injected)


def routes() -> list[web.RouteDef]:
    """The QBO API routes, each in the simulated-provider wrapper."""
    table: list[tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]] = [
        ("GET", "/invoice/{id}", get_invoice),
        ("POST", "/invoice", write_invoice),
        ("GET", "/customer/{id}", get_customer),
        ("POST", "/customer", write_customer),
        ("GET", "/taxcode/{id}", get_tax_code),
        ("GET", "/taxrate/{id}", get_tax_rate),
        ("GET", "/query", query),
        ("POST", "/query", query),
        ("GET", "/companyinfo/{id}", company_info),
    ]
    return [
        web.route(method, PREFIX + path, simulated(SURFACE, handler))
        for method, path, handler in table
    ]


async def authorized_company(request: web.Request) -> tuple[SandboxDeps, Company]:
    """The realm's company if the Bearer token may reach it and the realm is under its limit."""
    deps = request.app[DEPS]
    realm = request.match_info["realm"]
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise faults.unauthenticated("Authorization header missing or not a Bearer token")
    try:
        grant = deps.intuit.grants.authenticate(token.strip())
    except TokenRejected as rejected:
        raise faults.unauthenticated(f"Token {rejected.reason}") from None
    company = deps.quickbooks.get(realm)
    if realm not in grant.account_ids or company is None:
        raise faults.forbidden()
    retry_after = deps.rate_limits.over(f"quickbooks:{realm}", limit=deps.limits.quickbooks)
    if retry_after is not None:
        raise faults.throttled(retry_after)
    return deps, company


def answer(status: int, body: bytes) -> web.Response:
    return web.Response(status=status, body=body, content_type="application/json")


def envelope(deps: SandboxDeps, entity: str, record: Json) -> bytes:
    return orjson.dumps({entity: record, "time": qbo_time(deps.clock.utcnow())})


async def get_invoice(request: web.Request) -> web.Response:
    deps, company = await authorized_company(request)
    return answer(200, envelope(deps, "Invoice", _found(company.invoices, "Invoice", request)))


async def get_customer(request: web.Request) -> web.Response:
    deps, company = await authorized_company(request)
    return answer(200, envelope(deps, "Customer", _found(company.customers, "Customer", request)))


async def get_tax_code(request: web.Request) -> web.Response:
    deps, company = await authorized_company(request)
    codes = {code.id: code.as_json() for code in company.tax_codes.values()}
    return answer(200, envelope(deps, "TaxCode", _found(codes, "TaxCode", request)))


async def get_tax_rate(request: web.Request) -> web.Response:
    deps, company = await authorized_company(request)
    rates = {c.rate_id: c.rate_json() for c in company.tax_codes.values() if c.rate_id}
    return answer(200, envelope(deps, "TaxRate", _found(rates, "TaxRate", request)))


async def company_info(request: web.Request) -> web.Response:
    deps, company = await authorized_company(request)
    if request.match_info["id"] != company.realm_id:
        raise faults.not_found("CompanyInfo", request.match_info["id"])
    return answer(200, envelope(deps, "CompanyInfo", company.info()))


async def query(request: web.Request) -> web.Response:
    deps, company = await authorized_company(request)
    text = request.query.get("query")
    if text is None and request.method == "POST":
        text = (await request.read()).decode("utf-8", errors="replace")
    if not text:
        raise faults.invalid("query is required", code="4000")
    result = run_query(company, text)
    return answer(
        200, orjson.dumps({"QueryResponse": result, "time": qbo_time(deps.clock.utcnow())})
    )


async def write_invoice(request: web.Request) -> web.Response:
    return await _idempotent_write(request, "Invoice", _invoice_write)


async def write_customer(request: web.Request) -> web.Response:
    return await _idempotent_write(request, "Customer", _customer_write)


def _invoice_write(company: Company, body: object, now: datetime, operation: str | None) -> Json:
    if operation == "delete":
        return delete_invoice(company, body)
    if operation == "void":
        return void_invoice(company, body, now=now)
    if operation not in (None, "update"):
        raise faults.invalid(f"operation {operation[:30]!r} is not supported", code="2010")
    if _has_id(entity_body(body, "Invoice")):
        return update_invoice(company, body, now=now)
    return create_invoice(company, body, now=now)


def _customer_write(company: Company, body: object, now: datetime, operation: str | None) -> Json:
    if operation not in (None, "update"):
        raise faults.invalid(f"operation {operation[:30]!r} is not supported", code="2010")
    if _has_id(entity_body(body, "Customer")):
        return update_customer(company, body, now=now)
    return create_customer(company, body, now=now)


async def _idempotent_write(request: web.Request, entity: str, write: Write) -> web.Response:
    deps, company = await authorized_company(request)
    request_id = request.query.get("requestid")
    key = (entity.lower(), request_id or "")
    if request_id and key in company.replies:
        reply = company.replies[key]
        return answer(reply.status, reply.body)
    try:
        body = require_json(await request.read())
        record = write(company, body, deps.clock.utcnow(), request.query.get("operation"))
        reply = Reply(status=200, body=envelope(deps, entity, record))
    except ProviderError as refused:
        reply = Reply(status=refused.status, body=orjson.dumps(refused.body))
    if request_id:
        company.replies[key] = reply
    return answer(reply.status, reply.body)


def _has_id(entity: object) -> bool:
    return isinstance(entity, dict) and entity.get("Id") not in (None, "", 0, "0")


def _found(records: dict[str, Json], entity: str, request: web.Request) -> Json:
    record = records.get(request.match_info["id"])
    if record is None:
        raise faults.not_found(entity, request.match_info["id"])
    return record
