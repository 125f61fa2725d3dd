"""The operator sees webhook health, queues and parked messages, and replays what was fixed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pytest

from libs.broker import Exchange, PermanentError, Subscription
from libs.events import CloudEvent
from services.admin.storage import audit
from tests.support.admin import admin_api
from tests.support.events import make_event, queue_depth
from tests.support.polling import eventually
from tests.support.webhook_traffic import ingress_traffic

OPS_ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/ops/webhooks", None),
    ("GET", "/api/ops/queues", None),
    ("GET", "/api/ops/dlq/{service}", None),
    ("POST", "/api/ops/dlq/{service}/replay", {}),
    ("POST", "/api/ops/dlq/{service}/discard", {}),
]


@pytest.fixture
async def api(service_name):
    """The admin API showing only this test's consuming service."""
    async with admin_api(ops_services=service_name) as running_api:
        yield running_api


@pytest.fixture
async def owner(api, db):
    return await api.owner_token(db)


async def test_webhook_health_shows_todays_accepted_and_refused_webhooks_per_provider(
    api, owner, broker, topology
):
    async def quickbooks() -> dict[str, Any]:
        status, body = await api.call("GET", "/api/ops/webhooks", token=owner)
        assert status == 200, body
        found = [row for row in body["providers"] if row["provider"] == "quickbooks"]
        return found[0] if found else {"requests_today": 0, "events_today": 0,
                                       "accepted_today": 0, "rejections_today": {},
                                       "last_received_at": None}  # fmt: skip

    before = await quickbooks()
    async with ingress_traffic(broker, topology) as traffic:
        statuses = [
            await traffic.accepted(events=2),
            await traffic.wrongly_signed(),
            await traffic.wrongly_signed(),
            await traffic.not_json(),
        ]
        assert statuses == [200, 401, 401, 400]
        after = await eventually(
            quickbooks,
            until=lambda now: now["requests_today"] - before["requests_today"] == 4,
            what="today's four quickbooks webhooks",
        )
    assert after["accepted_today"] - before["accepted_today"] == 1
    assert after["events_today"] - before["events_today"] == 2
    rejections_before = before["rejections_today"]
    assert {
        reason: count - rejections_before.get(reason, 0)
        for reason, count in after["rejections_today"].items()
        if count != rejections_before.get(reason, 0)
    } == {"invalid_signature": 2, "invalid_body": 1}
    received = datetime.fromisoformat(after["last_received_at"])
    if before["last_received_at"] is not None:
        assert received > datetime.fromisoformat(before["last_received_at"])


async def test_queues_show_a_running_consumers_queues_and_an_unstarted_service_as_absent(
    start_consumer, service_name, topology, db
):
    async def handled(event: CloudEvent, deps: Any) -> None:
        return None

    await start_consumer([Subscription(Exchange.EVENTS, "test.ops.queued", handled)])
    never_started = f"svc{uuid.uuid4().hex[:8]}"
    async with admin_api(ops_services=f"{service_name},{never_started}") as api:
        status, body = await api.call("GET", "/api/ops/queues", token=await api.owner_token(db))
    assert status == 200, body
    running, absent = body["services"]
    name = f"{topology.prefix}.{service_name}"
    assert running == {
        "service": service_name,
        "work": {"name": name, "present": True, "messages": 0, "consumers": 1},
        "retry_tiers": [
            {"name": f"{name}.retry.{tier}", "present": True, "messages": 0, "consumers": 0}
            for tier in (1, 2, 3)  # start_consumer's three tiers
        ],
        "dlq": {"name": f"{name}.dlq", "present": True, "messages": 0, "consumers": 0},
    }
    missing = f"{topology.prefix}.{never_started}"
    assert absent == {
        "service": never_started,
        "work": {"name": missing, "present": False, "messages": None, "consumers": None},
        "retry_tiers": [],
        "dlq": {"name": f"{missing}.dlq", "present": False, "messages": None, "consumers": None},
    }


