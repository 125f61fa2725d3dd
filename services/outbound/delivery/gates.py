"""One gate per endpoint, so a bad endpoint holds back only its own messages.

    concurrency   at most `limit` requests in flight, and at most `limit` more waiting for
                  a slot; past that the message is deferred (back to the broker for a
                  moment, no attempt counted), so a slow endpoint never fills the prefetch
    rate limit    the endpoint's messages per second (token bucket, burst of one second);
                  a message that would wait more than `max_wait` is deferred instead
    breaker       `failures` consecutive failed attempts open it: for `cooldown` seconds
                  (doubling while probes keep failing, up to 10x) its messages go to their
                  next retry without being tried; then one probe at a time is let through
                  (half-open) and the first success closes it

Time comes from the caller (`now`, monotonic seconds), so the logic is tested without
sleeping; only `enter` awaits, for a free slot.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from enum import Enum


class Admission(Enum):
    GO = "go"  # send it (the caller must `leave` afterwards)
    DEFER = "defer"  # saturated or over its rate: put it back briefly, no attempt counted
    OPEN = "open"  # breaker open: the attempt fails without being tried


@dataclass(frozen=True)
class GatePolicy:
    concurrency: int = 32
    failures: int = 5
    cooldown: float = 30.0
    max_wait: float = 0.25


class Breaker:
    """Consecutive-failure circuit breaker; see the module docstring."""

    def __init__(self, *, failures: int, cooldown: float) -> None:
        self._threshold = failures
        self._base = cooldown
        self._cooldown = cooldown
        self._failures = 0
        self._open_until: float | None = None
        self._probing = False

    @property
    def is_open(self) -> bool:
        return self._open_until is not None

    @property
    def probing(self) -> bool:
        return self._probing

    def admit(self, now: float) -> bool:
        if self._open_until is None:
            return True
        if now < self._open_until or self._probing:
            return False
        self._probing = True  # half-open: this one is the probe
        return True

    def cancel_probe(self) -> None:
        """The admitted probe was not sent after all: the next message may probe."""
        self._probing = False

    def record(self, ok: bool, now: float) -> None:
        if ok:
            self._failures, self._open_until, self._probing = 0, None, False
            self._cooldown = self._base
            return
        self._failures += 1
        if self._probing:
            self._probing = False
            self._cooldown = min(self._cooldown * 2, self._base * 10)
            self._open_until = now + self._cooldown
        elif self._open_until is None and self._failures >= self._threshold:
            self._open_until = now + self._cooldown


class TokenBucket:
    """`rate` tokens a second, holding at most one second's worth."""

    def __init__(self, rate: float, now: float) -> None:
        self._rate = rate
        self._tokens = rate
        self._at = now

    def take(self, now: float) -> float:
        """Take a token; the seconds to wait before using it (0 when one was there)."""
        self._tokens = min(self._rate, self._tokens + (now - self._at) * self._rate)
        self._at = now
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self._rate

    def give_back(self) -> None:
        self._tokens += 1


class Gate:
    """An endpoint's concurrency slots, rate and breaker."""

    def __init__(self, policy: GatePolicy, *, rate_limit: float | None, now: float) -> None:
        self._slots = asyncio.Semaphore(policy.concurrency)
        self._limit = policy.concurrency
        self._waiting = 0
        self._max_wait = policy.max_wait
        self.breaker = Breaker(failures=policy.failures, cooldown=policy.cooldown)
        self._bucket = TokenBucket(rate_limit, now) if rate_limit else None
        self.rate_limit = rate_limit

    async def enter(self, now: float) -> tuple[Admission, float]:
        """Admission for one message and, for GO, the seconds the rate limit asks to wait."""
        if not self.breaker.admit(now):
            return Admission.OPEN, 0.0
        if self._slots.locked() and self._waiting >= self._limit:
            self.breaker.cancel_probe()
            return Admission.DEFER, 0.0
        wait = self._bucket.take(now) if self._bucket is not None else 0.0
        if wait > self._max_wait:
            assert self._bucket is not None
            self._bucket.give_back()
            self.breaker.cancel_probe()
            return Admission.DEFER, 0.0
        if self._slots.locked():
            self._waiting += 1
            try:
                await self._slots.acquire()
            finally:
                self._waiting -= 1
            if self.breaker.is_open and not self.breaker.probing:
                # it opened while this one waited for its slot: do not send it after all
                self._slots.release()
                return Admission.OPEN, 0.0
        else:
            await self._slots.acquire()
        return Admission.GO, wait

    def leave(self, *, ok: bool | None, now: float) -> None:
        """Free the slot and tell the breaker how it went (None: it was not tried after all)."""
        self._slots.release()
        if ok is None:
            self.breaker.cancel_probe()
        else:
            self.breaker.record(ok, now)


class Gates:
    """The gate of each endpoint, made on first use (and anew when its rate limit changes)."""

    def __init__(self, policy: GatePolicy) -> None:
        self._policy = policy
        self._gates: dict[str, Gate] = {}

    def of(self, endpoint_id: str, *, rate_limit: float | None, now: float) -> Gate:
        gate = self._gates.get(endpoint_id)
        if gate is None or gate.rate_limit != rate_limit:
            gate = self._gates[endpoint_id] = Gate(self._policy, rate_limit=rate_limit, now=now)
        return gate
