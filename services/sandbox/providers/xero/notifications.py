"""Xero webhooks the sandbox fires at ingress (providers.md §2.1, §2.2).

    {"events": [{"resourceUrl", "resourceId", "eventDateUtc": "2025-10-21T01:15:39.902",
                 "eventType": "CREATE" | "UPDATE", "eventCategory": "INVOICE" | "CONTACT" | ...,
                 "tenantId", "tenantType": "ORGANISATION"}],
     "firstEventSequence": n, "lastEventSequence": m, "entropy": "..."}

Signed `x-xero-signature` with XERO_WEBHOOK_KEY; tenants may be mixed in one POST.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from libs.signatures import XeroVerifier, sign_xero
from services.sandbox.deps import SandboxDeps
from services.sandbox.errors import NotConfigured
from services.sandbox.webhooks import Delivery

RESOURCES = {"INVOICE": "Invoices", "CONTACT": "Contacts", "CREDITNOTE": "CreditNotes"}


class XeroEvent(BaseModel):
    """One change to notify."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tenant_id: str = Field(min_length=1, max_length=64)
    resource_id: str = Field(min_length=1, max_length=64)
    category: Literal["INVOICE", "CONTACT", "CREDITNOTE", "SUBSCRIPTION"] = "INVOICE"
    event_type: Literal["CREATE", "UPDATE"] = "CREATE"


def webhook_body(events: list[XeroEvent], *, first: int, at: datetime, api_base: str) -> bytes:
    """The Xero webhook body for `events` numbered from `first`, resource URLs under `api_base`."""
    stamp = at.replace(tzinfo=None).isoformat(timespec="milliseconds")
    return orjson.dumps(
        {
            "events": [
                {
                    "resourceUrl": f"{api_base}/api.xro/2.0/{RESOURCES.get(e.category, e.category.title())}/{e.resource_id}",
                    "resourceId": e.resource_id,
                    "eventDateUtc": stamp,
                    "eventType": e.event_type,
                    "eventCategory": e.category,
                    "tenantId": e.tenant_id,
                    "tenantType": "ORGANISATION",
                }
                for e in events
            ],
            "firstEventSequence": first,
            "lastEventSequence": first + len(events) - 1,
            "entropy": secrets.token_urlsafe(15),
        }
    )


async def notify(deps: SandboxDeps, *, events: list[XeroEvent], api_base: str) -> Delivery:
    """Fire one signed Xero webhook carrying `events`."""
    key = deps.secrets.xero
    if key is None:
        raise NotConfigured("XERO_WEBHOOK_KEY is not set: nothing to sign with")
    first = deps.xero.take_sequence(len(events))
    body = webhook_body(events, first=first, at=deps.clock.utcnow(), api_base=api_base)
    return await deps.webhooks.fire(
        provider="xero",
        path="/webhooks/xero",
        body=body,
        sign=lambda raw: {XeroVerifier.signature_header: sign_xero(raw, key)},
    )
