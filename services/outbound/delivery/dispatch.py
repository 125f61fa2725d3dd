"""One attempt of one delivery, end to end, and where its message goes next. Never acks.

    endpoint deleted            Done (dropped: its deliveries went with it), counted
    endpoint disabled           Done, logged as failed and not tried; replayable once enabled
    gate says DEFER             Defer: back to the broker for a moment, no attempt counted
    gate says OPEN              a failed attempt, not tried (breaker open)
    otherwise                   POSTed (sender.py)
    then                        2xx -> Done (delivered); 410 -> Done, endpoint disabled;
                                else Retry(tier, delay) on the schedule, or Done (failed) when spent

The attempt is committed (group commit, with the delivery's new state) before `dispatch`
returns, so whoever settles the message afterwards never loses an attempt from the log.
Both the fan-out (a delivery's first attempt, sent inline) and the delivery worker (retries,
replays, deferred ones) call it; they share one set of gates, so an endpoint's limits hold
across both.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from libs.db import GroupCommit
from services.outbound import metrics
from services.outbound.delivery.gates import Admission, Gates
from services.outbound.delivery.messages import Delivery
from services.outbound.delivery.schedule import Retry, next_retry
from services.outbound.delivery.sender import Outcome, Sender, not_tried
from services.outbound.endpoints import Directory, Endpoint
from services.outbound.health import Health
from services.outbound.storage.deliveries import DELIVERED, FAILED, PENDING, AttemptRow


@dataclass(frozen=True)
class Done:
    """Settled for good: delivered, failed past its retries, or nothing to deliver to."""


@dataclass(frozen=True)
class Defer:
    """Not tried: the endpoint is saturated or over its rate; back after a short pause."""


@dataclass(frozen=True)
class RetryLater:
    """Failed; try again on `retry` (tier and delay). `error` says why, for the headers."""

    retry: Retry
    error: str


Settled = Done | Defer | RetryLater
DONE, DEFER = Done(), Defer()


class Dispatcher:
    def __init__(
        self,
        *,
        directory: Directory,
        sender: Sender,
        health: Health,
        attempts: GroupCommit[AttemptRow, None],
        gates: Gates,
        tiers: Sequence[float],
        jitter: float,
    ) -> None:
        self._directory = directory
        self._sender = sender
        self._health = health
        self._attempts = attempts
        self._gates = gates
        self._tiers = tuple(tiers)
        self._jitter = jitter

    async def dispatch(
        self, delivery: Delivery, body: bytes, endpoint: Endpoint | None = None
    ) -> Settled:
        """One attempt; `endpoint` when the caller just looked it up (else it is looked up)."""
        if endpoint is None:
            endpoint = await self._directory.get(delivery.tenant_id, delivery.endpoint_id)
        if endpoint is None:
            metrics.DROPPED.inc()
            return DONE
        if not endpoint.row.enabled:
            outcome = not_tried(f"the endpoint is disabled ({endpoint.row.disabled_reason})")
            return await self._settle(delivery, body, endpoint, outcome)
        now = time.monotonic()
        gate = self._gates.of(endpoint.id, rate_limit=endpoint.row.rate_limit_per_s, now=now)
        admission, pause = await gate.enter(now)
        if admission is Admission.DEFER:
            metrics.DEFERRED.inc()
            return DEFER
        if admission is Admission.OPEN:
            outcome = not_tried("circuit open: the endpoint keeps failing, not tried")
        else:
            try:
                if pause > 0:
                    await asyncio.sleep(pause)  # the endpoint's rate limit paces it (≤ max_wait)
                outcome = await self._sender.send(endpoint, delivery, body)
            except BaseException:  # cancelled (shutdown): free the slot, judge nothing
                gate.leave(ok=None, now=time.monotonic())
                raise
            gate.leave(ok=outcome.delivered, now=time.monotonic())
            metrics.attempt_duration.observe(outcome.duration_ms / 1000)
        return await self._settle(delivery, body, endpoint, outcome)

    async def _settle(
        self, delivery: Delivery, body: bytes, endpoint: Endpoint, outcome: Outcome
    ) -> Settled:
        retry = self._retry(delivery, outcome) if endpoint.row.enabled else None
        now = datetime.now(UTC)
        next_at = now + timedelta(seconds=retry.delay) if retry is not None else None
        state = DELIVERED if outcome.delivered else PENDING if retry is not None else FAILED
        await self._attempts.submit(_attempt_row(delivery, body, outcome, state, next_at))
        await self._update_health(endpoint, delivery, outcome, now)
        if retry is None:
            return DONE
        return RetryLater(retry, outcome.error or f"HTTP {outcome.status}")

    def _retry(self, delivery: Delivery, outcome: Outcome) -> Retry | None:
        if outcome.delivered or outcome.gone:
            return None
        return next_retry(
            failures=delivery.attempt + 1, tiers=self._tiers, jitter=self._jitter,
            retry_after=outcome.retry_after,
        )  # fmt: skip

    async def _update_health(
        self, endpoint: Endpoint, delivery: Delivery, outcome: Outcome, now: datetime
    ) -> None:
        if outcome.delivered:
            metrics.DELIVERED.inc()
            metrics.latency.observe(max(0.0, time.time() - delivery.queued_at))
            await self._health.succeeded(endpoint)
        elif outcome.gone:
            metrics.GONE.inc()
            await self._health.disable(endpoint, reason="the endpoint answered 410 Gone")
        else:
            tried = outcome.status is not None or outcome.duration_ms > 0
            (metrics.FAILED if tried else metrics.NOT_TRIED).inc()
            if endpoint.row.enabled:
                await self._health.failed(endpoint, now=now)


def _attempt_row(
    delivery: Delivery, body: bytes, outcome: Outcome, state: str, next_at: datetime | None
) -> AttemptRow:
    return AttemptRow(
        delivery_id=delivery.id, tenant_id=delivery.tenant_id, endpoint_id=delivery.endpoint_id,
        event_id=delivery.event_id, event_type=delivery.event_type, payload=body,
        attempt=delivery.attempt + 1, trigger=delivery.trigger,
        started_at=datetime.fromtimestamp(outcome.started_at, UTC), duration_ms=outcome.duration_ms,
        status_code=outcome.status, response=outcome.response, error=outcome.error,
        state=state, next_attempt_at=next_at,
    )  # fmt: skip
