"""Safety and isolation: private addresses refused at delivery, a hanging endpoint holds back
nobody else, a SIGKILLed outbound loses nothing, old attempts are cleaned up."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from aiohttp import web

from libs.broker import Publisher, Topology
from libs.crypto import SecretBox
from libs.db import Database
from services.outbound.retention import Retention
from services.outbound.storage import deliveries
from services.outbound.storage.endpoints import EndpointFields, insert
from tests.support import environment
from tests.support.outbound import (
    Received,
    Receiver,
    new_endpoint,
    outbound_running,
    publish_events,
)
from tests.support.polling import eventually
from tests.support.processes import ServiceProcess


async def stored_endpoint(
    db: Database, box: SecretBox, tenant_id: str, endpoint_id: str, url: str
) -> None:
    """An endpoint written straight to its table, past the admin API's URL check: as if the
    name resolved elsewhere when it was registered (DNS rebinding)."""
    fields = EndpointFields(url=url, description="", event_types=(), enabled=True, headers={},
                            rate_limit_per_s=None)  # fmt: skip
    async with db.transaction() as tx:
        await insert(tx, box, tenant_id=tenant_id, endpoint_id=endpoint_id, fields=fields,
                     secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")  # fmt: skip


async def test_private_addresses_are_refused_at_delivery_unless_allow_listed(
    db: Database, secret_box: SecretBox, publisher: Publisher, topology: Topology,
    receiver: Receiver, tenant_id: str,
) -> None:  # fmt: skip
    urls = {
        "ep_loopback": receiver.url("/loopback"),
        "ep_ten": "http://10.0.0.1/hook",
        "ep_metadata": "http://169.254.169.254/latest/meta-data",
        "ep_v6_loopback": f"http://[::1]:{receiver.port}/v6",
        "ep_name": f"http://localhost:{receiver.port}/name",  # a DNS name for 127.0.0.1 / ::1
    }
    for endpoint_id, url in urls.items():
        await stored_endpoint(db, secret_box, tenant_id, f"{endpoint_id}_{tenant_id}", url)
    async with outbound_running(outbound_allowed_networks="", outbound_retry_schedule_ms="60000"):
        await publish_events(publisher, topology, tenant_id, "invoice.ready", 1)
        rows = await eventually(
            lambda: _latest(db, tenant_id, list(urls)),
            until=lambda got: all(got.values()),
            what="an attempt per endpoint",
        )
    assert receiver.requests == []  # nothing reached the local receiver
    for endpoint_id, row in rows.items():
        assert row is not None
        assert row.status_code is None
        assert row.error is not None
        assert row.error.startswith("refused"), (endpoint_id, row.error)

    # the same local receiver, allow-listed: delivered
    async with outbound_running(
        outbound_allowed_networks="127.0.0.1/32,::1/128", outbound_retry_schedule_ms="60000"
    ):
        await publish_events(publisher, topology, tenant_id, "invoice.ready", 1)
        await receiver.wait_for("/loopback", count=1)
        await receiver.wait_for("/name", count=1)  # (the receiver listens on 127.0.0.1 only)


async def _latest(
    db: Database, tenant_id: str, endpoint_ids: list[str]
) -> dict[str, deliveries.AttemptView | None]:
    latest: dict[str, deliveries.AttemptView | None] = {}
    for endpoint_id in endpoint_ids:
        rows = await deliveries.of_endpoint(
            db, tenant_id=tenant_id, endpoint_id=f"{endpoint_id}_{tenant_id}", status=None, limit=1
        )
        attempts = (
            await deliveries.attempts_of(db, tenant_id=tenant_id, delivery_id=rows[0].id)
            if rows
            else []
        )
        latest[endpoint_id] = attempts[-1] if attempts else None
    return latest


async def test_a_hanging_endpoint_does_not_hold_back_healthy_ones(
    db: Database, secret_box: SecretBox, publisher: Publisher, topology: Topology,
    receiver: Receiver, tenant_id: str,
) -> None:  # fmt: skip
    """One endpoint in ten hangs; the nine others get all their events while it still hangs.

    The hang ends only after every healthy delivery arrived, so if the hanging endpoint's
    requests held the worker's capacity, the healthy ones would never arrive and this fails.
    """
    released = asyncio.Event()

    async def hang(_: Received, __: int) -> web.StreamResponse:
        await released.wait()
        return web.Response(status=204)

    receiver.answer("/hang", hang)
    await new_endpoint(db, secret_box, tenant_id=tenant_id, url=receiver.url("/hang"))
    for n in range(9):
        await new_endpoint(db, secret_box, tenant_id=tenant_id, url=receiver.url(f"/ok{n}"))
    events = 200
    async with outbound_running(outbound_timeout_s=60, outbound_endpoint_concurrency=8,
                                outbound_prefetch=64, outbound_defer_ms=100):  # fmt: skip
        await publish_events(publisher, topology, tenant_id, "invoice.ready", events)
        try:
            for n in range(9):
                got = await receiver.wait_for(f"/ok{n}", count=events, within=60)
                assert {r.payload["data"]["seq"] for r in got} == set(range(events))
            hanging = len(receiver.at("/hang"))
        finally:
            released.set()
        await receiver.wait_for("/hang", count=events, within=60)

    assert hanging <= 8 + 1  # its concurrency limit (the last may be in flight as we look)


async def test_sigkill_mid_run_loses_nothing_and_keeps_each_webhook_id(
    db: Database, secret_box: SecretBox, publisher: Publisher, topology: Topology,
    receiver: Receiver, tenant_id: str, test_env: environment.TestEnvironment,
) -> None:  # fmt: skip
    """outbound is killed with SIGKILL while deliveries run; a new process finishes them.
    Counted at the receiver: every event arrived, each always under one webhook-id."""
    _, secret = await new_endpoint(db, secret_box, tenant_id=tenant_id, url=receiver.url("/k"))
    events = 600
    settings = {"OUTBOUND_ALLOWED_NETWORKS": "127.0.0.1/32", "OUTBOUND_RETRY_SCHEDULE_MS": "300,600",
                "RETRY_TIERS_MS": "200,400,800"}  # fmt: skip
    first = ServiceProcess(test_env, "services.outbound", **settings)
    try:
        await first.ready()
        await publish_events(publisher, topology, tenant_id, "invoice.ready", events)
        await receiver.wait_for("/k", count=events // 4, within=60)
    finally:
        first.close()  # SIGKILL
    killed_after = len(receiver.at("/k"))
    second = ServiceProcess(test_env, "services.outbound", **settings)
    try:
        await second.ready()
        await eventually(
            lambda: _seqs(receiver),
            until=lambda seqs: len(seqs) == events,
            within=90,
            what="every event at the receiver",
        )
    finally:
        second.close()

    ids_per_event: dict[int, set[str]] = defaultdict(set)
    for request in receiver.at("/k"):
        receiver.verify(request, secret)
        ids_per_event[request.payload["data"]["seq"]].add(request.webhook_id)
    assert killed_after < events  # it really died mid-run
    assert set(ids_per_event) == set(range(events))
    assert all(len(ids) == 1 for ids in ids_per_event.values())


async def _seqs(receiver: Receiver) -> set[int]:
    return {r.payload["data"]["seq"] for r in receiver.at("/k")}


async def test_retention_deletes_old_attempts_and_finished_deliveries_in_batches(
    db: Database, secret_box: SecretBox, publisher: Publisher, topology: Topology,
    receiver: Receiver, tenant_id: str,
) -> None:  # fmt: skip
    endpoint, _ = await new_endpoint(db, secret_box, tenant_id=tenant_id, url=receiver.url("/old"))
    async with outbound_running():
        await publish_events(publisher, topology, tenant_id, "invoice.ready", 25)
        await eventually(
            lambda: deliveries.of_endpoint(db, tenant_id=tenant_id, endpoint_id=endpoint.id,
                                           status="delivered", limit=100),
            until=lambda rows: len(rows) == 25, what="25 delivered",
        )  # fmt: skip
    month_ago = datetime.now(UTC) - timedelta(days=31)
    await db.pool.execute(
        "UPDATE webhook_deliveries SET updated_at = $2 WHERE endpoint_id = $1 AND id IN "
        "(SELECT id FROM webhook_deliveries WHERE endpoint_id = $1 LIMIT 20)", endpoint.id, month_ago,
    )  # fmt: skip
    await db.pool.execute(
        "UPDATE webhook_attempts SET started_at = $2 WHERE delivery_id IN (SELECT id FROM "
        "webhook_deliveries WHERE endpoint_id = $1 AND updated_at = $2)", endpoint.id, month_ago,
    )  # fmt: skip

    deleted = await Retention(db, keep=timedelta(days=30), batch=7).sweep()

    assert deleted >= 40  # 20 attempts and 20 deliveries (and any other test's old rows)
    left = await deliveries.of_endpoint(
        db, tenant_id=tenant_id, endpoint_id=endpoint.id, status=None, limit=100
    )
    assert len(left) == 5
