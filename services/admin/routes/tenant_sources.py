"""A tenant's Standard Webhooks sources: any system that signs webhooks the Standard Webhooks way.

    POST   /api/tenant/sources                           a new source; its whsec_ secret, once
    GET    /api/tenant/sources                           the sources, never their secrets
    POST   /api/tenant/sources/{source_id}/rotate-secret a new secret, once; the old ones still verify
    DELETE /api/tenant/sources/{source_id}               stop accepting its webhooks

Secrets live encrypted in ingress's table; ingress picks up every change at once
(LISTEN/NOTIFY), so a new or rotated secret verifies as soon as it is returned.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from services.admin.deps import AdminDeps
from services.admin.endpoints import Access, Call, Endpoint
from services.admin.errors import NotFound
from services.admin.plans import Resource
from services.admin.quota import allow_one_more
from services.admin.storage import audit
from services.ingress.storage import (
    SourceView,
    deactivate,
    new_source_secret,
    register_source,
    rotate_source_secret,
    sources_of,
)

KIND = "source"


def _url_path(source_id: str) -> str:
    return f"/webhooks/sources/{source_id}"


class WebhookSource(BaseModel):
    source_id: str
    url_path: str = Field(description="where the source posts, on the ingress host")
    active: bool
    created_at: datetime
    updated_at: datetime


class WebhookSourceList(BaseModel):
    items: list[WebhookSource]


class SourceSecret(BaseModel):
    """A signing secret, shown in this response only: it cannot be read back later."""

    source_id: str
    url_path: str
    secret: str = Field(description="whsec_...; shown once")


async def create_source(call: Call[None, None], deps: AdminDeps) -> SourceSecret:
    """A new source and its signing secret (shown once)."""
    tenant_id = call.who().tenant()
    live = [s for s in await sources_of(deps.db, tenant_id=tenant_id) if s.active]
    await allow_one_more(deps.db, tenant_id=tenant_id, resource=Resource.SOURCES,
                         in_use=len(live))  # fmt: skip
    source_id, secret = await register_source(deps.db, deps.box, tenant_id=tenant_id)
    await audit.record(deps.db, actor=call.who(), action="source.created", target=source_id,
                       tenant_id=tenant_id)  # fmt: skip
    return SourceSecret(source_id=source_id, url_path=_url_path(source_id), secret=secret)


async def list_sources(call: Call[None, None], deps: AdminDeps) -> WebhookSourceList:
    sources = await sources_of(deps.db, tenant_id=call.who().tenant())
    return WebhookSourceList(items=[_view(source) for source in sources])


async def rotate_secret(call: Call[None, None], deps: AdminDeps) -> SourceSecret:
    """Sign with a new secret from now on; the previous secrets keep verifying."""
    tenant_id, source_id = call.who().tenant(), call.path["source_id"]
    await _active_source(deps, tenant_id, source_id)
    secret = new_source_secret()
    if not await rotate_source_secret(deps.db, deps.box, tenant_id=tenant_id, source_id=source_id,
                                      new_secret=secret, keep_old=True):  # fmt: skip
        raise NotFound("no such active source")
    await audit.record(deps.db, actor=call.who(), action="source.secret_rotated",
                       target=source_id, tenant_id=tenant_id)  # fmt: skip
    return SourceSecret(source_id=source_id, url_path=_url_path(source_id), secret=secret)


async def delete_source(call: Call[None, None], deps: AdminDeps) -> None:
    """Stop accepting the source's webhooks (its URL answers as unknown from now on)."""
    tenant_id, source_id = call.who().tenant(), call.path["source_id"]
    if not await deactivate(deps.db, tenant_id=tenant_id, kind=KIND, key=source_id):
        raise NotFound("no such active source")
    await audit.record(deps.db, actor=call.who(), action="source.deleted", target=source_id,
                       tenant_id=tenant_id)  # fmt: skip


async def _active_source(deps: AdminDeps, tenant_id: str, source_id: str) -> SourceView:
    for source in await sources_of(deps.db, tenant_id=tenant_id):
        if source.source_id == source_id and source.active:
            return source
    raise NotFound("no such active source")


def _view(source: SourceView) -> WebhookSource:
    return WebhookSource(
        source_id=source.source_id, url_path=_url_path(source.source_id), active=source.active,
        created_at=source.created_at, updated_at=source.updated_at,
    )  # fmt: skip


ENDPOINTS = [
    Endpoint("POST", "/api/tenant/sources", create_source,
             "Create a webhook source (its secret is shown once)", Access.TENANT_WRITE,
             response=SourceSecret, status=201, tags=("tenant",), errors=(422,)),
    Endpoint("GET", "/api/tenant/sources", list_sources, "The tenant's webhook sources",
             Access.TENANT_READ, response=WebhookSourceList, tags=("tenant",)),
    Endpoint("POST", "/api/tenant/sources/{source_id}/rotate-secret", rotate_secret,
             "Rotate a source's signing secret (the old one keeps working)", Access.TENANT_WRITE,
             response=SourceSecret, tags=("tenant",)),
    Endpoint("DELETE", "/api/tenant/sources/{source_id}", delete_source,
             "Delete a webhook source", Access.TENANT_WRITE, status=204, tags=("tenant",)),
]  # fmt: skip