async def test_a_parked_message_is_listed_then_replayed_after_the_fix_and_processed_exactly_once(
    api, owner, start_consumer, publisher, topology, broker, service_name, db
):
    fixed = False
    processed: list[str] = []

    async def fails_until_fixed(event: CloudEvent, deps: Any) -> None:
        if not fixed:
            raise PermanentError("missing EFRIS item mapping")
        processed.append(event.id)

    consumer = await start_consumer(
        [Subscription(Exchange.EVENTS, "test.ops.parked", fails_until_fixed)]
    )
    event = CloudEvent(
        source="/services/tests", type="test.ops.parked", subject="invoice/1042",
        tenantid="tenant-ops", data={"card_token": "tok_live_secret_4242"},
    )  # fmt: skip
    await publisher.publish(event, exchange=topology.exchange(Exchange.EVENTS))

    async def parked() -> list[dict[str, Any]]:
        status, body = await api.call("GET", f"/api/ops/dlq/{service_name}", token=owner)
        assert status == 200, body
        return list(body["items"])

    listed = await eventually(parked, until=lambda items: len(items) == 1, what="parked message")
    assert {key: value for key, value in listed[0].items() if key != "failed_at"} == {
        "message_id": event.id,
        "event_type": "test.ops.parked",
        "attempts": 0,
        "error": "PermanentError: missing EFRIS item mapping",
        "kind": "permanent",
        "tenant_id": "tenant-ops",
        "type": "test.ops.parked",
        "subject": "invoice/1042",
    }
    assert listed[0]["failed_at"]
    assert "tok_live_secret_4242" not in str(listed)  # the event's data never leaves the broker
    assert await queue_depth(broker, consumer.queues.dlq) == 1  # listing left it parked
    assert await _dlq_depth(api, owner) == 1

    fixed = True
    status, outcome = await api.call(
        "POST", f"/api/ops/dlq/{service_name}/replay", token=owner,
        json={"message_id": event.id},
    )  # fmt: skip
    assert (status, outcome) == (200, {"service": service_name, "message_id": event.id, "count": 1})
    await eventually(_now(processed), until=lambda done: len(done) == 1, what="replayed handling")
    assert await queue_depth(broker, consumer.queues.work_queue) == 0
    assert await queue_depth(broker, consumer.queues.dlq) == 0
    assert processed == [event.id]
    assert await _dlq_depth(api, owner) == 0
    assert await parked() == []
    [entry] = [e for e in await audit.entries(db, tenant_id=None, limit=50, before_id=None)
               if e.target == service_name]  # fmt: skip
    assert (entry.action, entry.details) == ("dlq.replayed", {"message_id": event.id, "count": 1})


async def test_discarding_every_parked_message_drops_them_for_good_and_is_audited(
    api, owner, start_consumer, publisher, topology, broker, service_name, db
):
    calls: list[str] = []

    async def rejects(event: CloudEvent, deps: Any) -> None:
        calls.append(event.id)
        raise PermanentError("TIN must be 10 digits")

    consumer = await start_consumer([Subscription(Exchange.EVENTS, "test.ops.dropped", rejects)])
    for _ in range(2):
        await publisher.publish(
            make_event("test.ops.dropped"), exchange=topology.exchange(Exchange.EVENTS)
        )
    await eventually(
        lambda: queue_depth(broker, consumer.queues.dlq), until=lambda n: n == 2, what="2 parked"
    )
    status, outcome = await api.call(
        "POST", f"/api/ops/dlq/{service_name}/discard", token=owner, json={}
    )
    assert (status, outcome) == (200, {"service": service_name, "message_id": None, "count": 2})
    assert await queue_depth(broker, consumer.queues.dlq) == 0
    assert await queue_depth(broker, consumer.queues.work_queue) == 0
    assert len(calls) == 2  # dropped, not redelivered
    [entry] = [e for e in await audit.entries(db, tenant_id=None, limit=50, before_id=None)
               if e.target == service_name]  # fmt: skip
    assert (entry.action, entry.details) == ("dlq.discarded", {"message_id": "all", "count": 2})


async def test_an_unknown_service_has_no_dlq_and_a_malformed_selection_is_refused(
    api, owner, service_name
):
    for method, path, body in OPS_ENDPOINTS[2:]:
        status, error = await api.call(
            method, path.format(service="not_a_service"), token=owner, json=body
        )
        assert (status, error["error"]["code"]) == (404, "not_found"), path
    status, error = await api.call(
        "POST", f"/api/ops/dlq/{service_name}/replay", token=owner, json={"message_id": ""}
    )
    assert (status, error["error"]["details"][0]["loc"]) == (400, ["body", "message_id"])


async def test_ops_endpoints_refuse_tenant_tokens_with_403(api, owner, service_name):
    _, email, password = await api.new_client(owner)
    tenant = (await api.login(email, password))["access_token"]
    for method, path, body in OPS_ENDPOINTS:
        status, error = await api.call(
            method, path.format(service=service_name), token=tenant, json=body
        )
        assert (status, error["error"]["code"]) == (403, "forbidden"), path
        assert (await api.call(method, path.format(service=service_name), json=body))[0] == 401


async def _dlq_depth(api, owner) -> int:
    status, body = await api.call("GET", "/api/ops/queues", token=owner)
    assert status == 200, body
    [service] = body["services"]
    return int(service["dlq"]["messages"])


def _now(processed: list[str]):
    async def probe() -> list[str]:
        return list(processed)

    return probe
