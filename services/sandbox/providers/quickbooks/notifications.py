"""QuickBooks webhooks the sandbox fires at ingress (providers.md §1.1-§1.3).

    legacy       {"eventNotifications": [{"realmId", "dataChangeEvent": {"entities": [
                     {"name", "id", "operation", "lastUpdated"}]}}]}     one entry per realm
    cloudevents  [{"specversion": "1.0", "id": <uuid>, "source", "type": "qbo.invoice.created.v1",
                   "datacontenttype", "time", "intuitentityid", "intuitaccountid", "data": {}}]

Signed `intuit-signature` with QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN. Void goes out as
`qbo.<entity>.void.v1`, the wire spelling §1.2 reports.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from libs.signatures import QuickBooksVerifier, sign_quickbooks
from services.sandbox.deps import SandboxDeps
from services.sandbox.errors import NotConfigured
from services.sandbox.webhooks import Delivery

Format = Literal["legacy", "cloudevents"]
Operation = Literal["Create", "Update", "Delete", "Void", "Merge", "Emailed"]
ACTIONS = {
    "Create": "created",
    "Update": "updated",
    "Delete": "deleted",
    "Void": "void",
    "Merge": "merged",
    "Emailed": "emailed",
}
SOURCE = "intuit.sandboxSwitchyardAppId="


class Change(BaseModel):
    """One entity change to notify."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    realm_id: str = Field(min_length=1, max_length=64)
    entity: str = Field(default="Invoice", pattern=r"^[A-Za-z]{1,40}$")
    id: str = Field(min_length=1, max_length=64)
    operation: Operation = "Create"


def legacy_body(changes: list[Change], *, at: datetime) -> bytes:
    """The legacy `eventNotifications` body: one entry per realm, in first-seen order."""
    stamp = at.isoformat(timespec="milliseconds")
    by_realm: dict[str, list[dict[str, str]]] = {}
    for change in changes:
        by_realm.setdefault(change.realm_id, []).append(
            {"name": change.entity, "id": change.id, "operation": change.operation,
             "lastUpdated": stamp}
        )  # fmt: skip
    return orjson.dumps(
        {
            "eventNotifications": [
                {"realmId": realm, "dataChangeEvent": {"entities": entities}}
                for realm, entities in by_realm.items()
            ]
        }
    )


def cloudevents_body(changes: list[Change], *, at: datetime) -> bytes:
    """The CloudEvents array: one event per change, realms mixed."""
    stamp = at.isoformat(timespec="microseconds").replace("+00:00", "Z")
    return orjson.dumps(
        [
            {
                "specversion": "1.0",
                "id": str(uuid.uuid4()),
                "source": SOURCE,
                "type": f"qbo.{change.entity.lower()}.{ACTIONS[change.operation]}.v1",
                "datacontenttype": "application/json",
                "time": stamp,
                "intuitentityid": change.id,
                "intuitaccountid": change.realm_id,
                "data": {},
            }
            for change in changes
        ]
    )


async def notify(deps: SandboxDeps, *, format: Format, changes: list[Change]) -> Delivery:
    """Fire one signed QuickBooks webhook carrying `changes`."""
    secret = deps.secrets.quickbooks
    if secret is None:
        raise NotConfigured("QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN is not set: nothing to sign with")
    at = deps.clock.utcnow()
    body = legacy_body(changes, at=at) if format == "legacy" else cloudevents_body(changes, at=at)
    return await deps.webhooks.fire(
        provider="quickbooks",
        path="/webhooks/quickbooks",
        body=body,
        sign=lambda raw: {QuickBooksVerifier.signature_header: sign_quickbooks(raw, secret)},
    )
