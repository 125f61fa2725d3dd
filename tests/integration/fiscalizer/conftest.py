from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from libs.broker import DeadLetters
from services.erp_sync.bootstrap import NAME as ERP_SYNC
from services.fiscalizer.bootstrap import NAME as FISCALIZER
from tests.support.erp import ErpStack, erp_stack


@pytest.fixture
async def fiscal_queues(topology, delete_queues_after):
    tiers = (0.1, 0.3, 0.6)
    queues = topology.service(FISCALIZER, retry_tiers=tiers)
    others = [topology.service(ERP_SYNC, retry_tiers=tiers),
              topology.service("admin", retry_tiers=(1, 10, 60, 600, 3600))]  # fmt: skip
    delete_queues_after([*queues.all_queues, *(q for s in others for q in s.all_queues)])
    return queues


@pytest.fixture
async def fiscal_dead_letters(broker, publisher, fiscal_queues) -> DeadLetters:
    return DeadLetters(connection=broker, publisher=publisher, queues=fiscal_queues)


@pytest.fixture
async def stack(broker, topology, db, fiscal_queues) -> AsyncIterator[ErpStack]:
    channel = await broker.channel()
    async with erp_stack(channel, topology, db, fiscalizer=True) as running_stack:
        yield running_stack
    await channel.close()
