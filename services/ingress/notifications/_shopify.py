"""Shopify webhooks (providers.md §6.1, §6.3): one resource per POST, the rest in headers.

    X-Shopify-Topic: orders/create            → shopify.orders.create
    X-Shopify-Shop-Domain: shop1.myshopify.com → accountid (lower-cased)
    X-Shopify-Webhook-Id: b54557e4-...         → dedupe key (the same on every retry, §6.3)
    X-Shopify-Triggered-At: 2023-03-29T18:00:27.877041743Z → time

The newer Events product sends the same headers unprefixed (`shopify-topic`, ...); both
spellings are read. The subject is the topic's resource and the body's `id`
(`orders/820982911946154508`); `data` is the body, the notification itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from services.ingress.notifications._dedupe import dedupe_key
from services.ingress.notifications._naming import event_type, pieces, segment, subject
from services.ingress.notifications._notification import Notification
from services.ingress.notifications._shape import Shape
from services.ingress.notifications._timestamps import parse_iso

PROVIDER = "shopify"


def shopify(body: object, headers: Mapping[str, str]) -> list[Notification]:
    """The one notification in a Shopify webhook, named and routed by its headers.

    Headers are matched case-insensitively. Raises `MalformedPayload` when the topic, shop
    domain or webhook id header is missing, or the body is not a JSON object.
    """
    shape = Shape(PROVIDER)
    topic = pieces(shape.header(headers, "X-Shopify-Topic", "shopify-topic"), "/")
    shop = shape.header(headers, "X-Shopify-Shop-Domain", "shopify-shop-domain").lower()
    webhook_id = shape.header(headers, "X-Shopify-Webhook-Id", "shopify-webhook-id")
    resource = shape.as_object(body, "")
    triggered_at = shape.optional_header(headers, "X-Shopify-Triggered-At", "shopify-triggered-at")
    return [
        Notification(
            type=event_type(PROVIDER, *topic),
            subject=subject(segment(topic[0]) if topic else None, resource.get("id")),
            time=parse_iso(triggered_at)
            or parse_iso(resource.get("updated_at"))
            or parse_iso(resource.get("created_at")),
            accountid=shop,
            dedupekey=dedupe_key(PROVIDER, webhook_id),
            data=resource,
        )
    ]
