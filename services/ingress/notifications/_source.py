"""Tenant-registered Standard Webhooks sources (webhook-platforms.md §1): one message per POST.

    webhook-id: msg_2b4x...       → dedupe key, with the source id (the same on every retry)
    {"type": "invoice.paid", "timestamp": "2026-11-21T08:00:00Z", "data": {...}}
                                  → type, time (the body's `timestamp`, RFC 3339)

The type is `source.` plus the body's `type` made into segments (`source.invoice.paid`), or
`source.event.received` when the body has no string `type`. Any JSON is accepted: the
sender is the tenant's own system, the signature already proved it; a body that is not an
object is kept under `data.payload`. `webhook-timestamp` is not the event's time: it is the
attempt's, and changes on every retry (webhook-platforms.md §1.1).
"""

from __future__ import annotations

from collections.abc import Mapping

from services.ingress.notifications._dedupe import digest_key
from services.ingress.notifications._naming import event_type, pieces
from services.ingress.notifications._notification import Notification
from services.ingress.notifications._shape import Shape, identifier_text
from services.ingress.notifications._timestamps import parse_iso

PROVIDER = "source"

_DEFAULT_TYPE = ("event", "received")


def source(body: object, headers: Mapping[str, str], *, source_id: str) -> list[Notification]:
    """The one notification in a Standard Webhooks message from source `source_id`.

    Raises `MalformedPayload` only when the `webhook-id` header is missing; `ValueError`
    when `source_id` itself is not a usable id (a caller bug, not the payload's fault).
    """
    if identifier_text(source_id) is None:
        raise ValueError("source_id must be a non-blank id of at most 200 characters")
    shape = Shape(PROVIDER)
    message_id = shape.header(headers, "webhook-id")
    message = body if isinstance(body, dict) else {"payload": body}
    raw_type = message.get("type")
    parts = pieces(raw_type, ".") if isinstance(raw_type, str) else []
    return [
        Notification(
            type=event_type(PROVIDER, *(parts or _DEFAULT_TYPE)),
            subject=None,
            time=parse_iso(message.get("timestamp")),
            accountid=source_id,
            dedupekey=digest_key(PROVIDER, [source_id, message_id]),
            data=message,
        )
    ]
