from __future__ import annotations

from dataclasses import dataclass

from libs.db import Database
from services.router.unrouted import UnroutedParking


@dataclass(frozen=True)
class RouterDeps:
    """What the router's handler needs; built once by `bootstrap.build`."""

    name: str
    db: Database
    events_exchange: str
    unrouted_queue: str
    parking: UnroutedParking
