"""How notifications are named: event types (the routing key) and subjects.

    event_type("quickbooks", "TimeActivity", "merged")   -> "quickbooks.timeactivity.merged"
    event_type("shopify", *pieces("orders/create", "/"))  -> "shopify.orders.create"
    subject("invoice", "145")                             -> "invoice/145"

Every segment is lower-cased and each character outside [a-z0-9_] becomes `_`, so any name a
provider sends yields a type matching CloudEvent's `^[a-z0-9_]+(\\.[a-z0-9_]+)+$`: an entity we
have never heard of is routed, not refused (CONTRACT §3). A type longer than CloudEvent allows
is cut at 200 characters.
"""

from __future__ import annotations

import re

from services.ingress.notifications._shape import identifier_text

# CloudEvent.type allows 200 characters (and AMQP routing keys 255 bytes).
MAX_TYPE = 200
_OUTSIDE_SEGMENT = re.compile(r"[^a-z0-9_]")
_UNKNOWN = "unknown"


def segment(name: str) -> str:
    """`name` as one type segment: lower case, [a-z0-9_] only; empty becomes `unknown`."""
    cleaned = _OUTSIDE_SEGMENT.sub("_", name[:MAX_TYPE].lower())
    return cleaned[:MAX_TYPE] or _UNKNOWN


def pieces(name: str, separator: str) -> list[str]:
    """The non-empty parts of a provider's compound name (`checkout.session.completed`)."""
    return [piece for piece in name.split(separator) if piece]


def event_type(provider: str, *parts: str) -> str:
    """`<provider>.<part>...` with every part made a segment; no parts gives `.unknown`."""
    name = ".".join([provider, *(segment(part) for part in parts or (_UNKNOWN,))])
    return name if len(name) <= MAX_TYPE else name[:MAX_TYPE].rstrip(".")


def subject(kind: str | None, object_id: object) -> str | None:
    """`<kind>/<id>` (or just the id without a kind); None unless the id is a usable id."""
    text = identifier_text(object_id)
    if text is None:
        return None
    return f"{kind[:MAX_TYPE]}/{text}" if kind else text
