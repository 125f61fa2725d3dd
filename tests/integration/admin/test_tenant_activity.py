"""The admin consumes tenant events: one feed entry and the usage it counts, per event id."""

from __future__ import annotations

import uuid

import pytest
from prometheus_client import REGISTRY

from libs.broker import Exchange
from libs.events import CloudEvent
from services.admin.bootstrap import NAME
from tests.support.polling import eventually


def tenant_event(tenant_id: str | None, event_type: str, subject: str, **data) -> CloudEvent:
    return CloudEvent(
        source="/services/tests", type=event_type, subject=subject, tenantid=tenant_id,
        data=data or {"n": 1},
    )  # fmt: skip


async def consumed() -> float:
    """Messages the admin's consumer has finished with, in this process, whatever the outcome."""
    return sum(
        sample.value
        for metric in REGISTRY.collect()
        if metric.name == "switchyard_messages_consumed"
        for sample in metric.samples
        if sample.name.endswith("_total") and sample.labels.get("service") == NAME
    )


@pytest.fixture
def publish_events(publisher, topology):
    """Publish events to the events exchange; return once the admin has handled every one."""

    async def publish(*events: CloudEvent) -> None:
        before = await consumed()
        for event in events:
            await publisher.publish(event, exchange=topology.exchange(Exchange.EVENTS))
        await eventually(
            consumed, until=lambda n: n >= before + len(events),
            what=f"{len(events)} events consumed by the admin",
        )  # fmt: skip

    return publish


async def usage_of(db, tenant_id: str) -> dict[str, int]:
    rows = await db.pool.fetch(
        "SELECT metric, count FROM usage_counters WHERE tenant_id = $1", tenant_id
    )
    return {row["metric"]: row["count"] for row in rows}


async def test_tenant_event_is_recorded_once_even_when_delivered_twice(
    new_tenant, publish_events, db
):
    tenant = await new_tenant()
    event = tenant_event(tenant.tenant_id, "invoice.fiscalized", "invoice/145", password="hunter2")
    await publish_events(event, event)

    status, page = await tenant.call("GET", "/api/tenant/activity")
    assert status == 200
    [item] = page["items"]
    assert (item["event_id"], item["type"], item["status"], item["subject"]) == (
        event.id, "invoice.fiscalized", "ok", "invoice/145",
    )  # fmt: skip
    assert item["summary"] == "Invoice fiscalized: invoice/145"
    assert "hunter2" not in str(page)
    assert page["next_before"] is None
    assert await usage_of(db, tenant.tenant_id) == {"events_processed": 1, "invoices_fiscalized": 1}


async def test_feed_filters_by_type_and_status_and_pages_newest_first(new_tenant, publish_events):
    tenant = await new_tenant()
    events = [
        tenant_event(tenant.tenant_id, "invoice.fiscalization_failed", "invoice/1"),
        tenant_event(tenant.tenant_id, "connection.needs_reconnect", "connection/qbo"),
        tenant_event(tenant.tenant_id, "quickbooks.invoice.created", "invoice/2"),
    ]
    await publish_events(*events)

    _, failed = await tenant.call("GET", "/api/tenant/activity", params={"status": "failed"})
    assert {i["type"] for i in failed["items"]} == {
        "invoice.fiscalization_failed", "connection.needs_reconnect",
    }  # fmt: skip
    _, created = await tenant.call(
        "GET", "/api/tenant/activity", params={"type": "quickbooks.invoice.created"}
    )
    assert [(i["event_id"], i["status"]) for i in created["items"]] == [(events[2].id, "ok")]

    _, first = await tenant.call("GET", "/api/tenant/activity", params={"limit": "2"})
    assert len(first["items"]) == 2
    assert first["next_before"] == first["items"][-1]["id"]
    _, second = await tenant.call(
        "GET", "/api/tenant/activity", params={"limit": "2", "before": str(first["next_before"])}
    )
    assert second["next_before"] is None
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert ids == sorted(ids, reverse=True)
    assert {i["event_id"] for i in first["items"] + second["items"]} == {e.id for e in events}


async def test_events_without_a_tenant_are_not_activity_and_tenants_see_only_their_own(
    new_tenant, publish_events, db
):
    tenant, other = await new_tenant(), await new_tenant()
    platform_event = tenant_event(None, "quickbooks.invoice.created", "invoice/9")
    await publish_events(
        platform_event, tenant_event(other.tenant_id, "invoice.ready", "invoice/3")
    )

    assert (await tenant.call("GET", "/api/tenant/activity"))[1]["items"] == []
    assert len((await other.call("GET", "/api/tenant/activity"))[1]["items"]) == 1
    assert await db.pool.fetchval(
        "SELECT count(*) FROM activity WHERE event_id = $1", platform_event.id
    ) == 0  # fmt: skip
    assert await usage_of(db, tenant.tenant_id) == {}


async def test_stats_count_types_statuses_and_usage_against_the_plan(
    new_tenant, publish_events, db
):
    tenant = await new_tenant()
    await db.pool.execute("UPDATE tenants SET plan = 'starter' WHERE id = $1", tenant.tenant_id)
    tid = tenant.tenant_id
    await publish_events(
        tenant_event(tid, "invoice.fiscalized", "invoice/1"),
        tenant_event(tid, "invoice.fiscalized", "invoice/2"),
        tenant_event(tid, "invoice.fiscalization_failed", "invoice/3"),
        tenant_event(tid, "whatsapp.message.sent", f"message/{uuid.uuid4().hex[:6]}"),
    )
    status, stats = await tenant.call("GET", "/api/tenant/stats")
    assert status == 200
    assert (stats["events"], stats["failures"], stats["by_status"]) == (
        4,
        1,
        {"ok": 3, "failed": 1},
    )
    assert {(c["type"], c["status"], c["count"]) for c in stats["by_type"]} == {
        ("invoice.fiscalized", "ok", 2), ("invoice.fiscalization_failed", "failed", 1),
        ("whatsapp.message.sent", "ok", 1),
    }  # fmt: skip
    assert (stats["invoices_fiscalized"], stats["fiscalization_failures"]) == (2, 1)
    assert stats["success_rate"] == pytest.approx(2 / 3)
    assert stats["usage_this_month"] == {
        "events_processed": 4, "invoices_fiscalized": 2, "messages_sent": 1,
    }  # fmt: skip
    assert stats["plan"] == {
        "plan": "starter", "events_per_month": 1000, "events_this_month": 4,
        "events_remaining": 996, "over_limit": False,
    }  # fmt: skip


async def test_stats_of_a_quiet_standard_tenant_are_zero_and_unlimited(new_tenant):
    tenant = await new_tenant()
    _, stats = await tenant.call("GET", "/api/tenant/stats")
    assert (stats["events"], stats["success_rate"], stats["usage_this_month"]) == (0, None, {})
    assert (stats["plan"]["events_per_month"], stats["plan"]["events_remaining"]) == (None, None)


@pytest.mark.parametrize(
    "params", [{"status": "bogus"}, {"limit": "0"}, {"limit": "201"}, {"type": "Not A Type"},
               {"before": "x"}, {"colour": "red"}],
)  # fmt: skip
async def test_feed_query_is_validated(new_tenant, params):
    tenant = await new_tenant()
    status, error = await tenant.call("GET", "/api/tenant/activity", params=params)
    assert (status, error["error"]["code"]) == (400, "invalid_request")
