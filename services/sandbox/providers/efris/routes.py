"""Every route this provider adds to the sandbox, for `services.sandbox.http`."""

from __future__ import annotations

from aiohttp import web

from services.sandbox.providers.efris import api, control


def routes() -> list[web.RouteDef]:
    """Every EFRIS route of the sandbox."""
    return [*api.routes(), *control.routes()]
