"""Failed deliveries: the retry schedule, Retry-After, 410, exhaustion and replay, disabling.

Tiers are test-scaled (outbound_running's defaults: 300, 600, 900 ms, no jitter unless set).
"""

from __future__ import annotations

import itertools

import orjson
from aio_pika.abc import AbstractRobustChannel

from libs.broker import DEFAULT_EXCHANGE, OutgoingMessage, Publisher, Topology, inspect_queue
from libs.crypto import SecretBox
from libs.db import Database
from libs.events import CloudEvent
from services.outbound import replay
from services.outbound.storage import deliveries
from services.outbound.storage import endpoints as endpoint_rows
from tests.support.outbound import (
    Received,
    Receiver,
    new_endpoint,
    outbound_running,
    publish_events,
)
from tests.support.polling import eventually
from tests.support.stack import collect_tenant_events


def gaps(requests: list[Received]) -> list[float]:
    return [later.at - earlier.at for earlier, later in itertools.pairwise(requests)]


async def test_failures_are_retried_on_the_tiers_with_the_same_webhook_id_until_delivered(
    db: Database, secret_box: SecretBox, publisher: Publisher, topology: Topology,
    receiver: Receiver, tenant_id: str,
) -> None:  # fmt: skip
    _, secret = await new_endpoint(db, secret_box, tenant_id=tenant_id, url=receiver.url("/flaky"))
    receiver.script("/flaky", 500, 502, 503, 204)
    async with outbound_running(
        outbound_retry_schedule_ms="300,600,900", outbound_retry_jitter=0.2
    ):
        await publish_events(publisher, topology, tenant_id, "invoice.ready", 1)
        tries = await receiver.wait_for("/flaky", count=4)
        delivery_id = tries[0].webhook_id
        row = await eventually(
            lambda: deliveries.one(db, tenant_id=tenant_id, delivery_id=delivery_id),
            until=lambda r: r is not None and r.status == "delivered",
            what="delivered",
        )

    assert {t.webhook_id for t in tries} == {delivery_id}
    for request in tries:  # each attempt is stamped with its own time
        assert abs(int(request.headers["webhook-timestamp"]) - request.at) < 2
    for request in tries:
        receiver.verify(request, secret)
    for gap, tier in zip(gaps(tries), (0.3, 0.6, 0.9), strict=True):
        assert gap >= tier * 0.8  # jitter ±20 %: never earlier than the tier allows
    assert row is not None
    assert row.attempts == 4
    log = await deliveries.attempts_of(db, tenant_id=tenant_id, delivery_id=delivery_id)
    assert [a.status_code for a in log] == [500, 502, 503, 204]
    assert [a.attempt for a in log] == [1, 2, 3, 4]
    assert all(a.next_attempt_at is not None for a in log[:3])
    assert log[3].next_attempt_at is None
    assert log[0].response == "status 500"


async def test_retry_after_is_honoured_within_the_tiers(
    db: Database, secret_box: SecretBox, publisher: Publisher, topology: Topology,
    receiver: Receiver, tenant_id: str,
) -> None:  # fmt: skip
    await new_endpoint(db, secret_box, tenant_id=tenant_id, url=receiver.url("/busy"))
    receiver.script("/busy", 429, 204, headers={"Retry-After": "2"})
    async with outbound_running(outbound_retry_schedule_ms="300,1500,3000"):
        await publish_events(publisher, topology, tenant_id, "invoice.ready", 1)
        first, second = await receiver.wait_for("/busy", count=2)

    assert second.at - first.at >= 2.0  # asked for 2 s; the 300 ms tier would have been sooner


