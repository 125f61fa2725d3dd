"""A tenant's webhook endpoints, where outbound delivers its events; outbound owns the tables.

    POST   /api/tenant/webhooks/endpoints                           a new endpoint; its whsec_ secret
    GET    /api/tenant/webhooks/endpoints                           the endpoints, never their secrets
    GET    /api/tenant/webhooks/endpoints/{endpoint_id}             one endpoint
    PUT    /api/tenant/webhooks/endpoints/{endpoint_id}             replace it (enabled: true re-enables)
    DELETE /api/tenant/webhooks/endpoints/{endpoint_id}             delete it, its deliveries too
    GET    /api/tenant/webhooks/endpoints/{endpoint_id}/secret      the current signing secret
    POST   /api/tenant/webhooks/endpoints/{endpoint_id}/secret/rotate  a new secret; the old one
                                                                    keeps signing for 24 h

URLs are checked against the egress policy (OUTBOUND_ALLOWED_NETWORKS, as outbound's): a
URL whose host is or resolves to a private address is refused with 422 invalid_endpoint,
as are event type filters and headers outbound would not accept. Reading the secret needs
write access: whoever holds it can sign what the tenant's receiver will trust.
Audit entries name the URL's origin and the header names, never a path, value or secret.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from yarl import URL

from services.admin.deps import AdminDeps
from services.admin.endpoints import Access, Call, Endpoint
from services.admin.errors import InvalidEndpoint, NotFound
from services.admin.plans import Resource
from services.admin.quota import allow_one_more
from services.admin.storage import audit
from services.outbound import registry
from services.outbound.registry import EndpointInvalid, EndpointSpec
from services.outbound.storage import endpoints as storage
from services.outbound.storage.endpoints import EndpointRow

PATH = "/api/tenant/webhooks/endpoints"


def _whole(value: object) -> object:
    # JSON Schema counts 1.0 as an integer, as the document promises; strict validation
    # would refuse it (strings and booleans stay refused).
    return int(value) if isinstance(value, float) and value.is_integer() else value


RatePerSecond = Annotated[int, Field(ge=1, le=10_000), BeforeValidator(_whole)]


class EndpointBody(BaseModel):
    """An endpoint as the tenant describes it; the shape of outbound's `EndpointSpec`.

    Only the shape is checked here (400 when it does not fit): what outbound refuses in a
    well-formed body (a filter or header it does not take, a private URL) is a 422.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    url: str = Field(min_length=1, max_length=2000, description="http(s), public addresses only")
    description: str = Field(default="", max_length=500)
    event_types: list[str] = Field(default_factory=list, max_length=100, description=(
        "Event type filters in topic syntax: exact (`invoice.fiscalized`), `*` for one "
        "segment (`invoice.*`), `#` for any (`quickbooks.#`). Empty: every event."))  # fmt: skip
    enabled: bool = Field(default=True, description="true also re-enables a disabled endpoint")
    headers: dict[str, str] = Field(default_factory=dict, max_length=20, description=(
        "Sent with every delivery; Content-Type, Host, User-Agent and the webhook-* "
        "headers are Switchyard's."))  # fmt: skip
    rate_limit_per_s: RatePerSecond | None = None

    def spec(self) -> EndpointSpec:
        """The body as outbound's spec; InvalidEndpoint naming the field outbound refuses."""
        try:
            return EndpointSpec.model_validate(self.model_dump())
        except ValidationError as exc:
            error = exc.errors(include_url=False, include_input=False)[0]
            field = ".".join(map(str, error["loc"]))
            reason = error["msg"].removeprefix("Value error, ")
            raise InvalidEndpoint(f"{field}: {reason}") from None


class WebhookEndpointView(BaseModel):
    id: str
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None = Field(description="why outbound disabled it, if it did")
    headers: dict[str, str]
    rate_limit_per_s: int | None
    failing_since: datetime | None = Field(description="start of the current failure streak")
    created_at: datetime
    updated_at: datetime


