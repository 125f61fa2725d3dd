"""Proof that a service's work queue still has its consumer, and queue depth sampling.

aio-pika restores consumers after a reconnect, but known bugs (aio-pika #231,
#334: a broker-side `basic.cancel` is never recovered) can leave a process
connected yet consuming nothing. Every `interval` the watchdog asks the broker
(passive declare) for the work queue's consumer count and the depth of every
queue. When this process is not attached, or the broker reports no consumer
twice in a row, it re-attaches the consumer; `healthy` goes False while that
fails, which `/readyz` reports so an orchestrator can restart the process.
"""

from __future__ import annotations

import asyncio
import contextlib

from aio_pika.abc import AbstractRobustChannel

from libs.broker._headers import describe
from libs.broker.connection import BrokerConnection
from libs.broker.consumer import QueueConsumer
from libs.broker.topology import inspect_queue
from libs.observability import get_logger, metrics

log = get_logger(__name__)


class ConsumerWatchdog:
    """Periodic check-and-repair of one consumer; see the module docstring."""

    def __init__(
        self, *, connection: BrokerConnection, consumer: QueueConsumer, interval: float = 5.0
    ) -> None:
        self._connection = connection
        self._consumer = consumer
        self._interval = interval
        self._channel: AbstractRobustChannel | None = None
        self._task: asyncio.Task[None] | None = None
        self._misses = 0
        self.healthy = True
        self.checks = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"watchdog:{self._consumer.service}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._channel is not None and not self._channel.is_closed:
            with contextlib.suppress(Exception):
                await self._channel.close()

    async def check(self) -> bool:
        """Readiness probe: the last check found the consumer attached."""
        return self.healthy

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)  # a periodic timer, not a wait for an effect
            try:
                await self.check_once()
            except Exception as exc:  # broker unreachable right now: not healthy, try next round
                self.healthy = False
                log.warning("watchdog_check_failed", error=describe(exc))

    async def check_once(self) -> None:
        """One round: sample depths, confirm the consumer, re-attach it if it is gone."""
        self.checks += 1
        consumers = await self._sample_depths()
        if self._consumer.attached and consumers > 0:
            self._misses = 0
            self.healthy = True
            return
        self._misses += 1
        if self._consumer.attached and self._misses < 2:
            return  # one empty reading can be a reconnect in progress
        log.warning("watchdog_consumer_missing", attached=self._consumer.attached)
        with contextlib.suppress(Exception):
            await self._consumer.detach()
        await self._consumer.attach()
        metrics.consumer_restarts.labels(self._consumer.service).inc()
        self._misses = 0
        self.healthy = True

    async def _sample_depths(self) -> int:
        if self._channel is None or self._channel.is_closed:
            self._channel = await self._connection.channel(publisher_confirms=False)
        queues = self._consumer.queues
        service = queues.service
        work_consumers = 0
        roles = {queues.work_queue: "work", queues.dlq: "dlq"}
        for tier in range(1, len(queues.retry_tiers) + 1):
            roles[queues.retry_queue(tier)] = f"retry.{tier}"
        for name, role in roles.items():
            state = await inspect_queue(self._channel, name)
            metrics.queue_depth.labels(service, role).set(state.messages)
            if role == "work":
                work_consumers = state.consumers
        return work_consumers