async def test_410_gone_disables_the_endpoint_at_once_and_tells_the_tenant(
    db: Database, secret_box: SecretBox, publisher: Publisher, topology: Topology,
    receiver: Receiver, tenant_id: str, broker_channel: AbstractRobustChannel,
) -> None:  # fmt: skip
    endpoint, _ = await new_endpoint(db, secret_box, tenant_id=tenant_id, url=receiver.url("/gone"))
    await new_endpoint(db, secret_box, tenant_id=tenant_id, url=receiver.url("/other"))
    receiver.script("/gone", 410)
    events = await collect_tenant_events(broker_channel, topology)
    async with outbound_running():
        await publish_events(publisher, topology, tenant_id, "invoice.ready", 1)
        await receiver.wait_for("/gone", count=1)
        disabled = await eventually(
            lambda: endpoint_rows.one(db, tenant_id=tenant_id, endpoint_id=endpoint.id),
            until=lambda row: row is not None and not row.enabled,
            what="endpoint disabled",
        )
        notices = await eventually(
            events,
            until=lambda got: any(e.type == "endpoint.disabled" for e in got),
            what="endpoint.disabled",
        )
        await publish_events(publisher, topology, tenant_id, "invoice.ready", 1)
        await receiver.wait_for("/other", count=2)  # the next event was fanned out

    failed = await deliveries.of_endpoint(
        db, tenant_id=tenant_id, endpoint_id=endpoint.id, status=None, limit=10
    )
    assert [(row.status, row.last_status_code) for row in failed] == [("failed", 410)]

    assert disabled is not None
    assert disabled.disabled_reason == "the endpoint answered 410 Gone"
    notice = next(e for e in notices if e.type == "endpoint.disabled")
    assert notice.tenantid == tenant_id
    assert notice.data["endpoint_id"] == endpoint.id
    assert len(receiver.at("/gone")) == 1


async def test_exhausted_deliveries_are_kept_and_replayed_one_or_all_failed_since(
    db: Database, secret_box: SecretBox, publisher: Publisher, topology: Topology,
    receiver: Receiver, tenant_id: str,
) -> None:  # fmt: skip
    endpoint, secret = await new_endpoint(
        db, secret_box, tenant_id=tenant_id, url=receiver.url("/down")
    )
    receiver.script("/down", 500)
    async with outbound_running(outbound_breaker_failures=100):
        sent = await publish_events(publisher, topology, tenant_id, "invoice.ready", 3)
        await receiver.wait_for("/down", count=12)  # 1 + 3 retries each
        failed = await eventually(
            lambda: deliveries.of_endpoint(db, tenant_id=tenant_id, endpoint_id=endpoint.id,
                                           status="failed", limit=10),
            until=lambda rows: len(rows) == 3, what="three exhausted deliveries",
        )  # fmt: skip
        since = min(row.updated_at for row in failed)
        receiver.script("/down", 204)
        one = await replay.replay(db, publisher, prefix=topology.prefix, tenant_id=tenant_id,
                                  delivery_id=failed[0].id)  # fmt: skip
        replayed = (await receiver.wait_for("/down", count=13))[12]
        await eventually(
            lambda: deliveries.one(db, tenant_id=tenant_id, delivery_id=failed[0].id),
            until=lambda row: row is not None and row.status == "delivered",
            what="replayed",
        )
        rest = await replay.replay(db, publisher, prefix=topology.prefix, tenant_id=tenant_id,
                                   endpoint_id=endpoint.id, failed_since=since)  # fmt: skip
        await receiver.wait_for("/down", count=13 + rest)
        await eventually(
            lambda: deliveries.of_endpoint(db, tenant_id=tenant_id, endpoint_id=endpoint.id,
                                           status="delivered", limit=10),
            until=lambda rows: len(rows) == 3, what="all delivered after the replays",
        )  # fmt: skip

    assert one == 1
    assert rest == 2  # the one already replayed is no longer failed
    assert replayed.webhook_id == failed[0].id  # a replay is the same message
    receiver.verify(replayed, secret)
    assert {r.payload["data"]["seq"] for r in receiver.at("/down")[12:]} == {
        e.data["seq"] for e in sent
    }
    log = await deliveries.attempts_of(db, tenant_id=tenant_id, delivery_id=failed[0].id)
    assert [a.trigger for a in log] == ["scheduled"] * 4 + ["manual"]


async def test_an_endpoint_failing_past_the_disable_period_is_disabled(
    db: Database, secret_box: SecretBox, publisher: Publisher, topology: Topology,
    receiver: Receiver, tenant_id: str,
) -> None:  # fmt: skip
    endpoint, _ = await new_endpoint(db, secret_box, tenant_id=tenant_id, url=receiver.url("/sick"))
    healthy, _ = await new_endpoint(db, secret_box, tenant_id=tenant_id, url=receiver.url("/fine"))
    receiver.script("/sick", 503)
    # five days scaled to one second of continuous failure
    async with outbound_running(
        outbound_disable_after_s=1.0, outbound_retry_schedule_ms="400,400,400,400,400"
    ):
        await publish_events(publisher, topology, tenant_id, "invoice.ready", 1)
        row = await eventually(
            lambda: endpoint_rows.one(db, tenant_id=tenant_id, endpoint_id=endpoint.id),
            until=lambda r: r is not None and not r.enabled,
            what="disabled",
            within=20,
        )

    assert row is not None
    assert row.disabled_reason is not None
    assert row.disabled_reason.startswith("failing since")
    fine = await endpoint_rows.one(db, tenant_id=tenant_id, endpoint_id=healthy.id)
    assert fine is not None
    assert fine.enabled
    assert fine.failing_since is None


