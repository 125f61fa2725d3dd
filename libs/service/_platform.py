from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field

from libs.broker import BrokerConnection, BrokerUnavailable, Publisher, Topology
from libs.config import ServiceSettings
from libs.crypto import SecretBox
from libs.db import Database, DatabaseUnavailable


class StartupError(Exception):
    """A dependency needed at start is unreachable; the message says which, where, and what to do."""


@dataclass(frozen=True)
class Platform:
    """The shared ports every service gets: broker, publisher, topology names, database.

    A service that opens no broker (`uses_broker=False`, e.g. the sandbox) has none:
    asking for `broker` or `publisher` then raises `StartupError` naming the service, so
    a bootstrap that needs them fails at start, not on its first publish.
    """

    service: str
    settings: ServiceSettings
    topology: Topology
    db: Database | None
    broker_connection: BrokerConnection | None = field(default=None, repr=False)
    broker_publisher: Publisher | None = field(default=None, repr=False)

    @property
    def uses_broker(self) -> bool:
        """True when the platform holds a broker connection and a publisher."""
        return self.broker_connection is not None

    @property
    def broker(self) -> BrokerConnection:
        """The broker connection; `StartupError` when this service opened none."""
        if self.broker_connection is None:
            raise StartupError(f"{self.service} was started without a broker (uses_broker=False)")
        return self.broker_connection

    @property
    def publisher(self) -> Publisher:
        """The confirmed publisher; `StartupError` when this service opened no broker."""
        if self.broker_publisher is None:
            raise StartupError(f"{self.service} was started without a broker (uses_broker=False)")
        return self.broker_publisher

    @property
    def database(self) -> Database:
        """The database pool; `StartupError` when this service opened none."""
        if self.db is None:
            raise StartupError(
                f"{self.service} was started without a database (uses_database=False)"
            )
        return self.db

    def secret_box(self, *, needed_for: str) -> SecretBox:
        """The box ENCRYPTION_KEYS opens; `StartupError` saying what needs it when unset."""
        keys = self.settings.encryption_keys
        if keys is None:
            raise StartupError(f"ENCRYPTION_KEYS is required: {needed_for}")
        return SecretBox.from_setting(keys.get_secret_value())


@asynccontextmanager
async def open_platform(
    settings: ServiceSettings,
    *,
    service: str,
    uses_database: bool = True,
    uses_broker: bool = True,
) -> AsyncIterator[Platform]:
    """Connect broker and database, declare the exchanges, open the publisher; close in reverse.

    `uses_broker=False` / `uses_database=False` skip that dependency entirely: nothing is
    connected, and the platform's `broker`/`publisher` (or `db`) are absent.
    """
    async with AsyncExitStack() as stack:
        topology = Topology(settings.broker_prefix)
        broker: BrokerConnection | None = None
        publisher: Publisher | None = None
        if uses_broker:
            broker, publisher = await _open_broker(stack, settings, service, topology)
        db: Database | None = None
        if uses_database:
            try:
                db = await Database.connect(str(settings.database_url))
            except DatabaseUnavailable as exc:
                raise StartupError(
                    f"{exc}. Start it (`pg_ctlcluster 15 main start`, or `make up`), "
                    "set DATABASE_URL, and run `make migrate`."
                ) from exc
            stack.push_async_callback(db.close)
        yield Platform(
            service=service,
            settings=settings,
            topology=topology,
            db=db,
            broker_connection=broker,
            broker_publisher=publisher,
        )


async def _open_broker(
    stack: AsyncExitStack, settings: ServiceSettings, service: str, topology: Topology
) -> tuple[BrokerConnection, Publisher]:
    broker = BrokerConnection(
        url=str(settings.amqp_url),
        name=f"{service}@{socket.gethostname()}:{os.getpid()}",
        service=service,
    )
    try:
        await broker.connect()
    except BrokerUnavailable as exc:
        raise StartupError(
            f"{exc}. Start it (`rabbitmq-server -detached`, or `make up`) or set AMQP_URL."
        ) from exc
    stack.push_async_callback(broker.close)
    channel = await broker.channel(publisher_confirms=False)
    await topology.declare_exchanges(channel)
    await channel.close()
    publisher = Publisher(connection=broker, service=service)
    await publisher.start()
    stack.push_async_callback(publisher.close)
    return broker, publisher
