from __future__ import annotations

from dataclasses import dataclass

from services.router.group_routing import GroupRouter
from services.router.unrouted import UnroutedParking


@dataclass(frozen=True)
class RouterDeps:
    """What the router's handler needs; built once by `bootstrap.build`."""

    router: GroupRouter
    parking: UnroutedParking
