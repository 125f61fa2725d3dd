"""The router's decisions, as pure functions of an ingress event and the account's routes."""

from __future__ import annotations

import uuid

from libs.broker import PermanentError
from libs.events import CloudEvent
from services.router.storage import Route

# Tenant event ids are derived, not random: routing the same notification to the
# same connection twice (a replay, a redelivery after a crash) yields the same id,
# so every consumer's inbox recognises it.
_TENANT_EVENT_NAMESPACE = uuid.UUID("6d1c3f0e-9a55-4f6b-8a51-2c7d3e1f0b9a")


def provider_of(event: CloudEvent) -> str:
    """The provider named by an ingress event's source (`/providers/<provider>`)."""
    prefix = "/providers/"
    if not event.source.startswith(prefix):
        raise PermanentError(f"not a provider event: source {event.source!r}")
    return event.source.removeprefix(prefix).split("/", 1)[0]


def account_of(event: CloudEvent) -> str:
    if event.accountid is None:
        raise PermanentError("ingress event without accountid cannot be routed")
    return event.accountid


def dedupe_key(event: CloudEvent) -> str:
    """What makes two deliveries the same notification: the provider and its dedupe key."""
    return f"{provider_of(event)}:{event.dedupekey or event.id}"


def tenant_event(event: CloudEvent, route: Route) -> CloudEvent:
    """`event` addressed to one tenant connection, under an id stable for that pair."""
    event_id = uuid.uuid5(_TENANT_EVENT_NAMESPACE, f"{dedupe_key(event)}|{route.connection_id}")
    return event.derive(
        id=str(event_id), tenantid=route.tenant_id, connectionid=route.connection_id
    )
