"""A real service built on libs.service, run as a subprocess by the chaos and lifecycle tests.

    PROBE_NAME=svc123 PROBE_MODE=hang_after_commit python -m tests.support.probe_service

It consumes `probe.effect.requested` and, in one transaction, marks the event
in the inbox, writes one `probe_effects` row and enqueues `probe.effect.recorded`
in the outbox (relayed by the runtime). Every run is logged to `probe_runs`
first, outside that transaction. PROBE_MODE makes it hang forever before or
after the commit (for SIGKILL tests) or work for PROBE_WORK_SECONDS (for
graceful-shutdown tests).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from libs.broker import Exchange, Subscription
from libs.config import ServiceSettings
from libs.db import Database, inbox, outbox
from libs.events import CloudEvent
from libs.service import Platform, ServiceSpec, main

REQUESTED = "probe.effect.requested"
RECORDED = "probe.effect.recorded"

SCHEMA = """
CREATE TABLE IF NOT EXISTS probe_runs (event_id text NOT NULL, service text NOT NULL,
    pid int NOT NULL, at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS probe_effects (event_id text NOT NULL, service text NOT NULL);
"""


class ProbeSettings(ServiceSettings):
    probe_mode: str = "normal"  # normal | hang_before_commit | hang_after_commit | slow
    probe_work_seconds: float = 0.0


@dataclass(frozen=True)
class ProbeDeps:
    name: str
    db: Database
    events_exchange: str
    mode: str
    work_seconds: float


async def record_effect(event: CloudEvent, deps: ProbeDeps) -> None:
    await deps.db.pool.execute(
        "INSERT INTO probe_runs (event_id, service, pid) VALUES ($1, $2, $3)",
        event.id,
        deps.name,
        os.getpid(),
    )
    if deps.mode == "hang_before_commit":
        await asyncio.Event().wait()
    if deps.mode == "slow":
        await asyncio.sleep(deps.work_seconds)  # simulated work, so shutdown has something to drain
    async with deps.db.transaction() as tx:
        if not await inbox.mark_seen(tx, consumer=deps.name, event_id=event.id):
            return
        await tx.execute(
            "INSERT INTO probe_effects (event_id, service) VALUES ($1, $2)", event.id, deps.name
        )
        recorded = CloudEvent(
            source="/services/probe", type=RECORDED, subject=event.subject, data={"of": event.id}
        )
        await outbox.enqueue(tx, service=deps.name, event=recorded, exchange=deps.events_exchange)
    if deps.mode == "hang_after_commit":
        await asyncio.Event().wait()


def make_spec(name: str) -> ServiceSpec[ProbeSettings, ProbeDeps]:
    @asynccontextmanager
    async def bootstrap(settings: ProbeSettings, platform: Platform) -> AsyncIterator[ProbeDeps]:
        assert platform.db is not None
        await platform.db.pool.execute(SCHEMA)
        yield ProbeDeps(
            name=name,
            db=platform.db,
            events_exchange=platform.topology.exchange(Exchange.EVENTS),
            mode=settings.probe_mode,
            work_seconds=settings.probe_work_seconds,
        )

    def subscriptions(deps: ProbeDeps) -> Sequence[Subscription[Any, ProbeDeps]]:
        return [Subscription(Exchange.EVENTS, REQUESTED, record_effect)]

    return ServiceSpec(
        name=name,
        settings=ProbeSettings,
        bootstrap=bootstrap,
        subscriptions=subscriptions,
        relays_outbox=True,
        watchdog_interval=0.5,
    )


if __name__ == "__main__":
    main(make_spec(os.environ.get("PROBE_NAME", "probe")))
