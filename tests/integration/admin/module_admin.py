"""One admin for a whole test module: for suites that make hundreds of requests against one setup.

The admin package's conftest deletes the admin's consumer queues after every test,
which would pull them from under an admin that outlives a test; modules using this
override that fixture and delete the queues once, when their admin stops:

    pytestmark = pytest.mark.asyncio(loop_scope="module")

    @pytest.fixture(autouse=True)
    def _admin_queues_deleted(): ...  # the module's admin deletes its queues itself
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aio_pika

from libs.broker import Topology
from services.admin.bootstrap import NAME, AdminSettings
from services.outbound.replay import delivery_queue
from tests.support.admin import AdminApi, admin_api
from tests.support.environment import TestEnvironment


async def delete_admin_queues(env: TestEnvironment) -> None:
    """The admin's work, retry and dead-letter queues of this run, gone."""
    retry_tiers = AdminSettings().retry_tiers  # what the admin read from the same environment
    names = Topology(env.broker_prefix).service(NAME, retry_tiers=retry_tiers).all_queues
    connection = await aio_pika.connect(env.amqp_url)
    async with connection:
        for name in names:
            channel = await connection.channel()
            with contextlib.suppress(Exception):
                await channel.queue_delete(name)


@asynccontextmanager
async def outbound_delivery_queue(env: TestEnvironment) -> AsyncIterator[str]:
    """outbound's delivery queue, declared (no outbound consumes it), so the admin's test sends
    and replays are confirmed; deleted with what it holds on exit."""
    name = delivery_queue(env.broker_prefix)
    connection = await aio_pika.connect(env.amqp_url)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(name)  # a leftover outbound queue has other arguments
        await channel.declare_queue(name, durable=True)
        try:
            yield name
        finally:
            await channel.queue_delete(name)


@asynccontextmanager
async def admin_for_module(env: TestEnvironment) -> AsyncIterator[AdminApi]:
    """The in-process admin API; its queues are deleted after it stops."""
    try:
        # A configured QuickBooks app, so starting a connect succeeds (it calls no provider);
        # webhook endpoints may be registered on 127.0.0.1 (nothing is delivered there).
        async with (
            outbound_delivery_queue(env),
            admin_api(
                quickbooks_client_id="isolation-qb", quickbooks_client_secret="qb-secret",
                outbound_allowed_networks="127.0.0.1/32",
            ) as api,
        ):  # fmt: skip
            yield api
    finally:
        await delete_admin_queues(env)
