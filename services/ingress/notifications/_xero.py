"""Xero webhooks (providers.md §2.1, §2.3, §2.5): one POST, many events, tenants mixed.

    {"events": [{"resourceUrl": "https://api.xero.com/api.xro/2.0/Invoices/a03f...",
                 "resourceId": "a03f...", "eventDateUtc": "2025-10-21T01:15:39.902",
                 "eventType": "UPDATE", "eventCategory": "INVOICE",
                 "tenantId": "c2cc...", "tenantType": "ORGANISATION"}],
     "firstEventSequence": 1, "lastEventSequence": 1, "entropy": "S0m3r4Nd0mt3xt"}

Each event becomes `xero.<category>.<action>` (CREATE → created, UPDATE → updated; case does
not matter, §2.1) routed by its own `tenantId`. An Intent-to-Receive has `events: []` and
yields nothing. Xero has no event id, so the key hashes tenant, category, resource, event
type and `eventDateUtc` (§2.5).
"""

from __future__ import annotations

from services.ingress.notifications._dedupe import digest_key
from services.ingress.notifications._naming import event_type, segment, subject
from services.ingress.notifications._notification import Notification
from services.ingress.notifications._shape import Shape
from services.ingress.notifications._timestamps import parse_iso

PROVIDER = "xero"

_ACTIONS = {"create": "created", "update": "updated", "delete": "deleted"}


def xero(body: object) -> list[Notification]:
    """One notification per Xero event; an Intent-to-Receive (no events) gives `[]`.

    Raises `MalformedPayload` without an `events` array, or when an event lacks `tenantId`,
    `resourceId`, `eventCategory` or `eventType`. The sequence numbers and entropy are not
    needed and not required.
    """
    shape = Shape(PROVIDER)
    root = shape.as_object(body, "")
    return [
        _from_event(shape, event, where) for event, where in shape.objects_at(root, "events", "")
    ]


def _from_event(shape: Shape, event: dict[str, object], where: str) -> Notification:
    tenant = shape.identifier_at(event, "tenantId", where)
    resource = shape.identifier_at(event, "resourceId", where)
    category = shape.text_at(event, "eventCategory", where)
    operation = shape.text_at(event, "eventType", where)
    occurred = event.get("eventDateUtc")
    return Notification(
        type=event_type(PROVIDER, category, _ACTIONS.get(operation.lower(), operation)),
        subject=subject(segment(category), resource),
        time=parse_iso(occurred, naive_is_utc=True),
        accountid=tenant,
        dedupekey=digest_key(
            PROVIDER, [tenant, category.upper(), resource, operation.upper(), occurred]
        ),
        data=event,
    )
