from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from libs.broker import BrokerConnection, BrokerUnavailable, Publisher, Topology
from libs.config import ServiceSettings
from libs.db import Database, DatabaseUnavailable


class StartupError(Exception):
    """A dependency needed at start is unreachable; the message says which, where, and what to do."""


@dataclass(frozen=True)
class Platform:
    """The shared ports every service gets: broker, publisher, topology names, database."""

    service: str
    settings: ServiceSettings
    topology: Topology
    broker: BrokerConnection
    publisher: Publisher
    db: Database | None


@asynccontextmanager
async def open_platform(
    settings: ServiceSettings, *, service: str, uses_database: bool = True
) -> AsyncIterator[Platform]:
    """Connect broker and database, declare the exchanges, open the publisher; close in reverse."""
    async with AsyncExitStack() as stack:
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
        topology = Topology(settings.broker_prefix)
        channel = await broker.channel(publisher_confirms=False)
        await topology.declare_exchanges(channel)
        await channel.close()
        publisher = Publisher(connection=broker, service=service)
        await publisher.start()
        stack.push_async_callback(publisher.close)
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
            broker=broker,
            publisher=publisher,
            db=db,
        )
