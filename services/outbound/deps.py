from __future__ import annotations

from dataclasses import dataclass

from libs.broker import Publisher
from libs.observability import ReadinessCheck
from services.outbound.delivery.dispatch import Dispatcher
from services.outbound.delivery.worker import DeliveryQueues
from services.outbound.endpoints import Directory


@dataclass(frozen=True)
class OutboundDeps:
    """What the fan-out handler needs; built once by `bootstrap.build`."""

    directory: Directory
    dispatcher: Dispatcher
    publisher: Publisher
    queues: DeliveryQueues
    delivery_consumer: ReadinessCheck  # the delivery worker's watchdog, for /readyz
    # A first attempt may wait for a slot behind a request that runs to its timeout, then run
    # to its own: the fan-out handler gets both and some margin before it counts as hung.
    fan_out_timeout: float
