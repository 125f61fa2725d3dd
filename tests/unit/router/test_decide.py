"""The router's decision for a batch: routed once per notification, parked, or a duplicate."""

from __future__ import annotations

import pytest

from libs.broker import PermanentError
from libs.events import CloudEvent
from services.router.routing import Incoming, decide
from services.router.storage import Route

EVENTS = "pfx.events"
UNROUTED = "pfx.router.unrouted"


def incoming(account: str, entity: str, provider: str = "quickbooks") -> Incoming:
    return Incoming.of(
        CloudEvent(
            source=f"/providers/{provider}",
            type=f"{provider}.invoice.created",
            accountid=account,
            dedupekey=f"{account}:{entity}",
        )
    )


def route(account: str, connection: str) -> Route:
    return Route(
        id=f"r-{connection}", tenant_id=f"t-{connection}", provider="quickbooks",
        account_id=account, connection_id=connection,
    )  # fmt: skip


def test_a_batch_routes_each_new_notification_once_parks_the_unknown_and_drops_repeats() -> None:
    first, repeat = incoming("realm-a", "1"), incoming("realm-a", "1")  # same notification
    fan, unknown, seen = (
        incoming("realm-w", "9"),
        incoming("realm-x", "5"),
        incoming("realm-a", "2"),
    )
    routes = {
        ("quickbooks", "realm-a"): [route("realm-a", "qbo")],
        ("quickbooks", "realm-w"): [route("realm-w", "bot-1"), route("realm-w", "bot-2")],
    }
    fresh = {first.dedupe_key, fan.dedupe_key}  # `seen` was routed by an earlier batch

    outcomes, entries = decide(
        [first, repeat, fan, unknown, seen], routes, fresh,
        events_exchange=EVENTS, unrouted_queue=UNROUTED,
    )  # fmt: skip

    assert [(o.outcome, o.routes) for o in outcomes] == [
        ("routed", 1), ("duplicate", 0), ("routed", 2), ("parked", 0), ("duplicate", 0),
    ]  # fmt: skip
    assert [(e.exchange, e.routing_key) for e in entries] == [
        (EVENTS, None), (EVENTS, None), (EVENTS, None), ("", UNROUTED),
    ]  # fmt: skip
    tenant = [e.event for e in entries if e.exchange == EVENTS]
    assert [(e.tenantid, e.connectionid) for e in tenant] == [
        ("t-qbo", "qbo"), ("t-bot-1", "bot-1"), ("t-bot-2", "bot-2"),
    ]  # fmt: skip
    assert entries[3].event is unknown.event  # parked as it came, to be routed when connected


@pytest.mark.parametrize("field", ["accountid", "dedupekey"])
def test_an_event_postgresql_could_not_store_is_refused_before_it_joins_a_batch(
    field: str,
) -> None:
    values = {"accountid": "realm", "dedupekey": "key", field: "bad\x00value"}
    event = CloudEvent(source="/providers/stripe", type="stripe.charge.succeeded", **values)

    with pytest.raises(PermanentError, match=f"{field} contains a NUL"):
        Incoming.of(event)
