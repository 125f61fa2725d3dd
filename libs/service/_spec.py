from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aiohttp import web

from libs.broker import Subscription
from libs.config import ServiceSettings
from libs.observability import ReadinessCheck
from libs.service._platform import Platform

SettingsT = TypeVar("SettingsT", bound=ServiceSettings)
DepsT = TypeVar("DepsT")


def _no_subscriptions(_: Any) -> Sequence[Subscription[Any, Any]]:
    return ()


@dataclass(frozen=True)
class ServiceSpec(Generic[SettingsT, DepsT]):
    """What a service is, in one place: its name, settings, composition root and surfaces.

    - `bootstrap(settings, platform)`: async context manager yielding the frozen deps
      (the only place a service opens its own resources).
    - `subscriptions(deps)`: the subscription table; the work queue is bound from it.
    - `create_app(deps)`: the service's aiohttp routes, served beside /metrics and /healthz.
    - `relays_outbox`: run the outbox relay for this service's rows.
    - `uses_database` / `uses_broker`: open that dependency at start (both by default); a
      service without a broker can have no subscriptions and relay no outbox.
    - `readiness(deps)`: the service's own checks for `/readyz` (e.g. a second consumer's
      watchdog), besides the broker, database and subscription consumer.
    """

    name: str
    settings: type[SettingsT]
    bootstrap: Callable[[SettingsT, Platform], AbstractAsyncContextManager[DepsT]]
    subscriptions: Callable[[DepsT], Sequence[Subscription[Any, DepsT]]] = _no_subscriptions
    create_app: Callable[[DepsT], web.Application] | None = None
    uses_database: bool = True
    uses_broker: bool = True
    relays_outbox: bool = False
    readiness: Callable[[DepsT], Mapping[str, ReadinessCheck]] | None = None
    watchdog_interval: float = 5.0
