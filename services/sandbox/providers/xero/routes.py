"""Every route this provider adds to the sandbox, for `services.sandbox.http`."""

from __future__ import annotations

from aiohttp import web

from services.sandbox.providers.xero import api, control, identity


def routes() -> list[web.RouteDef]:
    """Every Xero route of the sandbox."""
    return [*api.routes(), *identity.routes(), *control.routes()]
