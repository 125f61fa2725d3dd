from __future__ import annotations

import asyncio

import pytest

from services.outbound.delivery.gates import Admission, Breaker, Gate, GatePolicy, TokenBucket


def test_the_breaker_opens_after_consecutive_failures_and_a_success_closes_it() -> None:
    breaker = Breaker(failures=3, cooldown=30)
    for _ in range(2):
        breaker.record(False, 0)
    assert breaker.admit(1)
    breaker.record(True, 1)  # a success resets the count
    for _ in range(3):
        breaker.record(False, 2)
    assert not breaker.admit(3)
    assert not breaker.admit(31)
    assert breaker.admit(32)  # half-open: one probe
    assert not breaker.admit(32)  # and only one
    breaker.record(True, 33)
    assert breaker.admit(33)
    assert not breaker.is_open


def test_a_failed_probe_reopens_with_a_doubled_cooldown_up_to_ten_times() -> None:
    breaker = Breaker(failures=1, cooldown=10)
    breaker.record(False, 0)
    now = 0.0
    waits = []
    for _ in range(6):
        opened_at = now
        while not breaker.admit(now):
            now += 1
        waits.append(now - opened_at)
        breaker.record(False, now)
    assert waits == [10, 20, 40, 80, 100, 100]


def test_the_token_bucket_allows_a_second_of_burst_then_the_rate() -> None:
    bucket = TokenBucket(5, now=0)
    assert [bucket.take(0) for _ in range(5)] == [0, 0, 0, 0, 0]
    assert bucket.take(0) == 0.2
    assert bucket.take(0.2) == 0.2


async def test_a_saturated_endpoint_defers_beyond_its_limit_of_waiters() -> None:
    gate = Gate(GatePolicy(concurrency=2), rate_limit=None, now=0)
    assert (await gate.enter(0))[0] is Admission.GO
    assert (await gate.enter(0))[0] is Admission.GO
    waiters = [asyncio.ensure_future(gate.enter(0)) for _ in range(2)]
    await asyncio.sleep(0)  # let them queue on the slots
    assert (await gate.enter(0))[0] is Admission.DEFER  # two in flight, two waiting
    gate.leave(ok=True, now=0)
    gate.leave(ok=True, now=0)
    assert [(await w)[0] for w in waiters] == [Admission.GO, Admission.GO]


async def test_a_message_that_waited_while_the_breaker_opened_is_not_sent() -> None:
    gate = Gate(GatePolicy(concurrency=1, failures=1, cooldown=60), rate_limit=None, now=0)
    assert (await gate.enter(0))[0] is Admission.GO
    waiting = asyncio.ensure_future(gate.enter(0))
    await asyncio.sleep(0)
    gate.leave(ok=False, now=0)  # the one in flight failed: the breaker opens
    assert (await waiting)[0] is Admission.OPEN


async def test_over_its_rate_a_message_is_deferred_rather_than_held() -> None:
    gate = Gate(GatePolicy(concurrency=10, max_wait=0.25), rate_limit=2, now=0)
    assert await gate.enter(0) == (Admission.GO, 0.0)
    assert await gate.enter(0) == (Admission.GO, 0.0)
    assert (await gate.enter(0))[0] is Admission.DEFER  # would wait 0.5 s
    admission, wait = await gate.enter(0.4)  # 0.8 of a token back: wait 0.1 s
    assert admission is Admission.GO
    assert wait == pytest.approx(0.1)
