"""The router's decisions, as pure functions of ingress events and their accounts' routes."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from libs.broker import DEFAULT_EXCHANGE, PermanentError
from libs.db.outbox import OutboxEntry
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
    return _storable("accountid", event.accountid)


def dedupe_key(event: CloudEvent) -> str:
    """What makes two deliveries the same notification: the provider and its dedupe key."""
    return _storable("dedupekey", f"{provider_of(event)}:{event.dedupekey or event.id}")


def _storable(name: str, value: str) -> str:
    # PostgreSQL text cannot hold NUL; such an event can never be routed, so it is refused
    # as what it is rather than failing the database statement on every retry.
    if "\x00" in value:
        raise PermanentError(f"ingress event {name} contains a NUL character")
    return value


Account = tuple[str, str]
"""(provider, account id): what a route is looked up by."""


@dataclass(frozen=True)
class Incoming:
    """An ingress event with what routing it needs, checked before it joins a batch."""

    event: CloudEvent
    account: Account
    dedupe_key: str

    @classmethod
    def of(cls, event: CloudEvent) -> Incoming:
        """Raises `PermanentError` for an event that can never be routed."""
        return cls(event, (provider_of(event), account_of(event)), dedupe_key(event))


@dataclass(frozen=True)
class Routing:
    """What became of one ingress event: `routes` tenant events, parked, or a duplicate."""

    provider: str
    outcome: Literal["routed", "parked", "duplicate"]
    routes: int = 0


def decide(
    batch: Sequence[Incoming],
    routes: Mapping[Account, Sequence[Route]],
    fresh: set[str],
    *,
    events_exchange: str,
    unrouted_queue: str,
) -> tuple[list[Routing], list[OutboxEntry]]:
    """Each event's fate and the outbox entries that carry it out.

    An event whose account has routes becomes one tenant event per route when its dedupe key
    is in `fresh` (new to the inbox), and only its first occurrence in the batch does; an
    event without routes is parked on `unrouted_queue` (the inbox does not see it, so it
    routes normally once it flows back).
    """
    unclaimed = set(fresh)
    outcomes: list[Routing] = []
    entries: list[OutboxEntry] = []
    for incoming in batch:
        provider = incoming.account[0]
        found = routes.get(incoming.account)
        if not found:
            entries.append(OutboxEntry(incoming.event, DEFAULT_EXCHANGE, unrouted_queue))
            outcomes.append(Routing(provider, "parked"))
        elif incoming.dedupe_key in unclaimed:
            unclaimed.discard(incoming.dedupe_key)
            entries.extend(
                OutboxEntry(tenant_event(incoming.event, route), events_exchange) for route in found
            )
            outcomes.append(Routing(provider, "routed", len(found)))
        else:
            outcomes.append(Routing(provider, "duplicate"))
    return outcomes, entries


def tenant_event(event: CloudEvent, route: Route) -> CloudEvent:
    """`event` addressed to one tenant connection, under an id stable for that pair."""
    event_id = uuid.uuid5(_TENANT_EVENT_NAMESPACE, f"{dedupe_key(event)}|{route.connection_id}")
    return event.derive(
        id=str(event_id), tenantid=route.tenant_id, connectionid=route.connection_id
    )
