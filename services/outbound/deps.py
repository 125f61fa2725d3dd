from __future__ import annotations

from dataclasses import dataclass

from libs.broker import Publisher
from services.outbound.endpoints import Directory


@dataclass(frozen=True)
class OutboundDeps:
    """What the fan-out handler needs; built once by `bootstrap.build`."""

    directory: Directory
    publisher: Publisher
    delivery_queue: str
