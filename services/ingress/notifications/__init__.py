"""Splitting one verified, JSON-parsed provider POST into notifications: pure, no I/O.

    quickbooks(body)                            legacy eventNotifications or CloudEvents array
    xero(body)                                  events[], tenants mixed; Intent-to-Receive → []
    zoho(body, organization_id=...)             one record; organization from the connection
    stripe(body)                                one event; Connect account or "platform"
    whatsapp(body)                              entry[].changes[]: messages, statuses, other changes
    shopify(body, headers)                      topic, shop and webhook id from X-Shopify-* headers
    hubspot(body)                               array of events, portals mixed
    source(body, headers, source_id=...)        Standard Webhooks message from a tenant's source
        → list[Notification]                    one per entity change / message / status

    to_event(notification, provider=...) → CloudEvent    source /providers/<provider> (CONTRACT §4)

    ValueError
    └── MalformedPayload    JSON, but not the provider's shape → ingress answers 400

Every function returns only notifications whose `to_event` validates, or raises
`MalformedPayload`; extra fields and entities or actions never seen before are accepted.
Types are `<provider>.<entity>.<action>`, lower case, [a-z0-9_] segments. Dedupe keys are the
provider's event id where it has one (`stripe:evt_...`), else a SHA-256 of the identifying
fields (`xero:<hex>`), and stay the same on every retry of the same notification.
"""

from services.ingress.notifications._hubspot import hubspot
from services.ingress.notifications._notification import (
    MalformedPayload,
    Notification,
    to_event,
    to_wire,
)
from services.ingress.notifications._quickbooks import quickbooks
from services.ingress.notifications._shopify import shopify
from services.ingress.notifications._source import source
from services.ingress.notifications._stripe import stripe
from services.ingress.notifications._whatsapp import whatsapp
from services.ingress.notifications._xero import xero
from services.ingress.notifications._zoho import zoho

__all__ = [
    "MalformedPayload",
    "Notification",
    "hubspot",
    "quickbooks",
    "shopify",
    "source",
    "stripe",
    "to_event",
    "to_wire",
    "whatsapp",
    "xero",
    "zoho",
]
