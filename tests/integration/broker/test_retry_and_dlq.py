"""The runner owns the message: retry tiers in order, then the DLQ; permanent errors straight there."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict
from typing import Any

from libs.broker import (
    ATTEMPT,
    ERROR,
    ERROR_KIND,
    DeadLetters,
    Exchange,
    PermanentError,
    RetryableError,
    Subscription,
)
from libs.events import CloudEvent
from tests.support.events import get_all, make_event, queue_depth
from tests.support.polling import eventually

TIERS = (0.05, 0.1, 0.2)


class Recorder:
    """Remembers every handler call: (event id, monotonic time)."""

    def __init__(self) -> None:
        self.calls: dict[str, list[float]] = defaultdict(list)
        self.changed = asyncio.Event()

    def record(self, event: CloudEvent) -> None:
        self.calls[event.id].append(time.monotonic())
        self.changed.set()


async def test_retryable_failure_walks_every_tier_in_order_then_parks_with_error_and_attempts(
    start_consumer, publisher, topology, broker
):
    recorder = Recorder()

    async def always_fails(event: CloudEvent, deps: Any) -> None:
        recorder.record(event)
        raise RetryableError("upstream timed out")

    consumer = await start_consumer(
        [Subscription(Exchange.EVENTS, "test.retry.happened", always_fails)], retry_tiers=TIERS
    )
    event = make_event("test.retry.happened")
    await publisher.publish(event, exchange=topology.exchange(Exchange.EVENTS))

    parked = await eventually(
        lambda: get_all(broker, consumer.queues.dlq), until=lambda m: len(m) == 1, what="DLQ entry"
    )
    calls = recorder.calls[event.id]
    assert len(calls) == 1 + len(TIERS)  # first delivery + one per tier
    gaps = [later - earlier for earlier, later in itertools.pairwise(calls)]
    for gap, tier_delay in zip(gaps, TIERS, strict=True):
        assert gap >= tier_delay * 0.9, (gaps, TIERS)  # each hop waited at least its tier's TTL
    headers = parked[0].headers
    assert headers[ATTEMPT] == len(TIERS) + 1
    assert headers[ERROR_KIND] == "exhausted"
    assert headers[ERROR] == "RetryableError: upstream timed out"
    assert parked[0].message_id == event.id
    assert CloudEvent.from_bytes(parked[0].body) == event


async def test_retry_after_longer_than_the_tier_skips_to_a_tier_at_least_that_long(
    start_consumer, publisher, topology, broker
):
    recorder = Recorder()

    async def rate_limited_once(event: CloudEvent, deps: Any) -> None:
        recorder.record(event)
        if len(recorder.calls[event.id]) == 1:
            raise RetryableError("429", retry_after=0.3)

    await start_consumer(
        [Subscription(Exchange.EVENTS, "test.limited.happened", rate_limited_once)],
        retry_tiers=(0.02, 0.05, 0.4),
    )
    event = make_event("test.limited.happened")
    await publisher.publish(event, exchange=topology.exchange(Exchange.EVENTS))
    await eventually(
        lambda: _count(recorder, event.id), until=lambda n: n == 2, what="second attempt"
    )
    first, second = recorder.calls[event.id]
    assert second - first >= 0.3 * 0.9


async def test_permanent_error_goes_straight_to_the_dlq_without_retrying(
    start_consumer, publisher, topology, broker
):
    recorder = Recorder()

    async def rejects(event: CloudEvent, deps: Any) -> None:
        recorder.record(event)
        raise PermanentError("TIN must be 10 digits")

    consumer = await start_consumer([Subscription(Exchange.EVENTS, "test.bad.happened", rejects)])
    event = make_event("test.bad.happened")
    await publisher.publish(event, exchange=topology.exchange(Exchange.EVENTS))

    parked = await eventually(
        lambda: get_all(broker, consumer.queues.dlq), until=lambda m: len(m) == 1, what="DLQ entry"
    )
    assert len(recorder.calls[event.id]) == 1
    assert parked[0].headers[ERROR_KIND] == "permanent"
    assert parked[0].headers[ATTEMPT] == 0
    assert parked[0].headers[ERROR] == "PermanentError: TIN must be 10 digits"


async def test_unexpected_exception_is_retried_not_swallowed(start_consumer, publisher, topology):
    recorder = Recorder()

    async def crashes_once(event: CloudEvent, deps: Any) -> None:
        recorder.record(event)
        if len(recorder.calls[event.id]) == 1:
            raise KeyError("bug that a redeploy fixes")

    await start_consumer([Subscription(Exchange.EVENTS, "test.flaky.happened", crashes_once)])
    event = make_event("test.flaky.happened")
    await publisher.publish(event, exchange=topology.exchange(Exchange.EVENTS))
    await eventually(lambda: _count(recorder, event.id), until=lambda n: n == 2, what="retry")


async def test_invalid_payload_is_parked_as_invalid(start_consumer, publisher, topology, broker):
    from libs.broker import OutgoingMessage

    async def never(event: CloudEvent, deps: Any) -> None:
        raise AssertionError("must not be called with an invalid event")

    consumer = await start_consumer([Subscription(Exchange.EVENTS, "test.invalid.happened", never)])
    await publisher.send(
        OutgoingMessage(
            exchange=topology.exchange(Exchange.EVENTS),
            routing_key="test.invalid.happened",
            body=b'{"specversion": "1.0", "type": "test.invalid.happened"}',
            message_id="not-an-event",
            type="test.invalid.happened",
        )
    )
    parked = await eventually(
        lambda: get_all(broker, consumer.queues.dlq), until=lambda m: len(m) == 1, what="DLQ entry"
    )
    assert parked[0].headers[ERROR_KIND] == "invalid"
    assert "source" in str(parked[0].headers[ERROR])


async def test_parked_message_replayed_after_the_fix_is_processed_exactly_once(
    start_consumer, publisher, topology, broker
):
    fixed = False
    processed: list[str] = []

    async def fails_until_fixed(event: CloudEvent, deps: Any) -> None:
        if not fixed:
            raise PermanentError("missing EFRIS item mapping")
        processed.append(event.id)

    consumer = await start_consumer(
        [Subscription(Exchange.EVENTS, "test.replay.happened", fails_until_fixed)]
    )
    event = make_event("test.replay.happened")
    await publisher.publish(event, exchange=topology.exchange(Exchange.EVENTS))
    dead = DeadLetters(connection=broker, publisher=publisher, queues=consumer.queues)
    listed = await eventually(dead.list, until=lambda d: len(d) == 1, what="parked")
    assert listed[0].message_id == event.id
    assert listed[0].kind == "permanent"
    await eventually(  # listing left it in place (the broker requeues it as the channel closes)
        lambda: queue_depth(broker, consumer.queues.dlq), until=lambda n: n == 1
    )

    fixed = True
    assert await dead.replay(message_id=event.id) == 1
    await eventually(lambda: _value(len(processed)), until=lambda n: n == 1, what="replayed")
    assert processed == [event.id]
    assert await queue_depth(broker, consumer.queues.dlq) == 0


async def _count(recorder: Recorder, event_id: str) -> int:
    return len(recorder.calls[event_id])


async def _value(value: int) -> int:
    return value


async def test_handler_past_its_timeout_is_stopped_and_retried(start_consumer, publisher, topology):
    recorder = Recorder()
    release = asyncio.Event()

    async def hangs_first_time(event: CloudEvent, deps: Any) -> None:
        recorder.record(event)
        if len(recorder.calls[event.id]) == 1:
            await release.wait()  # never set: only the runner's deadline can end this run

    await start_consumer(
        [Subscription(Exchange.EVENTS, "test.slow.happened", hangs_first_time, timeout=0.2)]
    )
    event = make_event("test.slow.happened")
    await publisher.publish(event, exchange=topology.exchange(Exchange.EVENTS))
    await eventually(lambda: _count(recorder, event.id), until=lambda n: n == 2, what="retry")
    assert not release.is_set()
