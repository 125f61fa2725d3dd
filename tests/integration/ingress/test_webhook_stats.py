"""Webhook health is written to `webhook_stats`: every request counted once, a DB outage costs nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import asyncpg
import pytest
from yarl import URL

from libs.db import Database
from services.ingress.stats import WebhookStats
from services.ingress.storage import ProviderHealth, webhook_health
from tests.support.polling import eventually
from tests.support.tcp_proxy import TcpProxy
from tests.support.webhook_traffic import ingress_traffic


def today() -> date:
    return datetime.now(UTC).date()


async def health_of(db: Database, provider: str) -> ProviderHealth:
    """The provider's row for today, or zeros when it never sent anything."""
    rows = {row.provider: row for row in await webhook_health(db, day=today())}
    empty = ProviderHealth(provider, None, None, requests=0, events=0, accepted=0, rejections={})
    return rows.get(provider, empty)


def added(before: ProviderHealth, after: ProviderHealth) -> dict[str, object]:
    reasons = set(before.rejections) | set(after.rejections)
    return {
        "requests": after.requests - before.requests,
        "events": after.events - before.events,
        "accepted": after.accepted - before.accepted,
        "rejections": {
            reason: after.rejections.get(reason, 0) - before.rejections.get(reason, 0)
            for reason in reasons
            if after.rejections.get(reason, 0) != before.rejections.get(reason, 0)
        },
    }


@pytest.fixture
async def postgres_proxy():
    proxy = TcpProxy(upstream_port=5432)
    await proxy.start()
    yield proxy
    await proxy.close()


def through(proxy: TcpProxy, database_url: str) -> str:
    return str(URL(database_url).with_host("127.0.0.1").with_port(proxy.port))


async def test_accepted_and_refused_webhooks_are_counted_per_provider_and_reason(
    broker, topology, db
):
    before = await health_of(db, "quickbooks")
    async with ingress_traffic(broker, topology) as traffic:
        assert await traffic.accepted(events=2) == 200
        assert await traffic.accepted(events=1) == 200
        assert await traffic.wrongly_signed() == 401
        assert await traffic.not_json() == 400
        after = await eventually(
            lambda: health_of(db, "quickbooks"),
            until=lambda now: now.requests - before.requests == 4,
            what="the four requests in webhook_stats",
        )
    assert added(before, after) == {
        "requests": 4,
        "events": 3,
        "accepted": 2,
        "rejections": {"invalid_signature": 1, "invalid_body": 1},
    }
    assert after.last_received_at is not None
    assert before.last_received_at is None or after.last_received_at > before.last_received_at
    assert await health_of(db, "quickbooks") == after  # stopping flushed nothing twice


async def test_webhooks_are_answered_while_the_database_is_down_and_counted_once_it_is_back(
    broker, topology, db, test_env, postgres_proxy
):
    before = await health_of(db, "quickbooks")
    database_url = through(postgres_proxy, test_env.database_url)
    async with ingress_traffic(broker, topology, database_url=database_url) as traffic:
        await postgres_proxy.cut()
        assert await traffic.accepted(events=2) == 200
        assert await traffic.wrongly_signed() == 401
        postgres_proxy.restore()
        after = await eventually(
            lambda: health_of(db, "quickbooks"),
            until=lambda now: now.requests - before.requests == 2,
            what="the counts written once the database is back",
        )
    assert added(before, after) == {
        "requests": 2,
        "events": 2,
        "accepted": 1,
        "rejections": {"invalid_signature": 1},
    }
    assert await health_of(db, "quickbooks") == after


async def test_a_failed_flush_keeps_the_counts_for_the_next_one_which_adds_them_once(
    db, test_env, postgres_proxy
):
    provider = f"test{uuid.uuid4().hex[:8]}"
    proxied = await Database.connect(through(postgres_proxy, test_env.database_url))
    stats = WebhookStats(db=proxied, interval=3600)  # flushed by hand here
    try:
        stats.accepted(provider, events=3)
        stats.refused(provider, "too_large")
        await postgres_proxy.cut()
        with pytest.raises((OSError, asyncpg.PostgresError)):  # whichever the cut gives
            await stats.flush()
        stats.accepted(provider, events=1)  # counted while the database is away
        assert stats.pending == 3
        postgres_proxy.restore()
        assert await stats.flush() == 3
        assert stats.pending == 0
        assert await stats.flush() == 0
    finally:
        await proxied.close()
    health = await health_of(db, provider)
    assert (health.requests, health.events, health.accepted) == (3, 4, 2)
    assert health.rejections == {"too_large": 1}


async def test_stopping_flushes_what_was_counted_since_the_last_flush(db):
    provider = f"test{uuid.uuid4().hex[:8]}"
    stats = WebhookStats(db=db, interval=3600)  # no periodic flush before the stop
    stats.start()
    stats.accepted(provider, events=5)
    stats.refused(provider, "invalid_signature")
    stats.refused(provider, "invalid_signature")
    await stats.stop()
    health = await health_of(db, provider)
    assert (health.requests, health.events, health.accepted) == (3, 5, 1)
    assert health.rejections == {"invalid_signature": 2}
    assert health.last_received_at is not None
    assert health.last_rejected_at is not None
