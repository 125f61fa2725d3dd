"""Stripe events (providers.md §4.2, §4.3, §4.4): one event per POST.

    {"id": "evt_1PqTEST", "object": "event", "type": "checkout.session.completed",
     "created": 1700000000, "account": "acct_1ConnectedTenant",
     "data": {"object": {"id": "cs_test_a1b2c3", "object": "checkout.session", ...}}, ...}

The type keeps Stripe's own dotted name under `stripe.`; the account is the Connect `account`
or, for the platform's own events, `platform` (§4.3). Thin v2 events (`"object":
"v2.core.event"`) name the account in `context` and the object in `related_object`. Stripe's
event id is the dedupe key (§4.4). `data` is the whole event: it is the notification.
"""

from __future__ import annotations

from services.ingress.notifications._dedupe import dedupe_key
from services.ingress.notifications._naming import event_type, pieces, subject
from services.ingress.notifications._notification import Notification
from services.ingress.notifications._shape import Shape
from services.ingress.notifications._timestamps import from_epoch_seconds, parse_iso

PROVIDER = "stripe"
PLATFORM_ACCOUNT = "platform"

_V2_EVENT = "v2.core.event"


def stripe(body: object) -> list[Notification]:
    """The one notification in a Stripe event delivery.

    Raises `MalformedPayload` when the body is not an object with an `id` and a string
    `type`, or when `account` is present but not an id.
    """
    shape = Shape(PROVIDER)
    event = shape.as_object(body, "")
    event_id = shape.identifier_at(event, "id", "")
    raw_type = shape.text_at(event, "type", "")
    created = event.get("created")
    return [
        Notification(
            type=event_type(PROVIDER, *pieces(raw_type, ".")),
            subject=_subject(event),
            time=from_epoch_seconds(created) or parse_iso(created),
            accountid=_account(shape, event),
            dedupekey=dedupe_key(PROVIDER, event_id),
            data=event,
        )
    ]


def _account(shape: Shape, event: dict[str, object]) -> str:
    account = shape.optional_identifier_at(event, "account", "")
    if account is None and event.get("object") == _V2_EVENT:
        account = shape.optional_identifier_at(event, "context", "")
    return account or PLATFORM_ACCOUNT


def _subject(event: dict[str, object]) -> str | None:
    """`checkout.session/cs_test_a1b2c3`: the object the event is about, if it says."""
    data = event.get("data")
    related = data.get("object") if isinstance(data, dict) else event.get("related_object")
    if not isinstance(related, dict):
        return None
    kind = related.get("object", related.get("type"))
    return subject(kind if isinstance(kind, str) else None, related.get("id"))
