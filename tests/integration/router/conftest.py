"""The router's fixtures: the service running on this test's queues, what reaches tenants."""

from __future__ import annotations

import pytest

from libs.events import CloudEvent
from services.router.bootstrap import NAME, SPEC
from tests.support.running import running


def ingress_event(
    provider: str, account: str, entity_id: str, *, dedupe: str | None = None
) -> CloudEvent:
    return CloudEvent(
        source=f"/providers/{provider}",
        type=f"{provider}.invoice.created",
        subject=f"invoice/{entity_id}",
        accountid=account,
        dedupekey=dedupe or f"{provider}:{account}:invoice:{entity_id}:create",
        data={"id": entity_id},
    )


@pytest.fixture
async def router(topology, delete_queues_after):
    queues = topology.service(NAME, retry_tiers=(1, 10, 60, 600, 3600))
    delete_queues_after([*queues.all_queues, f"{topology.prefix}.{NAME}.unrouted"])
    async with running(SPEC, unrouted_sweep_s=30) as health:
        yield health