class WebhookEndpointList(BaseModel):
    items: list[WebhookEndpointView]


class EndpointSecret(BaseModel):
    secret: str = Field(description="whsec_...: verify deliveries with it (Standard Webhooks)")


class NewWebhookEndpoint(WebhookEndpointView):
    """A new endpoint and its signing secret."""

    secret: str = Field(description="whsec_...: verify deliveries with it (Standard Webhooks)")


async def create_webhook_endpoint(
    call: Call[EndpointBody, None], deps: AdminDeps
) -> NewWebhookEndpoint:
    """A new endpoint; its URL must be public (or allowed), its secret is returned."""
    tenant_id = call.who().tenant()
    spec = call.body.spec()
    in_use = len(await storage.of_tenant(deps.db, tenant_id))
    await allow_one_more(deps.db, tenant_id=tenant_id, resource=Resource.WEBHOOK_ENDPOINTS,
                         in_use=in_use)  # fmt: skip
    with _refusals():
        row, secret = await registry.create(
            deps.db, deps.box, deps.egress, tenant_id=tenant_id, spec=spec
        )
    await audit.record(deps.db, actor=call.who(), action="webhook_endpoint.created",
                       target=row.id, tenant_id=tenant_id, details=_audited(spec))  # fmt: skip
    return NewWebhookEndpoint(**view(row).model_dump(), secret=secret)


async def list_webhook_endpoints(call: Call[None, None], deps: AdminDeps) -> WebhookEndpointList:
    """Every endpoint, oldest first, disabled ones too; never a secret."""
    rows = await storage.of_tenant(deps.db, call.who().tenant())
    return WebhookEndpointList(items=[view(row) for row in rows])


async def get_webhook_endpoint(call: Call[None, None], deps: AdminDeps) -> WebhookEndpointView:
    return view(await endpoint_of(call, deps))


async def replace_webhook_endpoint(
    call: Call[EndpointBody, None], deps: AdminDeps
) -> WebhookEndpointView:
    """Replace every field; enabling a disabled endpoint clears its reason and failure streak."""
    tenant_id, endpoint_id = call.who().tenant(), call.path["endpoint_id"]
    await endpoint_of(call, deps)  # another tenant's id is a 404 before anything is checked
    spec = call.body.spec()
    with _refusals():
        row = await registry.update(
            deps.db, deps.egress, tenant_id=tenant_id, endpoint_id=endpoint_id, spec=spec
        )
    if row is None:
        raise NotFound("no such webhook endpoint")
    await audit.record(deps.db, actor=call.who(), action="webhook_endpoint.updated",
                       target=row.id, tenant_id=tenant_id, details=_audited(spec))  # fmt: skip
    return view(row)


async def delete_webhook_endpoint(call: Call[None, None], deps: AdminDeps) -> None:
    """Stop delivering to it; its secrets, deliveries and attempt log go with it."""
    tenant_id, endpoint_id = call.who().tenant(), call.path["endpoint_id"]
    if not await registry.delete(deps.db, tenant_id=tenant_id, endpoint_id=endpoint_id):
        raise NotFound("no such webhook endpoint")
    await audit.record(deps.db, actor=call.who(), action="webhook_endpoint.deleted",
                       target=endpoint_id, tenant_id=tenant_id)  # fmt: skip


async def reveal_webhook_secret(call: Call[None, None], deps: AdminDeps) -> EndpointSecret:
    """The secret deliveries are signed with now (audited: who read it, never the value)."""
    tenant_id, endpoint_id = call.who().tenant(), call.path["endpoint_id"]
    secret = await registry.current_secret(
        deps.db, deps.box, tenant_id=tenant_id, endpoint_id=endpoint_id
    )
    if secret is None:
        raise NotFound("no such webhook endpoint")
    await audit.record(deps.db, actor=call.who(), action="webhook_endpoint.secret_revealed",
                       target=endpoint_id, tenant_id=tenant_id)  # fmt: skip
    return EndpointSecret(secret=secret)


