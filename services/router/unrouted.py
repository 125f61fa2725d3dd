"""The `router.unrouted` parking queue: events for accounts nobody has connected yet.

Parked events flow on by themselves: a new route NOTIFYs `switchyard_routes`
with "<provider>:<account>", and the parking sends that account's parked events
back to the router's work queue. A sweep every `sweep_interval` catches routes
added while the router was down; `replay()` is the operator's button.
"""

from __future__ import annotations

import asyncio
import contextlib

from libs.broker import DEFAULT_EXCHANGE, BrokerConnection, OutgoingMessage, Publisher
from libs.db import Database, Notifications
from libs.events import CloudEvent, EventError
from libs.observability import get_logger
from services.router import metrics
from services.router.routing import provider_of
from services.router.storage import ROUTES_CHANNEL, routes_for

log = get_logger(__name__)

Account = tuple[str, str]  # (provider, account id)


class UnroutedParking:
    """Declares the parking queue, and replays parked events whose account now has a route."""

    def __init__(
        self,
        *,
        broker: BrokerConnection,
        publisher: Publisher,
        db: Database,
        queue: str,
        work_queue: str,
        sweep_interval: float = 60.0,
    ) -> None:
        self._broker = broker
        self._publisher = publisher
        self._db = db
        self.queue = queue
        self._work_queue = work_queue
        self._sweep_interval = sweep_interval
        self._wanted: set[Account] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._notifications = Notifications(db, channel=ROUTES_CHANNEL, on_payload=self._on_route)

    async def start(self) -> None:
        channel = await self._broker.channel(publisher_confirms=False)
        await channel.declare_queue(self.queue, durable=True, arguments={"x-queue-type": "quorum"})
        await channel.close()
        self._task = asyncio.create_task(self._run(), name="unrouted-replayer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._notifications.close()

    async def replay(self, accounts: set[Account] | None = None, *, limit: int = 10_000) -> int:
        """Send parked events back for routing: those of `accounts`, or every routable one."""
        channel = await self._broker.channel(publisher_confirms=False)
        replayed = 0
        try:
            queue = await channel.declare_queue(self.queue, passive=True, robust=False)
            for _ in range(limit):
                message = await queue.get(no_ack=False, fail=False)
                if message is None:
                    break
                if not await self._routable(message.body, accounts):
                    continue  # left unacked: back in the queue when this channel closes
                await self._publisher.send(
                    OutgoingMessage(
                        exchange=DEFAULT_EXCHANGE,
                        routing_key=self._work_queue,
                        body=message.body,
                        message_id=message.message_id or "",
                        type=message.type or "",
                    )
                )
                await message.ack()
                replayed += 1
        finally:
            await channel.close()
        if replayed:
            metrics.replayed.labels("connected" if accounts else "sweep").inc(replayed)
            log.info("unrouted_replayed", count=replayed)
        return replayed

    async def _routable(self, body: bytes, accounts: set[Account] | None) -> bool:
        try:
            event = CloudEvent.from_bytes(body)
            account = (provider_of(event), event.accountid or "")
        except (EventError, ValueError):
            return True  # not ours to judge: the router's runner parks it in its DLQ
        if accounts is not None:
            return account in accounts
        return bool(await routes_for(self._db, provider=account[0], account_id=account[1]))

    async def _run(self) -> None:
        while True:
            await self._notifications.ensure()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._sweep_interval)
            self._wake.clear()
            wanted, self._wanted = self._wanted, set()
            try:
                await self.replay(wanted or None)
            except Exception as exc:  # broker or DB down: the next wake or sweep tries again
                self._wanted |= wanted
                log.warning("unrouted_replay_failed", error=f"{type(exc).__name__}: {exc}")

    def _on_route(self, payload: str) -> None:
        provider, _, account = payload.partition(":")
        self._wanted.add((provider, account))
        self._wake.set()
