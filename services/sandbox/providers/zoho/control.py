"""Control routes for the simulated Zoho Books organizations.

    POST   /_sandbox/zoho/organizations                        {organization_id?, name?, currency_code?}
    GET    /_sandbox/zoho/organizations/{org}
    GET    /_sandbox/zoho/organizations/{org}/invoices         {"invoices": [...]}
    POST   /_sandbox/zoho/organizations/{org}/invoices         Zoho invoice JSON + notify → 201
    PUT    /_sandbox/zoho/organizations/{org}/invoices/{id}    fields to change + notify
    DELETE /_sandbox/zoho/organizations/{org}/invoices/{id}

`notify: {"path_token", "secret"}` posts Zoho's default payload `{"invoice": {...}}` to
`{ingress}/webhooks/zoho/{path_token}`, signed `X-Zoho-Webhook-Signature` = hex HMAC-SHA256
of the raw body under `secret` (providers.md §3.2); the answer is
`{"invoice": {...}, "delivery": {"delivery_id", "status", "body"} | null}`.
"""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from libs.signatures import ZohoVerifier, sign_zoho
from services.sandbox.control.io import answer, read_model, read_object, validated
from services.sandbox.deps import DEPS, SandboxDeps
from services.sandbox.errors import Conflict, InvalidInput, NotFound
from services.sandbox.providers.zoho.organization import (
    InvoiceIn,
    Json,
    Organization,
    compute_invoice,
)

PREFIX = "/_sandbox/zoho/organizations"
ORGANIZATION = r"{org:[A-Za-z0-9_-]{1,64}}"


class OrganizationIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    organization_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    currency_code: str = Field(default="UGX", pattern=r"^[A-Z]{3}$")


class NotifyIn(BaseModel):
    """Where the organization's webhook goes: ingress's path token and the signing secret."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path_token: str = Field(pattern=r"^[A-Za-z0-9_-]{1,200}$")
    secret: str = Field(min_length=1, max_length=200, repr=False)


def routes() -> list[web.RouteDef]:
    """The Zoho control routes."""
    organization = f"{PREFIX}/{ORGANIZATION}"
    return [
        web.post(PREFIX, create_organization),
        web.get(organization, show_organization),
        web.get(f"{organization}/invoices", list_invoices),
        web.post(f"{organization}/invoices", seed_invoice),
        web.put(f"{organization}/invoices/{{id}}", change_invoice),
        web.delete(f"{organization}/invoices/{{id}}", remove_invoice),
    ]


async def create_organization(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    body = await read_model(request, OrganizationIn)
    if body.organization_id is not None and deps.zoho.get(body.organization_id) is not None:
        raise Conflict("an organization with this organization_id exists")
    created = deps.zoho.create(
        organization_id=body.organization_id, name=body.name, currency_code=body.currency_code
    )
    return answer(created.summary(), status=201)


async def show_organization(request: web.Request) -> web.Response:
    return answer(_organization(request).summary())


async def list_invoices(request: web.Request) -> web.Response:
    return answer({"invoices": list(_organization(request).invoices.values())})


async def seed_invoice(request: web.Request) -> web.Response:
    deps, organization = request.app[DEPS], _organization(request)
    fields, target = _split_notify(await read_object(request))
    record = _computed(deps, organization, fields, previous=None)
    organization.invoices[record["invoice_id"]] = record
    return await _notified(deps, record, target, status=201)


async def change_invoice(request: web.Request) -> web.Response:
    deps, organization = request.app[DEPS], _organization(request)
    previous = _invoice(organization, request)
    fields, target = _split_notify(await read_object(request))
    merged = {**previous, **fields}
    if "customer_name" in fields and "customer_id" not in fields:
        merged.pop("customer_id")  # a new name is a new (or other) customer
    record = _computed(deps, organization, merged, previous=previous)
    organization.invoices[record["invoice_id"]] = record
    return await _notified(deps, record, target)


async def remove_invoice(request: web.Request) -> web.Response:
    organization = _organization(request)
    record = _invoice(organization, request)
    del organization.invoices[record["invoice_id"]]
    return answer({"invoice": record, "delivery": None})


def _computed(
    deps: SandboxDeps, organization: Organization, fields: dict[str, Any], *, previous: Json | None
) -> Json:
    payload = validated(InvoiceIn, fields)
    try:
        return compute_invoice(organization, payload, at=deps.clock.utcnow(), previous=previous)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def _organization(request: web.Request) -> Organization:
    organization = request.app[DEPS].zoho.get(request.match_info["org"])
    if organization is None:
        raise NotFound("no sandbox organization with this id")
    return organization


def _invoice(organization: Organization, request: web.Request) -> Json:
    record = organization.invoices.get(request.match_info["id"])
    if record is None:
        raise NotFound("no invoice with this id in the organization")
    return record


def _split_notify(body: dict[str, Any]) -> tuple[dict[str, Any], NotifyIn | None]:
    fields = {key: value for key, value in body.items() if key != "notify"}
    target = body.get("notify")
    return fields, None if target is None else validated(NotifyIn, target)


async def _notified(
    deps: SandboxDeps, record: Json, target: NotifyIn | None, *, status: int = 200
) -> web.Response:
    delivery = None
    if target is not None:
        secret = target.secret
        sent = await deps.webhooks.fire(
            provider="zoho",
            path=f"/webhooks/zoho/{target.path_token}",
            body=orjson.dumps({"invoice": record}),
            sign=lambda raw: {ZohoVerifier.signature_header: sign_zoho(raw, secret)},
        )
        delivery = sent.answer()
    return answer({"invoice": record, "delivery": delivery}, status=status)
