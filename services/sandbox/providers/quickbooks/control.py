"""Control routes for the simulated QuickBooks companies.

    POST   /_sandbox/quickbooks/companies                       {realm_id?, name?, currency?} → 201
    GET    /_sandbox/quickbooks/companies/{realm}
    POST   /_sandbox/quickbooks/companies/{realm}/customers     QBO Customer JSON → 201 the Customer
    POST   /_sandbox/quickbooks/companies/{realm}/tax-codes     {id, name?, percent} → 201
    GET    /_sandbox/quickbooks/companies/{realm}/invoices      {"invoices": [...]} (API-made too)
    POST   /_sandbox/quickbooks/companies/{realm}/invoices      QBO Invoice JSON + notify → 201
    PUT    /_sandbox/quickbooks/companies/{realm}/invoices/{id} fields to change + notify
    DELETE /_sandbox/quickbooks/companies/{realm}/invoices/{id} (?notify= or {"notify"})
    POST   /_sandbox/quickbooks/companies/{realm}/invoices/{id}/void   {"notify"}
    POST   /_sandbox/webhooks/quickbooks                        {"format", "events": [...]}

`notify` is "legacy", "cloudevents" or null: with one, the matching signed webhook (Create,
Update, Delete, Void) is fired at ingress and its delivery returned beside the invoice:
`{"invoice": {...}, "delivery": {"delivery_id", "status", "body"} | null}`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from services.sandbox.control.io import answer, read_model, read_object, validated
from services.sandbox.deps import DEPS, SandboxDeps
from services.sandbox.errors import Conflict, NotFound
from services.sandbox.providers.quickbooks.company import Company, Json, TaxCode
from services.sandbox.providers.quickbooks.customers import create_customer
from services.sandbox.providers.quickbooks.invoices import (
    create_invoice,
    delete_invoice,
    update_invoice,
    void_invoice,
)
from services.sandbox.providers.quickbooks.notifications import Change, Format, Operation, notify

PREFIX = "/_sandbox/quickbooks/companies"
ACCOUNT_ID = r"{realm:[A-Za-z0-9_-]{1,64}}"


class CompanyIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    realm_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    currency: str = Field(default="UGX", pattern=r"^[A-Z]{3}$")


class TaxCodeIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,20}$")
    name: str | None = Field(default=None, max_length=100)
    percent: Decimal = Field(ge=0, le=100)


class NotifyIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    notify: Format | None = None


class WebhookIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Format = "cloudevents"
    events: list[Change] = Field(min_length=1, max_length=500)


def routes() -> list[web.RouteDef]:
    """The QuickBooks control routes."""
    company = f"{PREFIX}/{ACCOUNT_ID}"
    return [
        web.post(PREFIX, create_company),
        web.get(company, show_company),
        web.post(f"{company}/customers", seed_customer),
        web.post(f"{company}/tax-codes", seed_tax_code),
        web.get(f"{company}/invoices", list_invoices),
        web.post(f"{company}/invoices", seed_invoice),
        web.put(f"{company}/invoices/{{id}}", change_invoice),
        web.delete(f"{company}/invoices/{{id}}", remove_invoice),
        web.post(f"{company}/invoices/{{id}}/void", void),
        web.post("/_sandbox/webhooks/quickbooks", fire_webhook),
    ]


async def create_company(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    body = await read_model(request, CompanyIn)
    if body.realm_id is not None and deps.quickbooks.get(body.realm_id) is not None:
        raise Conflict("a company with this realm_id exists")
    created = deps.quickbooks.create(
        realm_id=body.realm_id, name=body.name, currency=body.currency,
        created_at=deps.clock.utcnow().isoformat(timespec="seconds"),
    )  # fmt: skip
    return answer(created.summary(), status=201)


async def show_company(request: web.Request) -> web.Response:
    return answer(_company(request).summary())


async def seed_customer(request: web.Request) -> web.Response:
    deps, company = request.app[DEPS], _company(request)
    record = create_customer(company, await read_object(request), now=deps.clock.utcnow())
    return answer(record, status=201)


async def seed_tax_code(request: web.Request) -> web.Response:
    company = _company(request)
    body = await read_model(request, TaxCodeIn)
    if body.id in company.tax_codes:
        raise Conflict("a tax code with this id exists")
    rate_id = str(len([code for code in company.tax_codes.values() if code.rate_id]) + 1)
    name = body.name or body.id
    company.tax_codes[body.id] = TaxCode(
        id=body.id, name=name, rate_id=rate_id, rate_name=name, percent=body.percent
    )
    return answer(company.tax_codes[body.id].as_json(), status=201)


async def list_invoices(request: web.Request) -> web.Response:
    return answer({"invoices": list(_company(request).invoices.values())})


async def seed_invoice(request: web.Request) -> web.Response:
    deps, company = request.app[DEPS], _company(request)
    body, mode = _split_notify(await read_object(request))
    record = create_invoice(company, body, now=deps.clock.utcnow())
    return await _notified(deps, company, record, mode, "Create", status=201)


async def change_invoice(request: web.Request) -> web.Response:
    deps, company = request.app[DEPS], _company(request)
    fields, mode = _split_notify(await read_object(request))
    existing = _invoice(company, request)
    change = {**fields, "Id": existing["Id"], "SyncToken": existing["SyncToken"], "sparse": True}
    record = update_invoice(company, change, now=deps.clock.utcnow())
    return await _notified(deps, company, record, mode, "Update")


async def remove_invoice(request: web.Request) -> web.Response:
    deps, company = request.app[DEPS], _company(request)
    _, mode = _split_notify({**dict(request.query), **await read_object(request)})
    existing = _invoice(company, request)
    delete_invoice(company, {"Id": existing["Id"], "SyncToken": existing["SyncToken"]})
    return await _notified(deps, company, existing, mode, "Delete")


async def void(request: web.Request) -> web.Response:
    deps, company = request.app[DEPS], _company(request)
    _, mode = _split_notify(await read_object(request))
    existing = _invoice(company, request)
    ref = {"Id": existing["Id"], "SyncToken": existing["SyncToken"]}
    record = void_invoice(company, ref, now=deps.clock.utcnow())
    return await _notified(deps, company, record, mode, "Void")


async def fire_webhook(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    body = await read_model(request, WebhookIn)
    delivery = await notify(deps, format=body.format, changes=body.events)
    return answer(delivery.answer())


def _company(request: web.Request) -> Company:
    company = request.app[DEPS].quickbooks.get(request.match_info["realm"])
    if company is None:
        raise NotFound("no sandbox company with this realm id")
    return company


def _invoice(company: Company, request: web.Request) -> Json:
    record = company.invoices.get(request.match_info["id"])
    if record is None:
        raise NotFound("no invoice with this id in the company")
    return record


def _split_notify(body: dict[str, Any]) -> tuple[dict[str, Any], Format | None]:
    fields = {key: value for key, value in body.items() if key != "notify"}
    return fields, validated(NotifyIn, {"notify": body.get("notify")}).notify


async def _notified(
    deps: SandboxDeps,
    company: Company,
    record: Json,
    mode: Format | None,
    operation: Operation,
    *,
    status: int = 200,
) -> web.Response:
    delivery = None
    if mode is not None:
        change = Change(realm_id=company.realm_id, id=record["Id"], operation=operation)
        delivery = (await notify(deps, format=mode, changes=[change])).answer()
    return answer({"invoice": record, "delivery": delivery}, status=status)
