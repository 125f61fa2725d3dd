"""Control routes for the simulated Xero organisations.

    POST /_sandbox/xero/organisations                         {tenant_id?, name?, currency?} → 201
    GET  /_sandbox/xero/organisations/{tenant}
    POST /_sandbox/xero/organisations/{tenant}/contacts       {Name, EmailAddress?, TaxNumber?} → 201
    POST /_sandbox/xero/organisations/{tenant}/tax-types      {name, rate} → 201
    GET  /_sandbox/xero/organisations/{tenant}/invoices       {"invoices": [...]} (API-made too)
    POST /_sandbox/xero/organisations/{tenant}/invoices       Xero invoice JSON + notify → 201
    PUT  /_sandbox/xero/organisations/{tenant}/invoices/{id}  fields to change + notify
    POST /_sandbox/webhooks/xero                              {"events": [{tenant_id, resource_id,
                                                                category?, event_type?}]}

`notify: true` fires a signed INVOICE CREATE (or UPDATE) event at ingress; the answer is
`{"invoice": {...}, "delivery": {"delivery_id", "status", "body"} | null}`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from services.sandbox.control.io import answer, read_model, read_object
from services.sandbox.deps import DEPS
from services.sandbox.errors import Conflict, InvalidInput, NotFound
from services.sandbox.providers.xero.invoices import (
    XeroInvalid,
    create_invoice,
    parse_invoice,
    update_invoice,
)
from services.sandbox.providers.xero.notifications import XeroEvent, notify
from services.sandbox.providers.xero.organisation import Json, Organisation
from services.sandbox.simulation import base_url

PREFIX = "/_sandbox/xero/organisations"
TENANT = r"{tenant:[A-Za-z0-9_-]{1,64}}"


class OrganisationIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    tenant_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    currency: str = Field(default="UGX", pattern=r"^[A-Z]{3}$")


class ContactSeed(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    Name: str = Field(min_length=1, max_length=255)
    EmailAddress: str | None = None
    TaxNumber: str | None = None


class TaxTypeIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[A-Z0-9_]{1,40}$")
    rate: Decimal = Field(ge=0, le=100)


class WebhookIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    events: list[XeroEvent] = Field(min_length=1, max_length=500)


def routes() -> list[web.RouteDef]:
    """The Xero control routes."""
    organisation = f"{PREFIX}/{TENANT}"
    return [
        web.post(PREFIX, create_organisation),
        web.get(organisation, show_organisation),
        web.post(f"{organisation}/contacts", seed_contact),
        web.post(f"{organisation}/tax-types", seed_tax_type),
        web.get(f"{organisation}/invoices", list_invoices),
        web.post(f"{organisation}/invoices", seed_invoice),
        web.put(f"{organisation}/invoices/{{id}}", change_invoice),
        web.post("/_sandbox/webhooks/xero", fire_webhook),
    ]


async def create_organisation(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    body = await read_model(request, OrganisationIn)
    if body.tenant_id is not None and deps.xero.get(body.tenant_id) is not None:
        raise Conflict("an organisation with this tenant_id exists")
    created = deps.xero.create(
        tenant_id=body.tenant_id, name=body.name, currency=body.currency, at=deps.clock.utcnow()
    )
    return answer(created.summary(), status=201)


async def show_organisation(request: web.Request) -> web.Response:
    return answer(_organisation(request).summary())


async def seed_contact(request: web.Request) -> web.Response:
    deps, organisation = request.app[DEPS], _organisation(request)
    body = await read_model(request, ContactSeed)
    contact = organisation.add_contact(
        name=body.Name, at=deps.clock.utcnow(), email=body.EmailAddress, tax_number=body.TaxNumber
    )
    return answer(contact, status=201)


async def seed_tax_type(request: web.Request) -> web.Response:
    organisation = _organisation(request)
    body = await read_model(request, TaxTypeIn)
    organisation.tax_types[body.name] = body.rate
    return answer({"name": body.name, "rate": float(body.rate)}, status=201)


async def list_invoices(request: web.Request) -> web.Response:
    return answer({"invoices": list(_organisation(request).invoices.values())})


async def seed_invoice(request: web.Request) -> web.Response:
    deps, organisation = request.app[DEPS], _organisation(request)
    fields, wanted = _split_notify(await read_object(request))
    try:
        record = create_invoice(organisation, parse_invoice(fields), at=deps.clock.utcnow())
    except XeroInvalid as invalid:
        raise InvalidInput("; ".join(invalid.messages)) from None
    return await _notified(
        request, record, organisation=organisation, wanted=wanted, event_type="CREATE", status=201
    )


async def change_invoice(request: web.Request) -> web.Response:
    deps, organisation = request.app[DEPS], _organisation(request)
    invoice_id = request.match_info["id"]
    if invoice_id not in organisation.invoices:
        raise NotFound("no invoice with this id in the organisation")
    fields, wanted = _split_notify(await read_object(request))
    try:
        record = update_invoice(organisation, invoice_id, fields, at=deps.clock.utcnow())
    except XeroInvalid as invalid:
        raise InvalidInput("; ".join(invalid.messages)) from None
    return await _notified(
        request, record, organisation=organisation, wanted=wanted, event_type="UPDATE"
    )


async def fire_webhook(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    body = await read_model(request, WebhookIn)
    delivery = await notify(deps, events=body.events, api_base=base_url(request) + "/xero")
    return answer(delivery.answer())


def _organisation(request: web.Request) -> Organisation:
    organisation = request.app[DEPS].xero.get(request.match_info["tenant"])
    if organisation is None:
        raise NotFound("no sandbox organisation with this tenant id")
    return organisation


def _split_notify(body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    wanted = body.get("notify", False)
    if not isinstance(wanted, bool):
        raise InvalidInput("notify must be true or false")
    return {key: value for key, value in body.items() if key != "notify"}, wanted


async def _notified(
    request: web.Request,
    record: Json,
    *,
    organisation: Organisation,
    wanted: bool,
    event_type: Literal["CREATE", "UPDATE"],
    status: int = 200,
) -> web.Response:
    deps = request.app[DEPS]
    delivery = None
    if wanted:
        event = XeroEvent(
            tenant_id=organisation.tenant_id, resource_id=record["InvoiceID"], event_type=event_type
        )
        sent = await notify(deps, events=[event], api_base=base_url(request) + "/xero")
        delivery = sent.answer()
    return answer({"invoice": record, "delivery": delivery}, status=status)
