"""Fixtures for driving one real ingress per test module.

Starting an ingress costs a broker connection, a database pool and a credential load, so the
test modules that send hundreds of requests share one per module (their tests run in the
module's event loop: `pytestmark = pytest.mark.asyncio(loop_scope="module")`). Each test
still gets its own watch queue, so it sees only what its own requests published. A test that
changes credentials registers its own with `register_tenant`, never the module's.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
import pytest_asyncio
from aio_pika.abc import AbstractRobustChannel

from libs.broker import BrokerConnection, Exchange, Topology
from libs.crypto import SecretBox
from libs.db import Database
from services.ingress.storage import register_source, register_zoho_connection
from tests.integration.ingress.deliveries import (
    Ingress,
    Provider,
    Watch,
    ingress_running,
    providers,
    tenant_id,
)
from tests.support.environment import TestEnvironment
from tests.support.polling import eventually


@dataclass(frozen=True)
class Registered:
    """One tenant's per-tenant webhook credentials: a Zoho connection and a source."""

    tenant_id: str
    organization_id: str
    zoho_token: str
    zoho_secret: str
    source_id: str
    source_secret: str

    def endpoints(self) -> dict[str, Provider]:
        return providers(
            zoho_token=self.zoho_token,
            zoho_secret=self.zoho_secret,
            organization_id=self.organization_id,
            source_id=self.source_id,
            source_secret=self.source_secret,
        )


async def register(db: Database, box: SecretBox) -> Registered:
    """A new tenant with a Zoho connection and a source, stored (and so NOTIFYed)."""
    tenant = tenant_id()
    organization_id = f"org{tenant[-8:]}"
    zoho_secret = f"zoho-secret-{tenant}"
    token = await register_zoho_connection(
        db, box, tenant_id=tenant, organization_id=organization_id, secret=zoho_secret
    )
    source_id, source_secret = await register_source(db, box, tenant_id=tenant)
    return Registered(
        tenant_id=tenant,
        organization_id=organization_id,
        zoho_token=token,
        zoho_secret=zoho_secret,
        source_id=source_id,
        source_secret=source_secret,
    )


@pytest.fixture(scope="module")
def box(test_env: TestEnvironment) -> SecretBox:
    """The box this run's services decrypt with (the session's ENCRYPTION_KEYS)."""
    return SecretBox.from_setting(os.environ["ENCRYPTION_KEYS"])


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def database(test_env: TestEnvironment) -> AsyncIterator[Database]:
    """This run's database, for registering credentials from tests in the module's loop."""
    db = await Database.connect(test_env.database_url)
    yield db
    await db.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def registered(database: Database, box: SecretBox) -> Registered:
    """The module's tenant; tests must not deactivate or rotate it (use `register_tenant`)."""
    return await register(database, box)


@pytest.fixture(scope="module")
def endpoints(registered: Registered) -> dict[str, Provider]:
    return registered.endpoints()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def ingress(registered: Registered) -> AsyncIterator[Ingress]:
    """The module's ingress, started after its tenant exists, so its first load has them."""
    async with ingress_running() as running_ingress:
        yield running_ingress


RegisterTenant = Callable[[], Awaitable[Registered]]


@pytest_asyncio.fixture(loop_scope="module")
async def register_tenant(database: Database, box: SecretBox, ingress: Ingress) -> RegisterTenant:
    """Register a new tenant and wait until the running ingress knows its endpoints."""

    async def register_and_wait() -> Registered:
        registered = await register(database, box)
        for endpoint in (registered.endpoints()[name] for name in ("zoho", "source")):

            async def unsigned(path: str = endpoint.path) -> int:  # 404 unknown, 401 known
                return (await ingress.request("POST", path)).status

            await eventually(unsigned, until=lambda status: status == 401, within=5, what="401")
        return registered

    return register_and_wait


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def watch_channel(
    test_env: TestEnvironment, request: pytest.FixtureRequest
) -> AsyncIterator[AbstractRobustChannel]:
    connection = BrokerConnection(
        url=test_env.amqp_url, name=f"test:{request.node.nodeid}", service="test"
    )
    await connection.connect()
    channel = await connection.channel(publisher_confirms=False)
    await Topology(test_env.broker_prefix).declare_exchanges(channel)
    yield channel
    await connection.close()


@pytest_asyncio.fixture(loop_scope="module")
async def watch(
    watch_channel: AbstractRobustChannel, test_env: TestEnvironment
) -> AsyncIterator[Watch]:
    """A queue of this test's own, bound to the ingress exchange with "#"."""
    queue = await watch_channel.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(Topology(test_env.broker_prefix).exchange(Exchange.INGRESS), "#")
    yield Watch(queue)
    await queue.delete(if_unused=False, if_empty=False)