async def test_an_open_breaker_moves_messages_to_retry_without_trying_them(
    db: Database, secret_box: SecretBox, publisher: Publisher, topology: Topology,
    receiver: Receiver, tenant_id: str,
) -> None:  # fmt: skip
    endpoint, _ = await new_endpoint(db, secret_box, tenant_id=tenant_id, url=receiver.url("/flap"))
    receiver.script("/flap", 500)
    async with outbound_running(
        outbound_endpoint_concurrency=1, outbound_breaker_failures=3,
        outbound_breaker_cooldown_s=60, outbound_retry_schedule_ms="60000",
    ):  # fmt: skip
        await publish_events(publisher, topology, tenant_id, "invoice.ready", 10)
        pending = await eventually(
            lambda: deliveries.of_endpoint(db, tenant_id=tenant_id, endpoint_id=endpoint.id,
                                           status="pending", limit=20),
            until=lambda rows: len(rows) == 10, what="ten deliveries waiting to retry",
        )  # fmt: skip

    assert len(receiver.at("/flap")) == 3  # the breaker opened after three failures
    not_tried = [row for row in pending if row.last_status_code is None]
    assert len(not_tried) == 7
    assert all("circuit open" in (row.last_error or "") for row in not_tried)


async def test_an_endpoint_rate_limit_paces_its_deliveries(
    db: Database, secret_box: SecretBox, publisher: Publisher, topology: Topology,
    receiver: Receiver, tenant_id: str,
) -> None:  # fmt: skip
    await new_endpoint(
        db, secret_box, tenant_id=tenant_id, url=receiver.url("/slow"), rate_limit_per_s=5
    )
    async with outbound_running(outbound_defer_ms=200):
        await publish_events(publisher, topology, tenant_id, "invoice.ready", 20)
        got = await receiver.wait_for("/slow", count=20)

    assert {r.payload["data"]["seq"] for r in got} == set(range(20))
    times = sorted(r.at for r in got)
    # a bucket of 5 a second with a burst of 5: no 1 s window holds more than 10
    assert max(sum(1 for t in times if start <= t < start + 1.0) for start in times) <= 10


async def test_a_malformed_delivery_message_is_parked_not_lost(
    db: Database, publisher: Publisher, topology: Topology, broker_channel: AbstractRobustChannel
) -> None:
    async with outbound_running():
        bad = CloudEvent(source="/services/test", type="invoice.ready", data={})
        await publisher.send(OutgoingMessage(
            exchange=DEFAULT_EXCHANGE, routing_key=replay.delivery_queue(topology.prefix),
            body=orjson.dumps({"no": "headers"}), message_id=bad.id, type=bad.type,
        ))  # fmt: skip
        state = await eventually(
            lambda: inspect_queue(broker_channel, f"{replay.delivery_queue(topology.prefix)}.dlq"),
            until=lambda s: s.messages == 1,
            what="parked in the DLQ",
        )
    assert state.messages == 1


async def test_a_redirect_is_a_failed_attempt_and_is_not_followed(
    db: Database, secret_box: SecretBox, publisher: Publisher, topology: Topology,
    receiver: Receiver, tenant_id: str,
) -> None:  # fmt: skip
    await new_endpoint(db, secret_box, tenant_id=tenant_id, url=receiver.url("/moved"))
    receiver.script("/moved", 302, 204, headers={"Location": receiver.url("/elsewhere")})
    async with outbound_running():
        await publish_events(publisher, topology, tenant_id, "invoice.ready", 1)
        first, second = await receiver.wait_for("/moved", count=2)
        log = await eventually(
            lambda: deliveries.attempts_of(db, tenant_id=tenant_id, delivery_id=first.webhook_id),
            until=lambda attempts: len(attempts) == 2,
            what="two attempts logged",
        )

    assert [a.status_code for a in log] == [302, 204]
    assert receiver.at("/elsewhere") == []
    assert second.webhook_id == first.webhook_id
