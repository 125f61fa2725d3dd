"""The attempt log's batch write: nothing one row carries can fail the others' commit."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from libs.broker import Publisher, Topology
from libs.crypto import SecretBox
from libs.db import Database
from services.outbound.storage import deliveries
from services.outbound.storage.deliveries import AttemptRow
from tests.support.outbound import (
    Received,
    Receiver,
    new_endpoint,
    outbound_running,
    publish_events,
)
from tests.support.polling import eventually


def row(delivery_id: str, tenant_id: str, endpoint_id: str) -> AttemptRow:
    return AttemptRow(
        delivery_id=delivery_id, tenant_id=tenant_id, endpoint_id=endpoint_id, event_id="e1",
        event_type="invoice.ready", payload=b"{}", attempt=1, trigger="scheduled",
        started_at=datetime.now(UTC), duration_ms=3, status_code=204, response="", error=None,
        state="delivered", next_attempt_at=None,
    )  # fmt: skip


async def test_a_row_of_a_deleted_endpoint_is_skipped_and_the_rest_commit(
    db: Database, secret_box: SecretBox, receiver: Receiver, tenant_id: str
) -> None:
    endpoint, _ = await new_endpoint(db, secret_box, tenant_id=tenant_id, url=receiver.url("/x"))
    async with db.transaction() as tx:
        await deliveries.record(tx, [row("msg_kept", tenant_id, endpoint.id),
                                     row("msg_orphan", tenant_id, "ep_deleted_meanwhile")])  # fmt: skip

    assert await deliveries.one(db, tenant_id=tenant_id, delivery_id="msg_kept") is not None
    assert await deliveries.one(db, tenant_id=tenant_id, delivery_id="msg_orphan") is None


async def test_an_answer_with_nul_bytes_is_logged_readably(
    db: Database, secret_box: SecretBox, publisher: Publisher, topology: Topology,
    receiver: Receiver, tenant_id: str,
) -> None:  # fmt: skip
    async def binary(_: Received, __: int) -> web.StreamResponse:
        return web.Response(status=200, body=b"ok\x00\xff" + b"x" * 10_000)

    receiver.answer("/bin", binary)
    endpoint, _ = await new_endpoint(db, secret_box, tenant_id=tenant_id, url=receiver.url("/bin"))
    async with outbound_running(outbound_response_max_bytes=100):
        await publish_events(publisher, topology, tenant_id, "invoice.ready", 1)
        delivered = await eventually(
            lambda: deliveries.of_endpoint(db, tenant_id=tenant_id, endpoint_id=endpoint.id,
                                           status="delivered", limit=1),
            until=lambda rows: len(rows) == 1, what="delivered",
        )  # fmt: skip
    (attempt,) = await deliveries.attempts_of(db, tenant_id=tenant_id, delivery_id=delivered[0].id)
    assert attempt.response is not None
    assert attempt.response.startswith("ok\ufffd\ufffd")
    assert len(attempt.response) == 100  # truncated to OUTBOUND_RESPONSE_MAX_BYTES


async def test_paging_by_time_and_id_never_skips_deliveries_of_one_batch(
    db: Database, secret_box: SecretBox, receiver: Receiver, tenant_id: str
) -> None:
    endpoint, _ = await new_endpoint(db, secret_box, tenant_id=tenant_id, url=receiver.url("/p"))
    await deliveries.record(
        db, [row(f"msg_{n}", tenant_id, endpoint.id) for n in range(5)]
    )  # one updated_at
    seen: list[str] = []
    before = None
    while True:
        page = await deliveries.of_endpoint(
            db, tenant_id=tenant_id, endpoint_id=endpoint.id, status=None, limit=2, before=before
        )
        seen += [r.id for r in page]
        if len(page) < 2:
            break
        before = (page[-1].updated_at, page[-1].id)

    assert sorted(seen) == [f"msg_{n}" for n in range(5)]
    assert len(seen) == 5
