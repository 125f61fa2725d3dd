"""HubSpot webhooks (providers.md §7.2, §7.3): an array of events, portals mixed.

    [{"eventId": 1, "subscriptionId": 12345, "portalId": 62515, "appId": 54321,
      "occurredAt": 1564113600000, "subscriptionType": "contact.creation",
      "attemptNumber": 0, "objectId": 123, "changeSource": "CRM", "changeFlag": "NEW"}]

Each event becomes `hubspot.<subscriptionType>` (`hubspot.contact.creation`,
`hubspot.contact.propertychange`), routed by its own `portalId`. `eventId` is not documented
as globally unique, so the key hashes portal, subscription and event id (§7.2); never
`attemptNumber`, which grows on every retry of the same event.
"""

from __future__ import annotations

from services.ingress.notifications._dedupe import digest_key
from services.ingress.notifications._naming import event_type, pieces, segment, subject
from services.ingress.notifications._notification import Notification
from services.ingress.notifications._shape import Shape
from services.ingress.notifications._timestamps import from_epoch_milliseconds

PROVIDER = "hubspot"


def hubspot(body: object) -> list[Notification]:
    """One notification per HubSpot event; an empty array gives `[]`.

    Raises `MalformedPayload` when the body is not an array of objects each with an
    `eventId`, a `portalId` and a string `subscriptionType`.
    """
    shape = Shape(PROVIDER)
    events = shape.as_array(body, "")
    return [_from_event(shape, event, where) for event, where in shape.objects(events, where="")]


def _from_event(shape: Shape, event: dict[str, object], where: str) -> Notification:
    event_id = shape.identifier_at(event, "eventId", where)
    portal = shape.identifier_at(event, "portalId", where)
    subscription = shape.optional_identifier_at(event, "subscriptionId", where)
    parts = pieces(shape.text_at(event, "subscriptionType", where), ".")
    return Notification(
        type=event_type(PROVIDER, *parts),
        subject=subject(segment(parts[0]) if parts else None, event.get("objectId")),
        time=from_epoch_milliseconds(event.get("occurredAt")),
        accountid=portal,
        dedupekey=digest_key(PROVIDER, [portal, subscription, event_id]),
        data=event,
    )
