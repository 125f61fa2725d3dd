from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Sequence

import pytest
from aio_pika.abc import AbstractRobustChannel

from libs.broker import BrokerConnection, Topology
from tests.support.outbound import Receiver, outbound_queues, receiving


@pytest.fixture
def tenant_id() -> str:
    return f"t_{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with receiving() as running:
        yield running


@pytest.fixture(autouse=True)
def _outbound_queues_deleted(
    topology: Topology, delete_queues_after: Callable[[Sequence[str]], None]
) -> None:
    delete_queues_after(outbound_queues(topology))


@pytest.fixture
async def broker_channel(broker: BrokerConnection) -> AsyncIterator[AbstractRobustChannel]:
    channel = await broker.channel()
    yield channel
    await channel.close()
