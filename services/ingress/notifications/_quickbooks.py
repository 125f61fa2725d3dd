"""QuickBooks Online webhooks (providers.md §1.1, §1.2, §1.5, §1.6): two body shapes.

Legacy, one entry per realm, one notification per entity:

    {"eventNotifications": [{"realmId": "1185883450", "dataChangeEvent": {"entities": [
        {"name": "Customer", "id": "1", "operation": "Create", "lastUpdated": "2015-10-05T14:42:19-0700"}]}}]}

CloudEvents, a top-level array, one notification per element, realms mixed:

    [{"specversion": "1.0", "id": "88cd52aa-...", "type": "qbo.invoice.created.v1",
      "time": "2025-09-10T21:31:25.179851517Z", "intuitentityid": "145",
      "intuitaccountid": "310687", "data": {}}]

Both become `quickbooks.<entity>.<action>` with the same action words (Create and `created`
→ `created`, Void and the wire's `void` → `voided`). An entity or operation we do not handle
still gets a type and is published: answering Intuit 4xx holds back every later event for
every realm (§1.4, CONTRACT §3). Only a body that names no realm or no entity is malformed.
"""

from __future__ import annotations

import re

from services.ingress.notifications._dedupe import dedupe_key, digest_key
from services.ingress.notifications._naming import event_type, pieces, segment, subject
from services.ingress.notifications._notification import Notification
from services.ingress.notifications._shape import Shape
from services.ingress.notifications._timestamps import parse_iso

PROVIDER = "quickbooks"

# Legacy operations are verbs, CloudEvents actions past participles; one vocabulary for both.
_ACTIONS = {
    "create": "created",
    "update": "updated",
    "delete": "deleted",
    "void": "voided",
    "merge": "merged",
    "email": "emailed",
}
_CLOUDEVENT_PREFIX = "qbo"
_VERSION = re.compile(r"v\d+")


def quickbooks(body: object) -> list[Notification]:
    """One notification per entity change in a QuickBooks POST, legacy or CloudEvents format.

    The format is told by shape (§1.2): an array is CloudEvents, an object legacy. Raises
    `MalformedPayload` when the body is neither, or a realm id, entity id, entity name,
    operation or CloudEvent id/type is missing. Unknown entities and operations are accepted.
    """
    shape = Shape(PROVIDER)
    if isinstance(body, list):
        return [
            _from_cloud_event(shape, item, where) for item, where in shape.objects(body, where="")
        ]
    if isinstance(body, dict):
        return _from_legacy(shape, body)
    raise shape.malformed(
        "", "must be a JSON array of CloudEvents or an object with eventNotifications"
    )


def _action(operation: str) -> str:
    lowered = operation.lower()
    return _ACTIONS.get(lowered, lowered)


def _from_legacy(shape: Shape, body: dict[str, object]) -> list[Notification]:
    notifications = []
    for entry, where in shape.objects_at(body, "eventNotifications", ""):
        realm = shape.identifier_at(entry, "realmId", where)
        change = shape.object_at(entry, "dataChangeEvent", where)
        for entity, entity_where in shape.objects_at(
            change, "entities", f"{where}.dataChangeEvent"
        ):
            notifications.append(_legacy_entity(shape, realm, entity, entity_where))
    return notifications


def _legacy_entity(shape: Shape, realm: str, entity: dict[str, object], where: str) -> Notification:
    name = shape.text_at(entity, "name", where)
    entity_id = shape.identifier_at(entity, "id", where)
    operation = shape.text_at(entity, "operation", where)
    last_updated = entity.get("lastUpdated")
    return Notification(
        type=event_type(PROVIDER, name, _action(operation)),
        subject=subject(segment(name), entity_id),
        time=parse_iso(last_updated),
        accountid=realm,
        # No event id in the legacy format (§1.6): the change is identified by what changed when.
        dedupekey=digest_key(PROVIDER, [realm, name, entity_id, operation, last_updated]),
        data={**entity, "realmId": realm},
    )


def _from_cloud_event(shape: Shape, event: dict[str, object], where: str) -> Notification:
    event_id = shape.identifier_at(event, "id", where)
    realm = shape.identifier_at(event, "intuitaccountid", where)
    parts = _type_parts(shape.text_at(event, "type", where))
    return Notification(
        type=event_type(PROVIDER, *parts),
        subject=subject(segment(parts[0]), event.get("intuitentityid")) if parts else None,
        time=parse_iso(event.get("time")),
        accountid=realm,
        dedupekey=dedupe_key(PROVIDER, event_id),
        data=event,
    )


def _type_parts(raw_type: str) -> list[str]:
    """`qbo.invoice.void.v1` → [invoice, voided]: the tolerant parse §1.2 recommends."""
    parts = pieces(raw_type, ".")
    if parts and parts[0].lower() == _CLOUDEVENT_PREFIX:
        parts = parts[1:]
    if len(parts) > 1 and _VERSION.fullmatch(parts[-1].lower()):
        parts = parts[:-1]
    if len(parts) > 1:
        parts[-1] = _action(parts[-1])
    return parts