async def rotate_webhook_secret(call: Call[None, None], deps: AdminDeps) -> EndpointSecret:
    """Sign with a new secret from now on; deliveries carry the old one's signature for 24 h."""
    tenant_id, endpoint_id = call.who().tenant(), call.path["endpoint_id"]
    secret = await registry.rotate_secret(
        deps.db, deps.box, tenant_id=tenant_id, endpoint_id=endpoint_id
    )
    if secret is None:
        raise NotFound("no such webhook endpoint")
    await audit.record(deps.db, actor=call.who(), action="webhook_endpoint.secret_rotated",
                       target=endpoint_id, tenant_id=tenant_id)  # fmt: skip
    return EndpointSecret(secret=secret)


async def endpoint_of(call: Call[Any, Any], deps: AdminDeps) -> EndpointRow:
    """The caller's endpoint named in the path; NotFound for any other id."""
    row = await storage.one(
        deps.db, tenant_id=call.who().tenant(), endpoint_id=call.path["endpoint_id"]
    )
    if row is None:
        raise NotFound("no such webhook endpoint")
    return row


@contextmanager
def _refusals() -> Iterator[None]:
    """outbound's refusals of an endpoint as 422 invalid_endpoint."""
    try:
        yield
    except EndpointInvalid as exc:
        raise InvalidEndpoint(str(exc)) from None
    except UnicodeError:
        # libs.egress lets yarl's IDNA error through for hosts such as "xn--" or "a..b".
        raise InvalidEndpoint("url: the host is not a valid name") from None


def _audited(spec: EndpointSpec) -> dict[str, object]:
    """What the audit log keeps of an endpoint: a URL's path or a header's value may be a secret."""
    return {
        "origin": str(URL(spec.url).origin()), "event_types": spec.event_types,
        "enabled": spec.enabled, "header_names": sorted(spec.headers),
    }  # fmt: skip


def view(row: EndpointRow) -> WebhookEndpointView:
    return WebhookEndpointView(
        id=row.id, url=row.url, description=row.description, event_types=list(row.event_types),
        enabled=row.enabled, disabled_reason=row.disabled_reason, headers=dict(row.headers),
        rate_limit_per_s=row.rate_limit_per_s, failing_since=row.failing_since,
        created_at=row.created_at, updated_at=row.updated_at,
    )  # fmt: skip


_ONE = PATH + "/{endpoint_id}"

ENDPOINTS = [
    Endpoint("POST", PATH, create_webhook_endpoint,
             "Create a webhook endpoint (returns its signing secret)", Access.TENANT_WRITE,
             body=EndpointBody, response=NewWebhookEndpoint, status=201, tags=("tenant",),
             errors=(400, 422)),
    Endpoint("GET", PATH, list_webhook_endpoints, "The tenant's webhook endpoints",
             Access.TENANT_READ, response=WebhookEndpointList, tags=("tenant",)),
    Endpoint("GET", _ONE, get_webhook_endpoint, "A webhook endpoint", Access.TENANT_READ,
             response=WebhookEndpointView, tags=("tenant",)),
    Endpoint("PUT", _ONE, replace_webhook_endpoint,
             "Replace a webhook endpoint (enabled: true re-enables it)", Access.TENANT_WRITE,
             body=EndpointBody, response=WebhookEndpointView, tags=("tenant",),
             errors=(400, 422)),
    Endpoint("DELETE", _ONE, delete_webhook_endpoint, "Delete a webhook endpoint",
             Access.TENANT_WRITE, status=204, tags=("tenant",)),
    Endpoint("GET", _ONE + "/secret", reveal_webhook_secret,
             "A webhook endpoint's current signing secret", Access.TENANT_WRITE,
             response=EndpointSecret, tags=("tenant",)),
    Endpoint("POST", _ONE + "/secret/rotate", rotate_webhook_secret,
             "Rotate a webhook endpoint's signing secret (the old one signs for 24 h more)",
             Access.TENANT_WRITE, response=EndpointSecret, tags=("tenant",)),
]  # fmt: skip
