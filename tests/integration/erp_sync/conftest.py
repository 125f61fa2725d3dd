from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from libs.broker import DeadLetters
from services.erp_sync.bootstrap import NAME
from tests.support.erp import ErpStack, erp_stack


@pytest.fixture
async def erp_queues(topology, delete_queues_after):
    queues = topology.service(NAME, retry_tiers=(0.1, 0.3, 0.6))
    admin = topology.service("admin", retry_tiers=(1, 10, 60, 600, 3600))
    delete_queues_after([*queues.all_queues, *admin.all_queues])
    return queues


@pytest.fixture
async def dead_letters(broker, publisher, erp_queues) -> DeadLetters:
    """erp_sync's DLQ, as the admin's ops endpoints read it."""
    return DeadLetters(connection=broker, publisher=publisher, queues=erp_queues)


@pytest.fixture
async def stack(broker, topology, db, erp_queues) -> AsyncIterator[ErpStack]:
    channel = await broker.channel()
    async with erp_stack(channel, topology, db) as running_stack:
        yield running_stack
    await channel.close()
