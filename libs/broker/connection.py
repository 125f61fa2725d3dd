"""A named, self-healing connection to RabbitMQ."""

from __future__ import annotations

import asyncio
from typing import Any

import aio_pika
import aiormq
from aio_pika.abc import AbstractRobustChannel, AbstractRobustConnection
from yarl import URL

from libs.broker._errors import BrokerUnavailable
from libs.config import redact_url
from libs.observability import get_logger, metrics

log = get_logger(__name__)


class BrokerConnection:
    """One AMQP connection, named after its owner, that reconnects by itself.

    aio-pika's robust connection re-opens channels and re-declares what was
    declared through them, consumers included; `reconnects` counts how often.
    Heartbeats default to 10 s so a silently dropped link is noticed within
    about 30 s rather than aiormq's 180 s.
    """

    def __init__(
        self,
        *,
        url: str,
        name: str,
        service: str,
        reconnect_interval: float = 1.0,
        heartbeat: int = 10,
    ) -> None:
        parsed = URL(url)
        query = {"heartbeat": str(heartbeat), **parsed.query}
        self._url = str(parsed.with_query(query))
        self._name = name
        self._service = service
        self._reconnect_interval = reconnect_interval
        self._connection: AbstractRobustConnection | None = None
        self.reconnects = 0
        self.reconnected = asyncio.Event()

    def __repr__(self) -> str:
        return f"BrokerConnection(url={redact_url(self._url)!r}, name={self._name!r})"

    async def connect(self) -> None:
        """Open the connection; raise `BrokerUnavailable` saying where, if the broker is unreachable."""
        try:
            self._connection = await aio_pika.connect_robust(
                self._url,
                reconnect_interval=self._reconnect_interval,
                client_properties={"connection_name": self._name},
            )
        except (TimeoutError, OSError, aiormq.exceptions.AMQPError) as exc:
            raise BrokerUnavailable(
                f"RabbitMQ is unreachable at {redact_url(self._url)} ({type(exc).__name__})",
                exchange="",
                routing_key="",
            ) from exc
        self._connection.reconnect_callbacks.add(self._on_reconnect)

    async def channel(self, **kwargs: Any) -> AbstractRobustChannel:
        """A new robust channel on this connection (see `aio_pika.Connection.channel`)."""
        connection = self._require()
        channel = connection.channel(**kwargs)
        await channel.initialize()
        return channel

    @property
    def is_open(self) -> bool:
        return self._connection is not None and not self._connection.is_closed

    async def check(self) -> bool:
        """Readiness: the connection is open and not in the middle of reconnecting."""
        return self.is_open and not getattr(self._connection, "reconnecting", False)

    async def close(self) -> None:
        """Close for good (no reconnect); idempotent."""
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    def _require(self) -> AbstractRobustConnection:
        if self._connection is None:
            raise BrokerUnavailable("broker connection is not open", exchange="", routing_key="")
        return self._connection

    def _on_reconnect(self, *_: Any) -> None:
        self.reconnects += 1
        metrics.broker_reconnects.labels(self._service).inc()
        log.info("broker_reconnected", connection=self._name, reconnects=self.reconnects)
        self.reconnected.set()
